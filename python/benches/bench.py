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

    # 1. import time (with byte code caches, as after `pip install`; best of the runs, since the
    # machine is shared)
    import os

    py = sys.executable
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([py, "-c", "import alignexact"], check=True, env=env)  # write the caches

    def best(code: str) -> float:
        times = []
        for _ in range(5 if q else 20):
            t0 = time.perf_counter()
            subprocess.run([py, "-c", code], check=True, env=env)
            times.append(time.perf_counter() - t0)
        return min(times)

    bare, imp = best("pass"), best("import alignexact")
    imp_std = best("import decimal, fractions, json, numbers, typing")
    print(
        f"import alignexact: {fmt(imp - bare)} (of which the standard library's decimal, fractions, json, "
        f"typing: {fmt(imp_std - bare)}; bare interpreter {fmt(bare)})"
    )

    # 2. per call, small models: wall-clock medians and CPU time (user + system, summed over the
    # module's threads / over the child processes), since this machine is shared
    import resource

    def cpu_children() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    calls = [
        ("tilt, Example A, 30 digits", "tilt", dict(A, delta="3/10", digits=30),
         ["tilt", *A_ARGV, "--delta", "3/10", "--digits", "30"]),
        ("tilt, Example A, 100 digits", "tilt", dict(A, delta="3/10", digits=100),
         ["tilt", *A_ARGV, "--delta", "3/10", "--digits", "100"]),
        ("tilt, Example B, lambda = 1, 15 digits", "tilt", dict(p="7/10,3/10", r="0,1", lambda_=1, digits=15),
         ["tilt", "--p", "7/10,3/10", "--r", "0,1", "--lambda", "1", "--digits", "15"]),
        ("divergence, 3 tokens, 30 digits", "divergence", dict(p="1/2,1/3,1/6", q="1/3,1/3,1/3", digits=30),
         ["divergence", "--p", "1/2,1/3,1/6", "--q", "1/3,1/3,1/3", "--digits", "30"]),
        ("bon, Example B, n = 5, N = 3", "bon", dict(p="7/10,3/10", r="0,1", n=5, N=3, digits=30),
         ["bon", "--p", "7/10,3/10", "--r", "0,1", "--n", "5", "--N", "3", "--digits", "30"]),
    ]
    n_mod = 100 if q else 400
    n_proc = 20 if q else 60
    print(f"{'call':40} {'module wall':>12} {'process wall':>13} {'ratio':>6}   {'module CPU':>11} {'process CPU':>12} {'ratio':>6}")
    for label, fn_name, kw, argv in calls:
        fn = getattr(alignexact, fn_name)
        fn(**kw)
        wall = []
        c0 = time.process_time()
        for _ in range(n_mod):
            t0 = time.perf_counter()
            fn(**kw)
            wall.append(time.perf_counter() - t0)
        mod_cpu = (time.process_time() - c0) / n_mod
        mod_wall = statistics.median(wall)
        wall = []
        c0, k0 = time.process_time(), cpu_children()
        for _ in range(n_proc):
            t0 = time.perf_counter()
            run_cli(argv)
            wall.append(time.perf_counter() - t0)
        proc_cpu = (time.process_time() - c0 + cpu_children() - k0) / n_proc
        proc_wall = statistics.median(wall)
        print(
            f"{label:40} {fmt(mod_wall):>12} {fmt(proc_wall):>13} {proc_wall / mod_wall:>5.1f}x"
            f"   {fmt(mod_cpu):>11} {fmt(proc_cpu):>12} {proc_cpu / mod_cpu:>5.1f}x"
        )
    # the fixed cost of a call, without mathematics: a tilt whose --delta is refused (exit 2 after
    # the whole command line is parsed), through the module (raising InputError) and the process
    bad = ["tilt", *A_ARGV, "--delta", "abc"]

    def mod_bad() -> None:
        try:
            alignexact.tilt(**A, delta="abc")
        except alignexact.InputError:
            pass

    n = 300 if q else 2000
    mod_fixed = median_time(mod_bad, n)
    proc_fixed = median_time(lambda: subprocess.run([cli, *bad, "--json"], capture_output=True), n_proc)
    print(
        f"fixed cost per call (a refused --delta, no mathematics): module {fmt(mod_fixed)}, "
        f"process {fmt(proc_fixed)}: module {proc_fixed / mod_fixed:.0f}x faster"
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
