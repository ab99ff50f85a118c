//! The sequence families of the vector suite: `compare` (best-of-N against the optimum for
//! sequences of length n) and `methods` (the inference-time methods on one frontier). Pure data.

use super::*;

pub(super) fn compare_cases() -> Vec<Case> {
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

pub(super) fn methods_cases() -> Vec<Case> {
    let f = "methods";
    let c = |slug: &str, m: &M, what: &str, tags: &[&'static str], a: &[&str]| {
        model_case(f, slug, m, what, tags, a)
    };
    // small grids: every point of every method, certified; soft best-of-N kept to N <= 4
    let grid = [
        "--delta",
        "0,1/10,3/10",
        "--N",
        "1,2,4,16",
        "--soft-N",
        "2,4",
        "--lambda",
        "0,1,4",
        "--mu",
        "0,1,8",
    ];
    vec![
        c(
            "example-a",
            &EX_A,
            "the optimum, the win-rate-optimal tilt, best-of-N, soft best-of-N and best-of-Poisson",
            &["frontier"],
            &grid,
        ),
        c(
            "example-b",
            &EX_B,
            "every method on two tokens",
            &["frontier"],
            &grid,
        ),
        c(
            "ties",
            &TIES,
            "every method with a tie at the top reward (mid ranks for the win rate)",
            &["frontier"],
            &grid,
        ),
        c(
            "zero-probability",
            &ZERO,
            "every method; the zero-probability token stays at probability 0",
            &["frontier"],
            &grid,
        ),
        c(
            "example-a-saturated",
            &EX_A,
            "budgets up to and past Delta_max = ln 5 (saturated tilts), large N and mu",
            &["frontier", "saturated"],
            &[
                "--delta",
                "1,2",
                "--N",
                "256",
                "--methods",
                "optimum,win-rate,bon,poisson",
                "--mu",
                "100",
            ],
        ),
        c(
            "negative-rewards",
            &NEG,
            "every method with negative fractional rewards",
            &["frontier"],
            &grid,
        ),
        c(
            "tiny-probability",
            &TINY,
            "every method; the best token has probability 1e-9",
            &["frontier"],
            &grid,
        ),
        c(
            "denominator-1001",
            &D1001,
            "every method with rewards of denominator 1001",
            &["frontier"],
            &grid,
        ),
    ]
}
