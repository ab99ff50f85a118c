//! `--spec FILE|-`: flags from a JSON object. Flags given on the command line override it.
//!
//! Keys are flag names without the dashes (`p`, `r`, `delta`, `N`, `N-rule` or `N_rule`, ...).
//! Values are strings, JSON numbers (read as their exact decimal text, never as binary floats),
//! booleans (for switches such as `normalize`), or arrays (joined with commas for lists).
//! A key that is not a flag of any subcommand is rejected, naming the key (exit code 2).

use crate::error::{Error, Result};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::Read;

/// Every flag name that may appear in a spec file.
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
    "soft-N",
    "mu",
    "methods",
];

/// Spec values, as flag text.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    values: BTreeMap<String, String>,
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
        let text = if path == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::input(format!("--spec: cannot read standard input: {e}")))?;
            s
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| Error::input(format!("--spec: cannot read '{path}': {e}")))?
        };
        Spec::parse(&text)
    }
    /// Parse the JSON text of a spec.
    pub fn parse(text: &str) -> Result<Spec> {
        let json: Json =
            serde_json::from_str(text).map_err(|e| Error::input(format!("--spec: not valid JSON: {e}")))?;
        let obj = json.as_object().ok_or_else(|| {
            Error::input(
                "--spec: the file must hold one JSON object such as {\"p\": [\"1/2\",\"1/2\"], \"r\": [0,1]}",
            )
        })?;
        let mut values = BTreeMap::new();
        for (k, v) in obj {
            let key = k.replace('_', "-");
            if !KNOWN_KEYS.contains(&key.as_str()) {
                return Err(Error::input(format!(
                    "--spec: unknown key '{k}'; known keys are {}",
                    KNOWN_KEYS.join(", ")
                )));
            }
            let text = match v {
                Json::Array(items) => items
                    .iter()
                    .map(|x| scalar_text(k, x))
                    .collect::<Result<Vec<_>>>()?
                    .join(","),
                other => scalar_text(k, other)?,
            };
            values.insert(key, text);
        }
        Ok(Spec { values })
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
