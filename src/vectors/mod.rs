//! The vector suite behind `alignexact vectors --out DIR`: a versioned suite of reference test vectors for other
//! implementations (in the spirit of NIST CAVP and Wycheproof).
//!
//! One JSON file per family (`divergence`, `tilt`, `rate`, `cumulants`, `bon`, `compare`,
//! `methods` (the `frontier` command), `markov` (`compare --transition`, MATH.md §10)) and an
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
//! to one significant digit (the `methods` family: the error of each method's float64 law, the
//! bound `sum Q |ln(Q/q)| <= KL + 2/e` for its KL, and the concavity of `x*` and `W*` in the KL for
//! the optima at the method's KL, see `tolerance::methods_tol`); the relative tolerance is never below `1e-12` and the absolute one
//! never below `1e-300`, where float64 underflows. Transcendental functions of the
//! model are evaluated with MPFR (correctly rounded), so the files are identical on every
//! platform.
//!
//! The files are deterministic: no timestamps, keys in a fixed order, and running the command
//! twice gives byte-identical files.
//!
//! Three parts: [`catalogue`] (the cases, as data), [`tolerance`] (the float64 error model,
//! mathematics) and this module (assembling the files, and writing them atomically: every file
//! is written under a temporary name before any is renamed, `index.json` last, so a failure
//! leaves the previous suite untouched). Running a case is the command line's job: the
//! generator takes it as a function, so this layer imports nothing above it.

pub mod catalogue;
pub mod tolerance;

pub use catalogue::{cases, family_command, family_description, Case};

use crate::error::{Error, Result};
use serde_json::{json, Value as Json};
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
pub const FAMILIES: [&str; 8] = [
    "divergence",
    "tilt",
    "rate",
    "cumulants",
    "bon",
    "compare",
    "methods",
    "markov",
];

/// The comparison rule stated in every file.
pub const TOLERANCE_RULE: &str = "A float64 result y passes against the reference value v when |y - v| <= abs + rel * |v| \
(numpy.isclose(y, v, rtol=rel, atol=abs)). v is the exact rational when 'exact' is given, else any point of [lo, hi] \
('value' is within one unit in its last place of the truth); {\"value\": \"inf\"} must be matched by an infinity and JSON \
null by an undefined value. Each vector gives 'default' for every numeric leaf of 'output' and 'fields' (JSON Pointers \
into 'output') where the conditioning of a quantity calls for a looser tolerance. Tolerances come from a first-order \
error model of a careful float64 evaluation (unit roundoff u = 2^-53, a safety factor of 16); rel is never below 1e-12 \
and abs never below 1e-300, where float64 underflows.";

/// What running a case through the command line gives: the exact input echo and the result
/// rendered as JSON at the suite's digits.
pub struct Ran {
    /// The `input` of the envelope.
    pub input: Json,
    /// The `result` of the envelope.
    pub output: Json,
}

/// The recorded argument list of a case (what to pass to `alignexact` to reproduce it).
pub fn recorded_args(case: &Case, digits: usize) -> Vec<String> {
    let mut a = case.args.clone();
    a.extend(["--digits".to_string(), digits.to_string(), "--json".to_string()]);
    a
}

/// One vector as JSON, from the result of running its case.
pub fn vector_json(family: &str, case: &Case, digits: usize, ran: Ran) -> Result<Json> {
    let tol = tolerance::tolerances(family, &ran.input, &ran.output)?;
    Ok(json!({
        "id": case.id,
        "description": case.description,
        "tags": case.tags,
        "args": recorded_args(case, digits),
        "input": ran.input,
        "output": ran.output,
        "tolerance": tol.to_json(),
    }))
}

/// One family file as JSON; `run` runs a case.
pub fn family_json(family: &str, digits: usize, run: &mut dyn FnMut(&Case) -> Result<Ran>) -> Result<Json> {
    let vectors = cases(family)
        .iter()
        .map(|c| vector_json(family, c, digits, run(c)?))
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

/// The number of cases in the whole suite.
pub fn case_count() -> usize {
    FAMILIES.iter().map(|f| cases(f).len()).sum()
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

/// Generate the whole suite in memory; `run` runs a case.
pub fn generate(digits: usize, run: &mut dyn FnMut(&Case) -> Result<Ran>) -> Result<Suite> {
    let mut files = Vec::new();
    let mut counts = Vec::new();
    let mut entries = Vec::new();
    for fam in FAMILIES {
        let doc = family_json(fam, digits, run)?;
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

/// Check, before any computation, that the suite can be written into `dir`: create it when
/// missing and write (then remove) a probe file. Errors name `flag`.
pub fn prepare_dir(dir: &Path, flag: &str) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Err(Error::input(format!(
            "{flag}: give a directory name, e.g. {flag} vectors"
        )));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(Error::input(format!(
            "{flag}: '{}' is not a directory; give a directory such as {flag} vectors",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::Io(format!(
            "{flag}: cannot create directory '{}': {e}",
            dir.display()
        ))
    })?;
    let names = FAMILIES
        .iter()
        .map(|f| format!("{f}.json"))
        .chain(["index.json".to_string()]);
    for name in names {
        if dir.join(&name).is_dir() {
            return Err(Error::input(format!(
                "{flag}: '{}' is a directory; the suite writes a file of that name",
                dir.join(&name).display()
            )));
        }
    }
    let probe = dir.join(format!(".alignexact-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| Error::Io(format!("{flag}: cannot write into '{}': {e}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Write the suite into `dir` atomically: every file under a temporary name first, then the
/// renames, `index.json` last. A failure leaves the previous files untouched.
pub fn write_suite(dir: &Path, suite: &Suite, flag: &str) -> Result<()> {
    let files: Vec<(PathBuf, Vec<u8>)> = suite
        .files
        .iter()
        .map(|(name, text)| (dir.join(name), text.as_bytes().to_vec()))
        .collect();
    crate::atomic::write_files(&files).map_err(|(p, e)| {
        Error::Io(format!(
            "{flag}: cannot write '{}': {e}; the previous files are unchanged",
            p.display()
        ))
    })
}
