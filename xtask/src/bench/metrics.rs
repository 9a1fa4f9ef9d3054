//! The bench's figures: [`Metric`] (samples, their unit and the goal from issues 9 and 16),
//! the statistics and the printed table, and which figure each measurement's JSON becomes.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::size;
use crate::util::{Error, project_root};

/// How a figure is shown.
#[derive(Clone, Copy)]
pub(super) enum Unit {
    Ms,
    Bytes,
    Score,
    Cls,
    MibPerSec,
    Percent,
    PerSec,
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Unit::Ms => format!("{v:.0} ms"),
            Unit::Bytes => format!("{v:.0} B"),
            Unit::Score => format!("{v:.0}"),
            Unit::Cls => format!("{v:.3}"),
            Unit::MibPerSec => format!("{v:.0} MiB/s"),
            Unit::Percent => format!("{v:.0} %"),
            Unit::PerSec => format!("{v:.0} /s"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Bytes => "bytes",
            Unit::Score => "score",
            Unit::Cls => "cls",
            Unit::MibPerSec => "MiB/s",
            Unit::Percent => "percent",
            Unit::PerSec => "per second",
        }
    }
}

/// A goal from issue 9, on the median or (for latencies that must not spike) the p95.
#[derive(Clone, Copy)]
pub(super) enum Goal {
    AtMost(f64),
    AtLeast(f64),
    P95AtMost(f64),
}

/// One measured figure and its samples.
pub(super) struct Metric {
    name: String,
    unit: Unit,
    samples: Vec<f64>,
    goal: Option<Goal>,
}

impl Metric {
    pub(super) fn new(
        name: impl Into<String>,
        unit: Unit,
        samples: Vec<f64>,
        goal: Option<Goal>,
    ) -> Self {
        Metric {
            name: name.into(),
            unit,
            samples,
            goal,
        }
    }

    fn sorted(&self) -> Vec<f64> {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        s
    }

    fn median(&self) -> f64 {
        let s = self.sorted();
        match s.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => s[n / 2],
            n => f64::midpoint(s[n / 2 - 1], s[n / 2]),
        }
    }

    /// Nearest-rank 95th percentile.
    fn p95(&self) -> f64 {
        let s = self.sorted();
        if s.is_empty() {
            return f64::NAN;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let rank = (0.95 * s.len() as f64).ceil() as usize;
        s[rank.clamp(1, s.len()) - 1]
    }

    fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }

    fn met(&self) -> Option<bool> {
        self.goal.map(|g| match g {
            Goal::AtMost(v) => self.median() <= v,
            Goal::AtLeast(v) => self.median() >= v,
            Goal::P95AtMost(v) => self.p95() <= v,
        })
    }

    fn goal_text(&self) -> String {
        match self.goal {
            None => String::new(),
            Some(Goal::AtMost(v)) => format!("≤ {}", self.unit.show(v)),
            Some(Goal::AtLeast(v)) => format!("≥ {}", self.unit.show(v)),
            Some(Goal::P95AtMost(v)) => format!("p95 ≤ {}", self.unit.show(v)),
        }
    }

    pub(super) fn to_json(&self) -> Value {
        let goal = self.goal.map(|g| match g {
            Goal::AtMost(v) => json!({"median_at_most": v}),
            Goal::AtLeast(v) => json!({"median_at_least": v}),
            Goal::P95AtMost(v) => json!({"p95_at_most": v}),
        });
        json!({
            "name": self.name,
            "unit": self.unit.name(),
            "runs": self.samples.len(),
            "median": self.median(),
            "min": self.min(),
            "max": self.max(),
            "p95": self.p95(),
            "goal": goal,
            "met": self.met(),
            "samples": self.samples,
        })
    }
}

/// The table: median, min, max (p95 where the goal is on it, or with 20 samples or more),
/// runs, and the goal with its verdict.
pub(super) fn print_table(metrics: &[Metric]) {
    let w = metrics
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n{:<w$}  {:>12}  {:>12}  {:>12}  {:>12}  {:>4}  goal",
        "metric", "median", "min", "max", "p95", "runs"
    );
    for m in metrics {
        let p95 = if matches!(m.goal, Some(Goal::P95AtMost(_))) || m.samples.len() >= 20 {
            m.unit.show(m.p95())
        } else {
            String::new()
        };
        let verdict = match m.met() {
            Some(true) => "  ok",
            Some(false) => "  MISSED",
            None => "",
        };
        let _ = writeln!(
            t,
            "{:<w$}  {:>12}  {:>12}  {:>12}  {:>12}  {:>4}  {}{verdict}",
            m.name,
            m.unit.show(m.median()),
            m.unit.show(m.min()),
            m.unit.show(m.max()),
            p95,
            m.samples.len(),
            m.goal_text(),
        );
    }
    print!("{t}");
}

/// The first load's figures, per kind and in total (its brotli total against
/// `size-budget.toml`); returns them as the report's `size` object.
#[allow(clippy::cast_precision_loss)]
pub(super) fn size_metrics(
    per_kind: &[size::Sizes; 4],
    metrics: &mut Vec<Metric>,
) -> Result<Value, Error> {
    let budget: toml::Value = toml::from_str(&std::fs::read_to_string(
        project_root().join("size-budget.toml"),
    )?)?;
    let budget = budget
        .get("first_load_brotli_max")
        .and_then(toml::Value::as_integer)
        .ok_or("size-budget.toml has no first_load_brotli_max")?;
    let mut total = size::Sizes::default();
    let mut json = serde_json::Map::new();
    for (kind, s) in size::KINDS.iter().zip(per_kind) {
        metrics.push(Metric::new(
            format!("size: {kind} (brotli)"),
            Unit::Bytes,
            vec![s.brotli as f64],
            None,
        ));
        json.insert(
            (*kind).to_owned(),
            json!({"raw": s.raw, "gzip": s.gzip, "brotli": s.brotli}),
        );
        total += *s;
    }
    json.insert(
        "total".to_owned(),
        json!({"raw": total.raw, "gzip": total.gzip, "brotli": total.brotli}),
    );
    json.insert("budget_brotli".to_owned(), json!(budget));
    for (what, v, goal) in [
        ("raw", total.raw, None),
        ("gzip", total.gzip, None),
        ("brotli", total.brotli, Some(Goal::AtMost(budget as f64))),
    ] {
        metrics.push(Metric::new(
            format!("size: first load ({what})"),
            Unit::Bytes,
            vec![v as f64],
            goal,
        ));
    }
    Ok(Value::Object(json))
}

fn samples(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// `tests/bench/browser.mjs`'s samples.
pub(super) fn browser_metrics(v: &Value) -> Vec<Metric> {
    // Issue 16's goals; "was" is the figure measured before that work, on the same conditions.
    let first_screen = Some(Goal::AtMost(1300.0));
    let mut metrics = vec![
        Metric::new(
            "visible: / the newborn card, slow 4G + 4× CPU (was 3520)",
            Unit::Ms,
            samples(&v["visible_home"]),
            first_screen,
        ),
        Metric::new(
            "visible: /services/newborn its sub-items (was ~3500)",
            Unit::Ms,
            samples(&v["visible_newborn"]),
            first_screen,
        ),
        // A deep link into the wizard: the first input of the first step (prerendered: it can
        // be answered), then the same once the app has taken the page over (Continue goes on).
        Metric::new(
            "visible: /apply/newborn/eligibility first input (was 6790)",
            Unit::Ms,
            samples(&v["visible_deep_link"]),
            Some(Goal::AtMost(2200.0)),
        ),
        Metric::new(
            "  … taken over by the app: Continue goes on (was 6790)",
            Unit::Ms,
            samples(&v["live_deep_link"]),
            Some(Goal::AtMost(2200.0)),
        ),
        Metric::new(
            "Start on the landing page → first input, prefetched",
            Unit::Ms,
            samples(&v["start_to_wizard"]),
            Some(Goal::AtMost(300.0)),
        ),
        // The first step is the build's page until the app has taken it over, as at a deep link.
        Metric::new(
            "  … taken over by the app: Continue goes on",
            Unit::Ms,
            samples(&v["start_to_live"]),
            None,
        ),
        Metric::new(
            "app-ready /, slow 4G + 4× CPU (was 2677)",
            Unit::Ms,
            samples(&v["app_ready_home"]),
            None,
        ),
        Metric::new(
            "app-ready /services/newborn (was 2737)",
            Unit::Ms,
            samples(&v["app_ready_newborn"]),
            None,
        ),
        Metric::new(
            "app-ready /apply/newborn/eligibility (was 5335)",
            Unit::Ms,
            samples(&v["app_ready_deep_link"]),
            None,
        ),
    ];
    metrics.extend(step_metrics(v));
    metrics
}

/// The step changes and keystrokes of `tests/bench/browser.mjs`'s samples.
fn step_metrics(v: &Value) -> Vec<Metric> {
    let step = Some(Goal::P95AtMost(50.0));
    let mut all_steps = samples(&v["step_continue"]);
    all_steps.extend(samples(&v["step_back"]));
    vec![
        Metric::new(
            "step: Continue, click → painted, 4× CPU",
            Unit::Ms,
            samples(&v["step_continue"]),
            step,
        ),
        Metric::new(
            "step: Back, click → painted, 4× CPU",
            Unit::Ms,
            samples(&v["step_back"]),
            step,
        ),
        Metric::new(
            "step: all transitions, 4× CPU (was p95 111)",
            Unit::Ms,
            all_steps,
            step,
        ),
        // Most of a person's steps: Continue to a question page not shown before, a second after
        // arriving on the page before (the rows above go back and forth between two pages
        // already shown and kept).
        Metric::new(
            "step: Continue to a page not shown before, 4× CPU",
            Unit::Ms,
            samples(&v["step_first_visit"]),
            step,
        ),
        // Every step of whole newborn applications, landing page to declaration: the pages that
        // are not question pages (sub-items, materials, check) are first visits built on the
        // click. By Event Timing, as the step figures' own Event Timing row below.
        Metric::new(
            "step: every press of a whole application, click → next paint (Event Timing), 4× CPU \
             (first measured p95 88)",
            Unit::Ms,
            samples(&v["step_whole_walk"]),
            step,
        ),
        // The browser's own figure for the same clicks and keys (Event Timing, as INP): event →
        // next paint, in steps of 8 ms; work the app defers until after that paint is not in it.
        Metric::new(
            "step: click → next paint (Event Timing), 4× CPU",
            Unit::Ms,
            samples(&v["step_next_paint"]),
            None,
        ),
        Metric::new(
            "keystroke → validation shown, 4× CPU",
            Unit::Ms,
            samples(&v["keystroke"]),
            None,
        ),
        Metric::new(
            "keystroke → next paint (Event Timing), 4× CPU",
            Unit::Ms,
            samples(&v["keystroke_next_paint"]),
            None,
        ),
    ]
}

/// `tests/bench/photos.mjs`'s samples.
pub(super) fn photo_metrics(v: &Value) -> Vec<Metric> {
    let c = &v["compression"];
    vec![
        Metric::new(
            "photo compression, 12 MP JPEG → 1600 px",
            Unit::Ms,
            samples(&c["ms"]),
            Some(Goal::AtMost(300.0)),
        ),
        Metric::new(
            "photo compression: output size",
            Unit::Bytes,
            samples(&c["output_bytes"]),
            None,
        ),
        Metric::new(
            "photo compression: longest main-thread task",
            Unit::Ms,
            samples(&c["main_thread_longest_ms"]),
            Some(Goal::AtMost(50.0)),
        ),
        Metric::new(
            "upload efficiency, 6 photos, 3 Mbit/s up, 100 ms RTT",
            Unit::Percent,
            samples(&v["efficiency"]),
            Some(Goal::AtLeast(95.0)),
        ),
        Metric::new(
            "6 compressed photos sent",
            Unit::Bytes,
            samples(&v["photo_bytes"]),
            None,
        ),
        Metric::new(
            "wasm memory after 6 photos",
            Unit::Bytes,
            samples(&v["wasm_after"]),
            Some(Goal::AtMost(8.0 * 1024.0 * 1024.0)),
        ),
        Metric::new(
            "wasm memory growth across 6 photos",
            Unit::Bytes,
            samples(&v["wasm_growth"]),
            None,
        ),
        Metric::new(
            "JS heap after 6 photos",
            Unit::Bytes,
            samples(&v["heap_after"]),
            None,
        ),
    ]
}

/// `tests/bench/lighthouse.mjs`'s samples.
pub(super) fn lighthouse_metrics(v: &Value) -> Vec<Metric> {
    let mut out = Vec::new();
    // Issue 16's figures before its work (score, LCP, TBT), measured on the catalogue only
    // (served by its own server).
    let pages = [
        ("home", "/", Some(["96", "2270", "144"])),
        ("newborn", "/services/newborn", None),
    ];
    for (key, page, was) in pages {
        let before = |i: usize| was.map_or(String::new(), |w| format!(" (was {})", w[i]));
        let p = &v[key];
        out.extend([
            Metric::new(
                format!("Lighthouse {page}: score{}", before(0)),
                Unit::Score,
                samples(&p["score"]),
                Some(Goal::AtLeast(100.0)),
            ),
            Metric::new(
                format!("Lighthouse {page}: FCP"),
                Unit::Ms,
                samples(&p["fcp"]),
                None,
            ),
            Metric::new(
                format!("Lighthouse {page}: LCP{}", before(1)),
                Unit::Ms,
                samples(&p["lcp"]),
                Some(Goal::AtMost(1300.0)),
            ),
            Metric::new(
                format!("Lighthouse {page}: TBT{}", before(2)),
                Unit::Ms,
                samples(&p["tbt"]),
                Some(Goal::AtMost(50.0)),
            ),
            Metric::new(
                format!("Lighthouse {page}: CLS"),
                Unit::Cls,
                samples(&p["cls"]),
                Some(Goal::AtMost(0.01)),
            ),
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max_and_p95_of_samples() {
        let m = Metric::new("t", Unit::Ms, (1..=40).map(f64::from).collect(), None);
        assert!((m.median() - 20.5).abs() < 1e-9);
        assert!((m.min() - 1.0).abs() < 1e-9);
        assert!((m.max() - 40.0).abs() < 1e-9);
        assert!((m.p95() - 38.0).abs() < 1e-9);
        let odd = Metric::new("t", Unit::Ms, vec![3.0, 1.0, 2.0], None);
        assert!((odd.median() - 2.0).abs() < 1e-9);
    }
}
