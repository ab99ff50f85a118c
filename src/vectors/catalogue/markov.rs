//! The `markov` family of the vector suite: reference models with memory (MATH.md §10), as
//! `compare --transition` cases. Pure data.

use super::{case, Case};

/// A Markov reference model (MATH.md §10) of the `markov` family.
struct C {
    transition: &'static str,
    init: Option<&'static str>,
    r: &'static str,
    tag: &'static str,
    what: &'static str,
}

const STICKY: C = C {
    transition: "9/10,1/10;1/5,4/5",
    init: None,
    r: "0,1",
    tag: "sticky",
    what: "the sticky chain of demo --markov (stationary law (2/3, 1/3))",
};
const THREE: C = C {
    transition: "1/2,1/4,1/4;1/5,3/5,1/5;1/10,3/10,3/5",
    init: None,
    r: "0,1,3",
    tag: "three-state",
    what: "a 3-state chain with Example A's rewards",
};
const ZERO_ENTRY: C = C {
    transition: "0,1/2,1/2;1/3,1/3,1/3;1/2,1/2,0",
    init: Some("1,0,0"),
    r: "0,1,2",
    tag: "zero-entry",
    what: "a 3-state chain with zero transition probabilities, started in state 1",
};
const MEMLESS_A: C = C {
    transition: "1/2,3/10,1/5;1/2,3/10,1/5;1/2,3/10,1/5",
    init: Some("1/2,3/10,1/5"),
    r: "0,1,3",
    tag: "memoryless",
    what: "the memoryless chain of Example A (every row and the initial law equal p): the values equal the compare family's",
};
const MEMLESS_B: C = C {
    transition: "7/10,3/10;7/10,3/10",
    init: Some("7/10,3/10"),
    r: "0,1",
    tag: "memoryless",
    what: "the memoryless chain of Example B (every row and the initial law equal p): the values equal the compare family's",
};
const PERIODIC: C = C {
    transition: "0,1/2,1/2;1,0,0;1,0,0",
    init: None,
    r: "0,1,2",
    tag: "periodic",
    what: "a periodic chain (period 2): finite-n values exist, the MKV-3 limit is null with a note",
};
const REDUCIBLE: C = C {
    transition: "1,0;1/2,1/2",
    init: Some("0,1"),
    r: "0,1",
    tag: "reducible",
    what: "a reducible chain started in its transient state: finite-n values exist, the MKV-3 limit is null with a note",
};

fn chain_case(slug: &str, m: &C, what: &str, extra_tags: &[&'static str], args: &[&str]) -> Case {
    let mut full = vec!["--transition", m.transition];
    if let Some(q) = m.init {
        full.extend_from_slice(&["--init", q]);
    }
    full.extend_from_slice(&["--r", m.r]);
    full.extend_from_slice(args);
    let mut tags = vec!["markov", m.tag];
    tags.extend_from_slice(extra_tags);
    case("markov", slug, format!("{}: {what}", m.what), tags, &full)
}

pub(super) fn markov_cases() -> Vec<Case> {
    let c = chain_case;
    vec![
        c(
            "sticky-n10",
            &STICKY,
            "Delta = 1/10, n = 10",
            &[],
            &["--delta", "1/10", "--n", "10"],
        ),
        c(
            "sticky-n100",
            &STICKY,
            "Delta = 1/10, n = 100",
            &["sequence"],
            &["--delta", "1/10", "--n", "100"],
        ),
        c(
            "sticky-n1000",
            &STICKY,
            "Delta = 1/10, n = 1000 (N = ceil(e^100))",
            &["sequence", "n1000", "large-N"],
            &["--delta", "1/10", "--n", "1000"],
        ),
        c(
            "sticky-init-0-n20",
            &STICKY,
            "started in the unrewarded state, Delta = 1/10, n = 20",
            &["sequence", "init"],
            &["--init", "1,0", "--delta", "1/10", "--n", "20"],
        ),
        c(
            "sticky-saturated",
            &STICKY,
            "Delta = 1/2, above the limit's Delta_max = -ln(4/5): lambda_limit = inf, x_star_limit = 1 exactly (the max-mean cycle), with a note",
            &["sequence", "saturated"],
            &["--delta", "1/2", "--n", "10"],
        ),
        c(
            "three-state-n50",
            &THREE,
            "Delta = 3/10, n = 50",
            &["sequence"],
            &["--delta", "3/10", "--n", "50"],
        ),
        c(
            "zero-entry-n30",
            &ZERO_ENTRY,
            "Delta = 1/5, n = 30",
            &["sequence", "zero-probability"],
            &["--delta", "1/5", "--n", "30"],
        ),
        c(
            "memoryless-example-a-n10",
            &MEMLESS_A,
            "Delta = 3/10, n = 10 (as compare-example-a-n10)",
            &["sequence", "example-a"],
            &["--delta", "3/10", "--n", "10"],
        ),
        c(
            "memoryless-example-b-n5",
            &MEMLESS_B,
            "Delta = 1/5, n = 5, N = 3 (as compare-example-b-n5)",
            &["sequence", "example-b"],
            &["--delta", "1/5", "--n", "5"],
        ),
        c(
            "periodic-n11",
            &PERIODIC,
            "Delta = 1/10, n = 11",
            &["sequence", "limit-null"],
            &["--delta", "1/10", "--n", "11"],
        ),
        c(
            "reducible-n12",
            &REDUCIBLE,
            "Delta = 1/10, n = 12",
            &["sequence", "limit-null"],
            &["--delta", "1/10", "--n", "12"],
        ),
    ]
}
