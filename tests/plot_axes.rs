//! `plot` on extreme rewards (issue 14 item 1): plotters loops forever or exhausts memory on an
//! axis range that is not a finite float64 of non-zero width. Every such input is refused up
//! front with exit code 2 and one line; nothing hangs. Each run is bounded by a timeout here,
//! so a regression fails instead of hanging the suite.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run the binary, killing it after `limit`; return (exit code, stderr) or None on timeout.
fn run_bounded(args: &[&str], limit: Duration) -> Option<(i32, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alignexact"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return Some((status.code().unwrap_or(-1), err));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn extreme_rewards_are_refused_not_hung() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("axes-{}.svg", std::process::id()));
    let out = out.to_str().unwrap();
    for r in [
        "0,1e400",
        "-1e308,1e308",
        "0,1e-330",
        "1e20,100000000000000000001",
    ] {
        for kind in ["rates", "frontier", "convergence"] {
            let mut args = vec![
                "plot", kind, "--p", "1/2,1/2", "--r", r, "--delta", "1/10", "--out", out,
            ];
            if kind == "convergence" {
                args.extend(["--n", "10,20"]);
            }
            let (code, err) = run_bounded(&args, Duration::from_secs(30))
                .unwrap_or_else(|| panic!("plot {kind} --r {r} did not return within 30 s"));
            assert_eq!(code, 2, "plot {kind} --r {r}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains("--r") && err.contains("rescale"), "{err}");
        }
    }
    assert!(
        !std::path::Path::new(out).exists(),
        "nothing is written on a refusal"
    );
}

#[test]
fn figure_with_a_degenerate_axis_is_refused_before_drawing() {
    use alignexact::plot::{render, Figure, Kind, LegendAt, Panel};
    let panel = |x: (f64, f64), y: (f64, f64), log: bool| Panel {
        caption: "c".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        x_log: log,
        y_log: false,
        x_range: x,
        y_range: y,
        series: vec![],
        notes: vec![],
        legend: LegendAt::UpperLeft,
    };
    let fig = |p: Panel| Figure {
        kind: Kind::Rates,
        title: "t".into(),
        subtitle: "s".into(),
        size: (400, 300),
        panels: vec![p],
    };
    for (x, y, log) in [
        ((0.0, f64::INFINITY), (0.0, 1.0), false),
        ((-1e308, 1e308), (0.0, 1.0), false), // width overflows
        ((0.0, 0.0), (0.0, 1.0), false),
        ((1e20, 1e20 + 1.0), (0.0, 1.0), false),
        ((0.0, 1.0), (0.0, 1.0), true), // log axis through 0
        ((1.0, 2.0), (f64::NAN, 1.0), false),
    ] {
        let start = Instant::now();
        let e = render::svg(&fig(panel(x, y, log))).expect_err("a degenerate axis must be refused");
        assert_eq!(e.exit_code(), 2, "{e}");
        assert!(start.elapsed() < Duration::from_secs(1));
    }
    assert!(render::svg(&fig(panel((0.0, 1.0), (0.0, 1.0), false))).is_ok());
}

use std::path::PathBuf;
