//! `alignexact vectors --out DIR`: a versioned suite of reference test vectors for other
//! implementations (in the spirit of NIST CAVP and Wycheproof).
//!
//! One JSON file per family (`divergence`, `tilt`, `rate`, `cumulants`, `bon`, `compare`) and an
//! `index.json` holding the suite version, the alignexact version and the SHA-256 of every file.
//! Every vector is produced by running the real subcommand on its recorded `args` (the same code
//! path as the command line), so `alignexact <args>` prints an envelope whose `result` equals the
//! vector's `output`. Outputs use the leaf encodings of INTERFACE.md: exact rationals where the
//! value is rational, certified decimals with `lo`/`hi` at `--digits` (default 50) otherwise.
//!
//! Each vector also carries a suggested tolerance for float64 implementations: a result `y`
//! passes against the value `v` when `|y - v| <= abs + rel |v|` (the rule of `numpy.isclose`).
//! The numbers come from a first-order error model of a careful float64 evaluation (unit
//! roundoff `u = 2^-53`): the relative error of sums over the alphabet, of the float level law of
//! `S_n` (about `n k` operations per entry), the amplification by the condition number of each
//! quantity (the root `lambda` of `K(l) = Delta` amplifies errors by `1 / (l sigma^2)`, a
//! best-of-N probability `F^N - F-^N` by `N |ln F|`), and an absolute part where terms of
//! larger magnitude cancel (a KL near 0, the gap `ln N - (N-1)/N - KL`, the Pythagorean form
//! `D(pi||p) - l E S + n psi`). The model is multiplied by a safety factor of 16 and rounded up
//! to one significant digit; the relative tolerance is never below `1e-12` and the absolute one
//! never below `1e-300`, where float64 underflows. Transcendental functions of the
//! model are evaluated with MPFR (correctly rounded), so the files are identical on every
//! platform.
//!
//! The files are deterministic: no timestamps, keys in a fixed order, and running the command
//! twice gives byte-identical files.

use super::{run_command, Cli, Common, Output};
use crate::error::{Error, Result};
use crate::exact::level_law::{level_law, Route};
use crate::exact::parse::parse_rational;
use crate::report::{obj, Value};
use clap::{Args, Parser};
use rug::{Float, Rational};
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Version of the vector suite: bumped whenever a vector is added, removed or changes meaning.
pub const SUITE_VERSION: &str = "1";
/// The `schema` tag of a vector file.
pub const FILE_SCHEMA: &str = "alignexact-vectors/1";
/// The `schema` tag of `index.json`.
pub const INDEX_SCHEMA: &str = "alignexact-vectors-index/1";
/// Default significant digits of every certified output in the suite.
pub const DEFAULT_DIGITS: usize = 50;
/// The families, in file order.
pub const FAMILIES: [&str; 6] = ["divergence", "tilt", "rate", "cumulants", "bon", "compare"];

/// The comparison rule stated in every file.
pub const TOLERANCE_RULE: &str = "A float64 result y passes against the reference value v when |y - v| <= abs + rel * |v| \
(numpy.isclose(y, v, rtol=rel, atol=abs)). v is the exact rational when 'exact' is given, else any point of [lo, hi] \
('value' is within one unit in its last place of the truth); {\"value\": \"inf\"} must be matched by an infinity and JSON \
null by an undefined value. Each vector gives 'default' for every numeric leaf of 'output' and 'fields' (JSON Pointers \
into 'output') where the conditioning of a quantity calls for a looser tolerance. Tolerances come from a first-order \
error model of a careful float64 evaluation (unit roundoff u = 2^-53, a safety factor of 16); rel is never below 1e-12 \
and abs never below 1e-300, where float64 underflows.";

/// Flags of `vectors`.
#[derive(Args, Clone, Debug, Default)]
pub struct VectorsArgs {
    /// Directory to write the vector files into (created when missing; existing files are replaced)
    #[arg(long, value_name = "DIR")]
    pub out: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

// ----------------------------------------------------------------------------------------------
// The cases
// ----------------------------------------------------------------------------------------------

/// One vector to generate: an id, a description, tags and the subcommand flags (without
/// `--digits` and `--json`, which the generator appends).
#[derive(Clone, Debug)]
pub struct Case {
    /// Unique id within the suite (`family-...`).
    pub id: String,
    /// What the vector exercises.
    pub description: String,
    /// Short labels (`example-a`, `ties`, `saturated`, ...).
    pub tags: Vec<&'static str>,
    /// The subcommand and its flags.
    pub args: Vec<String>,
}

/// A reference model used by several families.
struct M {
    p: &'static str,
    r: &'static str,
    tag: &'static str,
    what: &'static str,
}

const EX_A: M = M {
    p: "1/2,3/10,1/5",
    r: "0,1,3",
    tag: "example-a",
    what: "Example A of MATH.md §8",
};
const EX_B: M = M {
    p: "7/10,3/10",
    r: "0,1",
    tag: "example-b",
    what: "Example B of MATH.md §8",
};
const TIES: M = M {
    p: "1/4,1/4,1/4,1/4",
    r: "0,1,2,2",
    tag: "ties",
    what: "two tokens tied at the top reward",
};
const TIES_MID: M = M {
    p: "1/8,3/8,1/4,1/4",
    r: "1,0,1,2",
    tag: "ties",
    what: "two tokens tied at a middle reward, listed out of order",
};
const ZERO: M = M {
    p: "1/2,0,1/2",
    r: "0,5,1",
    tag: "zero-probability",
    what: "a zero-probability token carrying the largest reward (it must drop out)",
};
const NEG: M = M {
    p: "1/5,2/5,2/5",
    r: "-3,-1/2,-2",
    tag: "negative-rewards",
    what: "negative fractional rewards",
};
const CONST: M = M {
    p: "1/3,1/3,1/3",
    r: "2,2,2",
    tag: "constant-reward",
    what: "a constant reward (Delta_max = 0)",
};
const TINY: M = M {
    p: "1e-9,0.499999999,1/2",
    r: "10,0,1",
    tag: "tiny-probability",
    what: "the best token has probability 1e-9",
};
const D1001: M = M {
    p: "1/7,2/7,4/7",
    r: "1/1001,500/1001,1000/1001",
    tag: "denominator-1001",
    what: "rewards with denominator 1001",
};
const K6: M = M {
    p: "1/21,2/21,3/21,4/21,5/21,6/21",
    r: "0,1,2,3,4,5",
    tag: "k6",
    what: "six tokens",
};
const K6_MIXED: M = M {
    p: "0.3,0.25,0.2,0.15,0.099999999,1e-9",
    r: "-2,1/3,0,5/2,1,4",
    tag: "k6",
    what: "six tokens with decimal probabilities down to 1e-9 and mixed-sign fractional rewards",
};

fn case(family: &str, slug: &str, description: String, tags: Vec<&'static str>, args: &[&str]) -> Case {
    let mut a = vec![family_command(family).to_string()];
    a.extend(args.iter().map(|s| s.to_string()));
    Case {
        id: format!("{family}-{slug}"),
        description,
        tags,
        args: a,
    }
}

fn model_case(
    family: &str,
    slug: &str,
    m: &M,
    what: &str,
    extra_tags: &[&'static str],
    args: &[&str],
) -> Case {
    let mut full = vec!["--p", m.p, "--r", m.r];
    full.extend_from_slice(args);
    let mut tags = vec![m.tag];
    tags.extend_from_slice(extra_tags);
    case(family, slug, format!("{}: {what}", m.what), tags, &full)
}

/// The subcommand of a family.
pub fn family_command(family: &str) -> &str {
    family
}

fn divergence_cases() -> Vec<Case> {
    let f = "divergence";
    let c = |slug: &str, d: &str, tags: Vec<&'static str>, a: &[&str]| case(f, slug, d.to_string(), tags, a);
    vec![
        c(
            "example-a-vs-uniform-alpha-2",
            "Example A's reference p against the uniform law, Renyi order 2",
            vec!["example-a"],
            &["--p", "1/2,3/10,1/5", "--q", "1/3,1/3,1/3", "--alpha", "2"],
        ),
        c(
            "readme-alpha-half",
            "p = (1/2, 1/3, 1/6) against the uniform law, Renyi order 1/2",
            vec!["readme"],
            &["--p", "1/2,1/3,1/6", "--q", "1/3,1/3,1/3", "--alpha", "1/2"],
        ),
        c(
            "zero-probability-alpha-2",
            "p has a zero where q does not: KL(p||q) finite, KL(q||p) infinite",
            vec!["zero-probability", "infinity"],
            &["--p", "1/2,1/2,0", "--q", "1/4,1/4,1/2", "--alpha", "2"],
        ),
        c(
            "tiny-probability-alpha-3-2",
            "a probability of 1e-9 against the uniform law, Renyi order 3/2",
            vec!["tiny-probability"],
            &["--p", "1e-9,0.999999999", "--q", "1/2,1/2", "--alpha", "3/2"],
        ),
        c(
            "nearly-equal-alpha-2",
            "p within 1e-9 of q: every divergence is about 1e-18 and cancels in float64",
            vec!["cancellation"],
            &["--p", "0.500000001,0.499999999", "--q", "1/2,1/2", "--alpha", "2"],
        ),
        c(
            "k6-alpha-1-3",
            "six tokens, q with a 1e-9 entry, Renyi order 1/3",
            vec!["k6", "tiny-probability"],
            &[
                "--p",
                "1/21,2/21,3/21,4/21,5/21,6/21",
                "--q",
                "0.3,0.25,0.2,0.15,0.099999999,1e-9",
                "--alpha",
                "1/3",
            ],
        ),
        c(
            "example-b-alpha-1",
            "Example B's reference against the uniform law at Renyi order 1 (the Shannon forms)",
            vec!["example-b"],
            &["--p", "7/10,3/10", "--q", "1/2,1/2", "--alpha", "1"],
        ),
        c(
            "no-alpha",
            "the Shannon quantities only (no --alpha)",
            vec![],
            &["--p", "1/7,2/7,4/7", "--q", "4/7,2/7,1/7"],
        ),
    ]
}

fn tilt_cases() -> Vec<Case> {
    let f = "tilt";
    let c = |slug: &str, m: &M, what: &str, tags: &[&'static str], a: &[&str]| {
        model_case(f, slug, m, what, tags, a)
    };
    vec![
        c(
            "example-a-delta",
            &EX_A,
            "the optimum for Delta = 3/10",
            &["budget"],
            &["--delta", "3/10"],
        ),
        c(
            "example-b-delta",
            &EX_B,
            "the optimum for Delta = 1/5",
            &["budget"],
            &["--delta", "1/5"],
        ),
        c(
            "example-a-lambda-1",
            &EX_A,
            "the tilt phi_1",
            &["lambda"],
            &["--lambda", "1"],
        ),
        c(
            "example-a-lambda-negative",
            &EX_A,
            "a negative tilt lambda = -1/2",
            &["lambda"],
            &["--lambda", "-1/2"],
        ),
        c(
            "example-a-beta-4",
            &EX_A,
            "beta = 4, i.e. lambda = 1/4 (TILT-2)",
            &["lambda"],
            &["--beta", "4"],
        ),
        c(
            "example-a-reference",
            &EX_A,
            "Delta = 0: the reference itself",
            &["reference"],
            &["--delta", "0"],
        ),
        c(
            "example-a-saturated",
            &EX_A,
            "Delta = 2 > Delta_max = ln 5: saturated, p conditioned on the top token",
            &["saturated"],
            &["--delta", "2"],
        ),
        c(
            "ties-interior",
            &TIES,
            "Delta = 1/2 < ln 2",
            &["budget"],
            &["--delta", "1/2"],
        ),
        c(
            "ties-saturated",
            &TIES,
            "Delta = 1 > Delta_max = ln 2: saturated, mass split over the tied top tokens",
            &["saturated"],
            &["--delta", "1"],
        ),
        c(
            "zero-probability-delta",
            &ZERO,
            "Delta = 1/5",
            &["budget"],
            &["--delta", "1/5"],
        ),
        c(
            "zero-probability-lambda",
            &ZERO,
            "lambda = 2",
            &["lambda"],
            &["--lambda", "2"],
        ),
        c(
            "negative-rewards-lambda",
            &NEG,
            "lambda = -1",
            &["lambda"],
            &["--lambda", "-1"],
        ),
        c(
            "negative-rewards-delta",
            &NEG,
            "Delta = 1/10",
            &["budget"],
            &["--delta", "1/10"],
        ),
        c(
            "constant-reward-delta",
            &CONST,
            "Delta = 1/2",
            &["reference"],
            &["--delta", "1/2"],
        ),
        c(
            "tiny-probability-delta",
            &TINY,
            "Delta = 1/10",
            &["budget"],
            &["--delta", "1/10"],
        ),
        c(
            "tiny-probability-near-saturation",
            &TINY,
            "Delta = 20, just below Delta_max = ln 1e9 = 20.72",
            &["budget", "near-saturation"],
            &["--delta", "20"],
        ),
        c(
            "tiny-probability-lambda",
            &TINY,
            "lambda = 5",
            &["lambda"],
            &["--lambda", "5"],
        ),
        c(
            "denominator-1001-delta",
            &D1001,
            "Delta = 1/3",
            &["budget"],
            &["--delta", "1/3"],
        ),
        c(
            "denominator-1001-lambda",
            &D1001,
            "lambda = 1001",
            &["lambda"],
            &["--lambda", "1001"],
        ),
        c(
            "k6-exp-lambda-2",
            &K6,
            "e^lambda = 2: phi, its mean and variance are exact rationals",
            &["lambda", "exact"],
            &["--exp-lambda", "2"],
        ),
        c("k6-delta", &K6, "Delta = 1/2", &["budget"], &["--delta", "1/2"]),
        c(
            "k6-mixed-lambda",
            &K6_MIXED,
            "lambda = 3/2",
            &["lambda"],
            &["--lambda", "3/2"],
        ),
        c(
            "k6-mixed-delta",
            &K6_MIXED,
            "Delta = 1/4",
            &["budget"],
            &["--delta", "1/4"],
        ),
    ]
}

fn rate_cases() -> Vec<Case> {
    let f = "rate";
    let c = |slug: &str, m: &M, what: &str, tags: &[&'static str], a: &[&str]| {
        model_case(f, slug, m, what, tags, a)
    };
    vec![
        c(
            "example-b-x-0.8",
            &EX_B,
            "x = 0.8, Delta = 1/5 (values of MATH.md §8)",
            &[],
            &["--x", "0.8", "--delta", "1/5"],
        ),
        c(
            "example-a-below-mean",
            &EX_A,
            "x = 1/2 below the mean: lambda_x < 0",
            &[],
            &["--x", "1/2", "--delta", "3/10"],
        ),
        c(
            "example-a-above",
            &EX_A,
            "x = 5/2",
            &[],
            &["--x", "5/2", "--delta", "3/10"],
        ),
        c(
            "example-a-at-max",
            &EX_A,
            "x = r_max: lambda_x = inf, I_0 = -ln p(A_max)",
            &["boundary", "infinity"],
            &["--x", "3", "--delta", "3/10"],
        ),
        c(
            "example-a-at-min",
            &EX_A,
            "x = r_min: lambda_x = -inf",
            &["boundary", "infinity"],
            &["--x", "0", "--delta", "3/10"],
        ),
        c(
            "example-a-outside",
            &EX_A,
            "x = 4 > r_max: lambda_x undefined (null), I_0 = inf",
            &["boundary", "infinity"],
            &["--x", "4"],
        ),
        c(
            "example-a-saturated",
            &EX_A,
            "x = 2 with a saturated budget Delta = 2",
            &["saturated"],
            &["--x", "2", "--delta", "2"],
        ),
        c(
            "example-a-lambda",
            &EX_A,
            "x = 2 with lambda = 1",
            &["lambda"],
            &["--x", "2", "--lambda", "1"],
        ),
        c(
            "negative-rewards",
            &NEG,
            "x = -1, Delta = 1/10",
            &[],
            &["--x", "-1", "--delta", "1/10"],
        ),
        c(
            "tiny-probability",
            &TINY,
            "x = 5, Delta = 1/10",
            &[],
            &["--x", "5", "--delta", "1/10"],
        ),
        c(
            "denominator-1001",
            &D1001,
            "x = 0.7, Delta = 1/3",
            &[],
            &["--x", "0.7", "--delta", "1/3"],
        ),
        c(
            "k6",
            &K6,
            "x = 4, Delta = 1/2",
            &[],
            &["--x", "4", "--delta", "1/2"],
        ),
        c(
            "k6-mixed",
            &K6_MIXED,
            "x = 1, Delta = 1/4",
            &[],
            &["--x", "1", "--delta", "1/4"],
        ),
        c(
            "ties",
            &TIES,
            "x = 3/2, Delta = 1/2",
            &[],
            &["--x", "3/2", "--delta", "1/2"],
        ),
        c(
            "constant-reward",
            &CONST,
            "x = 2 = r on the support: both rates vanish",
            &[],
            &["--x", "2", "--delta", "1/2"],
        ),
        c(
            "constant-reward-outside",
            &CONST,
            "x = 3 off the support: both rates are infinite",
            &["boundary", "infinity"],
            &["--x", "3", "--delta", "1/2"],
        ),
        c(
            "zero-probability",
            &ZERO,
            "x = 4/5, Delta = 1/5",
            &[],
            &["--x", "4/5", "--delta", "1/5"],
        ),
    ]
}

fn cumulants_cases() -> Vec<Case> {
    let f = "cumulants";
    let c = |slug: &str, m: &M, what: &str, tags: &[&'static str], a: &[&str]| {
        model_case(f, slug, m, what, tags, a)
    };
    vec![
        c(
            "example-a-order-6",
            &EX_A,
            "Delta = 3/10, kappa_1..kappa_6, Lambda(1/2)",
            &["budget"],
            &["--delta", "3/10", "--order", "6", "--t", "1/2"],
        ),
        c(
            "example-b-order-4",
            &EX_B,
            "Delta = 1/5, kappa_1..kappa_4, Lambda(-1/2)",
            &["budget"],
            &["--delta", "1/5", "--order", "4", "--t", "-1/2"],
        ),
        c(
            "example-a-reference",
            &EX_A,
            "Delta = 0: exact cumulants of p",
            &["reference", "exact"],
            &["--delta", "0", "--order", "4", "--t", "1"],
        ),
        c(
            "example-a-saturated",
            &EX_A,
            "Delta = 2: saturated, a point mass (scgf exact, Renyi forms undefined)",
            &["saturated", "exact"],
            &["--delta", "2", "--order", "4", "--t", "1/2"],
        ),
        c(
            "k6-exp-lambda-2",
            &K6,
            "e^lambda = 2: exact cumulants",
            &["lambda", "exact"],
            &["--exp-lambda", "2", "--order", "6", "--t", "1"],
        ),
        c(
            "negative-rewards-lambda",
            &NEG,
            "lambda = -1, kappa_1..kappa_5, Lambda(2)",
            &["lambda"],
            &["--lambda", "-1", "--order", "5", "--t", "2"],
        ),
        c(
            "tiny-probability",
            &TINY,
            "Delta = 1/10, Lambda(1/4)",
            &["budget"],
            &["--delta", "1/10", "--order", "4", "--t", "1/4"],
        ),
        c(
            "denominator-1001",
            &D1001,
            "Delta = 1/3, Lambda(1/3)",
            &["budget"],
            &["--delta", "1/3", "--order", "4", "--t", "1/3"],
        ),
        c(
            "constant-reward",
            &CONST,
            "Delta = 1/2: kappa_1 = 2, the rest 0",
            &["reference", "exact"],
            &["--delta", "1/2", "--order", "3", "--t", "1"],
        ),
        c(
            "ties",
            &TIES,
            "Delta = 1/2, Lambda(-1)",
            &["budget"],
            &["--delta", "1/2", "--order", "4", "--t", "-1"],
        ),
        c(
            "zero-probability",
            &ZERO,
            "Delta = 1/5, Lambda(1)",
            &["budget"],
            &["--delta", "1/5", "--order", "4", "--t", "1"],
        ),
        c(
            "k6-mixed",
            &K6_MIXED,
            "Delta = 1/4, kappa_1..kappa_5, Lambda(1/2)",
            &["budget"],
            &["--delta", "1/4", "--order", "5", "--t", "1/2"],
        ),
    ]
}

fn bon_cases() -> Vec<Case> {
    let f = "bon";
    let c = |slug: &str, m: &M, what: &str, tags: &[&'static str], a: &[&str]| {
        model_case(f, slug, m, what, tags, a)
    };
    vec![
        c(
            "example-b-n5-N3",
            &EX_B,
            "n = 5, N = 3, every level (MATH.md §8: E/n = 117923075777169/250000000000000)",
            &["sequence", "exact"],
            &["--n", "5", "--N", "3", "--levels", "all"],
        ),
        c(
            "example-a-N4",
            &EX_A,
            "one token, N = 4",
            &["exact"],
            &["--N", "4", "--levels", "all"],
        ),
        c(
            "example-a-N4-order",
            &EX_A,
            "one token, N = 4, ties broken by a fixed token order",
            &["exact", "order"],
            &["--N", "4", "--ties", "order", "--levels", "all"],
        ),
        c(
            "example-a-N1",
            &EX_A,
            "N = 1: pi_N = p",
            &["exact"],
            &["--N", "1", "--levels", "all"],
        ),
        c(
            "example-a-n10-N100",
            &EX_A,
            "n = 10, N = 100, every level",
            &["sequence", "exact"],
            &["--n", "10", "--N", "100", "--levels", "all"],
        ),
        c(
            "example-a-N1e7",
            &EX_A,
            "one token, N = 10^7: the lower levels are far below the float64 range",
            &["large-N", "underflow"],
            &["--N", "10000000", "--levels", "all"],
        ),
        c(
            "ties-N5",
            &TIES_MID,
            "N = 5, tie rule level",
            &["exact"],
            &["--N", "5", "--levels", "all"],
        ),
        c(
            "ties-N5-order",
            &TIES_MID,
            "N = 5, tie rule order",
            &["exact", "order"],
            &["--N", "5", "--ties", "order", "--levels", "all"],
        ),
        c(
            "zero-probability-N3",
            &ZERO,
            "N = 3",
            &["exact"],
            &["--N", "3", "--levels", "all"],
        ),
        c(
            "negative-rewards-n4-N7",
            &NEG,
            "n = 4, N = 7",
            &["sequence", "exact"],
            &["--n", "4", "--N", "7", "--levels", "all"],
        ),
        c(
            "constant-reward-N10",
            &CONST,
            "N = 10: one level, KL = 0",
            &["exact"],
            &["--N", "10", "--levels", "all"],
        ),
        c(
            "tiny-probability-N1000",
            &TINY,
            "N = 1000: the top token is drawn with probability about 1e-6",
            &["exact"],
            &["--N", "1000", "--levels", "all"],
        ),
        c(
            "tiny-probability-N1e6",
            &TINY,
            "N = 10^6",
            &["large-N", "underflow"],
            &["--N", "1000000", "--levels", "all"],
        ),
        c(
            "denominator-1001-n10-N16",
            &D1001,
            "n = 10, N = 16, the 20 highest of 66 levels",
            &["sequence", "exact"],
            &["--n", "10", "--N", "16", "--levels", "top 20"],
        ),
        c(
            "k6-n20-N100",
            &K6,
            "n = 20, N = 100, the 20 highest of 101 levels",
            &["sequence"],
            &["--n", "20", "--N", "100", "--levels", "top 20"],
        ),
        c(
            "k6-mixed-N50",
            &K6_MIXED,
            "one token, N = 50",
            &["exact"],
            &["--N", "50", "--levels", "all"],
        ),
        c(
            "example-b-n1000-N1000",
            &EX_B,
            "n = 1000, N = 1000, the 20 highest of 1001 levels",
            &["sequence", "n1000"],
            &["--n", "1000", "--N", "1000", "--levels", "top 20"],
        ),
        c(
            "example-b-n1000-delta",
            &EX_B,
            "n = 1000, N = ceil(e^200) from --delta 1/5, the 20 highest of 1001 levels",
            &["sequence", "n1000", "large-N"],
            &["--n", "1000", "--delta", "1/5", "--levels", "top 20"],
        ),
    ]
}

fn compare_cases() -> Vec<Case> {
    let f = "compare";
    let c = |slug: &str, m: &M, what: &str, tags: &[&'static str], a: &[&str]| {
        model_case(f, slug, m, what, tags, a)
    };
    vec![
        c(
            "example-a-n1",
            &EX_A,
            "Delta = 3/10, n = 1",
            &[],
            &["--delta", "3/10", "--n", "1"],
        ),
        c(
            "example-a-n10",
            &EX_A,
            "Delta = 3/10, n = 10",
            &["sequence"],
            &["--delta", "3/10", "--n", "10"],
        ),
        c(
            "example-a-n100",
            &EX_A,
            "Delta = 3/10, n = 100",
            &["sequence"],
            &["--delta", "3/10", "--n", "100"],
        ),
        c(
            "example-a-n1000",
            &EX_A,
            "Delta = 3/10, n = 1000 (N = ceil(e^300))",
            &["sequence", "n1000", "large-N"],
            &["--delta", "3/10", "--n", "1000"],
        ),
        c(
            "example-a-n100-floor",
            &EX_A,
            "Delta = 3/10, n = 100, N = floor(e^30)",
            &["sequence"],
            &["--delta", "3/10", "--n", "100", "--N-rule", "floor"],
        ),
        c(
            "example-a-n100-real",
            &EX_A,
            "Delta = 3/10, n = 100, the real N = e^30",
            &["sequence", "real-N"],
            &["--delta", "3/10", "--n", "100", "--N-rule", "real"],
        ),
        c(
            "example-a-n10-N1000",
            &EX_A,
            "Delta = 3/10, n = 10, an explicit N = 1000",
            &["sequence"],
            &["--delta", "3/10", "--n", "10", "--N", "1000"],
        ),
        c(
            "example-b-n5",
            &EX_B,
            "Delta = 1/5, n = 5 (N = 3)",
            &["sequence"],
            &["--delta", "1/5", "--n", "5"],
        ),
        c(
            "example-b-n1000",
            &EX_B,
            "Delta = 1/5, n = 1000 (N = ceil(e^200))",
            &["sequence", "n1000", "large-N"],
            &["--delta", "1/5", "--n", "1000"],
        ),
        c(
            "example-a-saturated",
            &EX_A,
            "Delta = 2 > ln 5, n = 10: saturated",
            &["sequence", "saturated", "infinity"],
            &["--delta", "2", "--n", "10"],
        ),
        c(
            "example-a-reference",
            &EX_A,
            "Delta = 0, n = 10: N = 1",
            &["sequence", "reference"],
            &["--delta", "0", "--n", "10"],
        ),
        c(
            "ties",
            &TIES,
            "Delta = 1/2, n = 20",
            &["sequence"],
            &["--delta", "1/2", "--n", "20"],
        ),
        c(
            "zero-probability",
            &ZERO,
            "Delta = 1/5, n = 30",
            &["sequence"],
            &["--delta", "1/5", "--n", "30"],
        ),
        c(
            "negative-rewards",
            &NEG,
            "Delta = 1/10, n = 50",
            &["sequence"],
            &["--delta", "1/10", "--n", "50"],
        ),
        c(
            "constant-reward",
            &CONST,
            "Delta = 1/2, n = 10: the optimum is p",
            &["sequence", "reference"],
            &["--delta", "1/2", "--n", "10"],
        ),
        c(
            "tiny-probability",
            &TINY,
            "Delta = 1, n = 10",
            &["sequence"],
            &["--delta", "1", "--n", "10"],
        ),
        c(
            "denominator-1001",
            &D1001,
            "Delta = 1/3, n = 100",
            &["sequence"],
            &["--delta", "1/3", "--n", "100"],
        ),
        c(
            "k6-n1000",
            &K6,
            "Delta = 1/2, n = 1000 (N = ceil(e^500))",
            &["sequence", "n1000", "large-N"],
            &["--delta", "1/2", "--n", "1000"],
        ),
        c(
            "k6-mixed-n200",
            &K6_MIXED,
            "Delta = 1/4, n = 200",
            &["sequence"],
            &["--delta", "1/4", "--n", "200"],
        ),
    ]
}

/// Every case of a family.
pub fn cases(family: &str) -> Vec<Case> {
    match family {
        "divergence" => divergence_cases(),
        "tilt" => tilt_cases(),
        "rate" => rate_cases(),
        "cumulants" => cumulants_cases(),
        "bon" => bon_cases(),
        "compare" => compare_cases(),
        _ => vec![],
    }
}

fn family_description(family: &str) -> &'static str {
    match family {
        "divergence" => "KL divergences, entropies and the Renyi forms (LDP-4) of two distributions: `alignexact divergence`.",
        "tilt" => "The KL-constrained optimum phi_lambda = p e^{lambda r} / Z for a budget Delta, a tilt lambda, beta = 1/lambda or e^lambda (TILT-1, TILT-2): `alignexact tilt`.",
        "rate" => "The rate functions I_0(x) and I_Delta(x) of the per-token reward (LDP-1): `alignexact rate`.",
        "cumulants" => "Cumulants of the reward at the tilt and the scaled CGF Lambda_Delta(t) with its Renyi forms (LDP-3, LDP-4): `alignexact cumulants`.",
        "bon" => "Best-of-N in closed form: the output law by level, its expected reward, KL to the reference, the folklore bound and the win rate (BON-1..BON-4): `alignexact bon`.",
        "compare" => "Best-of-N with N = ceil(e^{n Delta}) against the KL-constrained optimum phi^{(x)n} for sequences of length n (SEQ-1, SEQ-3, BON-5): `alignexact compare`.",
        _ => "",
    }
}

// ----------------------------------------------------------------------------------------------
// Running a case
// ----------------------------------------------------------------------------------------------

/// Run a case through the command-line code path; return its `Output`.
pub fn run_case(case: &Case, digits: usize, max_bits: Option<&str>) -> Result<Output> {
    let mut argv = vec!["alignexact".to_string()];
    argv.extend(case.args.iter().cloned());
    argv.push("--digits".into());
    argv.push(digits.to_string());
    if let Some(b) = max_bits {
        argv.push("--max-bits".into());
        argv.push(b.to_string());
    }
    argv.push("--json".into());
    let cli = Cli::try_parse_from(&argv)
        .map_err(|e| Error::input(format!("vector {}: bad internal arguments: {e}", case.id)))?;
    let (out, _) = run_command(cli.command).map_err(|e| {
        let id = &case.id;
        match e {
            Error::Input(m) => Error::Input(format!("vector {id}: {m}")),
            Error::TooLarge(m) => Error::TooLarge(format!("vector {id}: {m}")),
            Error::Io(m) => Error::Io(format!("vector {id}: {m}")),
            Error::Internal(m) => Error::Internal(format!("vector {id}: {m}")),
            Error::Uncertified {
                quantity,
                digits,
                bits,
                reached,
            } => Error::Uncertified {
                quantity: format!("{quantity} (vector {id})"),
                digits,
                bits,
                reached,
            },
        }
    })?;
    Ok(out)
}

/// The recorded argument list of a case (what to pass to `alignexact` to reproduce it).
pub fn recorded_args(case: &Case, digits: usize) -> Vec<String> {
    let mut a = case.args.clone();
    a.extend(["--digits".to_string(), digits.to_string(), "--json".to_string()]);
    a
}

/// One vector as JSON.
pub fn vector_json(family: &str, case: &Case, digits: usize, max_bits: Option<&str>) -> Result<Json> {
    let out = run_case(case, digits, max_bits)?;
    let output = out.result.to_json(out.digits);
    let tol = tolerances(family, &out.input, &output)?;
    Ok(json!({
        "id": case.id,
        "description": case.description,
        "tags": case.tags,
        "args": recorded_args(case, digits),
        "input": out.input,
        "output": output,
        "tolerance": tol.to_json(),
    }))
}

/// One family file as JSON.
pub fn family_json(family: &str, digits: usize, max_bits: Option<&str>) -> Result<Json> {
    let trace = std::env::var_os("ALIGNEXACT_TRACE").is_some();
    let vectors = cases(family)
        .iter()
        .map(|c| {
            let start = std::time::Instant::now();
            let v = vector_json(family, c, digits, max_bits);
            if trace {
                eprintln!("[vectors] {} {:.3} s", c.id, start.elapsed().as_secs_f64());
            }
            v
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(json!({
        "schema": FILE_SCHEMA,
        "suite_version": SUITE_VERSION,
        "family": family,
        "command": family_command(family),
        "digits": digits,
        "description": family_description(family),
        "tolerance_rule": TOLERANCE_RULE,
        "vectors": vectors,
    }))
}

/// Pretty JSON text with a final newline (the exact bytes written to disk).
pub fn to_text(doc: &Json) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("JSON serialisation");
    s.push('\n');
    s
}

/// Lower-case hexadecimal SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A generated suite: `(file name, text)` pairs, the index last, and the vector count per family.
pub struct Suite {
    /// Files in write order (`index.json` last).
    pub files: Vec<(String, String)>,
    /// `(family, number of vectors)`.
    pub counts: Vec<(String, usize)>,
}

/// Generate the whole suite in memory.
pub fn generate(digits: usize, max_bits: Option<&str>) -> Result<Suite> {
    let mut files = Vec::new();
    let mut counts = Vec::new();
    let mut entries = Vec::new();
    for fam in FAMILIES {
        let doc = family_json(fam, digits, max_bits)?;
        let count = doc["vectors"].as_array().map_or(0, |v| v.len());
        let text = to_text(&doc);
        let name = format!("{fam}.json");
        entries.push(json!({
            "family": fam,
            "file": name,
            "vectors": count,
            "sha256": sha256_hex(text.as_bytes()),
        }));
        counts.push((fam.to_string(), count));
        files.push((name, text));
    }
    let index = json!({
        "schema": INDEX_SCHEMA,
        "suite_version": SUITE_VERSION,
        "alignexact_version": env!("CARGO_PKG_VERSION"),
        "digits": digits,
        "tolerance_rule": TOLERANCE_RULE,
        "files": entries,
    });
    files.push(("index.json".to_string(), to_text(&index)));
    Ok(Suite { files, counts })
}

fn write_suite(dir: &Path, suite: &Suite) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Io(format!("--out: cannot create directory '{}': {e}", dir.display())))?;
    for (name, text) in &suite.files {
        let path = dir.join(name);
        std::fs::write(&path, text.as_bytes())
            .map_err(|e| Error::Io(format!("--out: cannot write '{}': {e}", path.display())))?;
    }
    Ok(())
}

/// Run `vectors`.
pub fn run(mut a: VectorsArgs) -> Result<(Output, bool)> {
    let spec = a.common.load_spec()?;
    spec.fill("out", &mut a.out);
    let digits = match a.common.digits.as_deref() {
        None => DEFAULT_DIGITS,
        Some(_) => super::args::precision(a.common.digits.as_deref(), None)?.digits,
    };
    if let Some(b) = a.common.max_bits.as_deref() {
        super::args::precision(None, Some(b))?;
    }
    let out = a.out.as_deref().ok_or_else(|| {
        Error::input(
            "vectors needs --out DIR: the directory to write the vector files into, e.g. --out vectors",
        )
    })?;
    if out.trim().is_empty() {
        return Err(Error::input("--out: give a directory name, e.g. --out vectors"));
    }
    let dir = PathBuf::from(out);
    let start = std::time::Instant::now();
    let suite = generate(digits, a.common.max_bits.as_deref())?;
    write_suite(&dir, &suite)?;
    let secs = start.elapsed().as_secs_f64();
    let total: usize = suite.counts.iter().map(|(_, c)| c).sum();
    let per: Vec<String> = suite.counts.iter().map(|(f, c)| format!("{f} {c}")).collect();
    let text = format!(
        "alignexact vectors: wrote {total} vectors in {} files plus index.json to {} (suite {SUITE_VERSION}, {digits} digits, {secs:.1} s): {}\n",
        suite.counts.len(),
        dir.display(),
        per.join(", ")
    );
    let files: Vec<Value> = suite
        .files
        .iter()
        .map(|(name, body)| {
            obj(vec![
                ("file", Value::Str(name.clone())),
                ("sha256", Value::Str(sha256_hex(body.as_bytes()))),
            ])
        })
        .collect();
    let result = obj(vec![
        ("suite_version", Value::Str(SUITE_VERSION.into())),
        ("vectors", Value::Count(total as u64)),
        (
            "families",
            Value::Object(
                suite
                    .counts
                    .iter()
                    .map(|(f, c)| (f.clone(), Value::Count(*c as u64)))
                    .collect(),
            ),
        ),
        ("files", Value::Array(files)),
    ]);
    Ok((
        Output {
            command: "vectors",
            input: json!({"out": out, "digits": digits}),
            result,
            digits,
            exit_code: 0,
            text: Some(text),
        },
        a.common.json,
    ))
}

// ----------------------------------------------------------------------------------------------
// Tolerances: a first-order error model of a careful float64 implementation
// ----------------------------------------------------------------------------------------------

/// Unit roundoff of float64.
const U: f64 = 1.0 / 9_007_199_254_740_992.0; // 2^-53
/// Safety factor applied to the first-order model.
const SAFETY: f64 = 16.0;
/// Smallest relative tolerance suggested.
const REL_FLOOR: f64 = 1e-12;
/// Smallest absolute tolerance suggested (float64 underflows below it).
const ABS_FLOOR: f64 = 1e-300;
/// Working precision (bits) of the error model's MPFR arithmetic.
const MP: u32 = 64;

/// A first-order error estimate: `|error| <= rel |v| + abs`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Est {
    rel: f64,
    abs: f64,
}

impl Est {
    fn rel(rel: f64) -> Est {
        Est { rel, abs: 0.0 }
    }
    fn abs(abs: f64) -> Est {
        Est { rel: 0.0, abs }
    }
}

/// A suggested tolerance with the reason for it.
#[derive(Clone, Debug, PartialEq)]
struct Tol {
    rel: String,
    abs: String,
    note: String,
}

/// Round `x > 0` up to one significant digit: `"3e-14"`; `"0"` for `x <= 0`.
fn ceil1(x: f64) -> String {
    if x.is_nan() || x <= 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return "1e300".into();
    }
    // decimal exponent by exact comparison with powers of ten (no libm)
    let p = |e: i32| -> f64 { format!("1e{e}").parse::<f64>().expect("power of ten") };
    let mut e: i32 = 0;
    while x >= p(e + 1) {
        e += 1;
    }
    while x < p(e) {
        e -= 1;
    }
    let m = (x / p(e)).ceil() as i64;
    if m >= 10 {
        format!("1e{}", e + 1)
    } else {
        format!("{m}e{e}")
    }
}

impl Tol {
    fn from_est(est: Est, note: &str) -> Tol {
        let rel = (SAFETY * est.rel).clamp(REL_FLOOR, 1.0);
        let abs = (SAFETY * est.abs).max(ABS_FLOOR);
        Tol {
            rel: ceil1(rel),
            abs: ceil1(abs),
            note: note.to_string(),
        }
    }
    fn default_tol() -> Tol {
        Tol {
            rel: ceil1(REL_FLOOR),
            abs: ceil1(ABS_FLOOR),
            note: String::new(),
        }
    }
    fn json(&self, with_note: bool) -> Json {
        let mut m = Map::new();
        m.insert("rel".into(), Json::String(self.rel.clone()));
        m.insert("abs".into(), Json::String(self.abs.clone()));
        if with_note && !self.note.is_empty() {
            m.insert("note".into(), Json::String(self.note.clone()));
        }
        Json::Object(m)
    }
}

/// The tolerances of one vector.
struct Tolerances {
    fields: Vec<(String, Tol)>,
}

impl Tolerances {
    fn new() -> Tolerances {
        Tolerances { fields: Vec::new() }
    }
    /// Record the tolerance of the leaf at `ptr` when it exists, is numeric and differs from the default.
    fn set(&mut self, output: &Json, ptr: &str, est: Est, note: &str) {
        assert!(
            !est.rel.is_nan() && !est.abs.is_nan(),
            "internal error: the tolerance model gives NaN at {ptr}"
        );
        let Some(leaf) = output.pointer(ptr) else { return };
        if !is_numeric_leaf(leaf) {
            return;
        }
        let t = Tol::from_est(est, note);
        let d = Tol::default_tol();
        if t.rel == d.rel && t.abs == d.abs {
            return;
        }
        if let Some(slot) = self.fields.iter_mut().find(|(p, _)| p == ptr) {
            slot.1 = t;
        } else {
            self.fields.push((ptr.to_string(), t));
        }
    }
    fn to_json(&self) -> Json {
        let mut fields = Map::new();
        for (p, t) in &self.fields {
            fields.insert(p.clone(), t.json(true));
        }
        json!({
            "default": Tol::default_tol().json(false),
            "fields": Json::Object(fields),
        })
    }
}

/// A numeric leaf: an exact rational, a certified real, bounds or an infinity.
fn is_numeric_leaf(v: &Json) -> bool {
    v.as_object()
        .is_some_and(|o| o.contains_key("exact") || o.contains_key("lo") || o.contains_key("value"))
}

/// The float value of a leaf (the exact rational, else the midpoint of lo/hi, else `value`).
fn leaf_f64(v: &Json) -> Option<f64> {
    let o = v.as_object()?;
    if let Some(Json::String(q)) = o.get("exact") {
        return parse_rational(q).ok().map(|q| q.to_f64());
    }
    let s = |k: &str| o.get(k).and_then(|x| x.as_str()).map(dec_f64);
    match (s("value"), s("lo"), s("hi")) {
        (Some(v), _, _) => Some(v),
        (None, Some(lo), Some(hi)) => Some(0.5 * lo + 0.5 * hi),
        _ => None,
    }
}

/// A decimal string (possibly with an exponent beyond float64) or `inf` as f64.
fn dec_f64(s: &str) -> f64 {
    match s {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => {
            if let Some(i) = s.find('e') {
                // exponents beyond the float64 range: clamp the exponent text
                let (m, e) = (&s[..i], &s[i + 1..]);
                if e.trim_start_matches('-').len() > 5 {
                    let neg_exp = e.starts_with('-');
                    let neg = m.starts_with('-');
                    return match (neg_exp, neg) {
                        (true, false) => 0.0,
                        (true, true) => -0.0,
                        (false, false) => f64::INFINITY,
                        (false, true) => f64::NEG_INFINITY,
                    };
                }
            }
            s.parse::<f64>().unwrap_or(f64::NAN)
        }
    }
}

fn get_f64(output: &Json, ptr: &str) -> Option<f64> {
    output.pointer(ptr).and_then(leaf_f64)
}

fn input_list(input: &Json, key: &str) -> Result<Vec<Rational>> {
    input[key]
        .as_array()
        .ok_or_else(|| Error::input(format!("vector input has no '{key}'")))?
        .iter()
        .map(|x| {
            parse_rational(x.as_str().unwrap_or(""))
                .map_err(|e| Error::input(format!("vector input '{key}': {e}")))
        })
        .collect()
}

fn input_rat(input: &Json, key: &str) -> Option<Rational> {
    input
        .get(key)
        .and_then(|x| x.as_str())
        .and_then(|s| parse_rational(s).ok())
}

// --- correctly rounded elementary functions (MPFR), so the model is platform independent ---

/// `x^j` by repeated multiplication (IEEE operations only, unlike `powi`).
fn ipow(x: f64, j: i32) -> f64 {
    (0..j).fold(1.0, |acc, _| acc * x)
}

fn fl(x: f64) -> Float {
    Float::with_val(MP, x)
}
fn ln(x: f64) -> f64 {
    fl(x).ln().to_f64()
}
fn exp(x: f64) -> f64 {
    fl(x).exp().to_f64()
}

/// The model `p`, `r` in float64 on the support of `p`, with `psi`, `mu`, `sigma^2` at a tilt.
struct FModel {
    p: Vec<f64>,
    r: Vec<f64>,
    /// Support size.
    k: f64,
    /// `max |r_a|` on the support.
    big_r: f64,
    /// `r_max - r_min` on the support.
    range: f64,
}

#[derive(Clone, Debug)]
struct FEval {
    psi: f64,
    mu: f64,
    var: f64,
    phi: Vec<f64>,
}

impl FModel {
    fn new(p: &[Rational], r: &[Rational]) -> FModel {
        let (mut pp, mut rr) = (Vec::new(), Vec::new());
        for (a, b) in p.iter().zip(r) {
            if *a > 0 {
                pp.push(a.to_f64());
                rr.push(b.to_f64());
            }
        }
        let big_r = rr.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let rmax = rr.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let rmin = rr.iter().cloned().fold(f64::INFINITY, f64::min);
        FModel {
            k: pp.len() as f64,
            p: pp,
            r: rr,
            big_r,
            range: rmax - rmin,
        }
    }
    /// `psi(l)`, `mu(l)`, `sigma^2(l)` and `phi_l` by a log-sum-exp evaluation.
    fn eval(&self, l: f64) -> FEval {
        let e: Vec<f64> = self.p.iter().zip(&self.r).map(|(p, r)| ln(*p) + l * r).collect();
        let m = e.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = e.iter().map(|x| exp(x - m)).collect();
        let z: f64 = w.iter().sum();
        let phi: Vec<f64> = w.iter().map(|x| x / z).collect();
        let mu: f64 = phi.iter().zip(&self.r).map(|(a, b)| a * b).sum();
        let var: f64 = phi
            .iter()
            .zip(&self.r)
            .map(|(a, b)| a * (b - mu) * (b - mu))
            .sum();
        FEval {
            psi: m + ln(z),
            mu,
            var,
            phi,
        }
    }
    /// Central absolute moment `sum phi |r - mu|^j`.
    fn abs_moment(&self, ev: &FEval, j: i32) -> f64 {
        ev.phi
            .iter()
            .zip(&self.r)
            .map(|(a, b)| a * ipow((b - ev.mu).abs(), j))
            .sum()
    }
    /// Absolute error of `psi(l)` evaluated in float64.
    fn e_psi(&self, l: f64) -> f64 {
        4.0 * U * (self.k + l.abs() * self.big_r)
    }
    /// Absolute error of `mu(l)` evaluated in float64.
    fn e_mu(&self, l: f64) -> f64 {
        4.0 * U * self.big_r.max(1.0) * (self.k + l.abs() * self.big_r)
    }
    /// Absolute error of `K(l) = l mu(l) - psi(l)` evaluated in float64.
    fn e_k(&self, l: f64, ev: &FEval) -> f64 {
        l.abs() * self.e_mu(l) + self.e_psi(l) + 2.0 * U * (l * ev.mu).abs() + 2.0 * U * ev.psi.abs()
    }
}

/// How the tilt parameter is given.
#[derive(Clone, Debug)]
enum FBudget {
    Delta(f64),
    Lambda,
    ExpLambda,
}

fn input_budget(input: &Json) -> Option<FBudget> {
    if let Some(d) = input_rat(input, "delta") {
        return Some(FBudget::Delta(d.to_f64()));
    }
    if input_rat(input, "lambda").is_some() {
        return Some(FBudget::Lambda);
    }
    input_rat(input, "exp_lambda").map(|_| FBudget::ExpLambda)
}

/// The resolved tilt of an output (`lambda` leaf): `Some(l)` when finite.
fn finite_lambda(output: &Json, ptr: &str) -> Option<f64> {
    get_f64(output, ptr).filter(|l| l.is_finite())
}

/// Absolute error of the tilt parameter `l` obtained from the budget in float64.
fn err_lambda(fm: &FModel, b: &FBudget, l: f64, ev: &FEval) -> f64 {
    match b {
        FBudget::Delta(_) => {
            if l == 0.0 || ev.var <= 0.0 {
                0.0
            } else {
                fm.e_k(l, ev) / (l.abs() * ev.var)
            }
        }
        FBudget::Lambda => 2.0 * U * l.abs(),
        FBudget::ExpLambda => 2.0 * U * (1.0 + l.abs()),
    }
}

const NOTE_LAMBDA_ROOT: &str =
    "lambda solves K(l) = l mu(l) - psi(l) = Delta: the float64 error of K (terms l mu and psi cancel) is amplified by 1 / K'(l) = 1 / (l sigma^2)";
const NOTE_FROM_LAMBDA: &str =
    "first order in the error of lambda (d/dl of this quantity) plus its own float64 evaluation";
const NOTE_PHI: &str =
    "relative error of p_a e^{l r_a} / Z: (k + |l| max|r|) u, plus |r_a - mu| times the error of lambda";
const NOTE_VARIANCE: &str = "sum phi (r - mu)^2 with error (mu^2 + sigma^2) u per term, plus |kappa_3| <= range * sigma^2 times the error of lambda";
const NOTE_DELTA: &str = "D(phi || p) = l mu - psi: the terms l mu and psi cancel";

/// The tolerances of a vector, by family.
fn tolerances(family: &str, input: &Json, output: &Json) -> Result<Tolerances> {
    let mut t = Tolerances::new();
    match family {
        "divergence" => divergence_tol(input, output, &mut t)?,
        "tilt" => tilt_tol(input, output, &mut t)?,
        "rate" => rate_tol(input, output, &mut t)?,
        "cumulants" => cumulants_tol(input, output, &mut t)?,
        "bon" => bon_tol(input, output, &mut t)?,
        "compare" => compare_tol(input, output, &mut t)?,
        _ => {}
    }
    Ok(t)
}

fn divergence_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p: Vec<f64> = input_list(input, "p")?.iter().map(|x| x.to_f64()).collect();
    let q: Vec<f64> = input_list(input, "q")?.iter().map(|x| x.to_f64()).collect();
    let k = p.len() as f64;
    let lnabs = |x: f64| if x > 0.0 { ln(x).abs() } else { 0.0 };
    // KL(a || b) = sum a ln(a/b): each term has an absolute error of about a (|ln a| + |ln b| + 1) u
    let kl_scale = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, y)| **x > 0.0 && **y > 0.0)
            .map(|(x, y)| x * (lnabs(*x) + lnabs(*y) + 1.0))
            .sum()
    };
    let note_kl = "sum p ln(p/q): terms of both signs cancel when p is close to q; absolute error about sum p (|ln p| + |ln q| + 1) u";
    t.set(output, "/kl", Est::abs(4.0 * U * kl_scale(&p, &q)), note_kl);
    t.set(
        output,
        "/kl_reverse",
        Est::abs(4.0 * U * kl_scale(&q, &p)),
        note_kl,
    );
    // -sum a ln b: the float64 representation of b (relative error u) moves ln b by u
    let log_scale = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, y)| **x > 0.0 && **y > 0.0)
            .map(|(x, y)| x * (lnabs(*y) + 1.0))
            .sum()
    };
    let note_ent = "-sum p ln q: rounding q to float64 moves ln q by u, an absolute error of about sum p (|ln q| + 1) u that matters when the value is small";
    t.set(
        output,
        "/entropy",
        Est::abs(4.0 * U * log_scale(&p, &p)),
        note_ent,
    );
    t.set(
        output,
        "/cross_entropy",
        Est::abs(4.0 * U * log_scale(&p, &q)),
        note_ent,
    );
    if let Some(al) = input_rat(input, "alpha") {
        let a = al.to_f64();
        if a != 1.0 {
            let lmax_p = p
                .iter()
                .filter(|x| **x > 0.0)
                .map(|x| lnabs(*x))
                .fold(0.0, f64::max);
            let lmax_q = q
                .iter()
                .filter(|x| **x > 0.0)
                .map(|x| lnabs(*x))
                .fold(0.0, f64::max);
            let d = (a - 1.0).abs();
            // ln of a sum of powers x^a: relative error (k + |a ln x|) u of the sum, divided by |a - 1|
            let div = 4.0 * U * (k + a.abs() * lmax_p + (1.0 - a).abs() * lmax_q) / d;
            let ent = 4.0 * U * (k + a.abs() * lmax_p) / d;
            let cross = 4.0 * U * (k + (a - 1.0).abs() * lmax_q) / d;
            let note = "ln(sum of powers) / (alpha - 1): the sum carries a relative error (k + |alpha| max|ln p| + |1 - alpha| max|ln q|) u, an absolute error of the logarithm, divided by |alpha - 1|";
            t.set(output, "/renyi_divergence", Est::abs(div), note);
            t.set(output, "/renyi_entropy", Est::abs(ent), note);
            t.set(output, "/renyi_cross_entropy", Est::abs(cross), note);
            t.set(output, "/renyi_cross_entropy_alt", Est::abs(div + ent), note);
        } else {
            t.set(
                output,
                "/renyi_divergence",
                Est::abs(4.0 * U * kl_scale(&p, &q)),
                note_kl,
            );
        }
    }
    Ok(())
}

fn tilt_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let Some(l) = finite_lambda(output, "/lambda") else {
        return Ok(()); // saturated: p conditioned on A_max, a few exact operations
    };
    let ev = fm.eval(l);
    let el = err_lambda(&fm, &b, l, &ev);
    if matches!(b, FBudget::Delta(_)) {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
        // the exact Delta is reproduced as D(phi || p) of the float64 phi
        t.set(output, "/delta", Est::abs(fm.e_k(l, &ev)), NOTE_DELTA);
    } else {
        t.set(
            output,
            "/delta",
            Est::abs(fm.e_k(l, &ev) + l.abs() * ev.var * el),
            NOTE_DELTA,
        );
    }
    t.set(
        output,
        "/log_partition",
        Est::abs(fm.e_psi(l) + ev.mu.abs() * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/partition",
        Est::rel(fm.e_psi(l) + ev.mu.abs() * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/expected_reward",
        Est::abs(fm.e_mu(l) + ev.var * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/reward_variance",
        Est::abs(4.0 * U * fm.k * (ev.mu * ev.mu + ev.var) + fm.range * ev.var * el),
        NOTE_VARIANCE,
    );
    // phi over the full alphabet (zeros stay exact)
    let mut j = 0;
    for (i, pa) in p.iter().enumerate() {
        if *pa == 0 {
            continue;
        }
        let rel = 4.0 * U * (fm.k + l.abs() * fm.big_r) + (fm.r[j] - ev.mu).abs() * el;
        t.set(output, &format!("/phi/{i}"), Est::rel(rel), NOTE_PHI);
        j += 1;
    }
    Ok(())
}

fn rate_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let x = input_rat(input, "x").map(|q| q.to_f64()).unwrap_or(0.0);
    let mut err_i0 = 0.0;
    if let Some(lx) = finite_lambda(output, "/lambda_x") {
        let ev = fm.eval(lx);
        if ev.var > 0.0 {
            let el = (fm.e_mu(lx) + 2.0 * U * x.abs()) / ev.var;
            t.set(
                output,
                "/lambda_x",
                Est::abs(el),
                "lambda_x solves mu(l) = x: the float64 error of mu is amplified by 1 / mu'(l) = 1 / sigma^2(l)",
            );
            // I_0 = l x - psi(l) is stationary in l: first order is the cancellation of l x and psi
            err_i0 =
                fm.e_psi(lx) + 2.0 * U * (lx * x).abs() + 2.0 * U * ev.psi.abs() + 0.5 * ev.var * el * el;
            t.set(
                output,
                "/rate_reference",
                Est::abs(err_i0),
                "I_0(x) = l x - psi(l) is stationary in l (no first-order error from lambda_x); the terms l x and psi cancel",
            );
        }
    }
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let Some(l) = finite_lambda(output, "/lambda") else {
        return Ok(());
    };
    if l == 0.0 {
        t.set(
            output,
            "/rate_aligned",
            Est::abs(err_i0),
            "equal to I_0(x) at Delta = 0",
        );
        return Ok(());
    }
    let ev = fm.eval(l);
    let el = err_lambda(&fm, &b, l, &ev);
    if matches!(b, FBudget::Delta(_)) {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    let xs = ev.mu;
    let ia = get_f64(output, "/rate_aligned").unwrap_or(0.0);
    if ia.is_finite() {
        let delta = match b {
            FBudget::Delta(d) => d,
            _ => l * ev.mu - ev.psi,
        };
        let err = err_i0
            + (x - xs).abs() * el
            + l.abs() * fm.e_mu(l)
            + fm.e_psi(l)
            + fm.e_k(l, &ev)
            + 2.0 * U * (ia.abs() + delta.abs() + (l * (x - xs)).abs() + (l * x).abs() + ev.psi.abs());
        t.set(
            output,
            "/rate_aligned",
            Est::abs(err),
            "I_Delta(x) = I_0(x) - Delta - l_Delta (x - x*): cancellation of its terms, plus |x - x*| times the error of lambda",
        );
    }
    Ok(())
}

/// Cumulants `kappa_2..kappa_m` of `r` under `phi` from central moments (index `j` holds
/// `kappa_j`; entries 0 and 1 are unused), and the magnitude `A_j` of the terms of the recursion
/// `kappa_j = c_j - sum_{i=2}^{j-2} C(j-1, i-1) kappa_i c_{j-i}` (absolute central moments in
/// place of the moments): the scale of the cancellation in a float64 evaluation.
fn central_cumulants(fm: &FModel, ev: &FEval, m: usize) -> (Vec<f64>, Vec<f64>) {
    let c: Vec<f64> = (0..=m)
        .map(|j| {
            ev.phi
                .iter()
                .zip(&fm.r)
                .map(|(a, b)| a * ipow(b - ev.mu, j as i32))
                .sum()
        })
        .collect();
    let abs_m: Vec<f64> = (0..=m).map(|j| fm.abs_moment(ev, j as i32)).collect();
    let binom =
        |n: usize, k: usize| -> f64 { (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64) };
    let mut kappa = vec![0.0; m + 1];
    let mut mag = vec![0.0; m + 1];
    for j in 2..=m {
        let mut kj = c[j];
        let mut aj = abs_m[j];
        for i in 2..j.saturating_sub(1) {
            let b = binom(j - 1, i - 1);
            kj -= b * kappa[i] * c[j - i];
            aj += b * mag[i] * abs_m[j - i];
        }
        kappa[j] = kj;
        mag[j] = aj;
    }
    (kappa, mag)
}

fn cumulants_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let lam = get_f64(output, "/lambda").unwrap_or(0.0);
    if !lam.is_finite() {
        return Ok(()); // saturated: a point mass, exact
    }
    let ev = fm.eval(lam);
    let el = if lam == 0.0 {
        0.0
    } else {
        err_lambda(&fm, &b, lam, &ev)
    };
    if matches!(b, FBudget::Delta(_)) && lam != 0.0 {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    let order = output["cumulants"].as_array().map_or(0, |a| a.len());
    let base = 4.0 * U * (fm.k + lam.abs() * fm.big_r);
    let (kappa, mag) = central_cumulants(&fm, &ev, order + 1);
    for j in 1..=order {
        // d kappa_j / d lambda = kappa_{j+1}
        let err = if j == 1 {
            fm.e_mu(lam) + ev.var * el
        } else {
            base * mag[j] + kappa[j + 1].abs() * el
        };
        t.set(
            output,
            &format!("/cumulants/{}", j - 1),
            Est::abs(err),
            "kappa_j from central moments: the terms of the moment-cumulant recursion cancel (scale: the recursion on absolute central moments) with a relative error (k + |l| max|r|) u each, plus |kappa_{j+1}| times the error of lambda",
        );
    }
    if let Some(tt) = input_rat(input, "t").map(|q| q.to_f64()) {
        let ev2 = fm.eval(lam + tt);
        let err = fm.e_psi(lam + tt)
            + fm.e_psi(lam)
            + (ev2.mu - ev.mu).abs() * el
            + 2.0 * U * (ev2.psi.abs() + ev.psi.abs());
        let note = "Lambda(t) = psi(l + t) - psi(l): the two log-partitions cancel; plus |mu(l+t) - mu(l)| times the error of lambda";
        t.set(output, "/scgf", Est::abs(err), note);
        // the Renyi forms go through ln C = ln sum e^{r} and Renyi sums of order 1 + t
        let lnc_scale = fm.big_r + ln(fm.k.max(1.0));
        let extra = 4.0 * U * tt.abs() * (lnc_scale + 1.0) * (1.0 + (lam + tt).abs() * fm.big_r);
        let note_r = "as scgf, plus the float64 error of t ln C and of the Renyi sums of order 1 + t";
        for key in ["reference_cross_entropy", "aligned_cross_entropy", "divergence"] {
            let mut e = err + extra;
            if key == "divergence" && lam != 0.0 {
                // (t / l) [psi(l) + D_{1 + t/l}]: the error of l enters through t / l
                e += (tt / lam).abs() * (fm.e_psi(lam) + ev.mu.abs() * el)
                    + (get_f64(output, "/scgf").unwrap_or(0.0) / lam).abs() * el;
            }
            t.set(output, &format!("/scgf_renyi/{key}"), Est::abs(e), note_r);
        }
    }
    Ok(())
}

// --- best-of-N -------------------------------------------------------------------------------

/// The float model of best-of-N over levels with probabilities `ps` (ascending reward).
struct BonModel {
    /// `P_S` per level.
    ps: Vec<Float>,
    /// `ln P_S`.
    ln_ps: Vec<f64>,
    /// `F(s)` per level.
    f: Vec<f64>,
    /// `m_j = -N ln F(s_j) >= 0`.
    m: Vec<f64>,
    /// `F^N` per level.
    f_pow: Vec<f64>,
    /// `P_N` per level.
    pn: Vec<f64>,
    /// `ln P_N` per level (may be far below the float64 range).
    ln_pn: Vec<f64>,
    /// Relative error of `P_N` (equivalently the absolute error of `ln P_N`).
    rel_pn: Vec<f64>,
    /// Relative error of the float level law, its tails and CDF.
    e_t: f64,
    /// `ln N`.
    ln_n: f64,
}

impl BonModel {
    /// `ps` ascending by reward; `n_samples` = N; `ops` = float operations behind each `P_S`.
    fn new(ps: Vec<Float>, n_samples: &Float, ops: f64) -> BonModel {
        let len = ps.len();
        let e_t = 2.0 * U * (ops + len as f64);
        // CDF from the bottom, tails from the top (both sums of positive terms)
        let mut f = Vec::with_capacity(len);
        let mut acc = Float::with_val(MP, 0);
        for x in &ps {
            acc += x;
            f.push(acc.clone());
        }
        let mut tails = vec![Float::with_val(MP, 0); len];
        let mut acc = Float::with_val(MP, 0);
        for j in (0..len).rev() {
            tails[j] = acc.clone();
            acc += &ps[j];
        }
        let half = Float::with_val(MP, 0.5);
        let mut m = Vec::with_capacity(len);
        let mut mf = Vec::with_capacity(len);
        for j in 0..len {
            // -ln F = -ln1p(-T) when T < 1/2, else -ln F
            let neg_ln_f = if tails[j] < half {
                let x = Float::with_val(MP, -&tails[j]);
                -x.ln_1p()
            } else {
                -Float::with_val(MP, f[j].ln_ref())
            };
            let mj = Float::with_val(MP, n_samples * &neg_ln_f);
            m.push(mj.to_f64());
            mf.push(mj);
        }
        let mut ln_pn = Vec::with_capacity(len);
        for j in 0..len {
            let lp = if j == 0 {
                Float::with_val(MP, -&mf[0])
            } else {
                // delta_j = N ln1p(P_S / F(j-1)); ln P_N = -m_j + ln(-expm1(-delta_j))
                let ratio = Float::with_val(MP, &ps[j] / &f[j - 1]);
                let delta = Float::with_val(MP, n_samples * ratio.ln_1p());
                let neg = Float::with_val(MP, -delta);
                let one_minus = -neg.exp_m1();
                Float::with_val(MP, one_minus.ln() - &mf[j])
            };
            ln_pn.push(lp.to_f64());
        }
        let pn: Vec<f64> = ln_pn.iter().map(|x| exp(*x)).collect();
        let f_pow: Vec<f64> = m.iter().map(|x| exp(-x)).collect();
        let rel_pn: Vec<f64> = m.iter().map(|mj| 2.0 * e_t * (mj + 2.0) + 4.0 * U).collect();
        let ln_ps = ps
            .iter()
            .map(|x| Float::with_val(MP, x.ln_ref()).to_f64())
            .collect();
        let ln_n = Float::with_val(MP, n_samples.ln_ref()).to_f64();
        BonModel {
            f: f.iter().map(|x| x.to_f64()).collect(),
            ps,
            ln_ps,
            m,
            f_pow,
            pn,
            ln_pn,
            rel_pn,
            e_t,
            ln_n,
        }
    }
    fn len(&self) -> usize {
        self.ps.len()
    }
    /// `ln(P_N / P_S)` per level.
    fn log_ratio(&self, j: usize) -> f64 {
        self.ln_pn[j] - self.ln_ps[j]
    }
    /// Absolute error of `sum_j s_j P_N(s_j)`.
    fn err_expected(&self, s: &[f64]) -> f64 {
        (0..self.len())
            .map(|j| wt(self.pn[j], s[j].abs() * (self.rel_pn[j] + 4.0 * U)))
            .sum()
    }
    /// Absolute error of `D(pi_N || p) = sum P_N ln(P_N / P_S)`.
    fn err_kl(&self) -> f64 {
        (0..self.len())
            .map(|j| {
                let lr = self.log_ratio(j).abs();
                wt(self.pn[j], self.rel_pn[j] * (lr + 1.0) + self.e_t + 4.0 * U * lr)
            })
            .sum()
    }
    /// Absolute error of the win rate `sum P_N (F + F-) / 2`.
    fn err_win(&self) -> f64 {
        (0..self.len())
            .map(|j| {
                let fm = if j == 0 { 0.0 } else { self.f[j - 1] };
                wt(self.pn[j], (self.rel_pn[j] + self.e_t) * 0.5 * (self.f[j] + fm))
            })
            .sum::<f64>()
            + 4.0 * U
    }
    /// Absolute error of the per-level gap `A_N(F) - A_N(F-) - P_N ln(P_N/P_S)` (BON-3).
    fn err_level_gap(&self, j: usize) -> f64 {
        let (fp, mj) = (self.f_pow[j], self.m[j]);
        let (fpm, mjm) = if j == 0 {
            (0.0, 0.0)
        } else {
            (self.f_pow[j - 1], self.m[j - 1])
        };
        let rel = |m: f64| 2.0 * self.e_t * (m + 2.0) + 4.0 * U;
        let a = wt(fp, (self.ln_n.abs() + mj + 2.0) * rel(mj));
        let b = wt(fpm, (self.ln_n.abs() + mjm + 2.0) * rel(mjm));
        let lr = self.log_ratio(j).abs();
        a + b + wt(self.pn[j], self.rel_pn[j] * (lr + 1.0) + self.e_t + 4.0 * U * lr)
    }
}

/// `w x` for a weight `w >= 0`, taken as 0 when `w = 0` (an underflowed probability times an
/// astronomically large error factor contributes nothing).
fn wt(w: f64, x: f64) -> f64 {
    if w == 0.0 {
        0.0
    } else {
        w * x
    }
}

/// `N` from the input echo: an integer string or `e^(x)`.
fn input_n_samples(input: &Json) -> Option<Float> {
    let s = input.get("N")?.as_str()?;
    if let Some(x) = s.strip_prefix("e^(").and_then(|x| x.strip_suffix(')')) {
        let x = parse_rational(x).ok()?;
        return Some(Float::with_val(MP, &x).exp());
    }
    let q = parse_rational(s).ok()?;
    Some(Float::with_val(MP, &q))
}

const NOTE_PN: &str = "P_N = F^N - F-^N = F^N (1 - e^{-N ln(F/F-)}) from tails summed from the top: relative error about 2 e (N |ln F| + 2), e = (n k + levels) u the relative error of the float64 level law";
const NOTE_PS: &str =
    "the float64 level law of S_n (n convolution steps over k tokens): relative error (n k + levels) u";
const NOTE_E: &str = "sum s P_N: the per-level errors of P_N weighted by |s|";
const NOTE_KL_BON: &str = "sum P_N ln(P_N / P_S): per-level errors of P_N times (|ln(P_N/P_S)| + 1)";
const NOTE_KL_GAP: &str = "ln N - (N-1)/N - D(pi_N || p): the bound and the KL cancel";
const NOTE_LEVEL_GAP: &str =
    "A_N(F) - A_N(F-) - P_N ln(P_N/P_S) (BON-3): three terms of magnitude F^N (ln N + N |ln F|) cancel";
const NOTE_WIN: &str = "sum P_N (F + F-) / 2: per-level errors of P_N";

/// Exact level law `(rewards ascending, probabilities)` of the input model at length `n`.
fn exact_levels(p: &[Rational], r: &[Rational], n: u64) -> (Vec<Rational>, Vec<Rational>) {
    let law = level_law(p, r, n, Route::Auto);
    let rewards = (0..law.len()).map(|j| law.reward(j)).collect();
    let probs = (0..law.len()).map(|j| law.prob(j)).collect();
    (rewards, probs)
}

fn count_u64(input: &Json, key: &str) -> u64 {
    input.get(key).and_then(|x| x.as_u64()).unwrap_or(1)
}

fn bon_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let n = count_u64(input, "n");
    let Some(big_n) = input_n_samples(input) else {
        return Ok(());
    };
    let k = p.iter().filter(|x| **x > 0).count() as f64;
    let (rewards, probs) = exact_levels(&p, &r, n);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    let bm = BonModel::new(ps, &big_n, n as f64 * k);
    let len = bm.len();
    let listed = output["levels"].as_array().map_or(0, |a| a.len());
    for i in 0..listed.min(len) {
        let j = len - 1 - i;
        t.set(
            output,
            &format!("/levels/{i}/prob_reference"),
            Est::rel(bm.e_t),
            NOTE_PS,
        );
        t.set(
            output,
            &format!("/levels/{i}/prob_bon"),
            Est::rel(bm.rel_pn[j]),
            NOTE_PN,
        );
        t.set(
            output,
            &format!("/levels/{i}/kl_gap"),
            Est::abs(bm.err_level_gap(j)),
            NOTE_LEVEL_GAP,
        );
    }
    let err_e = bm.err_expected(&s);
    t.set(output, "/expected_reward", Est::abs(err_e), NOTE_E);
    t.set(
        output,
        "/expected_reward_per_token",
        Est::abs(err_e / n as f64),
        NOTE_E,
    );
    let err_kl = bm.err_kl();
    t.set(output, "/kl_to_reference", Est::abs(err_kl), NOTE_KL_BON);
    t.set(
        output,
        "/kl_gap",
        Est::abs(err_kl + 4.0 * U * (bm.ln_n.abs() + 1.0)),
        NOTE_KL_GAP,
    );
    t.set(output, "/win_rate", Est::abs(bm.err_win()), NOTE_WIN);
    // the order rule (n = 1): tokens sorted by (reward, index)
    if output.get("tokens").is_some() {
        let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i] > 0).collect();
        idx.sort_by(|&a, &b| r[a].cmp(&r[b]).then(a.cmp(&b)));
        let ps: Vec<Float> = idx.iter().map(|&i| Float::with_val(MP, &p[i])).collect();
        let om = BonModel::new(ps, &big_n, k);
        for (pos, &i) in idx.iter().enumerate() {
            t.set(output, &format!("/tokens/{i}"), Est::rel(om.rel_pn[pos]), NOTE_PN);
        }
        t.set(
            output,
            "/kl_to_reference_order",
            Est::abs(om.err_kl()),
            NOTE_KL_BON,
        );
    }
    Ok(())
}

fn compare_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let n = count_u64(input, "n");
    let nf = n as f64;
    let Some(big_n) = input_n_samples(input) else {
        return Ok(());
    };
    let fm = FModel::new(&p, &r);
    let (rewards, probs) = exact_levels(&p, &r, n);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    let bm = BonModel::new(ps, &big_n, nf * fm.k);
    let len = bm.len();
    let delta = input_rat(input, "delta").map_or(0.0, |d| d.to_f64());
    // N = ceil(e^{n Delta}): e^x carries a relative error (1 + x) u
    let nd = nf * delta;
    t.set(
        output,
        "/N",
        Est::rel(2.0 * U * (1.0 + nd)),
        "N = e^{n Delta} (rounded): exp of n Delta has a relative error (1 + n Delta) u",
    );
    let err_e = bm.err_expected(&s);
    let err_kl = bm.err_kl();
    let e_bon = get_f64(output, "/expected_reward_bon").unwrap_or(0.0);
    let kl_ref = get_f64(output, "/kl_bon_reference").unwrap_or(0.0);
    let per = |t: &mut Tolerances, key: &str, err: f64, note: &str| {
        t.set(output, &format!("/{key}"), Est::abs(err), note);
        t.set(output, &format!("/{key}_per_token"), Est::abs(err / nf), note);
    };
    per(t, "expected_reward_bon", err_e, NOTE_E);
    per(t, "kl_bon_reference", err_kl, NOTE_KL_BON);
    let lam = get_f64(output, "/lambda").unwrap_or(0.0);
    if lam.is_infinite() {
        // saturated: phi^n sits on the top level; D(phi^n || pi_N) = -ln P_N(top)
        let top = len - 1;
        if top > 0 {
            let rel = 2.0 * bm.e_t * (bm.m[top - 1] + 2.0) + 4.0 * U;
            t.set(
                output,
                "/kl_tilted_bon",
                Est::rel(rel),
                "-ln P_N(top) = -ln(1 - F_-^N) ~ F_-^N: relative error of F_-^N",
            );
            t.set(
                output,
                "/kl_tilted_bon_per_token",
                Est::rel(rel),
                "-ln P_N(top) / n: relative error of F_-^N",
            );
        }
        return Ok(());
    }
    let ev = fm.eval(lam);
    let el = if lam == 0.0 {
        0.0
    } else {
        err_lambda(&fm, &FBudget::Delta(delta), lam, &ev)
    };
    if lam != 0.0 {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    per(
        t,
        "expected_reward_tilted",
        nf * (fm.e_mu(lam) + ev.var * el),
        "n mu(lambda): n times the error of mu, plus n sigma^2 times the error of lambda",
    );
    per(
        t,
        "kl_tilted_reference",
        nf * fm.e_k(lam, &ev),
        "n D(phi || p) = n (l mu - psi) from a float64 phi: the terms cancel",
    );
    // ln Phi_j = ln P_S(j) + l s_j - n psi(l)
    let n_psi = nf * ev.psi;
    let e_npsi = nf * fm.e_psi(lam);
    let ln_phi: Vec<f64> = (0..len).map(|j| bm.ln_ps[j] + lam * s[j] - n_psi).collect();
    let err_ln_phi = |j: usize| -> f64 {
        bm.e_t
            + 4.0 * U * ((lam * s[j]).abs() + n_psi.abs() + bm.ln_ps[j].abs())
            + (s[j] - nf * ev.mu).abs() * el
            + e_npsi
    };
    let mut direct = 0.0;
    let mut reverse = 0.0;
    for (j, lp) in ln_phi.iter().enumerate() {
        let d = (bm.ln_pn[j] - lp).abs();
        direct += wt(bm.pn[j], bm.rel_pn[j] * (d + 1.0) + err_ln_phi(j) + 4.0 * U * d);
        reverse += wt(exp(*lp), bm.rel_pn[j] + err_ln_phi(j) + 4.0 * U * d);
    }
    let pyth = err_kl
        + lam.abs() * err_e
        + (nf * ev.mu - e_bon).abs() * el
        + e_npsi
        + 4.0 * U * (kl_ref.abs() + (lam * e_bon).abs() + n_psi.abs());
    let bt = direct.max(pyth);
    let note_bt = "D(pi_N || phi^n): directly sum P_N ln(P_N / Phi) with ln Phi = ln P_S + l s - n psi, or by TILT-3 D(pi_N||p) - l E S + n psi; the terms l E S and n psi cancel, and the error of lambda enters times |n mu - E S|";
    per(t, "kl_bon_tilted", bt, note_bt);
    per(t, "kl_bon_tilted_pythagorean", bt, note_bt);
    per(
        t,
        "kl_tilted_bon",
        reverse,
        "sum Phi ln(Phi / P_N): ln P_N = N ln F + ... has an absolute error of about 2 e N |ln F| per level, e the relative error of the float64 level law",
    );
    Ok(())
}
