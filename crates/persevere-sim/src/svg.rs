//! Hand-written SVG line charts: enough for the simulation's plots, no plotting dependency.

use std::fmt::Write;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;

/// One named line of points `(x, y)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend's label.
    pub name: String,
    /// The line's colour (an SVG colour such as `#1f77b4`).
    pub color: &'static str,
    /// The points, in x order.
    pub points: Vec<(f64, f64)>,
}

/// A line chart with axes from zero, "nice" ticks, and a legend on the right.
///
/// ```
/// use persevere_sim::svg::{line_chart, Series};
///
/// let s = Series { name: "a".into(), color: "red", points: vec![(0.0, 1.0), (10.0, 3.0)] };
/// let svg = line_chart("t", "x", "y", &[s]);
/// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
/// assert_eq!(svg.matches("<polyline").count(), 1);
/// ```
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let points = series.iter().flat_map(|s| s.points.iter());
    let (x_max, y_max) = points.fold((0.0f64, 0.0f64), |(x, y), &(px, py)| (x.max(px), y.max(py)));
    let x_step = nice_step(x_max);
    let y_step = nice_step(y_max);
    let x_top = (x_max / x_step).ceil().max(1.0) * x_step;
    let y_top = (y_max / y_step).ceil().max(1.0) * y_step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let sx = |x: f64| LEFT + x / x_top * plot_w;
    let sy = |y: f64| TOP + plot_h - y / y_top * plot_h;

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{}" y="24" text-anchor="middle" font-size="15">{}</text>"#,
        LEFT + plot_w / 2.0,
        escape(title)
    );
    for i in 0..=((y_top / y_step).round() as usize) {
        let y = i as f64 * y_step;
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}" stroke="#e0e0e0"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            sy(y) + 4.0,
            label(y),
            py = sy(y),
        );
    }
    for i in 0..=((x_top / x_step).round() as usize) {
        let x = i as f64 * x_step;
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            sx(x),
            TOP + plot_h + 18.0,
            label(x)
        );
    }
    let _ = writeln!(
        out,
        r##"<path d="M{LEFT},{TOP}V{}H{}" fill="none" stroke="#333"/>"##,
        TOP + plot_h,
        LEFT + plot_w
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 16.0,
        escape(x_label)
    );
    let _ = writeln!(
        out,
        r#"<text transform="translate(20 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
        TOP + plot_h / 2.0,
        escape(y_label)
    );
    for (i, s) in series.iter().enumerate() {
        let color = s.color;
        let coords: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        let _ = writeln!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            coords.join(" ")
        );
        let ly = TOP + 10.0 + 20.0 * i as f64;
        let lx = WIDTH - RIGHT + 15.0;
        let _ = writeln!(
            out,
            r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="3"/><text x="{}" y="{}">{}</text>"#,
            lx + 22.0,
            lx + 28.0,
            ly + 4.0,
            escape(&s.name)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A tick step of 1, 2 or 5 times a power of ten giving about five ticks up to `max`.
pub fn nice_step(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude)
}

fn label(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five() {
        assert_eq!(nice_step(190.0), 50.0);
        assert_eq!(nice_step(10.0), 2.0);
        assert_eq!(nice_step(4_600.0), 1_000.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn one_polyline_and_legend_entry_per_series() {
        let series: Vec<Series> = (0..3)
            .map(|i| Series {
                name: format!("s<{i}>"),
                color: "black",
                points: vec![(10.0, i as f64), (20.0, 2.0 * i as f64)],
            })
            .collect();
        let svg = line_chart("calls", "clients", "calls", &series);
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert!(svg.contains("s&lt;2&gt;"));
        assert!(!svg.contains("s<2>"));
    }
}
