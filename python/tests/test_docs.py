"""The README's Python session and the docstring examples, run as doctests; the float64 example."""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import alignexact
import alignexact.testing

REPO = Path(__file__).resolve().parents[2]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def readme_sessions() -> str:
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```pycon\n(.*?)```", text, flags=re.S)
    return "\n".join(blocks)


def test_readme_python_session_runs_as_a_doctest() -> None:
    source = readme_sessions()
    assert source.count(">>>") >= 10
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {}, "README.md", str(REPO / "README.md"), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0 and res.attempted == source.count(">>>")


@pytest.mark.parametrize("module", [alignexact, alignexact.testing], ids=lambda m: m.__name__)
def test_docstring_examples(module: object) -> None:
    res = doctest.testmod(module, optionflags=FLAGS)  # type: ignore[arg-type]
    assert res.failed == 0 and res.attempted > 3


def test_stubs_and_marker_ship_with_the_package() -> None:
    root = Path(alignexact.__file__).parent
    for name in ("py.typed", "__init__.pyi", "testing.pyi", "_native.pyi"):
        assert (root / name).exists(), name


def test_check_float_bon_example_shows_where_float64_fails() -> None:
    pytest.importorskip("numpy")
    script = REPO / "examples" / "python" / "check_float_bon.py"
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "float64 failed exactly where expected" in p.stdout
    # the three failure modes each show up as a FAIL line
    for case in ("huge N", "KL gap cancellation", "F^N underflow"):
        block = p.stdout.split(case, 1)[1].split("\n\n", 1)[0]
        assert "FAIL" in block, case
