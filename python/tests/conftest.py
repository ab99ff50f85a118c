"""Shared fixtures: the `alignexact` binary the Python results are compared with.

The binary is ALIGNEXACT_CLI, else $CARGO_TARGET_DIR/release/alignexact, else
<repository>/target/release/alignexact (built by `cargo build --release`). Tests that need it are
skipped when it is missing, unless ALIGNEXACT_REQUIRE_CLI=1 (as in .ci/run), where they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any, List, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]


def cli_path() -> Path | None:
    env = os.environ.get("ALIGNEXACT_CLI")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    p = target / "release" / "alignexact"
    return p if p.exists() else None


class Cli:
    def __init__(self, path: Path):
        self.path = path

    def __call__(self, argv: List[str]) -> Tuple[int, str, str]:
        p = subprocess.run([str(self.path), *argv], capture_output=True, text=True, timeout=600)
        return p.returncode, p.stdout, p.stderr

    def json(self, argv: List[str]) -> Any:
        code, out, err = self(argv)
        assert code in (0, 1), f"CLI failed ({code}): {err}"
        return json.loads(out, parse_float=Decimal)


@pytest.fixture(scope="session")
def cli() -> Cli:
    p = cli_path()
    if p is None or not p.exists():
        if os.environ.get("ALIGNEXACT_REQUIRE_CLI") == "1":
            pytest.fail("the alignexact binary is missing: run `cargo build --release` or set ALIGNEXACT_CLI")
        pytest.skip("the alignexact binary is missing (cargo build --release, or set ALIGNEXACT_CLI)")
    return Cli(p)
