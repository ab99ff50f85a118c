//! `alignexact check [ID ...]`: the claim registry ([`crate::claims::registry`]) run on the
//! built-in cases (Examples A and B of MATH.md §8 and seeded random models), one line per claim.
//!
//! An argument is a statement id of MATH.md (`BON-3`: every claim of that statement) or a claim
//! id (`BON-3.gaps`: the claims whose id starts with it). Undecided claims are re-evaluated at
//! doubled precision ([`crate::claims::settle_all`]). Exit code 0 when every claim holds or
//! agrees (an equality of reals consistent to the digits shown: numerics cannot prove it), 1 when
//! one is violated, 3 when one stays undecided up to the precision cap, 2 for an unknown id.

use super::{args, Common, Output};
use crate::claims::cases::{builtin_cases, example_a, DEFAULT_RANDOM, DEFAULT_SEED};
use crate::claims::registry::{self, run_entry, Context, Entry, FALSE_CLAIMS, REGISTRY};
use crate::claims::{Claim, Status};
use crate::error::{Error, Result};
use crate::real::ziv::Precision;
use crate::report::{obj, Value};
use clap::Args;
use serde_json::json;

/// Flags of `check`.
#[derive(Args, Clone, Debug, Default)]
pub struct CheckArgs {
    /// Statement ids of MATH.md (TILT-1, BON-3, ASY-7, ...) or claim ids (BON-3.gaps) to check (default: all)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Seed of the random cases (default 2024)
    #[arg(long, value_name = "SEED", allow_hyphen_values = true)]
    pub seed: Option<String>,
    /// Number of seeded random cases, k = 2, 3, 4, 2, ... tokens (default 12)
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub random: Option<String>,
    /// Evaluate a deliberately false claim instead of the suite (to show the checker can fail):
    /// beirami-reversed or asy3-above-max
    #[arg(long = "false-claim", value_name = "NAME", hide = true)]
    pub false_claim: Option<String>,
    /// Grid of n of the limit claims (ASY-1..ASY-8) on Examples A and B, same syntax as `sweep --n`
    /// (default doublings:10240); e.g. --n doublings:10240,decades:1e7 (the window route past 10240)
    #[arg(long = "n", value_name = "LIST", allow_hyphen_values = true)]
    pub n: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// The grid of the limit claims from `--n` (`None`: the built-in doubling grid), sorted without
/// repeats, each point past the exact route's range guarded on the window route for both examples.
pub fn limit_grid(n: Option<&str>, digits: usize) -> Result<Option<Vec<u64>>> {
    let Some(s) = n else { return Ok(None) };
    let mut g = super::sweep::grid(Some(s))?;
    g.sort_unstable();
    g.dedup();
    if g.len() < 3 {
        return Err(Error::input(
            "--n: the limit claims compare consecutive grid points; give at least 3 lengths, e.g. --n doublings:10240,decades:1e7",
        ));
    }
    for case in [example_a(), crate::claims::cases::example_b()] {
        for &n in g.iter().filter(|&&n| n >= crate::claims::series::WINDOW_FROM) {
            if let Some(pl) = super::route::plan(
                &case.model,
                &case.tm,
                &case.delta,
                n,
                super::route::MethodArg::Window,
            ) {
                super::route::window_guard(&pl, n, digits)?;
            }
        }
    }
    Ok(Some(g))
}

/// Claims per statement id shown by `demo`.
pub const DEMO_PER_ID: usize = 3;

/// The working-precision range of `check` and `demo`: from the digits' first precision (at
/// least 128 bits) up to the cap (at most 2^14 bits).
fn bits_range(prec: &Precision) -> (u32, u32) {
    let cap = prec.cap_bits.min(1 << 14);
    (prec.start_bits().max(128).min(cap), cap)
}

/// The claims shown by `demo`: the first few claims of every statement id on Example A (with
/// `grid` as the grid of its limit claims, when given).
pub fn demo_claims(prec: &Precision, grid: Option<Vec<u64>>) -> Result<Vec<Claim>> {
    let (start, cap) = bits_range(prec);
    let mut case = example_a();
    if let Some(g) = grid {
        case.grid = g;
    }
    let ctx = Context::new(case);
    let mut out = Vec::new();
    for e in REGISTRY {
        out.extend(run_entry(e, &ctx, start, cap)?.into_iter().take(DEMO_PER_ID));
    }
    Ok(out)
}

/// The entries and claim-id filters selected by the positional arguments.
fn select(ids: &[String]) -> Result<Vec<(&'static Entry, Option<String>)>> {
    let mut out: Vec<(&'static Entry, Option<String>)> = Vec::new();
    for raw in ids {
        let id = raw.trim();
        let stem = id.split('.').next().unwrap_or(id);
        let Some(e) = registry::entry(stem) else {
            return Err(Error::input(format!(
                "check: unknown claim id '{id}'; known ids: {}",
                registry::ids().join(", ")
            )));
        };
        let filter = (id != stem).then(|| id.to_string());
        out.push((e, filter));
    }
    Ok(out)
}

fn parse_u64(flag: &str, s: Option<&str>, default: u64) -> Result<u64> {
    match s {
        None => Ok(default),
        Some(s) => s
            .trim()
            .parse::<u64>()
            .map_err(|_| Error::input(format!("{flag}: expected a non-negative integer, got '{s}'"))),
    }
}

/// One checked claim with the case it was checked on.
struct Checked {
    case: String,
    claim: Claim,
}

fn line(c: &Checked) -> String {
    format!(
        "{:<10} {:<26} [{}] {}\n",
        c.claim.status.label(),
        c.claim.id,
        c.case,
        c.claim.statement
    )
}

/// Run `check`.
pub fn run(mut a: CheckArgs) -> Result<(Output, bool)> {
    let spec = a.common.load_spec()?;
    spec.fill("seed", &mut a.seed);
    spec.fill("random", &mut a.random);
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    super::guard::digits_guard("check", prec.digits, 1.0)?;
    let (start, cap) = bits_range(&prec);
    let seed = parse_u64("--seed", a.seed.as_deref(), DEFAULT_SEED)?;
    let random = parse_u64("--random", a.random.as_deref(), DEFAULT_RANDOM as u64)?;
    if random > 100 {
        return Err(Error::input(format!(
            "--random: at most 100 random cases, got {random}"
        )));
    }
    spec.fill("n", &mut a.n);
    let grid = limit_grid(a.n.as_deref(), prec.digits)?;
    let selected = select(&a.ids)?;
    let mut checked: Vec<Checked> = Vec::new();
    if let Some(name) = &a.false_claim {
        let Some(c) = registry::false_claim(name, start, cap) else {
            let names: Vec<&str> = FALSE_CLAIMS.iter().map(|(n, _)| *n).collect();
            return Err(Error::input(format!(
                "--false-claim: unknown name '{name}'; known: {}",
                names.join(", ")
            )));
        };
        checked.push(Checked {
            case: "A".into(),
            claim: c?,
        });
    }
    // with --false-claim only the ids given explicitly run; otherwise all ids by default
    let entries: Vec<(&'static Entry, Option<String>)> = if selected.is_empty() && a.false_claim.is_none() {
        REGISTRY.iter().map(|e| (e, None)).collect()
    } else {
        selected
    };
    let mut cases_run: Vec<(String, String)> = Vec::new();
    if !entries.is_empty() {
        // a claim-id filter must match something (else it is an unknown claim id)
        let mut matched = vec![false; entries.len()];
        let mut seen: Vec<Vec<String>> = vec![Vec::new(); entries.len()];
        let mut all_cases = builtin_cases(seed, random as usize);
        if let Some(g) = &grid {
            for c in all_cases.iter_mut().filter(|c| !c.grid.is_empty()) {
                c.grid = g.clone();
            }
        }
        // a bar on a terminal only
        let bar = super::progress::Progress::new("check", all_cases.len() as u64);
        for case in all_cases {
            bar.message(&format!("case {}", case.name));
            bar.inc();
            cases_run.push((case.name.clone(), case.describe()));
            let ctx = Context::new(case);
            for (i, (e, filter)) in entries.iter().enumerate() {
                for c in run_entry(e, &ctx, start, cap)? {
                    if !seen[i].contains(&c.id) {
                        seen[i].push(c.id.clone());
                    }
                    if filter
                        .as_ref()
                        .is_none_or(|f| c.id == *f || c.id.starts_with(&format!("{f}.")))
                    {
                        matched[i] = true;
                        checked.push(Checked {
                            case: ctx.case.name.clone(),
                            claim: c,
                        });
                    }
                }
            }
        }
        if let Some(i) = (0..entries.len()).find(|&i| !matched[i] && entries[i].1.is_some()) {
            return Err(Error::input(format!(
                "check: unknown claim id '{}'; the claims of {} are: {}",
                entries[i].1.as_deref().unwrap_or(""),
                entries[i].0.id,
                seen[i].join(", ")
            )));
        }
    }
    let count = |s: Status| checked.iter().filter(|c| c.claim.status == s).count();
    let (holds, violated, undecided) = (
        count(Status::Holds),
        count(Status::Violated),
        count(Status::Undecided),
    );
    let agrees = checked
        .iter()
        .filter(|c| matches!(c.claim.status, Status::Agrees { .. }))
        .count();
    // conjectures (claim ids with `.conjecture.`) are undecided by nature: they carry the
    // measured evidence and never ask for more precision (exit code 3)
    let conjectures = checked
        .iter()
        .filter(|c| c.claim.status == Status::Undecided && c.claim.id.contains(".conjecture."))
        .count();
    let mut text = String::new();
    for (name, desc) in &cases_run {
        text.push_str(&format!("case {name}: {desc}\n"));
    }
    if !cases_run.is_empty() {
        text.push('\n');
    }
    for c in &checked {
        text.push_str(&line(c));
    }
    // a certified violation of the REL-2 probe is a counterexample to a published conjecture
    for c in checked
        .iter()
        .filter(|c| crate::claims::methods::is_counterexample(&c.claim))
    {
        let model = cases_run
            .iter()
            .find(|(n, _)| *n == c.case)
            .map(|(_, d)| d.clone())
            .unwrap_or_default();
        text.push_str(&format!(
            "\n!!! COUNTEREXAMPLE to the conjecture of Beirami et al. (REL-2): {}\n!!! model {}: {model}\n",
            c.claim.statement, c.case
        ));
    }
    text.push_str(&format!(
        "\n{} claims: {holds} hold, {agrees} agree, {violated} violated, {} undecided{}\n",
        checked.len(),
        undecided - conjectures,
        if conjectures > 0 {
            format!(", {conjectures} conjectures (undecided by nature)")
        } else {
            String::new()
        }
    ));
    let exit_code = if violated > 0 {
        1
    } else if undecided > conjectures {
        3
    } else {
        0
    };
    let claims: Vec<Value> = checked
        .iter()
        .map(|c| {
            // `to_value` shows the sides and the margin as rigorous bounds (a margin that holds
            // encloses 0 and can never certify significant digits)
            let mut v = c.claim.to_value();
            if let Value::Object(items) = &mut v {
                items.push(("case".to_string(), Value::Str(c.case.clone())));
            }
            v
        })
        .collect();
    let mut input = json!({
        "ids": a.ids,
        "digits": prec.digits,
        "seed": seed,
        "random": random,
    });
    if let Some(g) = &grid {
        input["n"] = json!(g);
    }
    // the hidden --false-claim is echoed only when it is given
    if let Some(f) = &a.false_claim {
        input["false_claim"] = json!(f);
    }
    Ok((
        Output {
            command: "check",
            input,
            result: obj(vec![
                (
                    "cases",
                    Value::Array(
                        cases_run
                            .iter()
                            .map(|(n, d)| {
                                obj(vec![
                                    ("name", Value::Str(n.clone())),
                                    ("model", Value::Str(d.clone())),
                                ])
                            })
                            .collect(),
                    ),
                ),
                ("claims", Value::Array(claims)),
                ("holds", Value::Count(holds as u64)),
                ("agrees", Value::Count(agrees as u64)),
                ("violated", Value::Count(violated as u64)),
                ("undecided", Value::Count(undecided as u64)),
            ]),
            digits: prec.digits,
            exit_code,
            text: Some(text),
        },
        a.common.json,
    ))
}
