//! Traceability from MATH.md to proofs, code and tests.
//!
//! Parses `shared/spec/MATH.md` (beside the crate) for its statement ids and fails when an id has
//! no row in `proofs/README.md`, no proof page under `proofs/` mentioning it, no implementing code
//! in `src/` (a doc comment or code naming the id), or no test in `tests/` naming it; and when
//! `src/`, `tests/` or `proofs/` name an id of a MATH.md family (`TILT`, `BON`, ...) that MATH.md
//! does not define (a `BON` id with a number beyond the last one, say).
//!
//! An id is a word `[A-Z]{2,}-[0-9]+` (whole word: not preceded by a letter, digit or `_`, not
//! followed by a digit). The plain pattern `[A-Z]+-[0-9]+` would also match `N-1` inside
//! `(N-1)/N`, which is not an id; MATH.md defines 24 ids.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const MATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/spec/MATH.md");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The ids (`[A-Z]{2,}-[0-9]+` as whole words) in a text, in order of appearance.
fn ids_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_uppercase() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_uppercase() {
                j += 1;
            }
            if j - i >= 2 && j + 1 < b.len() && b[j] == b'-' && b[j + 1].is_ascii_digit() {
                let mut k = j + 1;
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                let next_ok = k == b.len() || !b[k].is_ascii_alphanumeric();
                if next_ok {
                    out.push(text[i..k].to_string());
                }
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

fn math_ids() -> BTreeSet<String> {
    let text = fs::read_to_string(MATH).unwrap_or_else(|e| {
        panic!(
            "cannot read MATH.md at {MATH}: {e}. The traceability test needs the shared spec beside the crate \
             (shared/spec/MATH.md next to the crate directory, as in CI)."
        )
    });
    ids_in(&text).into_iter().collect()
}

/// Files under `dir` (recursively) whose name ends with one of `exts`.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(dir) else { return out };
    for entry in rd.flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files(&p, exts));
        } else if exts.iter().any(|e| p.to_string_lossy().ends_with(e)) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_default()
}

/// (file, text) pairs.
fn corpus(dir: &str, exts: &[&str]) -> Vec<(PathBuf, String)> {
    files(&Path::new(ROOT).join(dir), exts)
        .into_iter()
        .map(|p| {
            let t = read(&p);
            (p, t)
        })
        .collect()
}

fn mentions(text: &str, id: &str) -> bool {
    ids_in(text).iter().any(|x| x == id)
}

#[test]
fn math_md_defines_the_expected_families() {
    let ids = math_ids();
    // 24 ids of sections 2-6, WIN-1..4 and ASY-8 (section 9), MKV-1..5 (section 10)
    assert_eq!(ids.len(), 34, "ids in MATH.md: {ids:?}");
    let fams: BTreeSet<String> = ids
        .iter()
        .map(|i| i.split('-').next().unwrap().to_string())
        .collect();
    assert_eq!(
        fams,
        ["ASY", "BON", "LDP", "MKV", "SEQ", "TILT", "WIN"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    // the naive pattern would also catch N-1 of "(N-1)/N"
    assert!(!ids.contains("N-1"));
    assert_eq!(ids_in("(N-1)/N and BON-3.gaps, TILT-10x, xASY-1"), vec!["BON-3"]);
}

#[test]
fn every_id_has_a_row_in_proofs_readme() {
    let readme = read(&Path::new(ROOT).join("proofs/README.md"));
    assert!(!readme.is_empty(), "proofs/README.md is missing");
    let rows: Vec<String> = readme
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .filter_map(|l| {
            l.trim()
                .trim_start_matches('|')
                .split('|')
                .next()
                .map(|c| c.trim().to_string())
        })
        .collect();
    let missing: Vec<String> = math_ids()
        .into_iter()
        .filter(|id| !rows.iter().any(|c| c == id || c.trim_matches('`') == id))
        .collect();
    assert!(
        missing.is_empty(),
        "ids without a row in proofs/README.md: {missing:?}"
    );
}

#[test]
fn every_id_has_a_proof_page() {
    let pages: Vec<(PathBuf, String)> = corpus("proofs", &[".md"])
        .into_iter()
        .filter(|(p, _)| !p.ends_with("README.md"))
        .collect();
    assert!(!pages.is_empty(), "no proof pages under proofs/");
    let missing: Vec<String> = math_ids()
        .into_iter()
        .filter(|id| !pages.iter().any(|(_, t)| mentions(t, id)))
        .collect();
    assert!(missing.is_empty(), "ids no proof page mentions: {missing:?}");
}

#[test]
fn every_id_has_implementing_code() {
    let src = corpus("src", &[".rs"]);
    let missing: Vec<String> = math_ids()
        .into_iter()
        .filter(|id| !src.iter().any(|(_, t)| mentions(t, id)))
        .collect();
    assert!(
        missing.is_empty(),
        "ids no code or doc comment in src/ mentions: {missing:?}"
    );
}

#[test]
fn every_id_has_a_test() {
    let tests: Vec<(PathBuf, String)> = corpus("tests", &[".rs"])
        .into_iter()
        .filter(|(p, _)| !p.ends_with("traceability.rs"))
        .collect();
    let missing: Vec<String> = math_ids()
        .into_iter()
        .filter(|id| !tests.iter().any(|(_, t)| mentions(t, id)))
        .collect();
    assert!(missing.is_empty(), "ids no test in tests/ mentions: {missing:?}");
}

#[test]
fn no_unknown_ids_in_code_tests_or_proofs() {
    let ids = math_ids();
    let fams: BTreeSet<String> = ids
        .iter()
        .map(|i| i.split('-').next().unwrap().to_string())
        .collect();
    let mut bad = Vec::new();
    for (dir, exts) in [
        ("src", &[".rs"][..]),
        ("tests", &[".rs"][..]),
        ("proofs", &[".md"][..]),
    ] {
        for (p, t) in corpus(dir, exts) {
            for id in ids_in(&t) {
                let fam = id.split('-').next().unwrap();
                if fams.contains(fam) && !ids.contains(&id) {
                    bad.push(format!("{}: {id}", p.strip_prefix(ROOT).unwrap_or(&p).display()));
                }
            }
        }
    }
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "unknown ids (not in MATH.md): {bad:?}");
}
