//! The catalogue of the vector suite: every case as an id, a description, tags and the
//! subcommand flags that produce it. Pure data: nothing here computes or writes anything.
//!
//! Models shared by several families are the constants `EX_A`, `EX_B`, ...; each family's list
//! is a literal table of flag lists ([`cases`]).

mod markov;
mod sequences;

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
pub(super) struct M {
    p: &'static str,
    r: &'static str,
    tag: &'static str,
    what: &'static str,
}

pub(super) const EX_A: M = M {
    p: "1/2,3/10,1/5",
    r: "0,1,3",
    tag: "example-a",
    what: "Example A of MATH.md §8",
};
pub(super) const EX_B: M = M {
    p: "7/10,3/10",
    r: "0,1",
    tag: "example-b",
    what: "Example B of MATH.md §8",
};
pub(super) const TIES: M = M {
    p: "1/4,1/4,1/4,1/4",
    r: "0,1,2,2",
    tag: "ties",
    what: "two tokens tied at the top reward",
};
pub(super) const TIES_MID: M = M {
    p: "1/8,3/8,1/4,1/4",
    r: "1,0,1,2",
    tag: "ties",
    what: "two tokens tied at a middle reward, listed out of order",
};
pub(super) const ZERO: M = M {
    p: "1/2,0,1/2",
    r: "0,5,1",
    tag: "zero-probability",
    what: "a zero-probability token carrying the largest reward (it must drop out)",
};
pub(super) const NEG: M = M {
    p: "1/5,2/5,2/5",
    r: "-3,-1/2,-2",
    tag: "negative-rewards",
    what: "negative fractional rewards",
};
pub(super) const CONST: M = M {
    p: "1/3,1/3,1/3",
    r: "2,2,2",
    tag: "constant-reward",
    what: "a constant reward (Delta_max = 0)",
};
pub(super) const TINY: M = M {
    p: "1e-9,0.499999999,1/2",
    r: "10,0,1",
    tag: "tiny-probability",
    what: "the best token has probability 1e-9",
};
pub(super) const D1001: M = M {
    p: "1/7,2/7,4/7",
    r: "1/1001,500/1001,1000/1001",
    tag: "denominator-1001",
    what: "rewards with denominator 1001",
};
pub(super) const K6: M = M {
    p: "1/21,2/21,3/21,4/21,5/21,6/21",
    r: "0,1,2,3,4,5",
    tag: "k6",
    what: "six tokens",
};
pub(super) const K6_MIXED: M = M {
    p: "0.3,0.25,0.2,0.15,0.099999999,1e-9",
    r: "-2,1/3,0,5/2,1,4",
    tag: "k6",
    what: "six tokens with decimal probabilities down to 1e-9 and mixed-sign fractional rewards",
};

pub(super) fn case(
    family: &str,
    slug: &str,
    description: String,
    tags: Vec<&'static str>,
    args: &[&str],
) -> Case {
    let mut a = vec![family_command(family).to_string()];
    a.extend(args.iter().map(|s| s.to_string()));
    Case {
        id: format!("{family}-{slug}"),
        description,
        tags,
        args: a,
    }
}

pub(super) fn model_case(
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
    match family {
        "methods" => "frontier",
        "markov" => "compare",
        f => f,
    }
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

/// Every case of a family.
pub fn cases(family: &str) -> Vec<Case> {
    match family {
        "divergence" => divergence_cases(),
        "tilt" => tilt_cases(),
        "rate" => rate_cases(),
        "cumulants" => cumulants_cases(),
        "bon" => bon_cases(),
        "compare" => sequences::compare_cases(),
        "methods" => sequences::methods_cases(),
        "markov" => markov::markov_cases(),
        _ => vec![],
    }
}

pub fn family_description(family: &str) -> &'static str {
    match family {
        "divergence" => "KL divergences, entropies and the Renyi forms (LDP-4) of two distributions: `alignexact divergence`.",
        "tilt" => "The KL-constrained optimum phi_lambda = p e^{lambda r} / Z for a budget Delta, a tilt lambda, beta = 1/lambda or e^lambda (TILT-1, TILT-2): `alignexact tilt`.",
        "rate" => "The rate functions I_0(x) and I_Delta(x) of the per-token reward (LDP-1): `alignexact rate`.",
        "cumulants" => "Cumulants of the reward at the tilt and the scaled CGF Lambda_Delta(t) with its Renyi forms (LDP-3, LDP-4): `alignexact cumulants`.",
        "bon" => "Best-of-N in closed form: the output law by level, its expected reward, KL to the reference, the folklore bound and the win rate (BON-1..BON-4): `alignexact bon`.",
        "compare" => "Best-of-N with N = ceil(e^{n Delta}) against the KL-constrained optimum phi^{(x)n} for sequences of length n (SEQ-1, SEQ-3, BON-5): `alignexact compare`.",
        "methods" => "Reward-vs-KL and win-rate-vs-KL points of the KL-constrained optimum (TILT-1), the win-rate-optimal tilt (REL-7), best-of-N (BON-1..BON-4), soft best-of-N (REL-5) and best-of-Poisson (REL-6), each with the optima x*(KL) and W*(KL) at its own KL: `alignexact frontier`.",
        "markov" => "Reference models with memory (MATH.md §10): best-of-N with N = ceil(e^{n Delta}) against the finite-n optimum of a Markov chain (MKV-1, MKV-2), with the MKV-3 limit lambda_limit, x_star_limit (null with a note when the chain is reducible or periodic, or the budget is at or above the limit's Delta_max): `alignexact compare --transition`.",
        _ => "",
    }
}
