//! Result trees and their rendering: the JSON envelope of INTERFACE.md and a readable table.
//!
//! A computation returns a [`Value`] tree (defined in [`crate::real::value`], re-exported here)
//! whose leaves are exact rationals, enclosures, integers and strings. The tree is
//! [`crate::real::ziv::Certifiable`]: the precision loop walks it and raises the precision until
//! every enclosure certifies the requested digits. Rendering then never prints a digit that
//! [`certify_decimal`] did not accept.
//!
//! JSON encodings of the leaves (INTERFACE.md, "Output encoding"):
//! - exact rational: `{"exact": "a/b", "value": "<decimal, --digits significant, to nearest>"}`;
//! - certified real: `{"value": "...", "lo": "...", "hi": "..."}` with `lo <= x <= hi`;
//! - infinity: `{"value": "inf"}`; exact zero: `{"exact": "0", "value": "0"}`;
//! - integers (counts, n, N when small): JSON strings of decimal digits, never floats.

pub mod best_of_n;
pub mod frontier;
pub mod markov;
pub mod schema;
pub mod sweep;
pub mod tilt;

use crate::real::format::{
    certified_digits, certify_decimal, certify_exp_decimal, rational_to_sig_decimal, Dir,
};
use crate::real::{par, Enc};
use rug::{Integer, Rational};
use serde_json::{json, Map, Value as Json};

pub use crate::real::value::{obj, Value};

impl Value {
    /// Render as JSON with `digits` significant digits. Call only after certification.
    pub fn to_json(&self, digits: usize) -> Json {
        match self {
            Value::Exact(q) => exact_json(q, digits),
            Value::Real(e) => real_json(e, digits),
            Value::Bounds(e) => bounds_json(e, digits),
            Value::ExpOf(x) => match certify_exp_decimal(x, digits) {
                Some(c) => json!({"value": c.value, "lo": c.lo, "hi": c.hi}),
                None => json!({"value": null, "uncertified": true}),
            },
            Value::NegExpOf(x) => match certify_exp_decimal(x, digits) {
                Some(c) => json!({"value": neg_text(&c.value), "lo": neg_text(&c.hi), "hi": neg_text(&c.lo)}),
                None => json!({"value": null, "uncertified": true}),
            },
            Value::Int(i) => Json::String(i.to_string()),
            Value::Count(c) => json!(c),
            Value::Str(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
            Value::Array(items) => Json::Array(items.iter().map(|v| v.to_json(digits)).collect()),
            Value::Object(items) => {
                let mut m = Map::new();
                for (k, v) in items {
                    m.insert(k.clone(), v.to_json(digits));
                }
                Json::Object(m)
            }
            Value::Null => Json::Null,
        }
    }
    /// Render as an indented human table.
    pub fn to_table(&self, digits: usize) -> String {
        let mut out = String::new();
        table_into(self, digits, 0, &mut out);
        out
    }
}

/// The decimal text of `-x` for the text of a positive `x`.
fn neg_text(s: &str) -> String {
    format!("-{s}")
}

/// Why a field is `null` (INTERFACE.md: "the result's `notes` array says why, naming the field").
fn null_reason(field: &str) -> &'static str {
    match field {
        "lambda_x" => "x lies outside [r_min, r_max] of the support: no tilt has mean x, and I_0(x) = inf",
        "scgf_renyi" => {
            "the optimum is saturated (lambda = inf): the Renyi forms of the scaled CGF are undefined"
        }
        "reference_cross_entropy" | "aligned_cross_entropy" => {
            "this Renyi form is undefined at this t (its formula divides by t or by lambda + t, which is 0)"
        }
        "divergence" => {
            "this Renyi form is defined for t > -lambda only (the Renyi order 1 + t/lambda must be positive)"
        }
        "predictions" => "the ASY-4..ASY-7 predictions need an interior optimum, 0 < Delta < Delta_max",
        _ => "undefined at this input",
    }
}

fn collect_nulls(v: &Value, path: &str, field: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Null if !path.is_empty() => out.push((path.to_string(), field.to_string())),
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                collect_nulls(x, &format!("{path}[{i}]"), field, out);
            }
        }
        Value::Object(items) => {
            for (k, x) in items {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect_nulls(x, &p, k, out);
            }
        }
        _ => {}
    }
}

/// Give every `null` leaf of a result a `notes` entry naming it (`"rows[2].predictions: ..."`),
/// unless a note already names it. The notes are strings in the result's top-level `notes`
/// array, created when needed.
pub fn note_nulls(result: &mut Value) {
    let mut nulls = Vec::new();
    collect_nulls(result, "", "", &mut nulls);
    if nulls.is_empty() {
        return;
    }
    let Value::Object(items) = result else { return };
    if !items.iter().any(|(k, _)| k == "notes") {
        items.push(("notes".to_string(), Value::Array(vec![])));
    }
    let Some((_, Value::Array(notes))) = items.iter_mut().find(|(k, _)| k == "notes") else {
        return;
    };
    for (path, field) in nulls {
        // a note names the path when its head (before the first ": ") is the path or a
        // comma-separated list containing it, such as the chains' specific notes
        // "lambda_limit, x_star_limit, delta_max_limit: the chain is reducible ..."; then the
        // generic reason would only repeat (or contradict) it
        let named = notes.iter().any(|n| match n {
            Value::Str(s) => s
                .split_once(": ")
                .is_some_and(|(head, _)| head.split(',').any(|f| f.trim() == path)),
            _ => false,
        });
        if !named {
            notes.push(Value::Str(format!("{path}: {}", null_reason(&field))));
        }
    }
}

/// JSON of an exact rational.
pub fn exact_json(q: &Rational, digits: usize) -> Json {
    json!({"exact": q.to_string(), "value": rational_to_sig_decimal(q, digits, Dir::Nearest)})
}

/// Significant digits of the outward-rounded bounds of a [`Value::Bounds`].
pub const BOUNDS_DIGITS: usize = 12;

fn bound_text(x: &rug::Float, dir: Dir) -> String {
    if x.is_infinite() {
        return if x.is_sign_positive() {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if x.is_zero() {
        return "0".into();
    }
    // MPFR's own decimal conversion with a directed rounding mode (mpfr_get_str): correct in the
    // requested direction and fast for any exponent, unlike an exact rational expansion of a
    // float such as 2^-10^9.
    let (m, e) = crate::real::format::float_sig(x, BOUNDS_DIGITS, dir);
    crate::real::format::render(&m, e)
}

/// JSON of rigorous bounds: `{"lo", "hi"}` rounded outward, with `value` when it certifies.
pub fn bounds_json(e: &Enc, digits: usize) -> Json {
    if e.is_pos_infinity() {
        return json!({"value": "inf"});
    }
    if e.is_exact_zero() {
        return json!({"exact": "0", "value": "0"});
    }
    match certify_decimal(e, digits) {
        Some(c) => json!({"value": c.value, "lo": c.lo, "hi": c.hi}),
        None => json!({"lo": bound_text(e.lo(), Dir::Down), "hi": bound_text(e.hi(), Dir::Up)}),
    }
}

/// JSON of a certified real.
pub fn real_json(e: &Enc, digits: usize) -> Json {
    if e.is_pos_infinity() {
        return json!({"value": "inf"});
    }
    if e.is_neg_infinity() {
        return json!({"value": "-inf"});
    }
    if e.is_exact_zero() {
        return json!({"exact": "0", "value": "0"});
    }
    match certify_decimal(e, digits) {
        Some(c) => json!({"value": c.value, "lo": c.lo, "hi": c.hi}),
        // Not reachable after the precision loop; never print uncertified digits.
        None => json!({"value": null, "uncertified": true, "certified_digits": certified_digits(e)}),
    }
}

/// The exact decimal expansion of `q` when it terminates within `digits` significant digits.
fn terminating_decimal(q: &Rational, digits: usize) -> Option<String> {
    // mpz_remove strips all factors of 2 and 5 at once (subquadratic); one division per factor
    // was quadratic in the size of a 10^5-digit denominator
    let mut d = q.denom().clone();
    for f in [2u32, 5] {
        d.remove_factor_mut(&Integer::from(f));
    }
    if d != 1 {
        return None;
    }
    let (m, e) = crate::real::format::round_sig(q, digits, Dir::Nearest);
    // exact: strip trailing zeros of the mantissa
    let mut m = m;
    let mut e = e;
    if m != 0 {
        e += i64::from(m.remove_factor_mut(&Integer::from(10u32)));
    }
    let back = Rational::from(&m)
        * if e >= 0 {
            Rational::from(Integer::from(Integer::u_pow_u(10, e as u32)))
        } else {
            Rational::from((Integer::from(1), Integer::from(Integer::u_pow_u(10, (-e) as u32))))
        };
    (back == *q).then(|| crate::real::format::render(&m, e))
}

fn leaf_text(v: &Value, digits: usize) -> Option<String> {
    Some(match v {
        Value::Exact(q) => {
            let d = rational_to_sig_decimal(q, digits, Dir::Nearest);
            let s = q.to_string();
            if *q.denom() == 1 && s.len() <= digits.max(30) {
                s
            } else if let Some(t) = terminating_decimal(q, digits) {
                // a short terminating decimal is exact as it stands
                t
            } else if s.len() <= 40 {
                format!("{d}  (exact {s})")
            } else {
                format!("{d}  (exact)")
            }
        }
        Value::Real(e) => {
            if e.is_pos_infinity() {
                "inf".into()
            } else if e.is_neg_infinity() {
                "-inf".into()
            } else if e.is_exact_zero() {
                "0".into()
            } else {
                certify_decimal(e, digits)
                    .map(|c| c.value)
                    .unwrap_or_else(|| "(uncertified)".into())
            }
        }
        Value::ExpOf(x) => certify_exp_decimal(x, digits)
            .map(|c| c.value)
            .unwrap_or_else(|| "(uncertified)".into()),
        Value::NegExpOf(x) => certify_exp_decimal(x, digits)
            .map(|c| neg_text(&c.value))
            .unwrap_or_else(|| "(uncertified)".into()),
        Value::Bounds(e) => match certify_decimal(e, digits) {
            Some(c) => c.value,
            None if e.is_exact_zero() => "0".into(),
            None if e.is_pos_infinity() => "inf".into(),
            None => format!(
                "[{}, {}]",
                bound_text(e.lo(), Dir::Down),
                bound_text(e.hi(), Dir::Up)
            ),
        },
        Value::Int(i) => i.to_string(),
        Value::Count(c) => c.to_string(),
        Value::Str(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "-".into(),
        _ => return None,
    })
}

fn table_into(v: &Value, digits: usize, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(items) => {
            let w = items.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in items {
                match leaf_text(v, digits) {
                    Some(t) => out.push_str(&format!("{pad}{k:<w$}  {t}\n")),
                    None => {
                        if let Value::Array(a) = v {
                            // each leaf is certified and rendered once (a vocabulary's phi has
                            // 10^6 of them)
                            let texts: Option<Vec<String>> = a.iter().map(|x| leaf_text(x, digits)).collect();
                            if let Some(texts) = texts {
                                out.push_str(&format!("{pad}{k}\n"));
                                for (i, t) in texts.iter().enumerate() {
                                    out.push_str(&format!("{pad}  [{}] {t}\n", i + 1));
                                }
                                continue;
                            }
                        }
                        out.push_str(&format!("{pad}{k}\n"));
                        table_into(v, digits, indent + 2, out);
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                match leaf_text(x, digits) {
                    Some(t) => out.push_str(&format!("{pad}[{}] {t}\n", i + 1)),
                    None => {
                        out.push_str(&format!("{pad}[{}]\n", i + 1));
                        table_into(x, digits, indent + 2, out);
                    }
                }
            }
        }
        other => {
            if let Some(t) = leaf_text(other, digits) {
                out.push_str(&format!("{pad}{t}\n"));
            }
        }
    }
}

/// A result tree rendered with `digits` digits as a [`serde::Serialize`] value: the same JSON
/// as [`Value::to_json`], written leaf by leaf without building a `serde_json` tree first (a
/// `tilt` of 10^6 tokens would build 10^6 small maps, several hundred MB that are only
/// serialised and dropped).
pub struct Rendered<'a> {
    /// The tree.
    pub value: &'a Value,
    /// Significant digits of every real.
    pub digits: usize,
}

/// A real certified by [`certify_decimal`], written as [`Rendered`] writes it.
struct CertifiedLeaf(crate::real::format::CertifiedDecimal);

impl serde::Serialize for CertifiedLeaf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("value", &self.0.value)?;
        m.serialize_entry("lo", &self.0.lo)?;
        m.serialize_entry("hi", &self.0.hi)?;
        m.end()
    }
}

/// True when the keys of an object are distinct (a JSON map keeps one entry per key, so an
/// object with a repeated key is rendered through [`Value::to_json`], which merges them).
fn distinct_keys(items: &[(String, Value)]) -> bool {
    items
        .iter()
        .enumerate()
        .all(|(i, (k, _))| items[..i].iter().all(|(k2, _)| k2 != k))
}

impl serde::Serialize for Rendered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        let digits = self.digits;
        match self.value {
            Value::Real(e) if e.is_finite() && !e.is_exact_zero() => match certify_decimal(e, digits) {
                Some(c) => {
                    let mut m = s.serialize_map(Some(3))?;
                    m.serialize_entry("value", &c.value)?;
                    m.serialize_entry("lo", &c.lo)?;
                    m.serialize_entry("hi", &c.hi)?;
                    m.end()
                }
                None => real_json(e, digits).serialize(s),
            },
            Value::Exact(q) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("exact", &q.to_string())?;
                m.serialize_entry("value", &rational_to_sig_decimal(q, digits, Dir::Nearest))?;
                m.end()
            }
            Value::Int(i) => s.serialize_str(&i.to_string()),
            Value::Count(c) => s.serialize_u64(*c),
            Value::Str(x) => s.serialize_str(x),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Null => s.serialize_unit(),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                // the reals of a long array (a tilt's phi over 10^6 tokens) are certified on
                // worker threads one block at a time and written here in order: the same text
                for block in items.chunks(1 << 16) {
                    let certs = par::map(block, |x| match x {
                        Value::Real(e) if e.is_finite() && !e.is_exact_zero() => certify_decimal(e, digits),
                        _ => None,
                    });
                    for (x, c) in block.iter().zip(certs) {
                        match c {
                            Some(c) => seq.serialize_element(&CertifiedLeaf(c))?,
                            None => seq.serialize_element(&Rendered { value: x, digits })?,
                        }
                    }
                }
                seq.end()
            }
            Value::Object(items) if distinct_keys(items) => {
                let mut m = s.serialize_map(Some(items.len()))?;
                for (k, x) in items {
                    m.serialize_entry(k, &Rendered { value: x, digits })?;
                }
                m.end()
            }
            other => other.to_json(digits).serialize(s),
        }
    }
}

/// The JSON envelope of [`envelope`], pretty-printed, written to `w` (the bytes of
/// `serde_json::to_string_pretty(&envelope(..))`, without the intermediate tree, and without
/// holding the text: a `tilt` of 10^6 tokens prints 228 MB).
pub fn write_envelope<W: std::io::Write>(
    w: W,
    command: &str,
    input: &Json,
    result: &Value,
    digits: usize,
) -> serde_json::Result<()> {
    #[derive(serde::Serialize)]
    struct Envelope<'a> {
        schema: &'a str,
        command: &'a str,
        input: &'a Json,
        result: Rendered<'a>,
    }
    serde_json::to_writer_pretty(
        w,
        &Envelope {
            schema: "alignexact/1",
            command,
            input,
            result: Rendered {
                value: result,
                digits,
            },
        },
    )
}

/// The JSON envelope of [`envelope`] as pretty-printed text (the bytes of
/// `serde_json::to_string_pretty(&envelope(..))`, without the intermediate tree).
pub fn envelope_text(command: &str, input: &Json, result: &Value, digits: usize) -> String {
    let mut out = Vec::new();
    write_envelope(&mut out, command, input, result, digits).expect("JSON serialisation");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The JSON envelope `{"schema": "alignexact/1", "command", "input", "result"}`.
pub fn envelope(command: &str, input: Json, result: &Value, digits: usize) -> Json {
    json!({
        "schema": "alignexact/1",
        "command": command,
        "input": input,
        "result": result.to_json(digits),
    })
}
