"""Every function against the command line: the same arguments give the same JSON envelope,
byte for byte, and every leaf converts to the Python value it encodes, field by field."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Dict, List

import pytest

import alignexact
from alignexact import Bounds, Certified, Record, Result

A = dict(p="1/2,3/10,1/5", r="0,1,3")
B = dict(p="7/10,3/10", r="0,1")

# (function, positional args, keyword args, equivalent command line)
CASES = [
    ("divergence", (), dict(p="1/2,1/3,1/6", q="1/3,1/3,1/3", digits=50),
     ["divergence", "--p", "1/2,1/3,1/6", "--q", "1/3,1/3,1/3", "--digits", "50"]),
    ("divergence", (), dict(p="1/2,1/3,1/6", q="1/3,1/3,1/3", alpha="1/2", digits=20),
     ["divergence", "--p", "1/2,1/3,1/6", "--q", "1/3,1/3,1/3", "--alpha", "1/2", "--digits", "20"]),
    ("divergence", (), dict(p="1,0", q="1/2,1/2", digits=12),
     ["divergence", "--p", "1,0", "--q", "1/2,1/2", "--digits", "12"]),
    ("tilt", (), dict(**A, delta="3/10"), ["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10"]),
    ("tilt", (), dict(**B, lambda_=-5, digits=40), ["tilt", "--p", "7/10,3/10", "--r", "0,1", "--lambda", "-5", "--digits", "40"]),
    ("tilt", (), dict(**B, exp_lambda=2, digits=20), ["tilt", "--p", "7/10,3/10", "--r", "0,1", "--exp-lambda", "2", "--digits", "20"]),
    ("tilt", (), dict(**A, delta="5", digits=20), ["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "5", "--digits", "20"]),
    ("tilt", (), dict(**A, delta=0), ["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "0"]),
    ("rate", (), dict(**B, x="0.8", delta="1/5"), ["rate", "--p", "7/10,3/10", "--r", "0,1", "--x", "0.8", "--delta", "1/5"]),
    ("rate", (), dict(**B, x="2", digits=10), ["rate", "--p", "7/10,3/10", "--r", "0,1", "--x", "2", "--digits", "10"]),
    ("cumulants", (), dict(**A, delta="3/10", order=6, t="1/2"),
     ["cumulants", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10", "--order", "6", "--t", "1/2"]),
    ("bon", (), dict(**B, n=5, N=3), ["bon", "--p", "7/10,3/10", "--r", "0,1", "--n", "5", "--N", "3"]),
    ("bon", (), dict(**A, N=4, ties="order", digits=25), ["bon", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--N", "4", "--ties", "order", "--digits", "25"]),
    ("bon", (), dict(**A, N=7, n=3, levels="top 2", digits=25),
     ["bon", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--N", "7", "--n", "3", "--levels", "top 2", "--digits", "25"]),
    ("compare", (), dict(**A, delta="3/10", n=1000), ["compare", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10", "--n", "1000"]),
    ("compare", (), dict(**B, delta="1/5", n=20, N_rule="floor", digits=15),
     ["compare", "--p", "7/10,3/10", "--r", "0,1", "--delta", "1/5", "--n", "20", "--N-rule", "floor", "--digits", "15"]),
    ("sweep", (), dict(**A, delta="3/10", n=[10, 20, 40], digits=12),
     ["sweep", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10", "--n", "10,20,40", "--digits", "12"]),
    ("check", ("TILT-1", "BON-3"), dict(digits=20), ["check", "TILT-1", "BON-3", "--digits", "20"]),
]


def ids(case: Any) -> str:
    return case[0] + ":" + " ".join(case[3][1:])[:60]


def assert_leafwise(py: Any, js: Any, path: str) -> int:
    """Walk the CLI's JSON and the Python value side by side; return the number of leaves."""
    if js is None:
        assert py is None, path
        return 1
    if isinstance(js, dict):
        keys = set(js)
        if "exact" in js and keys <= {"exact", "value"}:
            assert isinstance(py, Fraction), path
            assert py == Fraction(js["exact"]), path
            return 1
        if "lo" in js and "hi" in js and keys <= {"value", "lo", "hi"}:
            if "value" in js:
                assert isinstance(py, Certified), path
                assert py.value == js["value"], path
            else:
                assert type(py) is Bounds, path
            assert py.lo == Decimal(js["lo"]) and py.hi == Decimal(js["hi"]), path
            assert py.lo <= py.hi, path
            return 1
        if keys == {"value"}:
            assert py == float(js["value"]), path
            return 1
        assert isinstance(py, Record), path
        assert list(py.keys()) == list(js.keys()), path
        return sum(assert_leafwise(py[k], v, f"{path}/{k}") for k, v in js.items())
    if isinstance(js, list):
        assert isinstance(py, list) and len(py) == len(js), path
        return sum(assert_leafwise(a, b, f"{path}/{i}") for i, (a, b) in enumerate(zip(py, js)))
    if isinstance(js, str) and js.lstrip("-").isdigit():
        assert py == int(js), path
        return 1
    assert py == js and type(py) is type(js), path
    return 1


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_function_matches_cli_json(cli: Any, case: Any) -> None:
    name, args, kwargs, argv = case
    res = getattr(alignexact, name)(*args, **kwargs)
    assert isinstance(res, Result)
    code, out, err = cli(argv + ["--json"])
    assert code == res.exit_code == 0, err
    # the envelope, unchanged
    assert res.to_json() == out
    env = cli.json(argv + ["--json"])
    assert res.command == env["command"] == name
    assert res.schema == env["schema"] == "alignexact/1"
    assert res.input.to_dict() == env["input"]
    assert res.envelope == env
    # field by field
    leaves = assert_leafwise(res, env["result"], "")
    assert leaves >= 2
    # attribute access: a trailing underscore for Python keywords
    for key in env["result"]:
        attr = key + "_" if key == "lambda" else key
        assert getattr(res, attr) is res[key]


def test_python_defaults_to_30_digits_like_the_cli(cli: Any) -> None:
    res = alignexact.tilt(**A, delta="3/10")
    assert res.input["digits"] == 30
    assert res.lambda_.digits == 30


def test_run_and_module_getattr_reach_any_subcommand(cli: Any) -> None:
    """New subcommands need no new code: `run` and `alignexact.NAME` forward to any of them."""
    res = alignexact.run("tilt", **A, delta="3/10", digits=10)
    assert res.to_json() == cli(["tilt", "--p", A["p"], "--r", A["r"], "--delta", "3/10", "--digits", "10", "--json"])[1]
    assert "demo" in alignexact.commands()
    assert callable(alignexact.demo)
    with pytest.raises(AttributeError):
        alignexact.no_such_command  # noqa: B018


def test_flags_come_from_the_cli_definition() -> None:
    table = alignexact.commands()
    for name in ("tilt", "rate", "cumulants", "divergence", "bon", "compare", "sweep", "check"):
        assert name in table
        assert "digits" in table[name]["flags"]
    assert table["tilt"]["flags"]["lambda"] is True
    assert table["tilt"]["flags"]["normalize"] is False
    assert table["compare"]["flags"]["N-rule"] is True
    assert table["check"]["positional"] == ["ids"]


def test_spec_as_a_dict_or_a_file(cli: Any, tmp_path: Any) -> None:
    spec = {"p": ["1/2", "3/10", "1/5"], "r": [0, 1, 3], "delta": "3/10"}
    a = alignexact.tilt(spec=spec, digits=12)
    path = tmp_path / "spec.json"
    import json

    path.write_text(json.dumps(spec))
    b = alignexact.tilt(spec=path, digits=12)
    out = cli(["tilt", "--spec", str(path), "--digits", "12", "--json"])[1]
    assert a.to_json() == b.to_json() == out


def test_repeated_command_lines_in_one_process_match_the_binary(cli: Any) -> None:
    """The module parses many command lines with one cached clap tree: errors, help and results
    stay exactly those of a fresh process, in any order."""
    from alignexact import _native

    argvs = [
        ["tilt", "--foo=1"],
        ["tilt", "--p"],
        ["bon", "--p", "7/10,3/10", "--r", "0,1", "--N", "3", "--ties", "bogus", "--json"],
        ["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10", "--json"],
        ["nosuchcommand"],
        ["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10", "--lambda", "1", "--json"],
        ["tilt", "--foo=1"],
        ["tilt", "--help"],
        ["--version"],
        ["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10", "--json"],
    ]
    for argv in argvs * 2:
        assert _native.run(argv) == cli(argv), argv
