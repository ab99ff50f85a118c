"""alignexact: exact and certified mathematics of best-of-N versus KL-constrained RL.

Every function runs the same code as the ``alignexact`` command line with ``--json``, in this
process, and returns its JSON envelope as Python objects:

- an exact rational comes back as :class:`fractions.Fraction` (an exact integer as ``int``);
- a certified real comes back as :class:`Certified`: ``.value`` (the decimal string, ``digits``
  significant digits, at most one unit in the last place from the truth), ``.lo`` and ``.hi``
  (:class:`decimal.Decimal` bounds with ``lo <= x <= hi`` rigorously), ``float(c)``,
  ``c.contains(x)`` and ``c.to_mpmath()``;
- rigorous bounds without certified digits (claim margins) come back as :class:`Bounds`;
- an infinity as ``float('inf')``, a value undefined at this input as ``None`` (the result's
  ``notes`` say why);
- objects and arrays as :class:`Record` (attribute access: ``res.lambda_`` for ``"lambda"``)
  and ``list``.

Inputs are exact: ``str`` (``"3/10"``, ``"0.3"``, ``"1e-3"``), ``int``, :class:`fractions.Fraction`
and :class:`decimal.Decimal`. A Python ``float`` raises :class:`TypeError`: ``0.1`` is not 1/10,
and silently using its binary value is the bug this package exists to catch.

>>> import alignexact
>>> res = alignexact.tilt(p="1/2,3/10,1/5", r=[0, 1, 3], delta="3/10", digits=20)
>>> res.regime
'interior'
>>> res.lambda_
Certified('0.60341350233614637506')
>>> res.delta
Fraction(3, 10)
>>> res.lambda_.contains("0.6034135023361463750604")
True

The computation runs on a worker thread with the GIL released, so other Python threads run
meanwhile; Ctrl-C raises ``KeyboardInterrupt`` at once (the abandoned computation finishes on its
worker thread, since the core has no cancellation points, and its result is dropped).

Errors: bad input raises :class:`ValueError` (precisely :class:`InputError`) with the command
line's message, a value that cannot be certified within the precision cap raises
:class:`CertificationError`, and ``check(strict=True)`` raises :class:`ClaimViolated`.
"""

from __future__ import annotations

import decimal
import json
import numbers
import os
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import _native

__version__: str = _native.version()

__all__ = [
    "AlignexactError",
    "Bounds",
    "CertificationError",
    "Certified",
    "ClaimViolated",
    "InputError",
    "Record",
    "Result",
    "bon",
    "check",
    "commands",
    "compare",
    "cumulants",
    "divergence",
    "rate",
    "run",
    "sweep",
    "tilt",
]

# ---------------------------------------------------------------------------------------------
# Exceptions
# ---------------------------------------------------------------------------------------------


class AlignexactError(Exception):
    """Base class of the errors raised by alignexact.

    ``argv`` is the command line that was run (without the program name), ``exit_code`` the
    command line's exit code and ``message`` its one-line message.
    """

    def __init__(self, message: str, argv: Sequence[str] = (), exit_code: int = 0, result: Any = None):
        super().__init__(message)
        self.message = message
        self.argv = list(argv)
        self.exit_code = exit_code
        self.result = result


class InputError(AlignexactError, ValueError):
    """Bad input or usage (exit code 2): the message names the flag and the fix.

    It is a :class:`ValueError`, so ``except ValueError`` catches it.

    >>> import alignexact
    >>> alignexact.tilt(p="1/2,1/3", r="0,1", delta="1/10")
    Traceback (most recent call last):
    ...
    alignexact.InputError: --p: the probabilities sum to 5/6, not exactly 1; ...
    """


class CertificationError(AlignexactError, ArithmeticError):
    """The requested digits could not be certified within the precision cap (exit code 3).

    The message names the quantity and how far the precision loop got; raise ``max_bits`` or
    lower ``digits``.
    """


class ClaimViolated(AlignexactError, AssertionError):
    """Raised by ``check(strict=True)`` when a claim is violated.

    ``result`` is the full result of ``check`` and ``violated`` the list of violated claims.
    """

    def __init__(self, message: str, argv: Sequence[str] = (), exit_code: int = 1, result: Any = None):
        super().__init__(message, argv, exit_code, result)
        claims = getattr(result, "claims", None) or []
        self.violated: List[Record] = [c for c in claims if c.get("status") == "violated"]


# ---------------------------------------------------------------------------------------------
# Leaves
# ---------------------------------------------------------------------------------------------

_Number = Union[int, Fraction, Decimal, str, float]


def _to_decimal(s: str) -> Decimal:
    return Decimal(s)


def _comparable(x: Any) -> Union[int, Fraction, Decimal, float]:
    """``x`` as a number that compares exactly with a Decimal."""
    if isinstance(x, bool):
        raise TypeError("contains() takes a number, not a bool")
    if isinstance(x, (int, Fraction, Decimal, float)):
        return x
    if isinstance(x, str):
        s = x.strip()
        return Fraction(s) if "/" in s else Decimal(s)
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Rational):
        return Fraction(x.numerator, x.denominator)
    if isinstance(x, numbers.Real):
        return float(x)
    # mpmath numbers and the like: through their exact decimal text
    return Decimal(str(x))


class Bounds:
    """Rigorous bounds ``lo <= x <= hi`` of a real ``x`` (both :class:`decimal.Decimal`),
    without certified digits: the JSON leaf ``{"lo": ..., "hi": ...}`` used for claim margins
    and diagnostics. Immutable.

    >>> b = Bounds("-1e-40", "2e-40")
    >>> b.contains(0), b.contains("3e-40")
    (True, False)
    """

    __slots__ = ("_lo", "_hi", "_where")

    def __init__(self, lo: Union[str, Decimal], hi: Union[str, Decimal]):
        object.__setattr__(self, "_lo", Decimal(lo))
        object.__setattr__(self, "_hi", Decimal(hi))
        object.__setattr__(self, "_where", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    __delattr__ = __setattr__  # type: ignore[assignment]

    @property
    def lo(self) -> Decimal:
        """Lower bound (rounded down): ``lo <= x``."""
        return self._lo

    @property
    def hi(self) -> Decimal:
        """Upper bound (rounded up): ``x <= hi``."""
        return self._hi

    def contains(self, x: Any) -> bool:
        """Whether ``lo <= x <= hi``, compared exactly (``x``: int, Fraction, Decimal, str, float)."""
        v = _comparable(x)
        return bool(self._lo <= v <= self._hi)

    def __contains__(self, x: Any) -> bool:
        return self.contains(x)

    def to_mpmath(self, interval: bool = True) -> Any:
        """The bounds as an mpmath interval ``mpmath.iv.mpf([lo, hi])`` (rounded outward by
        mpmath at its working precision). Requires mpmath."""
        import mpmath

        return mpmath.iv.mpf([str(self._lo), str(self._hi)])

    def _key(self) -> Tuple[Any, ...]:
        return (self._lo, self._hi)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__,) + self._key())

    def __repr__(self) -> str:
        return f"Bounds(lo='{self._lo}', hi='{self._hi}')"

    def __reduce__(self) -> Any:
        return (Bounds, (str(self._lo), str(self._hi)))


class Certified(Bounds):
    """A certified real: the JSON leaf ``{"value": ..., "lo": ..., "hi": ...}``. Immutable.

    - ``.value``: the decimal text with the requested significant digits; it differs from the
      true value ``x`` by at most one unit in its last place;
    - ``.lo``, ``.hi``: :class:`decimal.Decimal` with ``lo <= x <= hi`` (rigorous, rounded outward);
    - ``float(c)``: the double nearest to the true value when the enclosure decides it (else
      the double nearest to ``.value``);
    - ``c.contains(x)``: exact test ``lo <= x <= hi``;
    - ``c.to_mpmath()``: an ``mpmath.mpf`` of ``.value`` (``interval=True``: ``mpmath.iv.mpf([lo, hi])``).

    >>> c = Certified("0.333", lo="0.33333333", hi="0.33333334")
    >>> c.value, c.lo, float(c)
    ('0.333', Decimal('0.33333333'), 0.333)
    >>> c.contains(Fraction(1, 3)), c.contains("0.3334")
    (True, False)
    """

    __slots__ = ("_value",)

    def __init__(self, value: str, lo: Union[str, Decimal], hi: Union[str, Decimal]):
        super().__init__(lo, hi)
        object.__setattr__(self, "_value", str(value))

    @property
    def value(self) -> str:
        """The certified decimal text (``digits`` significant digits, within one unit in the last place)."""
        return self._value

    @property
    def digits(self) -> int:
        """Number of significant digits in ``.value``."""
        mant = self._value.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
        return max(len(mant), 1)

    def __float__(self) -> float:
        # Rounding to nearest is monotone: when lo and hi round to the same double, so does
        # every x in [lo, hi], and that double is the correctly rounded value of x.
        lo, hi = float(self._lo), float(self._hi)
        return lo if lo == hi else float(self._value)

    def to_mpmath(self, interval: bool = False) -> Any:
        """``mpmath.mpf(value)`` at mpmath's current precision (set ``mpmath.mp.dps`` to at least
        ``digits``), or with ``interval=True`` the rigorous ``mpmath.iv.mpf([lo, hi])``. Requires mpmath."""
        import mpmath

        if interval:
            return mpmath.iv.mpf([str(self._lo), str(self._hi)])
        return mpmath.mpf(self._value)

    def _key(self) -> Tuple[Any, ...]:
        return (self._value, self._lo, self._hi)

    def __str__(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Certified('{self._value}')"

    def __reduce__(self) -> Any:
        return (Certified, (self._value, str(self._lo), str(self._hi)))


def _int(s: str) -> int:
    # int() refuses decimal strings of more than 4300 digits (CVE-2020-10735); Decimal does not
    return int(s) if len(s) < 4000 else int(Decimal(s))


def _fraction(s: str) -> Fraction:
    if len(s) < 4000:
        return Fraction(s)
    num, _, den = s.partition("/")
    return Fraction(_int(num), _int(den) if den else 1)


def _is_int_text(s: str) -> bool:
    t = s[1:] if s[:1] == "-" else s
    return t.isdigit() and t.isascii()


def _leaf(obj: Dict[str, Any]) -> Any:
    """The Python value of a JSON leaf, or ``_NOT_LEAF``."""
    keys = obj.keys()
    if "exact" in obj and keys <= {"exact", "value"}:
        return _fraction(obj["exact"])
    if "lo" in obj and "hi" in obj and keys <= {"value", "lo", "hi"}:
        if "value" in obj:
            return Certified(obj["value"], obj["lo"], obj["hi"])
        return Bounds(obj["lo"], obj["hi"])
    if keys == {"value"} and obj["value"] in ("inf", "-inf", "+inf"):
        return float(obj["value"])
    return _NOT_LEAF


_NOT_LEAF = object()


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _convert(raw: Any, root: Optional["Result"], ptr: str, plain: bool = False) -> Any:
    if plain:
        if isinstance(raw, dict):
            return Record(raw, None, ptr, plain=True)
        if isinstance(raw, list):
            return [_convert(v, None, ptr, plain=True) for v in raw]
        return raw
    if isinstance(raw, dict):
        leaf = _leaf(raw)
        if leaf is not _NOT_LEAF:
            if isinstance(leaf, Bounds) and root is not None:
                object.__setattr__(leaf, "_where", (root, ptr))
            return leaf
        return Record(raw, root, ptr)
    if isinstance(raw, list):
        return [_convert(v, root, f"{ptr}/{i}") for i, v in enumerate(raw)]
    if isinstance(raw, str) and _is_int_text(raw):
        return _int(raw)
    return raw


# ---------------------------------------------------------------------------------------------
# Records and results
# ---------------------------------------------------------------------------------------------


def _key_for(name: str, data: Mapping[str, Any]) -> Optional[str]:
    if name in data:
        return name
    if name.endswith("_") and name[:-1] in data:  # lambda_ -> "lambda"
        return name[:-1]
    dashed = name.replace("_", "-")
    if dashed in data:
        return dashed
    return None


class Record(Mapping):  # type: ignore[type-arg]
    """A JSON object of a result, read-only: ``rec["lambda"]``, ``rec.lambda_`` (a trailing
    underscore for Python keywords), ``rec.keys()``; ``rec.to_json()`` is its JSON text and
    ``rec.to_dict()`` the plain JSON data (leaves as in the envelope)."""

    __slots__ = ("_raw", "_conv", "_root", "_ptr", "_plain")

    def __init__(self, raw: Dict[str, Any], root: Optional["Result"] = None, ptr: str = "", plain: bool = False):
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_ptr", ptr)
        object.__setattr__(self, "_plain", plain)
        object.__setattr__(self, "_conv", None)

    @property
    def _data(self) -> Dict[str, Any]:
        # converted on first use: a call whose result is only partly read pays only for that part
        conv = self._conv
        if conv is None:
            ptr, root, plain = self._ptr, self._root, self._plain
            conv = {k: _convert(v, root, f"{ptr}/{_escape(k)}", plain) for k, v in self._raw.items()}
            object.__setattr__(self, "_conv", conv)
        return conv

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        key = _key_for(name, self._data)
        if key is None:
            raise AttributeError(
                f"{type(self).__name__} has no field {name!r}; fields: {', '.join(self._data)}"
            )
        return self._data[key]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __dir__(self) -> List[str]:
        names = [k + "_" if k in _KEYWORDS else k.replace("-", "_") for k in self._data]
        return sorted(set(list(super().__dir__()) + names))

    def to_dict(self) -> Dict[str, Any]:
        """The JSON data of this object (leaves in the envelope's encoding)."""
        return json.loads(json.dumps(self._raw), parse_int=_int)

    def to_json(self, indent: Optional[int] = 2) -> str:
        """This object as JSON text."""
        return json.dumps(self._raw, indent=indent)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_short(v)}" for k, v in self._data.items())
        return f"Record({inner})"


_KEYWORDS = {"lambda", "from", "import", "in", "is", "not", "and", "or", "class", "def", "global", "pass"}


def _short(v: Any) -> str:
    if isinstance(v, list):
        return f"[{len(v)} items]" if len(v) > 3 else "[" + ", ".join(_short(x) for x in v) + "]"
    if isinstance(v, Record):
        return "{...}"
    return repr(v)


class Result(Record):
    """The result of one command: the fields of the envelope's ``result`` as attributes and
    items, plus

    - ``command``: the subcommand name; ``input``: the exact echo of the validated input;
    - ``argv``: the command line that produced it (``alignexact ARGV``);
    - ``exit_code``: the command line's exit code (0, or 1 for ``check`` with a violated claim);
    - ``to_json()``: the command line's JSON envelope, the very text ``alignexact ARGV`` prints;
    - ``envelope``: that envelope as plain JSON data;
    - ``tolerance``: the float64 tolerance model of the reference vectors for this result
      (used by :func:`alignexact.testing.assert_close`).
    """

    __slots__ = ("_text", "_envelope", "_argv", "_exit_code", "_tolerance")

    def __init__(self, text: str, argv: Sequence[str] = (), exit_code: int = 0):
        env = json.loads(text, parse_int=_int, parse_float=Decimal)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_envelope", env)
        object.__setattr__(self, "_argv", list(argv))
        object.__setattr__(self, "_exit_code", exit_code)
        object.__setattr__(self, "_tolerance", None)
        result = env.get("result", {}) if isinstance(env, dict) else {}
        super().__init__(result if isinstance(result, dict) else {"result": result}, self, "")

    @property
    def command(self) -> str:
        """The subcommand that produced this result."""
        return str(self._envelope.get("command", ""))

    @property
    def schema(self) -> str:
        """The envelope's schema tag (``alignexact/1``)."""
        return str(self._envelope.get("schema", ""))

    @property
    def input(self) -> Record:
        """The exact echo of the validated input (rationals as strings, as in the envelope)."""
        return Record(self._envelope.get("input", {}) or {}, plain=True)

    @property
    def argv(self) -> List[str]:
        """The command line (without the program name) that produced this result."""
        return list(self._argv)

    @property
    def exit_code(self) -> int:
        """The command line's exit code."""
        return self._exit_code

    @property
    def envelope(self) -> Dict[str, Any]:
        """The JSON envelope as plain data (a fresh copy)."""
        return json.loads(self._text, parse_int=_int, parse_float=Decimal)

    def to_json(self, indent: Optional[int] = 2) -> str:
        """The command line's JSON envelope, unchanged: exactly what ``alignexact ARGV`` prints
        (with ``indent=None``: the same document on one line)."""
        if indent == 2:
            return self._text
        return json.dumps(self._envelope, indent=indent)

    @property
    def tolerance(self) -> Dict[str, Any]:
        """The tolerance model of the reference vectors for this result:
        ``{"default": {"rel", "abs"}, "fields": {JSON pointer: {"rel", "abs", "note"}}}``
        (strings holding decimal numbers). A float64 value ``y`` of the leaf at pointer ``f``
        passes when ``|y - v| <= abs + rel |v|``."""
        if self._tolerance is None:
            text = _native.tolerance(
                self.command, json.dumps(self._envelope.get("input", {})), json.dumps(self._raw)
            )
            object.__setattr__(self, "_tolerance", json.loads(text))
        return json.loads(json.dumps(self._tolerance))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_short(v)}" for k, v in self._data.items())
        return f"Result[{self.command}]({inner})"


# ---------------------------------------------------------------------------------------------
# Calling the command line
# ---------------------------------------------------------------------------------------------

_COMMANDS: Optional[Dict[str, Any]] = None


def commands() -> Dict[str, Any]:
    """The command line's subcommands and their flags, read from its own definition:
    ``{"tilt": {"about": ..., "flags": {"p": True, "normalize": False, ...}, "positional": [...]}}``
    where a flag maps to whether it takes a value."""
    global _COMMANDS
    if _COMMANDS is None:
        _COMMANDS = json.loads(_native.commands())
    return _COMMANDS


def _flag_for(command: str, name: str, flags: Mapping[str, bool]) -> str:
    stripped = name[:-1] if name.endswith("_") else name
    for cand in (name, stripped, name.replace("_", "-"), stripped.replace("_", "-")):
        if cand in flags:
            return cand
    known = ", ".join(sorted(k.replace("-", "_") + ("_" if k in _KEYWORDS else "") for k in flags))
    raise TypeError(f"{command}() got an unexpected keyword argument {name!r}; its flags are: {known}")


def _float_error(where: str, x: float) -> TypeError:
    x = float(x)  # numpy.float64 shows as np.float64(...)
    exact = Fraction(x)
    return TypeError(
        f"{where}={x!r} is a binary float, and alignexact takes exact numbers only: "
        f"pass str({x!r}) (the decimal {str(x)!r} as written) or Fraction({x!r}) "
        f"(its exact binary value {exact.numerator}/{exact.denominator})"
    )


def _number(x: Any, where: str) -> str:
    if isinstance(x, bool):
        raise TypeError(f"{where}={x!r}: expected a number, not a bool")
    if isinstance(x, str):
        return x
    if isinstance(x, float):
        raise _float_error(where, x)
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise ValueError(f"{where}={x!r}: not a finite number")
        return str(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Rational):
        n, d = int(x.numerator), int(x.denominator)
        return str(n) if d == 1 else f"{n}/{d}"
    if isinstance(x, numbers.Real):  # numpy.float32, ...: binary floats too
        raise _float_error(where, float(x))
    raise TypeError(
        f"{where}={x!r}: expected an exact number (str, int, fractions.Fraction or decimal.Decimal), "
        f"got {type(x).__name__}"
    )


def _encode(x: Any, where: str) -> str:
    """The flag text of a value: a number, a list of numbers (comma-separated) or a list of
    rows (a matrix: rows separated by ';')."""
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__") or isinstance(x, Decimal):
        if isinstance(x, bytes):
            x = x.decode()
        return _number(x, where)
    items = list(x)
    if items and all(hasattr(e, "__iter__") and not isinstance(e, (str, bytes)) for e in items):
        return ";".join(
            ",".join(_number(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)) for i, row in enumerate(items)
        )
    return ",".join(_number(v, f"{where}[{i}]") for i, v in enumerate(items))


def _argv(command: str, positional: Sequence[Any], flags: Mapping[str, Any]) -> Tuple[List[str], Optional[str]]:
    table = commands().get(command)
    if table is None:
        raise ValueError(f"unknown command {command!r}; commands: {', '.join(commands())}")
    known: Mapping[str, bool] = table["flags"]
    argv = [command]
    argv.extend(_encode(a, f"{command}() argument {i + 1}") for i, a in enumerate(positional))
    tmp = None
    for name, value in flags.items():
        if value is None or value is False:
            continue
        flag = _flag_for(command, name, known)
        if flag == "json":
            continue
        if not known[flag]:
            if value is not True:
                raise TypeError(f"{command}(): {name} is a switch: pass True or False, not {value!r}")
            argv.append(f"--{flag}")
            continue
        if flag == "spec" and isinstance(value, Mapping):
            import tempfile  # only here: it is slow to import

            fd, tmp = tempfile.mkstemp(prefix="alignexact-spec-", suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(value, f)
            value = tmp
        elif isinstance(value, os.PathLike):
            value = os.fspath(value)
        # --flag=value: a value starting with '-' is never taken for a flag
        argv.append(f"--{flag}={_encode(value, name)}")
    if "json" in known:
        argv.append("--json")
    return argv, tmp


def _invoke(command: str, positional: Sequence[Any], flags: Mapping[str, Any]) -> Tuple[int, str, str, List[str]]:
    argv, tmp = _argv(command, positional, flags)
    try:
        code, out, err = _native.run(argv)
    finally:
        if tmp is not None:
            os.unlink(tmp)
    return code, out, err, argv


def _message(err: str) -> str:
    msg = err.strip()
    return msg[len("error: "):] if msg.startswith("error: ") else msg


def _result_or_none(out: str, argv: Sequence[str], code: int) -> Optional[Result]:
    try:
        return Result(out, argv, code) if out.strip().startswith("{") else None
    except ValueError:
        return None


def _call(command: str, positional: Sequence[Any], flags: Mapping[str, Any], strict: bool = False) -> Any:
    code, out, err, argv = _invoke(command, positional, flags)
    if code == 2:
        raise InputError(_message(err), argv, code)
    if code == 3:
        raise CertificationError(_message(err), argv, code, _result_or_none(out, argv, code))
    if code not in (0, 1):
        raise AlignexactError(_message(err) or f"exit code {code}", argv, code)
    text = out.strip()
    if not text.startswith("{"):
        return out  # a command without a JSON form (e.g. help text)
    env_like = '"schema"' in text[:200]
    if not env_like:
        return json.loads(out, parse_int=_int, parse_float=Decimal)
    res = Result(out, argv, code)
    if strict and code == 1:
        bad = [c for c in res.get("claims", []) if c.get("status") == "violated"]
        ids = ", ".join(str(c.get("id")) for c in bad[:10]) or "?"
        raise ClaimViolated(f"{len(bad)} claim(s) violated: {ids}", argv, code, res)
    return res


def run(command: str, *args: Any, **flags: Any) -> Any:
    """Run any subcommand of the command line with ``--json`` and return its :class:`Result`.

    Keyword arguments become flags: ``lambda_=`` is ``--lambda``, ``max_bits=`` is ``--max-bits``,
    ``N_rule=`` is ``--N-rule``; ``True`` is a bare switch, ``None``/``False`` are left out; a list
    is comma-separated, a list of rows is ``;``-separated (``--transition``). Positional arguments
    (claim ids of ``check``) follow the subcommand. Flags the command line gains later work
    without a change here.

    >>> import alignexact
    >>> alignexact.run("divergence", p="1/2,1/2", q=["1/4", "3/4"], digits=10).kl
    Certified('0.1438410362')
    """
    return _call(command, args, flags, strict=bool(flags.pop("strict", False)))


def __getattr__(name: str) -> Any:
    """Subcommands without a function of their own (``demo``, ``schema``, new ones) are reachable
    as ``alignexact.NAME(**flags)``, the same as ``run("NAME", **flags)``."""
    if name.startswith("_") or name not in commands():
        raise AttributeError(f"module 'alignexact' has no attribute {name!r}")

    def call(*args: Any, **flags: Any) -> Any:
        return run(name, *args, **flags)

    call.__name__ = name
    call.__doc__ = f"{commands()[name]['about']} (alignexact {name} --json)."
    return call


def _flags(loc: Dict[str, Any], extra: Dict[str, Any]) -> Dict[str, Any]:
    out = {k: v for k, v in loc.items() if k != "flags"}
    out.update(extra)
    return out


# ---------------------------------------------------------------------------------------------
# One function per subcommand
# ---------------------------------------------------------------------------------------------

Num = Union[str, int, Fraction, Decimal]
NList = Union[str, Sequence[Num]]


def divergence(
    p: Optional[NList] = None,
    q: Optional[NList] = None,
    *,
    alpha: Optional[Num] = None,
    normalize: bool = False,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """KL divergences, entropy and Rényi forms of two distributions (``alignexact divergence``).

    Fields: ``kl`` (D(p‖q)), ``kl_reverse``, ``entropy``, ``cross_entropy``; with ``alpha``:
    ``renyi_divergence``, ``renyi_entropy``, ``renyi_cross_entropy``, ``renyi_cross_entropy_alt``.

    >>> from fractions import Fraction
    >>> d = divergence([Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)], "1/3,1/3,1/3", digits=15)
    >>> d.kl, d.kl.lo <= d.kl.hi
    (Certified('0.0872080239607580'), True)
    """
    return _call("divergence", (), _flags(locals(), flags))


def tilt(
    p: Optional[NList] = None,
    r: Optional[NList] = None,
    *,
    delta: Optional[Num] = None,
    lambda_: Optional[Num] = None,
    beta: Optional[Num] = None,
    exp_lambda: Optional[Num] = None,
    normalize: bool = False,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """The KL-constrained optimum φ_λ ∝ p e^{λ r} for a budget (``alignexact tilt``, TILT-1).

    Give one of ``delta`` (the KL budget Δ), ``lambda_``, ``beta`` (= 1/λ) or ``exp_lambda`` (e^λ).
    Fields: ``regime`` ("reference", "interior", "saturated"), ``lambda``, ``delta``,
    ``log_partition``, ``expected_reward``, ``reward_variance``, ``phi`` (list), ``delta_max``.

    >>> t = tilt(p="1/2,3/10,1/5", r="0,1,3", delta="3/10", digits=12)
    >>> t.lambda_, t.delta, t.expected_reward
    (Certified('0.603413502336'), Fraction(3, 10), Certified('1.85639040897'))
    >>> [str(x) for x in t.phi]
    ['0.220178165116', '0.241537547842', '0.538284287042']
    """
    return _call("tilt", (), _flags(locals(), flags))


def rate(
    p: Optional[NList] = None,
    r: Optional[NList] = None,
    *,
    x: Optional[Num] = None,
    delta: Optional[Num] = None,
    lambda_: Optional[Num] = None,
    beta: Optional[Num] = None,
    exp_lambda: Optional[Num] = None,
    normalize: bool = False,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """The rate functions I_0(x) and I_Δ(x) of the reward (``alignexact rate``, LDP-1).

    Fields: ``lambda_x``, ``rate_reference``, ``rate_aligned`` (with a budget), ``lambda``.

    >>> rate(p="7/10,3/10", r="0,1", x="0.8", delta="1/5", digits=12).rate_reference
    Certified('0.534110808710')
    """
    return _call("rate", (), _flags(locals(), flags))


def cumulants(
    p: Optional[NList] = None,
    r: Optional[NList] = None,
    *,
    order: Optional[int] = None,
    t: Optional[Num] = None,
    delta: Optional[Num] = None,
    lambda_: Optional[Num] = None,
    beta: Optional[Num] = None,
    exp_lambda: Optional[Num] = None,
    normalize: bool = False,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """Cumulants of the reward under the optimum and the scaled CGF with its Rényi forms
    (``alignexact cumulants``, LDP-3, LDP-4).

    Fields: ``lambda``, ``cumulants`` (κ_1..κ_M), ``scgf`` and ``scgf_renyi`` (with ``t``).

    >>> c = cumulants(p="1/2,3/10,1/5", r="0,1,3", delta="3/10", order=2, digits=12)
    >>> c.cumulants
    [Certified('1.85639040897'), Certified('1.63991078071')]
    """
    return _call("cumulants", (), _flags(locals(), flags))


def bon(
    p: Optional[NList] = None,
    r: Optional[NList] = None,
    *,
    N: Optional[Num] = None,
    n: Optional[int] = None,
    ties: Optional[str] = None,
    levels: Optional[str] = None,
    normalize: bool = False,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """Best-of-N in closed form (``alignexact bon``, BON-1..BON-4): the output law by reward
    level, its expected reward, KL to the reference and win rate.

    Fields: ``levels`` (records ``reward``, ``prob_reference``, ``prob_bon``, ...),
    ``expected_reward``, ``kl_to_reference``, ``kl_bound``, ``kl_gap``, ``win_rate``,
    ``win_rate_bound``.

    >>> b = bon(p="7/10,3/10", r="0,1", n=5, N=3, levels="none", digits=12)
    >>> b.expected_reward, b.win_rate_bound
    (Fraction(117923075777169, 50000000000000), Fraction(3, 4))
    """
    return _call("bon", (), _flags(locals(), flags))


def compare(
    p: Optional[NList] = None,
    r: Optional[NList] = None,
    *,
    delta: Optional[Num] = None,
    n: Optional[int] = None,
    N: Optional[Num] = None,
    N_rule: Optional[str] = None,
    lambda_: Optional[Num] = None,
    beta: Optional[Num] = None,
    exp_lambda: Optional[Num] = None,
    normalize: bool = False,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """Best-of-N with N = ⌈e^{nΔ}⌉ against the KL-constrained optimum for sequences of length n
    (``alignexact compare``).

    Fields: ``N``, ``lambda``, ``expected_reward_bon``, ``expected_reward_tilted``,
    ``kl_bon_reference``, ``kl_bon_tilted``, ``kl_tilted_reference``, ``kl_tilted_bon`` and each
    with ``_per_token``.

    >>> c = compare(p="1/2,3/10,1/5", r="0,1,3", delta="3/10", n=10, digits=12)
    >>> c.N, c.kl_tilted_reference
    (Fraction(21, 1), Fraction(3, 1))
    """
    return _call("compare", (), _flags(locals(), flags))


def sweep(
    p: Optional[NList] = None,
    r: Optional[NList] = None,
    *,
    delta: Optional[Num] = None,
    n: Optional[NList] = None,
    N_rule: Optional[str] = None,
    lambda_: Optional[Num] = None,
    beta: Optional[Num] = None,
    exp_lambda: Optional[Num] = None,
    normalize: bool = False,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """``compare`` along a grid of n with the ASY-4..ASY-7 predictions and residuals
    (``alignexact sweep``). Field ``rows``: one record per n.

    >>> s = sweep(p="1/2,3/10,1/5", r="0,1,3", delta="3/10", n=[10, 20], digits=10)
    >>> [row.n for row in s.rows]
    [10, 20]
    """
    return _call("sweep", (), _flags(locals(), flags))


def check(
    *ids: str,
    strict: bool = False,
    seed: Optional[int] = None,
    random: Optional[int] = None,
    digits: Optional[int] = 30,
    max_bits: Optional[int] = None,
    spec: Any = None,
    **flags: Any,
) -> Result:
    """Check the statements of MATH.md with certified margins (``alignexact check [ID ...]``).

    Field ``claims``: records ``id``, ``statement``, ``status``, ``lhs``, ``rhs``, ``margin``.
    With ``strict=True`` a violated claim raises :class:`ClaimViolated`; otherwise the result
    comes back with ``exit_code == 1``.

    >>> res = check("TILT-1", digits=20)
    >>> res.exit_code, sorted({c.status for c in res.claims}) != ["violated"]
    (0, True)
    """
    loc = {k: v for k, v in locals().items() if k not in ("ids", "strict", "flags")}
    loc.update(flags)
    return _call("check", ids, loc, strict=strict)


decimal.getcontext()  # make sure the decimal module's context exists before threads use it
