//! Drawing a [`Figure`] with `plotters` into an SVG string.
//!
//! Layout: a header with the title and the model line, then the panels stacked vertically, each
//! a chart with described axes (units in brackets), a light grid, its series, its notes and a
//! legend on a white background. Text is emitted as SVG `<text>` (no font is embedded), so the
//! browser's sans-serif font renders it. The output depends only on the figure: the same
//! figure gives the same bytes.

use super::{Figure, LegendAt, Panel, Style};
use crate::error::{Error, Result};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Render a figure as an SVG document.
pub fn svg(fig: &Figure) -> Result<String> {
    fig.check_axes()?;
    let mut buf = String::new();
    {
        let (w, h) = fig.size;
        let root = SVGBackend::with_string(&mut buf, (w * S as u32, h * S as u32)).into_drawing_area();
        let fail = |e: String| Error::Io(format!("drawing the {} plot failed: {e}", fig.kind.name()));
        draw(&root, fig).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    // Drawn at S times the size (plotters rounds coordinates to whole pixels), shown at the
    // figure's size: the viewBox keeps the drawing, the browser scales it down.
    let (w, h) = fig.size;
    let drawn = format!("width=\"{}\" height=\"{}\"", w * S as u32, h * S as u32);
    let shown = format!("width=\"{w}\" height=\"{h}\"");
    Ok(buf.replacen(&drawn, &shown, 1))
}

/// Supersampling factor: every length below is in pixels of the shown figure times `S`.
const S: i32 = 2;

/// A length of the shown figure in drawing pixels.
const fn px(v: i32) -> i32 {
    v * S
}

/// A length of the shown figure in drawing pixels (unsigned).
const fn upx(v: u32) -> u32 {
    v * S as u32
}

fn rgb(c: u32) -> RGBColor {
    RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

const FONT: &str = "sans-serif";

/// Tick label: up to 4 significant digits, no float noise, powers of ten kept short.
pub fn tick(v: f64) -> String {
    if v == 0.0 || v.abs() < 1e-12 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-3..5).contains(&mag) {
        let s = format!("{v:.3e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        return format!("{mant}e{exp}");
    }
    let decimals = (3 - mag).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let (header, body) = root.split_vertically(px(74));
    let centre = Pos::new(HPos::Center, VPos::Top);
    let title = TextStyle::from((FONT, px(22)).into_font()).pos(centre);
    header.draw_text(&fig.title, &title, (w as i32 / 2, px(12)))?;
    let sub = TextStyle::from((FONT, px(17)).into_font())
        .color(&RGBColor(60, 60, 60))
        .pos(centre);
    header.draw_text(&fig.subtitle, &sub, (w as i32 / 2, px(44)))?;
    let areas = body.split_evenly((fig.panels.len().max(1), 1));
    for (area, p) in areas.iter().zip(&fig.panels) {
        let (x0, x1) = p.x_range;
        let (y0, y1) = p.y_range;
        match (p.x_log, p.y_log) {
            (false, false) => panel(area, p, x0..x1, y0..y1)?,
            (true, false) => panel(area, p, (x0..x1).log_scale(), y0..y1)?,
            (false, true) => panel(area, p, x0..x1, (y0..y1).log_scale())?,
            (true, true) => panel(area, p, (x0..x1).log_scale(), (y0..y1).log_scale())?,
        }
    }
    Ok(())
}

fn panel<DB, X, Y>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
    xs: X,
    ys: Y,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(px(10))
        .margin_bottom(px(10))
        .margin_left(px(15))
        .margin_right(px(30))
        .x_label_area_size(px(58))
        .y_label_area_size(px(88));
    if !p.caption.is_empty() {
        builder.caption(&p.caption, (FONT, px(18)));
    }
    let mut chart = builder.build_cartesian_2d(xs, ys)?;
    let fmt = |v: &f64| tick(*v);
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .axis_desc_style((FONT, px(16)))
        .label_style((FONT, px(14)))
        .axis_style(RGBColor(0, 0, 0).stroke_width(upx(1)))
        // (10 on a log axis: then a range of one decade is also labelled at 2, 3, ... times it)
        .x_labels(10)
        .y_labels(if p.y_log { 10 } else { 8 })
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .bold_line_style(RGBColor(0, 0, 0).mix(0.12).stroke_width(upx(1)))
        .light_line_style(RGBColor(0, 0, 0).mix(0.05).stroke_width(upx(1)))
        .draw()?;

    // an empty series would be a legend entry without data: leave it out
    for s in p.series.iter().filter(|s| !s.points.is_empty()) {
        let c = rgb(s.color);
        let pts = s.points.clone();
        match s.style {
            Style::Curve => {
                let st = c.stroke_width(upx(3));
                chart
                    .draw_series(LineSeries::new(pts, st))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + px(24), y)], st));
            }
            Style::LinePoints => {
                let st = c.stroke_width(upx(2));
                let fill = c.filled();
                chart.draw_series(pts.iter().map(move |&q| Circle::new(q, upx(4), fill)))?;
                chart
                    .draw_series(LineSeries::new(pts, st))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| {
                        EmptyElement::at((x, y))
                            + PathElement::new(vec![(0, 0), (px(24), 0)], st)
                            + Circle::new((px(12), 0), upx(4), st.filled())
                    });
            }
            Style::Points => {
                let st = c.filled();
                chart
                    .draw_series(pts.into_iter().map(move |q| Circle::new(q, upx(4), st)))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| Circle::new((x + px(12), y), upx(4), st));
            }
            Style::Highlight => {
                let fill = c.filled();
                let ring = c.stroke_width(upx(2));
                chart
                    .draw_series(pts.into_iter().map(move |q| {
                        EmptyElement::at(q)
                            + Circle::new((0, 0), upx(6), fill)
                            + Circle::new((0, 0), upx(10), ring)
                    }))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| {
                        EmptyElement::at((x + px(12), y))
                            + Circle::new((0, 0), upx(4), fill)
                            + Circle::new((0, 0), upx(7), ring)
                    });
            }
            Style::Dashed | Style::Dotted => {
                let (dash, gap) = if s.style == Style::Dashed {
                    (px(10), px(6))
                } else {
                    (px(3), px(4))
                };
                let st = c.stroke_width(upx(2));
                chart
                    .draw_series(DashedLineSeries::new(pts, dash, gap, st))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| {
                        DashedPathElement::new(vec![(x, y), (x + px(24), y)], dash, gap, st)
                    });
            }
        }
    }
    for n in &p.notes {
        let pos = if n.align_right {
            Pos::new(HPos::Right, VPos::Bottom)
        } else {
            Pos::new(HPos::Left, VPos::Bottom)
        };
        let c = rgb(n.color);
        let style = TextStyle::from((FONT, px(14)).into_font()).color(&c).pos(pos);
        chart.draw_series(std::iter::once(Text::new(n.text.clone(), n.at, style)))?;
    }
    // The legend sits GAP pixels inside the plotting area (plotters' own corner positions keep
    // only 5 drawing pixels): its size is estimated exactly as plotters does.
    let (margin, swatch) = (px(10), px(34));
    let font: TextStyle = (FONT, px(14)).into_font().into();
    let mut lines = MultiLineText::<_, &str>::new((0, 0), &font);
    for s in p.series.iter().filter(|s| !s.points.is_empty()) {
        lines.push_line(s.label.as_str());
    }
    let (lw, lh) = lines.estimate_dimension().unwrap_or((0, 0));
    let (lw, lh) = (lw + swatch + 2 * margin, lh + 2 * margin);
    let (aw, ah) = chart.plotting_area().dim_in_pixel();
    let (aw, ah) = (aw as i32, ah as i32);
    const GAP: i32 = px(12);
    let pos = match p.legend {
        LegendAt::UpperLeft => (GAP, GAP),
        LegendAt::UpperRight => (aw - lw - GAP, GAP),
        LegendAt::LowerRight => (aw - lw - GAP, ah - lh - GAP),
        LegendAt::UpperMiddle => ((aw - lw) / 2, GAP),
    };
    let pos = SeriesLabelPosition::Coordinate(pos.0.max(0), pos.1.max(0));
    chart
        .configure_series_labels()
        .position(pos)
        .margin(upx(10))
        .legend_area_size(upx(34))
        .label_font(font.clone())
        .background_style(WHITE.mix(0.92))
        .border_style(RGBColor(0, 0, 0).mix(0.35).stroke_width(upx(1)))
        .draw()?;
    Ok(())
}
