//! `alignexact vectors --out DIR`: the reference-vector suite is deterministic (byte-identical
//! across runs), `index.json` carries the right SHA-256 of every file, every vector reproduces
//! from its recorded arguments, the required cases are present (MATH.md §8 Examples A and B and
//! the edge cases), and every tolerance points at a numeric leaf.

mod common;

use common::{run_cli, settings};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn temp_dir(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-vectors-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Generate into a fresh directory; return (directory, stdout, elapsed).
fn generate(tag: &str) -> (PathBuf, String, Duration) {
    let dir = temp_dir(tag);
    let start = Instant::now();
    let (code, out, err) = run_cli(&["vectors", "--out", dir.to_str().unwrap()]);
    let elapsed = start.elapsed();
    assert_eq!(code, 0, "vectors failed: {err}");
    assert!(err.is_empty(), "unexpected stderr: {err}");
    (dir, out, elapsed)
}

/// One generated suite shared by the tests of this file.
fn suite() -> &'static (PathBuf, String, Duration) {
    static S: OnceLock<(PathBuf, String, Duration)> = OnceLock::new();
    S.get_or_init(|| generate("shared"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn files_of(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn all_vectors() -> Vec<(String, Value)> {
    let dir = &suite().0;
    let mut out = Vec::new();
    for fam in alignexact::vectors::FAMILIES {
        let doc = read_json(&dir.join(format!("{fam}.json")));
        for v in doc["vectors"].as_array().unwrap() {
            out.push((fam.to_string(), v.clone()));
        }
    }
    out
}

fn vector(id: &str) -> Value {
    all_vectors()
        .into_iter()
        .find(|(_, v)| v["id"] == id)
        .unwrap_or_else(|| panic!("no vector {id}"))
        .1
}

#[test]
fn suite_is_deterministic_byte_for_byte() {
    let (a, _, _) = suite();
    let (b, _, _) = generate("second");
    let names = files_of(a);
    assert_eq!(
        names,
        [
            "bon.json",
            "compare.json",
            "cumulants.json",
            "divergence.json",
            "index.json",
            "markov.json",
            "methods.json",
            "rate.json",
            "tilt.json"
        ]
    );
    assert_eq!(files_of(&b), names);
    for name in &names {
        let x = std::fs::read(a.join(name)).unwrap();
        let y = std::fs::read(b.join(name)).unwrap();
        assert!(x == y, "{name} differs between two runs");
    }
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn index_hashes_match_the_files() {
    let dir = &suite().0;
    let index = read_json(&dir.join("index.json"));
    assert_eq!(index["schema"], "alignexact-vectors-index/1");
    assert_eq!(index["alignexact_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(index["digits"], 50);
    let files = index["files"].as_array().unwrap();
    assert_eq!(files.len(), alignexact::vectors::FAMILIES.len());
    for f in files {
        let name = f["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"].as_str().unwrap(), hex, "SHA-256 of {name}");
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["family"], f["family"]);
        assert_eq!(doc["suite_version"], index["suite_version"]);
        assert_eq!(
            doc["vectors"].as_array().unwrap().len() as u64,
            f["vectors"].as_u64().unwrap(),
            "vector count of {name}"
        );
    }
}

#[test]
fn index_snapshot() {
    let text = std::fs::read_to_string(suite().0.join("index.json")).unwrap();
    settings().bind(|| insta::assert_snapshot!("vectors_index", text));
}

#[test]
fn summary_is_one_line_and_generation_is_fast() {
    let (_, out, elapsed) = suite();
    assert_eq!(out.lines().count(), 1, "one summary line: {out}");
    assert!(out.starts_with("alignexact vectors: wrote "), "{out}");
    for fam in alignexact::vectors::FAMILIES {
        assert!(out.contains(fam), "summary names {fam}: {out}");
    }
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_secs_f64() < 30.0, "generation took {elapsed:?}");
    }
}

#[test]
fn every_vector_reproduces_from_its_args() {
    for (fam, v) in all_vectors() {
        let args: Vec<&str> = v["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let cmd = alignexact::vectors::family_command(&fam);
        assert_eq!(args[0], cmd, "{}: first argument is the command", v["id"]);
        let (code, out, err) = run_cli(&args);
        assert_eq!(code, 0, "{}: {err}", v["id"]);
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(doc["command"], cmd);
        assert_eq!(doc["input"], v["input"], "{}: input echo", v["id"]);
        assert_eq!(doc["result"], v["output"], "{}: output", v["id"]);
    }
}

#[test]
fn ids_are_unique_and_every_family_is_populated() {
    let all = all_vectors();
    let mut ids: Vec<String> = all
        .iter()
        .map(|(_, v)| v["id"].as_str().unwrap().to_string())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate vector ids");
    for fam in alignexact::vectors::FAMILIES {
        let count = all.iter().filter(|(f, _)| f == fam).count();
        assert!(count >= 8, "{fam} has only {count} vectors");
    }
}

/// The certified `value` of a leaf has 50 significant digits and agrees with `printed` (a value
/// of MATH.md §8, correctly rounded to its own number of digits) within one unit in its last place.
fn assert_digits(v: &Value, ptr: &str, printed: &str) {
    let leaf = v["output"]
        .pointer(ptr)
        .unwrap_or_else(|| panic!("{} has no {ptr}", v["id"]));
    let value = leaf["value"].as_str().unwrap();
    assert_eq!(
        common::significant_digits(value),
        50,
        "{} {ptr} = {value}",
        v["id"]
    );
    let want = common::decimal_to_big(printed);
    let got = common::decimal_to_big(value);
    let ulp = common::ulp_sig(&want, common::significant_digits(printed));
    assert!(
        common::absdiff(&got, &want) <= ulp,
        "{} {ptr} = {value}, MATH.md says {printed}",
        v["id"]
    );
}

#[test]
fn examples_a_and_b_carry_the_values_of_math_md() {
    let a = vector("tilt-example-a-delta");
    assert_digits(&a, "/lambda", "0.603413502336146375060402509455");
    assert_digits(&a, "/expected_reward", "1.85639040896927369651738197464");
    assert_digits(&a, "/log_partition", "0.820171038379380558283958139888");
    assert_eq!(a["output"]["delta"]["exact"], "3/10");
    let b = vector("tilt-example-b-delta");
    assert_digits(&b, "/lambda", "1.27902712604927665007954935031");
    assert_digits(&b, "/expected_reward", "0.606286525414133798173288856969");
    let r = vector("rate-example-b-x-0.8");
    assert_digits(&r, "/rate_reference", "0.534110808710307390347536777565");
    assert_digits(&r, "/rate_aligned", "0.0863460200337273509017210694");
    let bon = vector("bon-example-b-n5-N3");
    assert_eq!(
        bon["output"]["expected_reward_per_token"]["exact"],
        "117923075777169/250000000000000"
    );
}

#[test]
fn the_edge_cases_are_covered() {
    let all = all_vectors();
    let has = |fam: &str, tag: &str| {
        all.iter()
            .any(|(f, v)| f == fam && v["tags"].as_array().unwrap().iter().any(|t| t == tag))
    };
    for fam in ["tilt", "rate", "cumulants", "bon", "compare"] {
        for tag in [
            "example-a",
            "example-b",
            "ties",
            "zero-probability",
            "negative-rewards",
            "constant-reward",
            "tiny-probability",
            "denominator-1001",
            "k6",
        ] {
            assert!(has(fam, tag), "{fam} has no vector tagged {tag}");
        }
    }
    for fam in ["tilt", "rate", "cumulants", "compare"] {
        assert!(has(fam, "saturated"), "{fam} has no saturated budget");
    }
    for fam in ["bon", "compare"] {
        assert!(has(fam, "n1000"), "{fam} has no n = 1000 vector");
    }
    assert!(has("divergence", "tiny-probability") && has("divergence", "zero-probability"));
    let tilt = vector("tilt-example-a-saturated");
    assert_eq!(tilt["output"]["regime"], "saturated");
    assert_eq!(tilt["output"]["lambda"]["value"], "inf");
    // the largest alphabet is k = 6, the longest sequences n = 1000
    let max_k = all
        .iter()
        .filter_map(|(_, v)| v["input"]["p"].as_array().map(|p| p.len()))
        .max()
        .unwrap();
    let max_n = all
        .iter()
        .filter_map(|(_, v)| v["input"]["n"].as_u64())
        .max()
        .unwrap();
    assert_eq!((max_k, max_n), (6, 1000));
}

/// MKV-1 through the vectors: the memoryless chains of Examples A and B (every row and the
/// initial law equal p) give exactly the compare family's values (every shared field `==`), and
/// the chains without an MKV-3 limit (periodic, reducible) carry `null` limits with a note
/// naming the field; a budget above the limit's Delta_max is saturated.
#[test]
fn mkv1_markov_family_memoryless_chains_equal_the_compare_family_and_null_limits_have_notes() {
    for (chain, memoryless) in [
        ("markov-memoryless-example-a-n10", "compare-example-a-n10"),
        ("markov-memoryless-example-b-n5", "compare-example-b-n5"),
    ] {
        let (a, b) = (vector(chain), vector(memoryless));
        let (oa, ob) = (a["output"].as_object().unwrap(), b["output"].as_object().unwrap());
        for (k, v) in ob {
            assert_eq!(oa.get(k), Some(v), "{chain} {k} differs from {memoryless}");
        }
        assert!(oa["lambda_limit"]["value"].is_string(), "{chain}: lambda_limit");
    }
    let all = all_vectors();
    let mut nulls = 0;
    for (_, v) in all.iter().filter(|(f, _)| f == "markov") {
        assert_eq!(v["args"][0], "compare");
        assert!(v["args"].as_array().unwrap().iter().any(|a| a == "--transition"));
        for key in ["lambda_limit", "x_star_limit"] {
            if v["output"][key].is_null() {
                nulls += 1;
                let notes = v["output"]["notes"].as_array().unwrap();
                assert!(
                    notes
                        .iter()
                        .any(|n| n.as_str().unwrap().contains(key)
                            && n.as_str().unwrap().len() > key.len() + 30),
                    "{}: {key} is null without a note naming it: {notes:?}",
                    v["id"]
                );
            }
        }
    }
    // periodic and reducible cases: two null limits each
    assert_eq!(nulls, 4);
    // a budget above the limit's Delta_max = -ln(4/5): saturated, on the max-mean cycle
    let sat = vector("markov-sticky-saturated");
    assert_eq!(sat["output"]["lambda_limit"]["value"], "inf");
    assert_eq!(sat["output"]["x_star_limit"]["exact"], "1");
}

/// A tolerance number: `0` or `m e x` with one significant digit.
fn tol_value(s: &str) -> f64 {
    assert!(s == "0" || s.contains('e'), "tolerance text {s:?}");
    s.parse::<f64>().unwrap()
}

#[test]
fn tolerances_point_at_numeric_leaves_and_are_sane() {
    for (_, v) in all_vectors() {
        let tol = &v["tolerance"];
        assert_eq!(tol["default"]["rel"], "1e-12");
        assert_eq!(tol["default"]["abs"], "1e-300");
        for (ptr, t) in tol["fields"].as_object().unwrap() {
            let leaf = v["output"]
                .pointer(ptr)
                .unwrap_or_else(|| panic!("{}: tolerance for missing leaf {ptr}", v["id"]));
            assert!(leaf.is_object(), "{}: {ptr} is not a leaf object", v["id"]);
            let rel = tol_value(t["rel"].as_str().unwrap());
            let abs = tol_value(t["abs"].as_str().unwrap());
            assert!((1e-12..=1.0).contains(&rel), "{} {ptr}: rel {rel}", v["id"]);
            assert!(abs >= 1e-300, "{} {ptr}: abs {abs}", v["id"]);
            assert!(
                !t["note"].as_str().unwrap_or("").is_empty(),
                "{} {ptr}: no note",
                v["id"]
            );
            // a tolerance that allows any answer would be useless: abs must stay below |value|
            // unless the value itself is tiny
            if let Some(x) = leaf["value"].as_str().and_then(|s| s.parse::<f64>().ok()) {
                if x.abs() > 1e-6 {
                    assert!(abs < 1e-3 * x.abs(), "{} {ptr}: abs {abs} against {x}", v["id"]);
                }
            }
        }
    }
}

#[test]
fn missing_out_is_a_usage_error() {
    common::assert_usage_error(&["vectors"], &["--out"]);
}

#[test]
fn json_summary_lists_the_files() {
    let dir = temp_dir("json");
    let (code, out, err) = run_cli(&["vectors", "--out", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["command"], "vectors");
    let files = doc["result"]["files"].as_array().unwrap();
    assert_eq!(files.len(), alignexact::vectors::FAMILIES.len() + 1);
    for f in files {
        let bytes = std::fs::read(dir.join(f["file"].as_str().unwrap())).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"].as_str().unwrap(), hex);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
