//! `alignexact schema`: the JSON Schema (draft 2020-12) validates the REAL `--json` output of
//! every command and the generated vector files, and rejects documents that break the contract
//! (a JSON float in place of a leaf, a missing field, a malformed decimal).

mod common;

use common::run_cli;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The schema printed by the binary, compiled once.
fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let s = schema();
        jsonschema::draft202012::new(&s).expect("the schema compiles")
    })
}

fn schema() -> Value {
    let (code, out, err) = run_cli(&["schema"]);
    assert_eq!(code, 0, "schema failed: {err}");
    serde_json::from_str(&out).expect("schema is JSON")
}

/// Validate, listing every error on failure.
fn assert_valid(doc: &Value, what: &str) {
    let errors: Vec<String> = validator()
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n{}",
        errors.join("\n")
    );
}

fn assert_invalid(doc: &Value, what: &str) {
    assert!(
        !validator().is_valid(doc),
        "{what} must be rejected by the schema"
    );
}

/// Run a command with `--json`, check the exit code and return the parsed document.
fn json_of(args: &[&str]) -> Value {
    let mut a: Vec<&str> = args.to_vec();
    a.push("--json");
    let (code, out, err) = run_cli(&a);
    assert_eq!(code, 0, "{args:?} failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

fn vectors_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("alignexact-schema-vectors-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (code, _, err) = run_cli(&["vectors", "--out", dir.to_str().unwrap()]);
        assert_eq!(code, 0, "vectors failed: {err}");
        dir
    })
}

#[test]
fn schema_is_a_valid_draft_2020_12_schema() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::draft202012::meta::validate(&s).expect("valid against the 2020-12 meta-schema");
    for def in ["exact", "certified", "bounds", "infinity", "real"] {
        assert!(s["$defs"][def].is_object(), "$defs.{def} is missing");
    }
    for cmd in [
        "divergence",
        "tilt",
        "rate",
        "cumulants",
        "bon",
        "compare",
        "sweep",
        "check",
        "demo",
    ] {
        assert!(
            s["$defs"][format!("{cmd}_result")].is_object(),
            "no result schema for {cmd}"
        );
        assert!(
            s["$defs"][format!("{cmd}_input")].is_object(),
            "no input schema for {cmd}"
        );
    }
    for def in ["vector_file", "vector_index", "tolerance"] {
        assert!(s["$defs"][def].is_object(), "$defs.{def} is missing");
    }
}

#[test]
fn schema_output_is_the_same_with_json_flag() {
    let (c1, a, _) = run_cli(&["schema"]);
    let (c2, b, _) = run_cli(&["schema", "--json"]);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(a, b);
}

#[test]
fn divergence_output_matches_schema() {
    assert_valid(
        &json_of(&[
            "divergence",
            "--p",
            "1/2,1/3,1/6",
            "--q",
            "1/3,1/3,1/3",
            "--digits",
            "50",
        ]),
        "divergence",
    );
    // an infinite reverse KL and the Renyi forms
    assert_valid(
        &json_of(&[
            "divergence",
            "--p",
            "1/2,1/2,0",
            "--q",
            "1/4,1/4,1/2",
            "--alpha",
            "2",
        ]),
        "divergence with alpha and an infinity",
    );
}

#[test]
fn tilt_output_matches_schema_in_every_regime() {
    for budget in [
        ["--delta", "3/10"],
        ["--delta", "0"],
        ["--delta", "2"],
        ["--lambda", "-1/2"],
        ["--exp-lambda", "2"],
    ] {
        let mut a = vec!["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3"];
        a.extend(budget);
        assert_valid(&json_of(&a), &format!("tilt {budget:?}"));
    }
}

#[test]
fn rate_output_matches_schema() {
    for x in ["0.8", "1", "0", "2"] {
        assert_valid(
            &json_of(&[
                "rate",
                "--p",
                "7/10,3/10",
                "--r",
                "0,1",
                "--x",
                x,
                "--delta",
                "1/5",
            ]),
            &format!("rate x = {x}"),
        );
    }
    // outside [r_min, r_max]: lambda_x is null and the rate infinite
    assert_valid(
        &json_of(&["rate", "--p", "7/10,3/10", "--r", "0,1", "--x", "2"]),
        "rate outside",
    );
}

#[test]
fn cumulants_output_matches_schema() {
    let base = ["cumulants", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--order", "6"];
    for extra in [
        vec!["--delta", "3/10", "--t", "1/2"],
        vec!["--delta", "2", "--t", "1/2"],
        vec!["--delta", "0"],
    ] {
        let mut a = base.to_vec();
        a.extend(extra.iter());
        assert_valid(&json_of(&a), &format!("cumulants {extra:?}"));
    }
}

#[test]
fn bon_output_matches_schema() {
    assert_valid(
        &json_of(&[
            "bon",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--n",
            "5",
            "--N",
            "3",
            "--levels",
            "all",
        ]),
        "bon exact",
    );
    assert_valid(
        &json_of(&[
            "bon",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--N",
            "4",
            "--ties",
            "order",
        ]),
        "bon order",
    );
    // certified (not exact) probabilities far below the float64 range, bounds-only level gaps
    assert_valid(
        &json_of(&[
            "bon",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--N",
            "10000000",
            "--levels",
            "all",
        ]),
        "bon large N",
    );
    assert_valid(
        &json_of(&[
            "bon",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--n",
            "100",
            "--delta",
            "1/5",
            "--N-rule",
            "real",
        ]),
        "bon real N",
    );
}

#[test]
fn compare_output_matches_schema() {
    let base = ["compare", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--n", "20"];
    for extra in [
        vec!["--delta", "3/10"],
        vec!["--delta", "3/10", "--N-rule", "real"],
        vec!["--delta", "2"],
        vec!["--delta", "0"],
    ] {
        let mut a = base.to_vec();
        a.extend(extra.iter());
        assert_valid(&json_of(&a), &format!("compare {extra:?}"));
    }
}

#[test]
fn sweep_output_matches_schema() {
    assert_valid(
        &json_of(&[
            "sweep",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "3/10",
            "--n",
            "10,20,40",
        ]),
        "sweep",
    );
    // saturated: no predictions
    assert_valid(
        &json_of(&[
            "sweep",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "2",
            "--n",
            "10",
        ]),
        "sweep saturated",
    );
}

#[test]
fn check_output_matches_schema() {
    let (code, out, err) = run_cli(&["check", "--json"]);
    assert!([0, 1, 3].contains(&code), "check: {err}");
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    assert_valid(&doc, "check");
    // an `agrees` claim must say to how many digits; no other status may carry the field
    let claims = doc["result"]["claims"].as_array().unwrap();
    let i = claims
        .iter()
        .position(|c| c["status"] == "agrees")
        .expect("an agrees claim");
    let mut bad = doc.clone();
    bad["result"]["claims"][i]
        .as_object_mut()
        .unwrap()
        .remove("agreeing_digits");
    assert_invalid(&bad, "agrees without agreeing_digits");
    let j = claims
        .iter()
        .position(|c| c["status"] == "holds")
        .expect("a holds claim");
    let mut bad = doc.clone();
    bad["result"]["claims"][j]["agreeing_digits"] = json!(3);
    assert_invalid(&bad, "holds with agreeing_digits");
    let mut bad = doc;
    bad["result"]["claims"][j]["status"] = json!("true");
    assert_invalid(&bad, "an unknown status");
}

#[test]
fn demo_output_matches_schema() {
    let (code, out, err) = run_cli(&["demo", "--json", "--digits", "12"]);
    assert!(code == 0 || code == 1, "demo: {err}");
    assert_valid(&serde_json::from_str(&out).expect("JSON"), "demo");
}

#[test]
fn vectors_json_summary_matches_schema() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-schema-summary-{}", std::process::id()));
    let doc = json_of(&["vectors", "--out", dir.to_str().unwrap()]);
    assert_valid(&doc, "vectors --json");
    assert_eq!(doc["command"], "vectors");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vector_files_match_schema() {
    let dir = vectors_dir();
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    assert_valid(&index, "index.json");
    let files = index["files"].as_array().unwrap();
    assert_eq!(files.len(), alignexact::vectors::FAMILIES.len());
    for f in files {
        let name = f["file"].as_str().unwrap();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        assert_valid(&doc, name);
    }
}

// --- negative tests ---------------------------------------------------------------------------

fn tilt_doc() -> Value {
    json_of(&["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10"])
}

#[test]
fn a_json_float_in_place_of_a_leaf_is_rejected() {
    let mut doc = tilt_doc();
    assert_valid(&doc, "the unmodified tilt output");
    doc["result"]["lambda"] = serde_json::from_str("0.6034135023361464").unwrap();
    assert_invalid(&doc, "lambda as a JSON float");

    let mut doc = tilt_doc();
    doc["result"]["phi"][1] = serde_json::from_str("0.24").unwrap();
    assert_invalid(&doc, "a phi entry as a JSON float");

    let mut doc = tilt_doc();
    doc["result"]["expected_reward"]["value"] = serde_json::from_str("1.856").unwrap();
    assert_invalid(&doc, "a certified value as a JSON float instead of a string");

    let mut doc = json_of(&["bon", "--p", "7/10,3/10", "--r", "0,1", "--n", "5", "--N", "3"]);
    doc["result"]["n"] = serde_json::from_str("5.5").unwrap();
    assert_invalid(&doc, "a count as a non-integer float");
}

#[test]
fn a_missing_field_is_rejected() {
    let mut doc = tilt_doc();
    doc["result"].as_object_mut().unwrap().remove("expected_reward");
    assert_invalid(&doc, "tilt without expected_reward");

    let mut doc = tilt_doc();
    doc["result"]["lambda"].as_object_mut().unwrap().remove("hi");
    assert_invalid(&doc, "a certified leaf without hi");

    let mut doc = tilt_doc();
    doc.as_object_mut().unwrap().remove("input");
    assert_invalid(&doc, "an envelope without input");

    let mut doc = json_of(&[
        "compare",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--delta",
        "3/10",
        "--n",
        "5",
    ]);
    doc["result"].as_object_mut().unwrap().remove("kl_bon_tilted");
    assert_invalid(&doc, "compare without kl_bon_tilted");
}

#[test]
fn malformed_leaves_are_rejected() {
    let mut doc = tilt_doc();
    doc["result"]["lambda"]["value"] = json!("0.60x");
    assert_invalid(&doc, "a decimal with a stray character");

    let mut doc = tilt_doc();
    doc["result"]["delta"]["exact"] = json!("0.3");
    assert_invalid(&doc, "an exact rational written as a decimal");

    let mut doc = tilt_doc();
    doc["result"]["lambda"]["extra"] = json!("1");
    assert_invalid(&doc, "a leaf with an unknown key");

    let mut doc = tilt_doc();
    doc["result"]["regime"] = json!("bogus");
    assert_invalid(&doc, "an unknown regime");

    let mut doc = tilt_doc();
    doc["schema"] = json!("alignexact/2");
    assert_invalid(&doc, "an unknown schema version");
}

#[test]
fn broken_vector_files_are_rejected() {
    let dir = vectors_dir();
    let text = std::fs::read_to_string(dir.join("tilt.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();

    let mut d = doc.clone();
    d["vectors"][0].as_object_mut().unwrap().remove("tolerance");
    assert_invalid(&d, "a vector without a tolerance");

    let mut d = doc.clone();
    d["vectors"][0]["tolerance"]["default"]["rel"] = serde_json::from_str("1e-12").unwrap();
    assert_invalid(&d, "a tolerance as a JSON float");

    let mut d = doc.clone();
    d["vectors"][0]["output"].as_object_mut().unwrap().remove("phi");
    assert_invalid(&d, "a tilt vector whose output lacks phi");

    let mut d = doc;
    d["vectors"][0]["output"]["lambda"] = serde_json::from_str("0.6").unwrap();
    assert_invalid(&d, "a vector output with a JSON float");

    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let mut d = index;
    d["files"][0]["sha256"] = json!("not-a-hash");
    assert_invalid(&d, "an index with a malformed hash");
}

#[test]
fn plot_output_matches_schema() {
    // issue 14: `plot --json` failed validation against the tool's own schema
    let out =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("schema-plot-{}.svg", std::process::id()));
    let doc = json_of(&[
        "plot",
        "rates",
        "--p",
        "7/10,3/10",
        "--r",
        "0,1",
        "--delta",
        "1/5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(doc["command"], "plot");
    assert_valid(&doc, "plot rates");
    let mut bad = doc.clone();
    bad["result"]["points"] = json!("many");
    assert_invalid(&bad, "plot with a non-count point total");
}
