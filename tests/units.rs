//! Metric values on screen carry their unit: the runbook's `unit:`, else a
//! guess from the query, never a bare SI prefix that reads as minutes.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::domain::unit::Unit;

fn metrics_title(h: &Harness) -> String {
    h.screen(200, 50)
        .lines()
        .next()
        .and_then(|l| l.split("┌ Metrics").nth(1))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn latency_reads_in_seconds_and_an_error_ratio_in_percent() {
    let mut h = Harness::at(0);
    assert_eq!(h.app.metric.unit, Unit::Seconds);
    let title = metrics_title(&h);
    assert!(title.contains(" s · threshold 500 ms"), "{title}");
    // The error-budget runbook says `unit: ratio`: its 2 % threshold and the
    // value now read as percentages, not as `20m` and `43.7m`.
    h.key(KeyCode::Char('j'));
    assert_eq!(
        h.app.alerts.selected().map(|a| a.name()),
        Some("CheckoutErrorBudgetBurn")
    );
    assert_eq!(h.app.metric.unit, Unit::Ratio);
    let title = metrics_title(&h);
    assert!(title.contains(" %"), "{title}");
    assert!(title.contains("threshold 2 %"), "{title}");
    let screen = h.screen(200, 50);
    assert!(
        !screen.contains("threshold 20m") && !screen.contains("500m"),
        "{screen}"
    );
}
