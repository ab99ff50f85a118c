from decimal import Decimal
from typing import Any, Optional, Tuple

DEFAULT_RTOL: Decimal
DEFAULT_ATOL: Decimal

def tolerance(certified: Any) -> Tuple[Decimal, Decimal, str]: ...
def assert_close(actual: Any, certified: Any, rtol: Optional[float] = ..., atol: Optional[float] = ...) -> None: ...
