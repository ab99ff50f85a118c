# Type stubs of the alignexact Python package (the native half is alignexact._native).
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from os import PathLike
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

__version__: str

Num = Union[str, int, Fraction, Decimal]
NList = Union[str, Sequence[Num]]
Spec = Union[str, PathLike[str], Mapping[str, Any], None]
#: A leaf of a result: exact rational, certified real, bounds, infinity (float), undefined (None).
Leaf = Union[Fraction, "Certified", "Bounds", float, int, str, bool, None]

class AlignexactError(Exception):
    message: str
    argv: List[str]
    exit_code: int
    result: Optional[Result]
    def __init__(self, message: str, argv: Sequence[str] = ..., exit_code: int = ..., result: Any = ...) -> None: ...

class InputError(AlignexactError, ValueError): ...
class CertificationError(AlignexactError, ArithmeticError): ...

class ClaimViolated(AlignexactError, AssertionError):
    violated: List[Record]

class Bounds:
    def __init__(self, lo: Union[str, Decimal], hi: Union[str, Decimal]) -> None: ...
    @property
    def lo(self) -> Decimal: ...
    @property
    def hi(self) -> Decimal: ...
    def contains(self, x: Union[int, Fraction, Decimal, str, float]) -> bool: ...
    def __contains__(self, x: object) -> bool: ...
    def to_mpmath(self, interval: bool = ...) -> Any: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Certified(Bounds):
    def __init__(self, value: str, lo: Union[str, Decimal], hi: Union[str, Decimal]) -> None: ...
    @property
    def value(self) -> str: ...
    @property
    def digits(self) -> int: ...
    def __float__(self) -> float: ...
    def to_mpmath(self, interval: bool = ...) -> Any: ...

class Record(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def __getattr__(self, name: str) -> Any: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self, indent: Optional[int] = ...) -> str: ...

class Result(Record):
    def __init__(self, text: str, argv: Sequence[str] = ..., exit_code: int = ...) -> None: ...
    @property
    def command(self) -> str: ...
    @property
    def schema(self) -> str: ...
    @property
    def input(self) -> Record: ...
    @property
    def argv(self) -> List[str]: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def envelope(self) -> Dict[str, Any]: ...
    @property
    def tolerance(self) -> Dict[str, Any]: ...

def commands() -> Dict[str, Any]: ...
def run(command: str, *args: Any, **flags: Any) -> Any: ...
def __getattr__(name: str) -> Callable[..., Any]: ...
def divergence(
    p: Optional[NList] = ...,
    q: Optional[NList] = ...,
    *,
    alpha: Optional[Num] = ...,
    normalize: bool = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
def tilt(
    p: Optional[NList] = ...,
    r: Optional[NList] = ...,
    *,
    delta: Optional[Num] = ...,
    lambda_: Optional[Num] = ...,
    beta: Optional[Num] = ...,
    exp_lambda: Optional[Num] = ...,
    normalize: bool = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
def rate(
    p: Optional[NList] = ...,
    r: Optional[NList] = ...,
    *,
    x: Optional[Num] = ...,
    delta: Optional[Num] = ...,
    lambda_: Optional[Num] = ...,
    beta: Optional[Num] = ...,
    exp_lambda: Optional[Num] = ...,
    normalize: bool = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
def cumulants(
    p: Optional[NList] = ...,
    r: Optional[NList] = ...,
    *,
    order: Optional[int] = ...,
    t: Optional[Num] = ...,
    delta: Optional[Num] = ...,
    lambda_: Optional[Num] = ...,
    beta: Optional[Num] = ...,
    exp_lambda: Optional[Num] = ...,
    normalize: bool = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
def bon(
    p: Optional[NList] = ...,
    r: Optional[NList] = ...,
    *,
    N: Optional[Num] = ...,
    n: Optional[int] = ...,
    ties: Optional[str] = ...,
    levels: Optional[str] = ...,
    normalize: bool = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
def compare(
    p: Optional[NList] = ...,
    r: Optional[NList] = ...,
    *,
    delta: Optional[Num] = ...,
    n: Optional[int] = ...,
    N: Optional[Num] = ...,
    N_rule: Optional[str] = ...,
    lambda_: Optional[Num] = ...,
    beta: Optional[Num] = ...,
    exp_lambda: Optional[Num] = ...,
    normalize: bool = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
def sweep(
    p: Optional[NList] = ...,
    r: Optional[NList] = ...,
    *,
    delta: Optional[Num] = ...,
    n: Optional[NList] = ...,
    N_rule: Optional[str] = ...,
    lambda_: Optional[Num] = ...,
    beta: Optional[Num] = ...,
    exp_lambda: Optional[Num] = ...,
    normalize: bool = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
def check(
    *ids: str,
    strict: bool = ...,
    seed: Optional[int] = ...,
    random: Optional[int] = ...,
    digits: Optional[int] = ...,
    max_bits: Optional[int] = ...,
    spec: Spec = ...,
    **flags: Any,
) -> Result: ...
