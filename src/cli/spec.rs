//! `--spec FILE|-`: flags from a JSON object. Flags given on the command line override it.
//!
//! Keys are flag names without the dashes (`p`, `r`, `delta`, `N`, `N-rule` or `N_rule`, ...).
//! Values are strings, JSON numbers (read as their exact decimal text, never as binary floats),
//! booleans (for switches such as `normalize`), or arrays (joined with commas for lists).
//! A key that is not a flag of the subcommand (an unknown key, or a flag of another
//! subcommand) and a key given twice are rejected, naming the key (exit code 2): see
//! [`Spec::check_keys`]. The file is read up to [`MAX_SPEC_BYTES`].

use crate::error::{Error, Result};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::Read;

/// Every flag name that may appear in a spec file (of some subcommand).
pub const KNOWN_KEYS: &[&str] = &[
    "p",
    "r",
    "q",
    "normalize",
    "digits",
    "max-bits",
    "delta",
    "lambda",
    "beta",
    "exp-lambda",
    "x",
    "n",
    "N",
    "N-rule",
    "ties",
    "alpha",
    "order",
    "t",
    "levels",
    "out",
    "json",
    "plots",
    "kind",
    "seed",
    "random",
    "method",
    "soft-N",
    "mu",
    "methods",
    "transition",
    "init",
];

/// The largest spec accepted, in bytes: 128 MiB. The largest model has
/// [`crate::exact::dist::MAX_ALPHABET`] = 2^21 tokens; its `p` and `r` as exact rationals of a
/// dozen digits each take about 64 bytes per token, i.e. 128 MiB, and parsing that much JSON
/// needs a few hundred MB of memory.
pub const MAX_SPEC_BYTES: usize = 128 << 20;

fn too_big(what: &str) -> Error {
    Error::input(format!(
        "--spec: {what} is larger than {} MiB, the size of the largest model ({} tokens); give a smaller model",
        MAX_SPEC_BYTES >> 20,
        crate::exact::dist::MAX_ALPHABET
    ))
}

/// Read at most [`MAX_SPEC_BYTES`] (an error beyond), checking as soon as the first bytes arrive
/// that they open a JSON object.
fn read_capped(mut src: impl Read, what: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut opened = false;
    loop {
        let n = src
            .read(&mut buf)
            .map_err(|e| Error::input(format!("--spec: cannot read {what}: {e}")))?;
        if n == 0 {
            return Ok(out);
        }
        if !opened {
            if let Some(&c) = buf[..n].iter().find(|c| !c.is_ascii_whitespace()) {
                if c != b'{' {
                    return Err(Error::input(format!(
                        "--spec: {what} is not valid JSON for a spec: it must be one JSON object, starting with '{{', e.g. {{\"p\": [\"1/2\",\"1/2\"], \"r\": [0,1]}}"
                    )));
                }
                opened = true;
            }
        }
        if out.len() + n > MAX_SPEC_BYTES {
            return Err(too_big(what));
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Spec values, as flag text.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    values: BTreeMap<String, String>,
    /// The keys as written in the file, with their flag names.
    written: Vec<(String, String)>,
}

/// The top-level object of a spec file, keys in file order, duplicates kept (to refuse them),
/// each value already turned into its flag text (`None` when some part of it is not a string,
/// a number or a boolean where one is required). The text is written while the JSON is read,
/// without a `serde_json::Value` tree: a 10^6-token spec would build 2 * 10^6 small values.
struct Pairs(Vec<(String, Option<String>)>);

/// Where a value sits in a spec value: the value itself, an item of its array, or an item of a
/// row of a matrix (`"transition": [[...], ...]`).
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Value,
    Element,
    RowItem,
}

/// Writes the flag text of one JSON value into `buf` (the text [`flag_text`] gives for the
/// same value): scalars as their text, an array's items joined with `,`, and an array with an
/// array among its items as rows joined with `;`.
struct Text<'a> {
    buf: &'a mut String,
    level: Level,
    /// Turned false by a value that is not a scalar where a scalar is required.
    ok: &'a mut bool,
    /// Turned true by a row (an array item of an array).
    row: &'a mut bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Text<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Text<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<(), E> {
        self.buf.push_str(v);
        Ok(())
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<(), E> {
        self.buf.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<(), E> {
        self.buf.push_str(&serde_json::Number::from(v).to_string());
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<(), E> {
        self.buf.push_str(&serde_json::Number::from(v).to_string());
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<(), E> {
        match serde_json::Number::from_f64(v) {
            Some(n) => self.buf.push_str(&n.to_string()),
            None => *self.ok = false,
        }
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<(), E> {
        *self.ok = false;
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> std::result::Result<(), A::Error> {
        // a number arrives here under serde_json's `arbitrary_precision` (a one-entry map holding
        // its exact text); an object is not a flag value
        use serde::Deserialize;
        match Json::deserialize(serde::de::value::MapAccessDeserializer::new(m))? {
            Json::Number(n) => self.buf.push_str(&n.to_string()),
            _ => *self.ok = false,
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let Text { buf, level, ok, row } = self;
        match level {
            Level::Value => {
                // items joined with ','; when one of them is a row, the separators between the
                // items become ';' (each is one byte, recorded where it was written)
                let mut seps = Vec::new();
                let mut any_row = false;
                let mut first = true;
                loop {
                    if !first {
                        seps.push(buf.len());
                        buf.push(',');
                    }
                    let seed = Text {
                        buf: &mut *buf,
                        level: Level::Element,
                        ok: &mut *ok,
                        row: &mut any_row,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        if let Some(at) = seps.pop() {
                            buf.truncate(at);
                        }
                        break;
                    }
                    first = false;
                }
                if any_row {
                    let mut bytes = std::mem::take(buf).into_bytes();
                    for at in seps {
                        bytes[at] = b';';
                    }
                    *buf = String::from_utf8(bytes).expect("ASCII separators replaced by ASCII");
                }
            }
            Level::Element => {
                *row = true;
                let mut first = true;
                loop {
                    let at = buf.len();
                    if !first {
                        buf.push(',');
                    }
                    let mut inner_row = false;
                    let seed = Text {
                        buf: &mut *buf,
                        level: Level::RowItem,
                        ok: &mut *ok,
                        row: &mut inner_row,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        buf.truncate(at);
                        break;
                    }
                    first = false;
                }
            }
            Level::RowItem => {
                *ok = false;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            }
        }
        Ok(())
    }
}

impl<'de> serde::Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Pairs, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("one JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    let (mut buf, mut ok, mut row) = (String::new(), true, false);
                    m.next_value_seed(Text {
                        buf: &mut buf,
                        level: Level::Value,
                        ok: &mut ok,
                        row: &mut row,
                    })?;
                    out.push((k, ok.then_some(buf)));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn not_scalar(key: &str) -> Error {
    Error::input(format!(
        "--spec: key '{}' must be a string, a number, a boolean or an array of those",
        key.escape_debug()
    ))
}

impl Spec {
    /// Load from a path, or standard input for `-`. At most [`MAX_SPEC_BYTES`] are read, and a
    /// source whose first non-blank byte is not `{` is rejected at once (so `/dev/zero` or a
    /// binary file fails fast instead of filling the memory).
    pub fn load(path: &str) -> Result<Spec> {
        let bytes = if path == "-" {
            read_capped(std::io::stdin().lock(), "standard input")?
        } else {
            let file = std::fs::File::open(path)
                .map_err(|e| Error::input(format!("--spec: cannot read '{path}': {e}")))?;
            if let Ok(meta) = file.metadata() {
                if meta.is_file() && meta.len() > MAX_SPEC_BYTES as u64 {
                    return Err(too_big(&format!("'{path}'")));
                }
            }
            read_capped(file, &format!("'{path}'"))?
        };
        let text =
            String::from_utf8(bytes).map_err(|_| Error::input("--spec: the file is not UTF-8 text"))?;
        Spec::parse(&text)
    }
    /// Parse the JSON text of a spec.
    pub fn parse(text: &str) -> Result<Spec> {
        let not_object = || {
            Error::input(
                "--spec: the file must hold one JSON object such as {\"p\": [\"1/2\",\"1/2\"], \"r\": [0,1]}",
            )
        };
        // one pass for a valid object (the common case, and 10^6-token specs are large); only on
        // a failure is the text parsed again to tell invalid JSON from JSON that is not an object
        let Pairs(obj) = match serde_json::from_str(text) {
            Ok(pairs) => pairs,
            Err(_) => {
                let _: Json = serde_json::from_str(text)
                    .map_err(|e| Error::input(format!("--spec: not valid JSON: {e}")))?;
                return Err(not_object());
            }
        };
        let mut values = BTreeMap::new();
        let mut written: Vec<(String, String)> = Vec::new();
        for (k, v) in obj {
            let key = k.replace('_', "-");
            if let Some((first, _)) = written.iter().find(|(_, f)| *f == key) {
                return Err(Error::input(format!(
                    "--spec: key '{k}' is given twice (also as '{first}'); give each key once"
                )));
            }
            written.push((k.clone(), key.clone()));
            if !KNOWN_KEYS.contains(&key.as_str()) {
                return Err(Error::input(format!(
                    "--spec: unknown key '{}'; known keys are {}",
                    k.escape_debug(),
                    KNOWN_KEYS.join(", ")
                )));
            }
            let text = v.ok_or_else(|| not_scalar(&k))?;
            values.insert(key, text);
        }
        Ok(Spec { values, written })
    }
    /// Refuse a key that is not a flag of subcommand `cmd`, whose flags are `accepted` (names
    /// without the dashes).
    pub fn check_keys(&self, cmd: &str, accepted: &[&str]) -> Result<()> {
        for (k, key) in &self.written {
            if !accepted.contains(&key.as_str()) {
                return Err(Error::input(format!(
                    "--spec: key '{k}' is not a flag of '{cmd}'; its keys are {}",
                    accepted.join(", ")
                )));
            }
        }
        Ok(())
    }
    /// Fill `slot` from the spec when the command line left it empty.
    pub fn fill(&self, key: &str, slot: &mut Option<String>) {
        if slot.is_none() {
            if let Some(v) = self.values.get(key) {
                *slot = Some(v.clone());
            }
        }
    }
    /// Fill a switch: true when either the command line or the spec says so.
    pub fn fill_flag(&self, key: &str, slot: &mut bool) -> Result<()> {
        if let Some(v) = self.values.get(key) {
            match v.as_str() {
                "true" => *slot = true,
                "false" => {}
                _ => return Err(Error::input(format!("--spec: key '{key}' must be true or false"))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
fn scalar_text(key: &str, v: &Json) -> Result<String> {
    match v {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        _ => Err(not_scalar(key)),
    }
}

/// The flag text of a spec value from its `serde_json` tree: the reference for [`Text`], which
/// writes the same text while reading the file (see the unit test below).
#[cfg(test)]
fn flag_text(k: &str, v: &Json) -> Result<String> {
    Ok(match v {
        // a matrix (`"transition": [[...], ...]`): rows joined with ';'
        Json::Array(items) if items.iter().any(Json::is_array) => items
            .iter()
            .map(|row| match row {
                Json::Array(xs) => Ok(xs
                    .iter()
                    .map(|x| scalar_text(k, x))
                    .collect::<Result<Vec<_>>>()?
                    .join(",")),
                other => scalar_text(k, other),
            })
            .collect::<Result<Vec<_>>>()?
            .join(";"),
        Json::Array(items) => items
            .iter()
            .map(|x| scalar_text(k, x))
            .collect::<Result<Vec<_>>>()?
            .join(","),
        other => scalar_text(k, other)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streaming text equals the tree's text on every shape of value, and a non-scalar
    /// where a scalar is required is refused by both.
    #[test]
    fn streaming_text_matches_the_tree() {
        let cases = [
            r#""1/2""#,
            "0.1",
            "-1e-3",
            "12345678901234567890123",
            "true",
            "false",
            "null",
            "{}",
            r#"{"a": 1}"#,
            "[]",
            "[[]]",
            "[[], []]",
            r#"["1/2", 3, 0.25, true]"#,
            r#"[[1, 2], [3, 4]]"#,
            r#"[[1, 2], 3, [4]]"#,
            r#"[1, [2, 3]]"#,
            r#"[[1, [2]], [3]]"#,
            r#"[[1, {"x": 2}]]"#,
            r#"[1, null]"#,
            r#"[{"a": [1, 2]}]"#,
            r#""a\u00e9\n""#,
        ];
        for c in cases {
            let text = format!("{{\"p\": {c}}}");
            let tree: Json = serde_json::from_str::<Json>(&text).unwrap()["p"].clone();
            let want = flag_text("p", &tree).ok();
            let Pairs(got) = serde_json::from_str(&text).unwrap();
            assert_eq!(got, vec![("p".to_string(), want)], "value {c}");
        }
    }
}
