#!/usr/bin/env python3
"""Check a plain float64 implementation against alignexact's reference vectors.

Generate the vectors, then run this program on the directory:

    alignexact vectors --out vectors
    python3 examples/consumer.py vectors            # exit 0: every check passes
    python3 examples/consumer.py vectors --bug off-by-one   # a wrong best-of-N: exit 1

It uses only the Python standard library. The float64 code below is what another project might
write: the KL divergence and entropy of two distributions, the tilt phi_lambda = p e^{lambda r} / Z
(lambda given, or found for a KL budget Delta by bisection), and best-of-N over the level law of
the sequence reward S_n (closed form BON-1 from tails summed from the top, with log1p/expm1).
Every number is compared with the exact or certified reference value within the tolerance that
the vector suggests: |y - v| <= abs + rel * |v|.

`--bug off-by-one` swaps in best-of-N with N - 1 samples in place of N, which the vectors must
catch.
"""

import argparse
import hashlib
import json
import math
import os
import sys
from decimal import Decimal, localcontext, MAX_EMAX, MIN_EMIN
from fractions import Fraction


# ------------------------------------------------------------------------------------------
# Reading the reference values
# ------------------------------------------------------------------------------------------

def reference(leaf):
    """(kind, value) of a leaf: ('inf', +-1), ('null', None) or ('num', Decimal)."""
    if leaf is None:
        return ("null", None)
    v = leaf.get("value")
    if v in ("inf", "-inf"):
        return ("inf", 1 if v == "inf" else -1)
    with localcontext() as ctx:
        ctx.prec = 80
        ctx.Emin, ctx.Emax = MIN_EMIN, MAX_EMAX
        if "exact" in leaf:
            q = Fraction(leaf["exact"])
            return ("num", Decimal(q.numerator) / Decimal(q.denominator))
        if "lo" in leaf and "hi" in leaf:
            return ("num", (Decimal(leaf["lo"]) + Decimal(leaf["hi"])) / 2)
        return ("num", Decimal(v))


def tolerance(vector, pointer):
    tol = vector["tolerance"]["fields"].get(pointer, vector["tolerance"]["default"])
    return Decimal(tol["rel"]), Decimal(tol["abs"])


class Checker:
    def __init__(self, verbose):
        self.verbose = verbose
        self.checks = 0
        self.failures = []

    def check(self, vector, pointer, got):
        """Compare the float `got` with the leaf at `pointer` of the vector's output."""
        leaf = vector["output"]
        for part in pointer.strip("/").split("/"):
            leaf = leaf[int(part)] if isinstance(leaf, list) else leaf[part]
        kind, want = reference(leaf)
        self.checks += 1
        if kind == "null":
            ok = got is None or (isinstance(got, float) and math.isnan(got))
        elif kind == "inf":
            ok = isinstance(got, float) and math.isinf(got) and (got > 0) == (want > 0)
        elif got is None or math.isnan(got) or math.isinf(got):
            ok = False
        else:
            rel, abs_ = tolerance(vector, pointer)
            with localcontext() as ctx:
                ctx.prec = 80
                ctx.Emin, ctx.Emax = MIN_EMIN, MAX_EMAX
                ok = abs(Decimal(got) - want) <= abs_ + rel * abs(want)
        if not ok:
            self.failures.append((vector["id"], pointer, got, leaf))
        elif self.verbose:
            print(f"  ok   {vector['id']} {pointer} = {got!r}")


# ------------------------------------------------------------------------------------------
# The float64 implementation under test
# ------------------------------------------------------------------------------------------

def support(p, r):
    return [(float(pa), ra) for pa, ra in zip(p, r) if pa > 0]


def kl(p, q):
    """D(p || q) = sum p ln(p / q); +inf when q = 0 where p > 0."""
    total = 0.0
    for a, b in zip(p, q):
        if a > 0:
            if b == 0:
                return math.inf
            total += a * math.log(a / b)
    return total


def entropy(p):
    return -sum(a * math.log(a) for a in p if a > 0)


def cross_entropy(p, q):
    total = 0.0
    for a, b in zip(p, q):
        if a > 0:
            if b == 0:
                return math.inf
            total -= a * math.log(b)
    return total


def tilt_eval(p, r, lam):
    """phi_lambda (on the full alphabet), psi, mu, sigma^2 by a log-sum-exp evaluation."""
    idx = [i for i, a in enumerate(p) if a > 0]
    e = [math.log(p[i]) + lam * r[i] for i in idx]
    m = max(e)
    w = [math.exp(x - m) for x in e]
    z = sum(w)
    phi = [0.0] * len(p)
    for i, x in zip(idx, w):
        phi[i] = x / z
    mu = sum(phi[i] * r[i] for i in idx)
    var = sum(phi[i] * (r[i] - mu) ** 2 for i in idx)
    return phi, m + math.log(z), mu, var


def tilt_for_budget(p, r, delta):
    """(regime, lambda) for a KL budget: bisection on K(l) = l mu(l) - psi(l) = delta."""
    rs = [r[i] for i, a in enumerate(p) if a > 0]
    r_max = max(rs)
    if min(rs) == r_max or delta == 0:
        return "reference", 0.0
    delta_max = -math.log(sum(a for a, b in zip(p, r) if a > 0 and b == r_max))
    if delta >= delta_max:
        return "saturated", math.inf

    def k(lam):
        _, psi, mu, _ = tilt_eval(p, r, lam)
        return lam * mu - psi

    lo, hi = 0.0, 1.0
    while k(hi) < delta:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if k(mid) < delta:
            lo = mid
        else:
            hi = mid
    return "interior", 0.5 * (lo + hi)


def level_law(p, r, n):
    """The law of S_n = r(y_1) + ... + r(y_n): {exact reward (Fraction): float probability},
    by n float64 convolution steps on the reward lattice."""
    supp = [(float(pa), Fraction(ra)) for pa, ra in zip(p, r) if pa > 0]
    scale = 1
    for _, ra in supp:
        scale = scale * ra.denominator // math.gcd(scale, ra.denominator)
    ints = [int(ra * scale) for _, ra in supp]
    low = min(ints)
    step = {}
    for (pa, _), m in zip(supp, ints):
        step[m - low] = step.get(m - low, 0.0) + pa
    dist = [1.0]
    width = max(step)
    for _ in range(n):
        new = [0.0] * (len(dist) + width)
        for off, pa in step.items():
            seg = new[off:off + len(dist)]
            new[off:off + len(dist)] = [a + pa * b for a, b in zip(seg, dist)]
        dist = new
    return {Fraction(low * n + i, scale): x for i, x in enumerate(dist) if x > 0.0}


def best_of_n(probs, big_n):
    """BON-1 over levels in ascending order: (F, F-, P_N, ln P_N) per level, with the CDF from
    the bottom, the tails from the top, and P_N = F^N (1 - e^{-N ln(F / F-)})."""
    size = len(probs)
    cdf, acc = [], 0.0
    for x in probs:
        acc += x
        cdf.append(acc)
    tails, acc = [0.0] * size, 0.0
    for j in range(size - 1, -1, -1):
        tails[j] = acc
        acc += probs[j]
    out = []
    for j in range(size):
        f = cdf[j]
        m = -big_n * math.log1p(-tails[j]) if tails[j] < 0.5 else -big_n * math.log(f)
        if j == 0:
            ln_pn = -m
        elif probs[j] == 0.0:
            ln_pn = -math.inf
        else:
            d = big_n * math.log1p(probs[j] / cdf[j - 1])
            ln_pn = -m + math.log(-math.expm1(-d))
        pn = math.exp(ln_pn) if ln_pn > -745.2 else 0.0
        out.append((f, cdf[j - 1] if j else 0.0, pn, ln_pn))
    return out


def sample_count(text, bug):
    """N from the input echo ('4', '10000000', or 'e^(30)' for the real rule)."""
    if text.startswith("e^("):
        n = math.exp(float(Fraction(text[3:-1])))
    else:
        n = float(int(text))
    return n - 1.0 if bug == "off-by-one" else n


# ------------------------------------------------------------------------------------------
# The checks, by family
# ------------------------------------------------------------------------------------------

def fractions(xs):
    return [Fraction(x) for x in xs]


def check_divergence(vec, chk):
    p = [float(x) for x in fractions(vec["input"]["p"])]
    q = [float(x) for x in fractions(vec["input"]["q"])]
    chk.check(vec, "/kl", kl(p, q))
    chk.check(vec, "/kl_reverse", kl(q, p))
    chk.check(vec, "/entropy", entropy(p))
    chk.check(vec, "/cross_entropy", cross_entropy(p, q))


def check_tilt(vec, chk):
    inp, out = vec["input"], vec["output"]
    pf, rf = fractions(inp["p"]), fractions(inp["r"])
    p, r = [float(x) for x in pf], [float(x) for x in rf]
    if "lambda" in inp:
        regime, lam = "interior", float(Fraction(inp["lambda"]))
    elif "exp_lambda" in inp:
        regime, lam = "interior", math.log(float(Fraction(inp["exp_lambda"])))
    else:
        regime, lam = tilt_for_budget(p, r, float(Fraction(inp["delta"])))
    if regime == "saturated":
        r_max = max(b for a, b in zip(p, r) if a > 0)
        mass = sum(a for a, b in zip(p, r) if b == r_max)
        phi = [a / mass if b == r_max else 0.0 for a, b in zip(p, r)]
        chk.check(vec, "/lambda", math.inf)
        chk.check(vec, "/log_partition", math.inf)
        chk.check(vec, "/expected_reward", r_max)
        chk.check(vec, "/delta", -math.log(mass))
    else:
        phi, psi, mu, var = tilt_eval(p, r, lam)
        if out["regime"] == "reference":
            lam = 0.0
        chk.check(vec, "/lambda", lam)
        chk.check(vec, "/log_partition", psi if out["regime"] != "reference" else 0.0)
        chk.check(vec, "/expected_reward", mu)
        chk.check(vec, "/reward_variance", var)
        chk.check(vec, "/delta", kl(phi, p))
    for i, x in enumerate(phi):
        chk.check(vec, f"/phi/{i}", x)


def check_bon(vec, chk, bug):
    inp, out = vec["input"], vec["output"]
    pf, rf = fractions(inp["p"]), fractions(inp["r"])
    n, big_n = inp["n"], sample_count(inp["N"], bug)
    law = level_law(pf, rf, n)
    rewards = sorted(law)
    probs = [law[s] for s in rewards]
    res = best_of_n(probs, big_n)
    at = {s: j for j, s in enumerate(rewards)}
    for i, level in enumerate(out["levels"]):
        s = Fraction(level["reward"]["exact"])
        j = at.get(s)
        chk.check(vec, f"/levels/{i}/prob_reference", probs[j] if j is not None else 0.0)
        chk.check(vec, f"/levels/{i}/prob_bon", res[j][2] if j is not None else 0.0)
    e_s = sum(float(s) * x[2] for s, x in zip(rewards, res))
    kl_ref = sum(x[2] * (x[3] - math.log(ps)) for x, ps in zip(res, probs) if x[2] > 0.0)
    bound = math.log(big_n) - (big_n - 1.0) / big_n
    win = sum(x[2] * (x[0] + x[1]) / 2.0 for x in res)
    chk.check(vec, "/expected_reward", e_s)
    if "expected_reward_per_token" in out:
        chk.check(vec, "/expected_reward_per_token", e_s / n)
    chk.check(vec, "/kl_to_reference", kl_ref)
    chk.check(vec, "/kl_bound", bound)
    chk.check(vec, "/kl_gap", bound - kl_ref)
    chk.check(vec, "/win_rate", win)
    if "tokens" in out:
        # the order rule (n = 1): ties broken by a fixed order, the larger index winning
        idx = sorted((i for i, a in enumerate(pf) if a > 0), key=lambda i: (rf[i], i))
        tok = best_of_n([float(pf[i]) for i in idx], big_n)
        pi = [0.0] * len(pf)
        for i, x in zip(idx, tok):
            pi[i] = x[2]
        for i, x in enumerate(pi):
            chk.check(vec, f"/tokens/{i}", x)
        chk.check(vec, "/kl_to_reference_order", kl(pi, [float(a) for a in pf]))


# ------------------------------------------------------------------------------------------

def main(argv):
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)  # exact probabilities may have thousands of digits
    ap = argparse.ArgumentParser(description="Check a float64 implementation against alignexact reference vectors.")
    ap.add_argument("dir", help="directory written by 'alignexact vectors --out DIR'")
    ap.add_argument("--bug", choices=["none", "off-by-one"], default="none",
                    help="swap in a deliberately wrong best-of-N (N - 1 samples)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every check")
    args = ap.parse_args(argv)

    with open(os.path.join(args.dir, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    chk = Checker(args.verbose)
    families = {}
    for entry in index["files"]:
        with open(os.path.join(args.dir, entry["file"]), "rb") as f:
            raw = f.read()
        if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
            print(f"FAIL {entry['file']}: SHA-256 differs from index.json")
            return 1
        families[entry["family"]] = json.loads(raw)

    runners = {
        "divergence": check_divergence,
        "tilt": check_tilt,
        "bon": lambda v, c: check_bon(v, c, args.bug),
    }
    for family, run in runners.items():
        before_checks, before_fail = chk.checks, len(chk.failures)
        vectors = families[family]["vectors"]
        for vec in vectors:
            try:
                run(vec, chk)
            except (ArithmeticError, ValueError) as e:  # e.g. log(0) from a wrong N
                chk.checks += 1
                chk.failures.append((vec["id"], "", None, {"error": str(e)}))
        print(f"{family:<10} {len(vectors):3d} vectors {chk.checks - before_checks:5d} checks "
              f"{len(chk.failures) - before_fail:4d} failures")
    for vid, pointer, got, leaf in chk.failures[:25]:
        print(f"FAIL {vid} {pointer}: got {got!r}, want {json.dumps(leaf)}")
    if len(chk.failures) > 25:
        print(f"... and {len(chk.failures) - 25} more failures")
    status = "PASS" if not chk.failures else "FAIL"
    print(f"{status}: {chk.checks - len(chk.failures)} of {chk.checks} checks within tolerance "
          f"(suite {index['suite_version']}, alignexact {index['alignexact_version']}, bug = {args.bug})")
    return 0 if not chk.failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
