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

/// Largest spec file read (the largest model it may carry, with room for the other keys).
pub const MAX_SPEC_BYTES: u64 = 256 << 20;

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

/// Spec values, as flag text.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    values: BTreeMap<String, String>,
    /// The keys as written in the file, with their flag names.
    written: Vec<(String, String)>,
}

/// The top-level object of a spec file, keys in file order, duplicates kept (to refuse them).
struct Pairs(Vec<(String, Json)>);

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
                while let Some((k, v)) = m.next_entry::<String, Json>()? {
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn scalar_text(key: &str, v: &Json) -> Result<String> {
    match v {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        _ => Err(Error::input(format!(
            "--spec: key '{key}' must be a string, a number, a boolean or an array of those"
        ))),
    }
}

impl Spec {
    /// Load from a path, or standard input for `-`.
    pub fn load(path: &str) -> Result<Spec> {
        let too_big = || {
            Error::input(format!(
                "--spec: '{path}' is larger than {} MiB; a spec file holds one model and the flags",
                MAX_SPEC_BYTES >> 20
            ))
        };
        let mut bytes = Vec::new();
        let read = if path == "-" {
            std::io::stdin().take(MAX_SPEC_BYTES + 1).read_to_end(&mut bytes)
        } else {
            std::fs::File::open(path).and_then(|f| f.take(MAX_SPEC_BYTES + 1).read_to_end(&mut bytes))
        };
        read.map_err(|e| match path {
            "-" => Error::input(format!("--spec: cannot read standard input: {e}")),
            _ => Error::input(format!("--spec: cannot read '{path}': {e}")),
        })?;
        if bytes.len() as u64 > MAX_SPEC_BYTES {
            return Err(too_big());
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::input(format!("--spec: '{path}' is not UTF-8 text")))?;
        Spec::parse(&text)
    }
    /// Parse the JSON text of a spec.
    pub fn parse(text: &str) -> Result<Spec> {
        let not_object = || {
            Error::input(
                "--spec: the file must hold one JSON object such as {\"p\": [\"1/2\",\"1/2\"], \"r\": [0,1]}",
            )
        };
        let json: Json =
            serde_json::from_str(text).map_err(|e| Error::input(format!("--spec: not valid JSON: {e}")))?;
        if !json.is_object() {
            return Err(not_object());
        }
        let Pairs(obj) = serde_json::from_str(text).map_err(|_| not_object())?;
        let mut values = BTreeMap::new();
        let mut written: Vec<(String, String)> = Vec::new();
        for (k, v) in &obj {
            let key = k.replace('_', "-");
            if let Some((first, _)) = written.iter().find(|(_, f)| *f == key) {
                return Err(Error::input(format!(
                    "--spec: key '{k}' is given twice (also as '{first}'); give each key once"
                )));
            }
            written.push((k.clone(), key.clone()));
            if !KNOWN_KEYS.contains(&key.as_str()) {
                return Err(Error::input(format!(
                    "--spec: unknown key '{k}'; known keys are {}",
                    KNOWN_KEYS.join(", ")
                )));
            }
            let text = match v {
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
            };
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
