//! The house rules of the source tree, checked on the text of `src/` (no compiler internals):
//! - no import cycle between files (`a.rs` uses `b.rs` and `b.rs` uses `a.rs`, or a longer
//!   loop);
//! - no upward import between the layers `error -> exact -> real -> math -> claims -> report ->
//!   plot -> cli` (a file may use its own layer and the layers to its left only), except the
//!   edges listed in [`KNOWN_UPWARD`], each with the reason it is still there.
//!
//! An import is a `use crate::...` / `use super::...` statement (with `{...}` groups expanded) or
//! a path `crate::a::b` / `super::x` written inline in code; comments and string literals are
//! ignored. A path is resolved to the deepest module file that exists (`crate::real::Enc` is
//! `src/real/mod.rs`, `crate::real::format::render` is `src/real/format.rs`). A `pub mod x;`
//! declaration is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first.
const LAYERS: &[&str] = &[
    "error", "exact", "real", "math", "results", "claims", "report", "plot", "cli",
];

/// Upward imports that exist today and are accepted for now, as `(from file, to file)`. None
/// remain: the result tree `Value` and `obj` live in `real/value.rs`, and the rows the claims check
/// (`compare` fields, `sweep` rows) in the `results` layer, both re-exported from `report`. The list
/// may only shrink: an edge listed here that no longer exists fails the test.
const KNOWN_UPWARD: &[(&str, &str)] = &[];

/// Import cycles that exist today and are accepted for now, each as its sorted set of files. None
/// remain: the chain dispatch (`--transition`) moved into `cli::mod`. The list may only shrink.
const KNOWN_CYCLES: &[&[&str]] = &[];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, as a path relative to `src/` with `/` separators.
fn files() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("read src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(&src_dir(), &src_dir(), &mut out);
    out.sort();
    out
}

/// The module path of a file: `real/format.rs` is `[real, format]`, `real/mod.rs` is `[real]`,
/// `lib.rs` and `main.rs` are `[]`.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(String::from).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Blank `b[from..to]` into `out` (newlines kept, so line structure survives).
fn blank(b: &[char], from: usize, to: usize, out: &mut String) {
    for &c in &b[from..to.min(b.len())] {
        out.push(if c == '\n' { '\n' } else { ' ' });
    }
}

/// The source with comments, string and char literals blanked out.
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let prev_ident = i > 0 && is_ident(b[i - 1]);
        if c == '/' && next == Some('/') {
            let end = (i..b.len()).find(|&k| b[k] == '\n').unwrap_or(b.len());
            blank(&b, i, end, &mut out);
            i = end;
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < b.len() {
                if b[j] == '/' && b.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == '*' && b.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&b, i, j, &mut out);
            i = j;
        } else if c == 'r' && !prev_ident && (next == Some('"') || next == Some('#')) {
            // a raw string r"..." or r#"..."#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            blank(&b, i, j, &mut out);
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != '"' {
                j += if b[j] == '\\' { 2 } else { 1 };
            }
            blank(&b, i, j + 1, &mut out);
            i = j + 1;
        } else if c == '\'' {
            // a char literal ('a', '\n', '\u{..}') or a lifetime ('a): blank only literals
            let close = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(k) => {
                    blank(&b, i, k + 1, &mut out);
                    i = k + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Expand a `use` tree (`a::{b, c::{d, e as f}}`) into full paths (renames dropped).
fn expand(tree: &str) -> Vec<String> {
    let words: Vec<&str> = tree.split_whitespace().collect();
    // `x as y` becomes `x`, then the remaining whitespace goes
    let mut t = String::new();
    let mut k = 0;
    while k < words.len() {
        if words[k] == "as" && k + 1 < words.len() {
            // drop the alias, keep any punctuation glued to it (`ct,` or `ct}`)
            let tail: String = words[k + 1].chars().skip_while(|&c| is_ident(c)).collect();
            t.push_str(&tail);
            k += 2;
        } else {
            t.push_str(words[k]);
            k += 1;
        }
    }
    expand_compact(&t)
}

fn expand_compact(t: &str) -> Vec<String> {
    let Some(open) = t.find('{') else {
        return vec![t.to_string()];
    };
    let prefix = &t[..open];
    let inner = &t[open + 1..t.rfind('}').expect("balanced use tree")];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (k, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let mut out = Vec::new();
    for p in parts.into_iter().filter(|p| !p.is_empty()) {
        for e in expand_compact(p) {
            out.push(if e == "self" {
                prefix.trim_end_matches("::").to_string()
            } else {
                format!("{prefix}{e}")
            });
        }
    }
    out
}

/// The paths a file imports: `use` trees and inline `crate::` / `super::` paths.
fn imported_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    let mut i = 0;
    while let Some(k) = code[i..].find("use ") {
        let at = i + k;
        if at == 0 || !is_ident(b[at - 1] as char) {
            let end = code[at..].find(';').map(|e| at + e).unwrap_or(code.len());
            let tree = code[at + 4..end].trim();
            if ["crate::", "super::", "self::"]
                .iter()
                .any(|h| tree.starts_with(h))
            {
                out.extend(expand(tree));
            }
            i = end.max(at + 4);
        } else {
            i = at + 4;
        }
    }
    for head in ["crate::", "super::"] {
        let mut i = 0;
        while let Some(k) = code[i..].find(head) {
            let at = i + k;
            if at == 0 || !(is_ident(b[at - 1] as char) || b[at - 1] == b':') {
                let end = code[at..]
                    .find(|c: char| !(is_ident(c) || c == ':'))
                    .map(|e| at + e)
                    .unwrap_or(code.len());
                out.push(code[at..end].trim_end_matches(':').to_string());
            }
            i = at + head.len();
        }
    }
    out
}

/// The file a path used from module `from` lands in: the deepest existing module on it.
fn resolve(path: &str, from: &[String], modules: &BTreeMap<Vec<String>, String>) -> Option<String> {
    let segs: Vec<&str> = path.split("::").collect();
    let mut cur: Vec<String> = Vec::new();
    let mut rest = &segs[..];
    match segs.first().copied() {
        Some("crate") => rest = &segs[1..],
        Some("super") | Some("self") => {
            cur = from.to_vec();
            while let Some(&s) = rest.first() {
                match s {
                    "super" => {
                        cur.pop()?;
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    for s in rest {
        let mut next = cur.clone();
        next.push(s.to_string());
        if modules.contains_key(&next) {
            cur = next;
        } else {
            break;
        }
    }
    modules.get(&cur).cloned()
}

/// The file-level import graph of `src/`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let fs = files();
    let modules: BTreeMap<Vec<String>, String> = fs
        .iter()
        .filter(|f| f.as_str() != "main.rs")
        .map(|f| (module_of(f), f.clone()))
        .collect();
    let mut g = BTreeMap::new();
    for f in &fs {
        let code = strip(&std::fs::read_to_string(src_dir().join(f)).expect("read"));
        let me = module_of(f);
        let mut to = BTreeSet::new();
        for p in imported_paths(&code) {
            if let Some(t) = resolve(&p, &me, &modules) {
                if t != *f {
                    to.insert(t);
                }
            }
        }
        g.insert(f.clone(), to);
    }
    g
}

fn layer(file: &str) -> Option<usize> {
    let top = file.split('/').next()?.trim_end_matches(".rs");
    LAYERS.iter().position(|l| *l == top)
}

/// The strongly connected components with more than one file (Tarjan).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        let g = t.g;
        for w in g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let m = t.low[v].min(t.low[w]);
                t.low.insert(v, m);
            } else if t.on.contains(w) {
                let m = t.low[v].min(t.index[w]);
                t.low.insert(v, m);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_import_cycles_between_files() {
    let known: Vec<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|f| f.to_string()).collect())
        .collect();
    let c: Vec<Vec<String>> = cycles(&graph())
        .into_iter()
        .map(|mut c| {
            c.sort();
            c
        })
        .filter(|c| !known.contains(c))
        .collect();
    assert!(
        c.is_empty(),
        "files that import each other (directly or in a loop): {c:?}"
    );
}

#[test]
fn no_upward_imports_between_layers() {
    let g = graph();
    let mut upward = BTreeSet::new();
    for (from, tos) in &g {
        let Some(lf) = layer(from) else { continue };
        for to in tos {
            if layer(to).is_some_and(|lt| lt > lf) {
                upward.insert((from.clone(), to.clone()));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_UPWARD
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = upward.difference(&known).collect();
    assert!(
        new.is_empty(),
        "upward imports (a lower layer using a higher one): {new:?}"
    );
    let gone: Vec<_> = known.difference(&upward).collect();
    assert!(
        gone.is_empty(),
        "KNOWN_UPWARD lists edges that no longer exist; remove them: {gone:?}"
    );
}

/// The checker itself: it sees `use` trees (with renames), inline paths and `super::`, and not
/// comments or strings; it finds the registry's imports and a planted cycle.
#[test]
fn the_checker_finds_imports_and_ignores_comments() {
    let code = strip(
        "use super::{a, b::{c, self}, d as e};\nuse super::f as g;\n// use crate::zzz;\n/* crate::www */\nlet s = \"crate::yyy\";\nlet x = crate::real::format::render(1);\nuse crate::error::Result;",
    );
    let p = imported_paths(&code);
    for want in [
        "super::a",
        "super::b::c",
        "super::b",
        "super::d",
        "super::f",
        "crate::real::format::render",
        "crate::error::Result",
    ] {
        assert!(p.contains(&want.to_string()), "{want} not in {p:?}");
    }
    assert!(
        !p.iter()
            .any(|x| ["zzz", "yyy", "www"].iter().any(|w| x.contains(w))),
        "{p:?}"
    );
    let g = graph();
    for fam in [
        "tilt",
        "sequences",
        "best_of_n",
        "large_deviations",
        "asymptotics",
    ] {
        assert!(
            g["claims/registry.rs"].contains(&format!("claims/{fam}.rs")),
            "registry -> {fam}: {:?}",
            g["claims/registry.rs"]
        );
    }
    assert!(g["exact/dist.rs"].contains("error.rs"));
    // a planted cycle is found
    let mut planted = g.clone();
    planted
        .get_mut("claims/tilt.rs")
        .unwrap()
        .insert("claims/registry.rs".into());
    assert!(cycles(&planted)
        .iter()
        .any(|c| c.contains(&"claims/tilt.rs".to_string())));
}
