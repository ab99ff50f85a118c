//! `alignexact plot` and `demo --plots`: the SVG is well formed (checked by a small hand-written
//! XML tokenizer, no new dependency), it holds the expected series and labels, its structure (element
//! counts and texts, not pixels) is pinned by an insta snapshot, the best-of-N points never lie
//! above the frontier x*(Delta) (TILT-1: the frontier is the maximum), and bad input exits with
//! code 2 and one line.

mod common;

use alignexact::exact::dist::{Distribution, Model};
use alignexact::plot::{self, Kind, Style};
use alignexact::real::ziv::Precision;
use common::{assert_usage_error, run_cli, settings};
use rug::Rational;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One element of an SVG document: its name, attributes, and (for `<text>`) its character data.
#[derive(Debug)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Elem {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

/// Decode the five predefined entities and numeric references; anything else is an error.
fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .find(';')
            .ok_or_else(|| format!("unterminated entity in {s:?}"))?;
        let ent = &tail[1..end];
        let ch = match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| format!("bad reference &{ent};"))?,
            _ if ent.starts_with('#') => ent[1..]
                .parse::<u32>()
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| format!("bad reference &{ent};"))?,
            _ => return Err(format!("unknown entity &{ent};")),
        };
        out.push(ch);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A minimal XML well-formedness check: an optional prolog and comments, one root element,
/// every start tag closed by the matching end tag (or self-closed), attribute names well formed
/// and unique, values quoted, entities known, no stray text outside the root. Returns the
/// elements in document order.
fn parse_xml(doc: &str) -> Result<Vec<Elem>, String> {
    let b: Vec<char> = doc.chars().collect();
    let mut i = 0;
    let mut stack: Vec<usize> = Vec::new(); // indices into `elems`
    let mut elems: Vec<Elem> = Vec::new();
    let mut roots = 0;
    let starts = |i: usize, pat: &str| -> bool {
        let p: Vec<char> = pat.chars().collect();
        b.len() >= i + p.len() && b[i..i + p.len()] == p[..]
    };
    while i < b.len() {
        if b[i] != '<' {
            // character data up to the next tag
            let j = (i..b.len()).find(|&k| b[k] == '<').unwrap_or(b.len());
            let raw: String = b[i..j].iter().collect();
            if raw.contains('>') {
                return Err(format!("stray '>' in text {raw:?}"));
            }
            let text = unescape(&raw)?;
            match stack.last() {
                Some(&top) => elems[top].text.push_str(&text),
                None if text.trim().is_empty() => {}
                None => return Err(format!("text outside the root element: {text:?}")),
            }
            i = j;
            continue;
        }
        if starts(i, "<?") {
            if !elems.is_empty() {
                return Err("processing instruction after the root".into());
            }
            let end = (i..b.len()).find(|&k| starts(k, "?>")).ok_or("unterminated <?")?;
            i = end + 2;
            continue;
        }
        if starts(i, "<!--") {
            let end = (i + 4..b.len())
                .find(|&k| starts(k, "-->"))
                .ok_or("unterminated comment")?;
            i = end + 3;
            continue;
        }
        if starts(i, "</") {
            let mut j = i + 2;
            while j < b.len() && is_name_char(b[j]) {
                j += 1;
            }
            let name: String = b[i + 2..j].iter().collect();
            while j < b.len() && b[j].is_whitespace() {
                j += 1;
            }
            if j >= b.len() || b[j] != '>' {
                return Err(format!("malformed end tag </{name}"));
            }
            let top = stack
                .pop()
                .ok_or_else(|| format!("end tag </{name}> without a start tag"))?;
            if elems[top].name != name {
                return Err(format!("</{name}> closes <{}>", elems[top].name));
            }
            i = j + 1;
            continue;
        }
        // a start tag
        let mut j = i + 1;
        if j >= b.len() || !is_name_start(b[j]) {
            return Err(format!("bad tag name at offset {i}"));
        }
        while j < b.len() && is_name_char(b[j]) {
            j += 1;
        }
        let name: String = b[i + 1..j].iter().collect();
        let mut attrs: Vec<(String, String)> = Vec::new();
        let self_closing;
        loop {
            let ws = j;
            while j < b.len() && b[j].is_whitespace() {
                j += 1;
            }
            if j >= b.len() {
                return Err(format!("unterminated <{name}"));
            }
            if b[j] == '>' {
                self_closing = false;
                j += 1;
                break;
            }
            if starts(j, "/>") {
                self_closing = true;
                j += 2;
                break;
            }
            if j == ws {
                return Err(format!("attributes of <{name}> not separated by white space"));
            }
            let a0 = j;
            if !is_name_start(b[j]) {
                return Err(format!("bad attribute name in <{name}>"));
            }
            while j < b.len() && is_name_char(b[j]) {
                j += 1;
            }
            let key: String = b[a0..j].iter().collect();
            if j >= b.len() || b[j] != '=' {
                return Err(format!("attribute {key} of <{name}> has no '='"));
            }
            j += 1;
            let q = *b.get(j).ok_or("unterminated attribute")?;
            if q != '"' && q != '\'' {
                return Err(format!("attribute {key} of <{name}> is not quoted"));
            }
            let v0 = j + 1;
            let v1 = (v0..b.len())
                .find(|&k| b[k] == q)
                .ok_or("unterminated attribute value")?;
            let raw: String = b[v0..v1].iter().collect();
            if raw.contains('<') {
                return Err(format!("'<' in attribute {key} of <{name}>"));
            }
            if attrs.iter().any(|(k, _)| *k == key) {
                return Err(format!("duplicate attribute {key} in <{name}>"));
            }
            attrs.push((key, unescape(&raw)?));
            j = v1 + 1;
        }
        if stack.is_empty() {
            roots += 1;
            if roots > 1 {
                return Err(format!("a second root element <{name}>"));
            }
        }
        elems.push(Elem {
            name,
            attrs,
            text: String::new(),
        });
        if !self_closing {
            stack.push(elems.len() - 1);
        }
        i = j;
    }
    if let Some(&top) = stack.last() {
        return Err(format!("<{}> is never closed", elems[top].name));
    }
    if roots != 1 {
        return Err("no root element".into());
    }
    Ok(elems)
}

#[test]
fn xml_checker_rejects_malformed_documents() {
    assert!(parse_xml("<svg><text>a &amp; b</text></svg>").is_ok());
    assert!(parse_xml("<?xml version=\"1.0\"?>\n<svg a=\"1\" b='2'/>").is_ok());
    for bad in [
        "<svg><text></svg>",
        "<svg></text>",
        "<svg>",
        "<svg a=1/>",
        "<svg a=\"1\" a=\"2\"/>",
        "<svg/><svg/>",
        "<svg>&nbsp;</svg>",
        "text<svg/>",
        "<svg><g></svg></g>",
    ] {
        assert!(parse_xml(bad).is_err(), "accepted {bad:?}");
    }
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("plot-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a test directory");
    dir
}

/// Run `plot` with `args` writing `file` in a fresh directory; return the SVG text.
fn plot_svg(test: &str, args: &[&str]) -> String {
    let out = tmp(test).join("plot.svg");
    let out_s = out.to_str().expect("UTF-8 path").to_string();
    let mut argv: Vec<&str> = vec!["plot"];
    argv.extend_from_slice(args);
    argv.extend_from_slice(&["--out", &out_s]);
    let (code, stdout, stderr) = run_cli(&argv);
    assert_eq!(code, 0, "{argv:?}: {stderr}");
    assert!(stdout.starts_with("wrote "), "{stdout}");
    std::fs::read_to_string(&out).expect("the SVG was written")
}

fn count(elems: &[Elem], name: &str) -> usize {
    elems.iter().filter(|e| e.name == name).count()
}

fn texts(elems: &[Elem]) -> Vec<String> {
    elems
        .iter()
        .filter(|e| e.name == "text")
        .map(|e| e.text.trim().to_string())
        .collect()
}

/// Element counts by name and every text, in document order: the structure, not the pixels.
fn structure(svg: &str) -> String {
    let elems = parse_xml(svg).expect("well-formed SVG");
    let root = &elems[0];
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &elems {
        *counts.entry(e.name.as_str()).or_default() += 1;
    }
    let mut s = format!(
        "root <{}> width={} height={} viewBox={}\n",
        root.name,
        root.attr("width").unwrap_or("-"),
        root.attr("height").unwrap_or("-"),
        root.attr("viewBox").unwrap_or("-")
    );
    s.push_str("elements:\n");
    for (k, v) in &counts {
        s.push_str(&format!("  {k:<9}{v}\n"));
    }
    s.push_str("texts:\n");
    for t in texts(&elems) {
        s.push_str(&format!("  {t}\n"));
    }
    s
}

#[test]
fn frontier_svg_is_well_formed_with_one_series_per_n() {
    let svg = plot_svg("frontier", &["frontier", "--n", "1,4,16", "--digits", "8"]);
    let elems = parse_xml(&svg).expect("well-formed SVG");
    assert_eq!(elems[0].name, "svg");
    assert_eq!(elems[0].attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    let t = texts(&elems);
    let has = |needle: &str| t.iter().filter(|x| x.contains(needle)).count();
    // the title names p, r and Delta; the axes carry units
    assert_eq!(has("p = (1/2, 3/10, 1/5),  r = (0, 1, 3),  Δ = 3/10"), 1, "{t:?}");
    assert_eq!(has("[nats]"), 1, "{t:?}");
    assert_eq!(has("[reward units]"), 1, "{t:?}");
    // legend: the frontier, one entry per n, the optimum at Delta
    assert_eq!(has("x*(Δ): the KL-constrained optimum"), 1);
    for n in ["n = 1 ", "n = 4 ", "n = 16 "] {
        assert_eq!(has(&format!("best-of-N, {n}")), 1, "legend entry {n}: {t:?}");
    }
    assert_eq!(has("n = 64"), 0);
    assert_eq!(has("Δ = 3/10: x* = 1.85639"), 1);
    // polylines: the frontier + 3 best-of-N lines + their 4 legend swatches at least
    assert!(count(&elems, "polyline") >= 8, "{}", count(&elems, "polyline"));
    // every best-of-N point is a marker (N = 1, 2, 4, ... gives at least 11 points per n)
    assert!(count(&elems, "circle") >= 33, "{}", count(&elems, "circle"));
    // no series is empty: each non-legend polyline has at least two points
    for e in elems.iter().filter(|e| e.name == "polyline") {
        let pts = e.attr("points").unwrap_or("").split_whitespace().count();
        assert!(pts >= 2, "a polyline with {pts} points");
    }
}

#[test]
fn convergence_svg_has_two_panels_and_both_predictions() {
    let svg = plot_svg(
        "convergence",
        &["convergence", "--n", "10,20,40,80", "--digits", "8"],
    );
    let elems = parse_xml(&svg).expect("well-formed SVG");
    let t = texts(&elems);
    let has = |needle: &str| t.iter().filter(|x| x.contains(needle)).count();
    assert_eq!(has("(ASY-1, ASY-4)"), 1, "panel 1 caption: {t:?}");
    assert_eq!(has("(ASY-3, ASY-5)"), 1, "panel 2 caption: {t:?}");
    assert_eq!(has("ASY-4 prediction ln n / (2 λ n), λ = 0.603414"), 1);
    assert_eq!(has("slope 1/2 through the last point"), 1);
    assert_eq!(has("x* − (1/n) E S_n: best-of-N"), 1);
    assert_eq!(has("D(π_N ‖ φ^n): best-of-N"), 1);
    assert_eq!(has("log scale"), 2, "both axes of panel 1 are logarithmic: {t:?}");
    assert_eq!(has("[nats]"), 1);
    // 4 certified points per panel, plus the two legend markers
    assert_eq!(count(&elems, "circle"), 4 + 4 + 2);
}

#[test]
fn rates_svg_marks_the_optimum_and_the_mean() {
    let svg = plot_svg(
        "rates",
        &["rates", "--p", "7/10,3/10", "--r", "0,1", "--delta", "1/5"],
    );
    let elems = parse_xml(&svg).expect("well-formed SVG");
    let t = texts(&elems);
    let has = |needle: &str| t.iter().filter(|x| x.contains(needle)).count();
    assert_eq!(has("p = (7/10, 3/10),  r = (0, 1),  Δ = 1/5"), 1);
    assert_eq!(has("I_0(x): rate"), 1);
    assert_eq!(has("I_Δ(x): rate"), 1);
    // x* of Example B (MATH.md §8) and E_p r = 3/10
    assert_eq!(has("x* = 0.606287"), 1, "{t:?}");
    assert_eq!(has("E_p r = 0.3"), 1, "{t:?}");
    assert_eq!(
        t.iter().filter(|x| x.as_str() == "x*").count(),
        1,
        "tag on the x* line"
    );
    assert_eq!(
        t.iter().filter(|x| x.as_str() == "E_p r").count(),
        1,
        "tag on the mean line"
    );
    assert_eq!(has("[nats per token]"), 1);
}

#[test]
fn frontier_structure_snapshot_is_deterministic() {
    let args = ["frontier", "--n", "1,2", "--digits", "6"];
    let a = plot_svg("snapshot-a", &args);
    let b = plot_svg("snapshot-b", &args);
    assert_eq!(a, b, "the same plot twice must give the same bytes");
    settings().bind(|| insta::assert_snapshot!("plot_frontier_example_a_n1_n2", structure(&a)));
}

/// Example A as a library value.
fn example_a() -> (Model, Rational) {
    let p = Distribution::new(vec![(1, 2).into(), (3, 10).into(), (1, 5).into()], false, "--p").unwrap();
    (
        Model::new(p, vec![0.into(), 1.into(), 3.into()]).unwrap(),
        Rational::from((3, 10)),
    )
}

/// TILT-1: x*(Delta) is the largest reward within the KL budget, also per token for sequences
/// (SEQ-1), so no best-of-N point may lie above the frontier; n = 1 with two reward levels is
/// exactly a tilt (BON-6) and lies on it.
#[test]
fn best_of_n_points_never_lie_above_the_frontier() {
    let (m, d) = example_a();
    let prec = Precision::digits(8);
    let fig = plot::frontier(&m, &d, &[1, 3, 8], &prec).expect("frontier");
    assert_eq!(fig.kind, Kind::Frontier);
    let panel = &fig.panels[0];
    let curve = &panel.series[0];
    assert_eq!(curve.style, Style::Curve);
    // the curve is increasing in both coordinates (K and mu increase with l)
    for w in curve.points.windows(2) {
        assert!(w[0].0 <= w[1].0 && w[0].1 <= w[1].1, "{w:?}");
    }
    let frontier_at = |k: f64| -> f64 {
        let i = curve
            .points
            .partition_point(|p| p.0 < k)
            .min(curve.points.len() - 1);
        // the chord through the next point lies below the concave curve: take the next point's
        // value, an upper bound of x*(k) (x* is increasing)
        curve.points[i].1
    };
    let bon: Vec<_> = panel
        .series
        .iter()
        .filter(|s| s.style == Style::LinePoints)
        .collect();
    assert_eq!(bon.len(), 3);
    for s in bon {
        assert!(s.points.len() >= 11, "{}: {} points", s.label, s.points.len());
        assert_eq!(s.points[0], (0.0, 0.9), "N = 1 is the reference");
        for &(k, e) in &s.points {
            assert!(k.is_finite() && e.is_finite());
            assert!(
                e <= frontier_at(k) + 1e-12,
                "{}: ({k}, {e}) above the frontier",
                s.label
            );
        }
    }
}

#[test]
fn demo_plots_writes_three_well_formed_files_and_keeps_the_text() {
    let dir = tmp("demo").join("out");
    let dir_s = dir.to_str().expect("UTF-8 path").to_string();
    let t0 = std::time::Instant::now();
    let (code, with, err) = run_cli(&["demo", "--plots", &dir_s]);
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(code, 0, "{err}");
    assert!(secs < 30.0, "demo --plots took {secs:.1} s");
    let (code, plain, _) = run_cli(&["demo"]);
    assert_eq!(code, 0);
    assert!(
        with.starts_with(&plain),
        "the demo text must be unchanged before the plots section"
    );
    let extra = &with[plain.len()..];
    for kind in Kind::ALL {
        let path = dir.join(format!("{}.svg", kind.name()));
        assert!(extra.contains(path.to_str().unwrap()), "{extra}");
        let svg = std::fs::read_to_string(&path).expect("plot written");
        let elems = parse_xml(&svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(count(&elems, "polyline") >= 4, "{}", path.display());
        assert!(
            texts(&elems).iter().any(|t| t.contains("Δ = 3/10")),
            "{}: the title names Delta",
            path.display()
        );
    }
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tmp("bad");
    let good = dir.join("x.svg");
    let good = good.to_str().unwrap();
    assert_usage_error(
        &["plot", "histogram", "--out", good],
        &["unknown plot KIND 'histogram'", "frontier"],
    );
    assert_usage_error(&["plot", "--out", good], &["plot needs a KIND"]);
    assert_usage_error(&["plot", "frontier"], &["--out is required"]);
    assert_usage_error(
        &["plot", "rates", "--out", "/nonexistent-dir-alignexact/x.svg"],
        &["--out", "does not exist"],
    );
    // a path under a regular file
    let file = dir.join("file.txt");
    std::fs::write(&file, "not a directory").unwrap();
    let under = format!("{}/x.svg", file.display());
    assert_usage_error(
        &["plot", "rates", "--out", &under],
        &["--out", "is not a directory"],
    );
    assert_usage_error(
        &["plot", "rates", "--out", dir.to_str().unwrap()],
        &["--out", "is a directory"],
    );
    assert_usage_error(&["plot", "rates", "--out", "x.png"], &["--out", ".svg"]);
    assert_usage_error(
        &["plot", "frontier", "--p", "1/2,1/2", "--r", "0,1", "--out", good],
        &["--delta"],
    );
    assert_usage_error(&["plot", "rates", "--delta", "-1", "--out", good], &["--delta"]);
    assert_usage_error(
        &["plot", "convergence", "--delta", "2", "--out", good],
        &["Delta_max"],
    );
    assert_usage_error(
        &[
            "plot", "rates", "--p", "1/2,1/2", "--r", "1,1", "--delta", "1/10", "--out", good,
        ],
        &["constant"],
    );
    assert_usage_error(
        &["plot", "convergence", "--n", "10", "--out", good],
        &["two sequence lengths"],
    );
    assert_usage_error(
        &["demo", "--plots", file.to_str().unwrap()],
        &["--plots", "not a directory"],
    );
    assert!(!good_exists(good), "no file is written on bad input");
}

fn good_exists(p: &str) -> bool {
    std::path::Path::new(p).exists()
}

/// REL-5, REL-6, REL-7, TILT-1, BON-1: `plot frontier --methods all` writes an SVG holding every
/// method's series, and the points it reports are those of the certified `frontier` result.
#[test]
fn rel_methods_frontier_svg_has_every_series() {
    let out = tmp("methods").join("methods.svg");
    let path = out.to_str().unwrap();
    let (code, stdout, err) = run_cli(&["plot", "frontier", "--methods", "all", "--out", path, "--json"]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "not an SVG");
    for label in [
        "KL-constrained optimum",
        "win-rate-optimal tilt",
        "best-of-N",
        "soft best-of-N",
        "best-of-Poisson",
    ] {
        assert!(svg.contains(label), "SVG lacks the series '{label}'");
    }
    // the point counts equal the frontier command's rows (default grids), in both panels
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let (c2, fr, e2) = run_cli(&[
        "frontier",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--soft-N",
        "2,4",
        "--json",
    ]);
    assert_eq!(c2, 0, "{e2}");
    let fr: serde_json::Value = serde_json::from_str(&fr).unwrap();
    let rows = |k: &str| fr["result"][k].as_array().unwrap().len() as u64;
    let series = doc["result"]["series"].as_array().unwrap();
    assert_eq!(series.len(), 10);
    for (s, key) in series.iter().zip(
        [
            "optimum",
            "win_rate_optimal",
            "best_of_n",
            "soft_best_of_n",
            "best_of_poisson",
        ]
        .iter()
        .cycle(),
    ) {
        assert_eq!(s["points"].as_u64().unwrap(), rows(key), "{key}");
    }
    let _ = std::fs::remove_file(&out);
}

#[test]
fn methods_flag_rejects_bad_values() {
    let out = tmp("methods-bad").join("plot.svg");
    let path = out.to_str().unwrap();
    assert_usage_error(
        &["plot", "frontier", "--methods", "bogus", "--out", path],
        &["--methods"],
    );
    assert_usage_error(
        &["plot", "rates", "--methods", "all", "--out", path],
        &["--methods"],
    );
    // a constant reward would be a zero-width axis: refused
    assert_usage_error(
        &[
            "plot",
            "frontier",
            "--methods",
            "all",
            "--p",
            "1/2,1/2",
            "--r",
            "1,1",
            "--out",
            path,
        ],
        &["constant"],
    );
    assert!(!out.exists());
}
