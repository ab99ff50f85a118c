//! The JSON Schema (draft 2020-12) of every JSON document alignexact writes: the `--json`
//! envelope of each command (INTERFACE.md, "Output encoding") and the reference-vector files of
//! `alignexact vectors` (their family files and `index.json`).
//!
//! The leaf encodings are `$defs`: `exact`, `certified`, `infinity`, `bounds`, and `real` (any of
//! the first three). Decimal and rational texts are strings with a pattern; numbers are never
//! JSON floats (counts are JSON integers). Result objects list the documented field names as
//! `required` where the command always prints them and leave room for fields added later
//! (INTERFACE.md: "add fields freely, rename none"); the leaves themselves are closed.

use serde_json::{json, Value as Json};

/// The `$id` of the schema document.
pub const SCHEMA_ID: &str = "urn:alignexact:schema:alignexact-1";

/// Every command with a JSON envelope.
pub const COMMANDS: [&str; 12] = [
    "divergence",
    "tilt",
    "rate",
    "cumulants",
    "bon",
    "compare",
    "sweep",
    "check",
    "demo",
    "vectors",
    "frontier",
    "plot",
];

fn r(name: &str) -> Json {
    json!({ "$ref": format!("#/$defs/{name}") })
}

fn arr(items: Json) -> Json {
    json!({"type": "array", "items": items})
}

/// An object with the given properties, all of `required` required; extra keys allowed.
fn open_obj(props: Json, required: &[&str]) -> Json {
    json!({"type": "object", "properties": props, "required": required})
}

fn leaf_defs() -> Json {
    json!({
        "decimal": {
            "description": "A decimal number as text: positional ('0.0725', '-3.5') or scientific with an exponent of any size ('7.32e-10845904621').",
            "type": "string",
            "pattern": "^-?(0|[1-9][0-9]*)(\\.[0-9]+)?(e[-+]?[0-9]+)?$"
        },
        "decimal_or_infinity": {
            "anyOf": [ {"$ref": "#/$defs/decimal"}, {"enum": ["inf", "-inf"]} ]
        },
        "rational": {
            "description": "An exact rational as text: an integer or a reduced fraction 'a/b' with b > 1.",
            "type": "string",
            "pattern": "^-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?$"
        },
        "integer_text": {
            "description": "An exact non-negative integer as text (sample counts may have thousands of digits).",
            "type": "string",
            "pattern": "^(0|[1-9][0-9]*)$"
        },
        "count": {
            "description": "A small exact count (n, levels_total, digits) as a JSON integer.",
            "type": "integer",
            "minimum": 0
        },
        "exact": {
            "description": "An exact rational: 'exact' is the value, 'value' is it rounded to nearest with --digits significant digits.",
            "type": "object",
            "properties": {
                "exact": {"$ref": "#/$defs/rational"},
                "value": {"$ref": "#/$defs/decimal"}
            },
            "required": ["exact", "value"],
            "additionalProperties": false
        },
        "certified": {
            "description": "A certified real x: lo <= x <= hi rigorously (rounded outward); 'value' has --digits significant digits and is within one unit in its last place of x.",
            "type": "object",
            "properties": {
                "value": {"$ref": "#/$defs/decimal"},
                "lo": {"$ref": "#/$defs/decimal"},
                "hi": {"$ref": "#/$defs/decimal"}
            },
            "required": ["value", "lo", "hi"],
            "additionalProperties": false
        },
        "infinity": {
            "description": "An exact infinity.",
            "type": "object",
            "properties": { "value": {"enum": ["inf", "-inf"]} },
            "required": ["value"],
            "additionalProperties": false
        },
        "bounds": {
            "description": "Rigorous bounds lo <= x <= hi that do not certify --digits digits (claim margins enclosing 0, per-level diagnostics below the floating-point range).",
            "type": "object",
            "properties": {
                "lo": {"$ref": "#/$defs/decimal_or_infinity"},
                "hi": {"$ref": "#/$defs/decimal_or_infinity"}
            },
            "required": ["lo", "hi"],
            "additionalProperties": false
        },
        "real": {
            "description": "A number: exact rational, certified real or infinity.",
            "anyOf": [ {"$ref": "#/$defs/exact"}, {"$ref": "#/$defs/certified"}, {"$ref": "#/$defs/infinity"} ]
        },
        "real_or_bounds": {
            "anyOf": [ {"$ref": "#/$defs/real"}, {"$ref": "#/$defs/bounds"} ]
        },
        "real_or_null": {
            "anyOf": [ {"$ref": "#/$defs/real"}, {"type": "null"} ]
        },
        "real_array": {
            "type": "array",
            "items": {"$ref": "#/$defs/real"},
            "minItems": 1
        },
        "rational_list": {
            "type": "array",
            "items": {"$ref": "#/$defs/rational"},
            "minItems": 1
        }
    })
}

fn input_defs() -> Json {
    let model = json!({
        "p": r("rational_list"),
        "r": r("rational_list"),
        "digits": r("count"),
        "delta": r("rational"),
        "lambda": r("rational"),
        "exp_lambda": r("rational"),
        "transition": arr(r("rational_list")),
        "init": r("rational_list"),
        "init_is_stationary": {"type": "boolean"}
    });
    // a memoryless model (p) or a Markov chain (transition, MATH.md §10)
    let p_or_chain = json!({"anyOf": [ {"required": ["p"]}, {"required": ["transition", "init"]} ]});
    let with = |extra: Json, required: &[&str]| -> Json {
        let mut props = model.clone();
        if let (Some(m), Some(e)) = (props.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                m.insert(k.clone(), v.clone());
            }
        }
        let mut req = vec!["r", "digits"];
        req.extend_from_slice(required);
        let mut o = open_obj(props, &req);
        o["allOf"] = json!([p_or_chain.clone()]);
        o
    };
    let one_budget = json!({
        "anyOf": [ {"required": ["delta"]}, {"required": ["lambda"]}, {"required": ["exp_lambda"]} ]
    });
    let mut tilt = with(json!({}), &[]);
    tilt["allOf"] = json!([p_or_chain.clone(), one_budget.clone()]);
    let mut cumulants = with(json!({"order": r("count"), "t": r("rational")}), &["order"]);
    cumulants["allOf"] = json!([p_or_chain, one_budget]);
    json!({
        "divergence_input": open_obj(json!({
            "p": r("rational_list"),
            "q": r("rational_list"),
            "alpha": r("rational"),
            "digits": r("count")
        }), &["p", "q", "digits"]),
        "tilt_input": tilt,
        "rate_input": with(json!({"x": r("rational")}), &["x"]),
        "cumulants_input": cumulants,
        "bon_input": with(json!({
            "n": r("count"),
            "N": {"description": "An exact integer, or 'e^(x)' for the real rule N = e^x.",
                  "type": "string", "pattern": "^((0|[1-9][0-9]*)|e\\^\\(-?[0-9]+(/[0-9]+)?\\))$"},
            "ties": {"enum": ["level", "order"]}
        }), &["n", "N", "ties"]),
        "compare_input": with(json!({
            "n": r("count"),
            "N": {"type": "string", "pattern": "^((0|[1-9][0-9]*)|e\\^\\(-?[0-9]+(/[0-9]+)?\\))$"},
            "N_rule": {"enum": ["ceil", "floor", "real"]}
        }), &["delta", "n", "N", "N_rule"]),
        "sweep_input": with(json!({"n": arr(r("count"))}), &["delta", "n"]),
        "check_input": open_obj(json!({
            "ids": arr(json!({"type": "string"})),
            "digits": r("count")
        }), &["ids", "digits"]),
        "demo_input": with(json!({}), &["delta"]),
        "vectors_input": open_obj(json!({
            "out": {"type": "string"},
            "digits": r("count")
        }), &["out", "digits"]),
        "plot_input": open_obj(json!({
            "p": arr(r("rational")),
            "r": arr(r("rational")),
            "digits": r("count"),
            "kind": {"enum": ["frontier", "convergence", "rates"]},
            "delta": r("rational"),
            "out": {"type": "string"}
        }), &["kind", "delta", "out", "digits"])
    })
}

fn result_defs() -> Json {
    let divergence = open_obj(
        json!({
            "kl": r("real"),
            "kl_reverse": r("real"),
            "entropy": r("real"),
            "cross_entropy": r("real"),
            "renyi_divergence": r("real"),
            "renyi_entropy": r("real"),
            "renyi_cross_entropy": r("real"),
            "renyi_cross_entropy_alt": r("real")
        }),
        &["kl", "kl_reverse", "entropy", "cross_entropy"],
    );
    let tilt = open_obj(
        json!({
            "regime": {"enum": ["reference", "interior", "saturated"]},
            "lambda": r("real"),
            "delta": r("real"),
            "log_partition": r("real"),
            "expected_reward": r("real"),
            "reward_variance": r("real"),
            "phi": r("real_array"),
            "delta_max": r("real"),
            "constant_reward": {"type": "boolean", "description": "present (true) when the reward is constant on the support: delta_max = 0 and every tilt is p"}
        }),
        &[
            "regime",
            "lambda",
            "delta",
            "log_partition",
            "expected_reward",
            "reward_variance",
            "phi",
            "delta_max",
        ],
    );
    let rate = open_obj(
        json!({
            "lambda_x": r("real_or_null"),
            "rate_reference": r("real"),
            "rate_aligned": r("real"),
            "lambda": r("real")
        }),
        &["lambda_x", "rate_reference"],
    );
    let cumulants = open_obj(
        json!({
            "lambda": r("real"),
            "cumulants": r("real_array"),
            "scgf": r("real"),
            "scgf_renyi": {
                "anyOf": [
                    {"type": "null"},
                    open_obj(json!({
                        "reference_cross_entropy": r("real_or_null"),
                        "aligned_cross_entropy": r("real_or_null"),
                        "divergence": r("real_or_null")
                    }), &["reference_cross_entropy", "aligned_cross_entropy", "divergence"])
                ]
            }
        }),
        &["lambda", "cumulants"],
    );
    let level = open_obj(
        json!({
            "reward": r("exact"),
            "prob_reference": r("real"),
            "prob_bon": r("real"),
            "kl_gap": r("real_or_bounds")
        }),
        &["reward", "prob_reference", "prob_bon", "kl_gap"],
    );
    let bon = open_obj(
        json!({
            "N": r("real"),
            "n": r("count"),
            "levels_total": r("count"),
            "levels": arr(r("bon_level")),
            "expected_reward": r("real"),
            "expected_reward_per_token": r("real"),
            "kl_to_reference": r("real"),
            "kl_bound": r("real"),
            "kl_gap": r("real"),
            "win_rate": r("real"),
            "win_rate_bound": r("real"),
            "tokens": r("real_array"),
            "kl_to_reference_order": r("real"),
            "method": {"enum": ["exact", "window"], "description": "the level-law route that produced the result (--method)"},
            "notes": {"type": "array", "items": {"type": "string"}}
        }),
        &[
            "N",
            "n",
            "levels_total",
            "levels",
            "expected_reward",
            "kl_to_reference",
            "kl_bound",
            "kl_gap",
            "win_rate",
            "win_rate_bound",
        ],
    );
    let compare_fields = [
        "N",
        "ln_N",
        "lambda",
        "expected_reward_bon",
        "expected_reward_tilted",
        "kl_bon_reference",
        "kl_bon_tilted",
        "kl_tilted_reference",
        "kl_tilted_bon",
        "kl_bon_tilted_pythagorean",
        "expected_reward_bon_per_token",
        "expected_reward_tilted_per_token",
        "kl_bon_reference_per_token",
        "kl_bon_tilted_per_token",
        "kl_tilted_reference_per_token",
        "kl_tilted_bon_per_token",
    ];
    let mut cprops = serde_json::Map::new();
    for f in compare_fields {
        cprops.insert(f.to_string(), r("real"));
    }
    cprops.insert("n".into(), r("count"));
    cprops.insert("levels_total".into(), r("count"));
    cprops.insert(
        "method".into(),
        json!({"enum": ["exact", "window"], "description": "the level-law route that produced the result (--method exact|window|auto)"}),
    );
    cprops.insert(
        "notes".into(),
        json!({"type": "array", "items": {"type": "string"}}),
    );
    let mut creq: Vec<&str> = compare_fields.to_vec();
    creq.extend(["n", "levels_total", "method"]);
    let compare = open_obj(Json::Object(cprops.clone()), &creq);
    let mut sprops = cprops;
    sprops.insert("reward_gap_per_token".into(), r("real"));
    sprops.insert(
        "predictions".into(),
        json!({"anyOf": [
            {"type": "null"},
            open_obj(json!({
                "lattice_span": r("real"),
                "asy4_reward_gap": r("real"),
                "asy5_kl_bon_tilted": r("real"),
                "asy7_expected_reward": r("real"),
                "asy7_constant": r("real"),
                "n_rounding_correction": r("real_or_bounds")
            }), &["lattice_span", "asy4_reward_gap", "asy5_kl_bon_tilted", "asy7_expected_reward", "asy7_constant"])
        ]}),
    );
    sprops.insert(
        "residuals".into(),
        open_obj(
            json!({
                "asy4_scaled": r("real"),
                "asy5": r("real"),
                "asy6_c": r("real"),
                "asy7": r("real")
            }),
            &["asy4_scaled", "asy5", "asy6_c", "asy7"],
        ),
    );
    let sweep_row = open_obj(Json::Object(sprops), &creq);
    let claim = open_obj(
        json!({
            "id": {"type": "string", "pattern": "^[A-Z]+-[0-9]+"},
            "statement": {"type": "string"},
            "status": {"enum": ["holds", "agrees", "violated", "undecided"]},
            "agreeing_digits": r("count"),
            "lhs": r("real_or_bounds"),
            "rhs": r("real_or_bounds"),
            "margin": r("real_or_bounds"),
            "case": {"type": "string"}
        }),
        &["id", "statement", "status", "lhs", "rhs", "margin"],
    );
    // an `agrees` verdict always says to how many digits the two sides agree
    let claim = json!({
        "allOf": [
            claim,
            {
                "if": {"properties": {"status": {"const": "agrees"}}, "required": ["status"]},
                "then": {"required": ["agreeing_digits"]},
                "else": {"not": {"required": ["agreeing_digits"]}}
            }
        ]
    });
    // Markov chains (MATH.md §10): absent limits are null, with the reason in `notes`
    let notes = arr(json!({"type": "string"}));
    let tilt_markov = open_obj(
        json!({
            "model": {"enum": ["markov"]},
            "lambda": r("real_or_null"),
            "delta": r("real_or_null"),
            "log_partition": r("real_or_null"),
            "perron_root": r("real_or_null"),
            "expected_reward": r("real_or_null"),
            "reward_variance": r("real_or_null"),
            "doob_transition": {"anyOf": [{"type": "null"}, arr(r("real_array"))]},
            "doob_stationary": {"anyOf": [{"type": "null"}, r("real_array")]},
            "delta_max": r("real_or_null"),
            "regime": {"enum": ["reference", "interior", "saturated"]},
            "states": arr(r("count")),
            "notes": notes.clone()
        }),
        &["model", "lambda", "log_partition", "expected_reward", "notes"],
    );
    let rate_markov = open_obj(
        json!({
            "model": {"enum": ["markov"]},
            "lambda_x": r("real_or_null"),
            "rate_reference": r("real_or_null"),
            "rate_aligned": r("real_or_null"),
            "notes": notes.clone()
        }),
        &["model", "lambda_x", "rate_reference", "notes"],
    );
    let cumulants_markov = open_obj(
        json!({
            "model": {"enum": ["markov"]},
            "lambda": r("real_or_null"),
            "cumulants": {"anyOf": [{"type": "null"}, r("real_array")]},
            "scgf": r("real_or_null"),
            "scgf_renyi": {"type": "null"},
            "notes": notes.clone()
        }),
        &["model", "lambda", "cumulants", "notes"],
    );
    let mut compare = compare;
    if let Some(props) = compare["properties"].as_object_mut() {
        props.insert("lambda_limit".into(), r("real_or_null"));
        props.insert("x_star_limit".into(), r("real_or_null"));
        props.insert("delta_max_limit".into(), r("real_or_null"));
        props.insert("model".into(), json!({"enum": ["markov"]}));
        props.insert("notes".into(), notes);
    }
    let tilt = json!({"anyOf": [tilt, tilt_markov]});
    let rate = json!({"anyOf": [rate, rate_markov]});
    let cumulants = json!({"anyOf": [cumulants, cumulants_markov]});
    let rate_row = json!({
        "allOf": [ r("rate_result"), open_obj(json!({"x": r("exact")}), &["x"]) ]
    });
    json!({
        "divergence_result": divergence,
        "tilt_result": tilt,
        "rate_result": rate,
        "cumulants_result": cumulants,
        "bon_level": level,
        "bon_result": bon,
        "compare_result": compare,
        "sweep_row": sweep_row,
        "sweep_result": open_obj(json!({"rows": arr(r("sweep_row"))}), &["rows"]),
        "claim": claim,
        "check_result": open_obj(json!({
            "claims": arr(r("claim")),
            "cases": arr(open_obj(json!({
                "name": {"type": "string"},
                "model": {"type": "string"}
            }), &["name"])),
            "holds": r("count"),
            "agrees": r("count"),
            "violated": r("count"),
            "undecided": r("count")
        }), &["claims"]),
        "demo_result": open_obj(json!({
            "optimum": r("tilt_result"),
            "rates": arr(rate_row),
            "sweep": arr(r("sweep_row")),
            "claims": arr(r("claim"))
        }), &["optimum", "rates", "sweep", "claims"]),
        "vectors_result": open_obj(json!({
            "suite_version": {"type": "string"},
            "vectors": r("count"),
            "families": {"type": "object", "additionalProperties": r("count")},
            "files": arr(open_obj(json!({
                "file": {"type": "string"},
                "sha256": r("sha256")
            }), &["file", "sha256"]))
        }), &["suite_version", "vectors", "families", "files"]),
        "plot_result": open_obj(json!({
            "file": {"type": "string"},
            "kind": {"enum": ["frontier", "convergence", "rates"]},
            "points": r("count"),
            "series": arr(open_obj(json!({
                "label": {"type": "string"},
                "points": r("count")
            }), &["label", "points"]))
        }), &["file", "kind", "points", "series"])
    })
}

fn output_def() -> Json {
    let cases: Vec<Json> = COMMANDS
        .iter()
        .map(|c| {
            json!({
                "if": {"properties": {"command": {"const": c}}, "required": ["command"]},
                "then": {"properties": {
                    "input": r(&format!("{c}_input")),
                    "result": r(&format!("{c}_result"))
                }}
            })
        })
        .collect();
    json!({
        "description": "The --json envelope of a command: {schema, command, input (the exact echo of the validated input), result}.",
        "type": "object",
        "properties": {
            "schema": {"const": "alignexact/1"},
            "command": {"enum": COMMANDS},
            "input": {"type": "object"},
            "result": {"type": "object"}
        },
        "required": ["schema", "command", "input", "result"],
        "allOf": cases
    })
}

fn vector_defs() -> Json {
    let families = [
        "divergence",
        "tilt",
        "rate",
        "cumulants",
        "bon",
        "compare",
        "methods",
        "markov",
    ];
    let per_family: Vec<Json> = families
        .iter()
        .map(|f| {
            // the methods family runs `frontier`
            // the markov family runs `compare --transition`
            let c = match *f {
                "methods" => "frontier",
                "markov" => "compare",
                f => f,
            };
            json!({
                "if": {"properties": {"family": {"const": f}}, "required": ["family"]},
                "then": {"properties": {
                    "command": {"const": c},
                    "vectors": {"items": {"properties": {
                        "input": r(&format!("{c}_input")),
                        "output": r(&format!("{c}_result"))
                    }}}
                }}
            })
        })
        .collect();
    json!({
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "tolerance_number": {
            "description": "A non-negative tolerance as decimal text ('1e-12', '3e-14', '0').",
            "type": "string",
            "pattern": "^(0|[1-9](\\.[0-9]+)?(e-?[0-9]+)?)$"
        },
        "tolerance": {
            "description": "A float64 result y passes against the value v when |y - v| <= abs + rel |v|.",
            "type": "object",
            "properties": {
                "rel": r("tolerance_number"),
                "abs": r("tolerance_number"),
                "note": {"type": "string"}
            },
            "required": ["rel", "abs"],
            "additionalProperties": false
        },
        "vector": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z]+(-[A-Za-z0-9.]+)+$"},
                "description": {"type": "string"},
                "tags": arr(json!({"type": "string"})),
                "args": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "input": {"type": "object"},
                "output": {"type": "object"},
                "tolerance": {
                    "type": "object",
                    "properties": {
                        "default": r("tolerance"),
                        "fields": {
                            "description": "Tolerances of single leaves, keyed by a JSON Pointer into 'output'.",
                            "type": "object",
                            "propertyNames": {"pattern": "^(/[^/]+)+$"},
                            "additionalProperties": r("tolerance")
                        }
                    },
                    "required": ["default", "fields"],
                    "additionalProperties": false
                }
            },
            "required": ["id", "description", "tags", "args", "input", "output", "tolerance"]
        },
        "vector_file": {
            "description": "One family of reference vectors written by 'alignexact vectors'.",
            "type": "object",
            "properties": {
                "schema": {"const": "alignexact-vectors/1"},
                "suite_version": {"type": "string"},
                "family": {"enum": families},
                "command": {"type": "string"},
                "digits": r("count"),
                "description": {"type": "string"},
                "tolerance_rule": {"type": "string"},
                "vectors": {"type": "array", "items": r("vector"), "minItems": 1}
            },
            "required": ["schema", "suite_version", "family", "command", "digits", "description", "tolerance_rule", "vectors"],
            "allOf": per_family
        },
        "vector_index": {
            "description": "index.json of a vector suite: versions and the SHA-256 of every family file.",
            "type": "object",
            "properties": {
                "schema": {"const": "alignexact-vectors-index/1"},
                "suite_version": {"type": "string"},
                "alignexact_version": {"type": "string"},
                "digits": r("count"),
                "tolerance_rule": {"type": "string"},
                "files": {
                    "type": "array",
                    "minItems": 1,
                    "items": open_obj(json!({
                        "family": {"enum": families},
                        "file": {"type": "string", "pattern": "^[a-z]+\\.json$"},
                        "vectors": r("count"),
                        "sha256": r("sha256")
                    }), &["family", "file", "vectors", "sha256"])
                }
            },
            "required": ["schema", "suite_version", "alignexact_version", "digits", "tolerance_rule", "files"]
        }
    })
}

/// The JSON Schema of every document alignexact writes.
pub fn schema() -> Json {
    let mut defs = serde_json::Map::new();
    for part in [
        leaf_defs(),
        input_defs(),
        result_defs(),
        vector_defs(),
        frontier_defs(),
    ] {
        if let Json::Object(m) = part {
            defs.extend(m);
        }
    }
    defs.insert("output".into(), output_def());
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "alignexact JSON documents",
        "description": "The --json output of every alignexact command (schema 'alignexact/1') and the reference-vector files of 'alignexact vectors' ('alignexact-vectors/1' and 'alignexact-vectors-index/1'). Numbers are never JSON floats: exact rationals and certified decimals are strings inside the leaf objects of $defs (exact, certified, infinity, bounds); counts are JSON integers.",
        "type": "object",
        "properties": {
            "schema": {"enum": ["alignexact/1", "alignexact-vectors/1", "alignexact-vectors-index/1"]}
        },
        "required": ["schema"],
        "allOf": [
            {"if": {"properties": {"schema": {"const": "alignexact/1"}}, "required": ["schema"]}, "then": r("output")},
            {"if": {"properties": {"schema": {"const": "alignexact-vectors/1"}}, "required": ["schema"]}, "then": r("vector_file")},
            {"if": {"properties": {"schema": {"const": "alignexact-vectors-index/1"}}, "required": ["schema"]}, "then": r("vector_index")}
        ],
        "$defs": Json::Object(defs)
    })
}

/// `frontier`: its input echo and result (points of the reward-vs-KL and win-rate-vs-KL curves).
fn frontier_defs() -> Json {
    let point = |extra: Json, req: &[&str]| {
        let mut props = json!({
            "kl": r("real"),
            "expected_reward": r("real"),
            "win_rate": r("real"),
            "optimal_reward_at_kl": r("real"),
            "optimal_win_rate_at_kl": r("real")
        });
        if let (Json::Object(m), Json::Object(e)) = (&mut props, extra) {
            m.extend(e);
        }
        let mut all = vec![
            "kl",
            "expected_reward",
            "win_rate",
            "optimal_reward_at_kl",
            "optimal_win_rate_at_kl",
        ];
        all.extend(req);
        open_obj(props, &all)
    };
    let tilt_row = open_obj(
        json!({
            "delta": r("exact"),
            "lambda": r("real_or_null"),
            "kl": r("real"),
            "expected_reward": r("real"),
            "win_rate": r("real")
        }),
        &["delta", "lambda", "kl", "expected_reward", "win_rate"],
    );
    json!({
        "frontier_input": open_obj(json!({
            "p": r("rational_list"),
            "r": r("rational_list"),
            "delta": arr(r("rational")),
            "N": arr(r("integer_text")),
            "soft_N": arr(r("integer_text")),
            "lambda": arr(r("rational")),
            "mu": arr(r("rational")),
            "digits": r("count")
        }), &["p", "r", "digits"]),
        "frontier_result": open_obj(json!({
            "delta_max": r("real"),
            "optimum": arr(tilt_row.clone()),
            "win_rate_optimal": arr(tilt_row),
            "best_of_n": arr(point(json!({"N": r("count")}), &["N"])),
            "soft_best_of_n": arr(point(json!({"N": r("count"), "lambda": r("exact")}), &["N", "lambda"])),
            "best_of_poisson": arr(point(json!({"mu": r("exact"), "expected_samples": r("exact")}), &["mu", "expected_samples"]))
        }), &["delta_max"])
    })
}
