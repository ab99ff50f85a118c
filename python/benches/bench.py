#!/usr/bin/env python3
"""Benchmarks of the Python package against the command line (issue 13).

- import time of `alignexact` (fresh interpreters, minus a bare interpreter start);
- the per-call cost of one `tilt` on a small model (Example A, 30 digits) through the module,
  against one run of the `alignexact` process (goal: the module at least 20x faster);
- `compare` at n = 10^4 (Example A, 30 digits) through the module and through the process.

Run from the repository root after `cargo build --release` and installing the package:

    flock /tmp/bench.lock python python/benches/bench.py [--cli target/release/alignexact]

Figures are medians of repeated runs on this machine; the machine is shared, so run under the lock.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import alignexact

A = dict(p="1/2,3/10,1/5", r="0,1,3")
A_ARGV = ["--p", A["p"], "--r", A["r"]]


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fmt(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=str(Path(__file__).resolve().parents[2] / "target" / "release" / "alignexact"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    cli = args.cli
    q = args.quick

    def run_cli(argv):
        p = subprocess.run([cli, *argv, "--json"], capture_output=True)
        assert p.returncode == 0, p.stderr

    # 1. import time
    py = sys.executable
    bare = median_time(lambda: subprocess.run([py, "-c", "pass"], check=True), 5 if q else 15)
    imp = median_time(lambda: subprocess.run([py, "-c", "import alignexact"], check=True), 5 if q else 15)
    print(f"import alignexact: {fmt(imp - bare)} (interpreter with import {fmt(imp)}, bare {fmt(bare)})")

    # 2. per-call tilt, small model
    for digits in (30, 100):
        kw = dict(A, delta="3/10", digits=digits)
        argv = ["tilt", *A_ARGV, "--delta", "3/10", "--digits", str(digits)]
        alignexact.tilt(**kw)
        n = 200 if q else 1000
        t0 = time.perf_counter()
        for _ in range(n):
            alignexact.tilt(**kw)
        per_call = (time.perf_counter() - t0) / n
        proc = median_time(lambda: run_cli(argv), 20 if q else 60)
        print(
            f"tilt, Example A, {digits} digits: module {fmt(per_call)} per call, process {fmt(proc)} per run: "
            f"module {proc / per_call:.0f}x faster"
        )

    # the module's own overhead: argv building, the worker thread, JSON parsing into objects
    res = alignexact.tilt(**A, delta="3/10")
    text = res.to_json()
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        alignexact.Result(text, res.argv, 0)
    parse = (time.perf_counter() - t0) / n
    print(f"  of which parsing the envelope into Fraction/Certified objects: {fmt(parse)}")

    # 3. compare at n = 10^4
    kw = dict(A, delta="3/10", n=10_000, digits=30)
    argv = ["compare", *A_ARGV, "--delta", "3/10", "--n", "10000", "--digits", "30"]
    mod = median_time(lambda: alignexact.compare(**kw), 3 if q else 5)
    proc = median_time(lambda: run_cli(argv), 3 if q else 5)
    print(f"compare, Example A, n = 10^4, 30 digits: module {fmt(mod)}, process {fmt(proc)} (ratio {proc / mod:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
