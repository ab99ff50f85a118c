//! `alignexact schema`: print the JSON Schema (draft 2020-12) of every JSON document the tool
//! writes: each command's `--json` envelope and the reference-vector files of `vectors`.

use super::Output;
use crate::error::Result;
use crate::report::schema::schema;
use crate::report::Value;
use clap::Args;
use serde_json::json;

/// Flags of `schema`.
#[derive(Args, Clone, Debug, Default)]
pub struct SchemaArgs {
    /// Accepted for uniformity: the schema is JSON either way
    #[arg(long, hide = true)]
    pub json: bool,
}

/// Run `schema`: the schema is itself JSON, printed as it is (with or without `--json`).
pub fn run(_a: SchemaArgs) -> Result<(Output, bool)> {
    let mut text = serde_json::to_string_pretty(&schema()).expect("JSON serialisation");
    text.push('\n');
    Ok((
        Output {
            command: "schema",
            input: json!({}),
            result: Value::Null,
            digits: 0,
            exit_code: 0,
            text: Some(text),
        },
        false,
    ))
}
