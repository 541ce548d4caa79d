//! The mouse: a click focuses the pane under it and selects the row
//! clicked; the wheel scrolls the pane under it without taking the focus,
//! and scrolls a dialog that is up. Positions come from the drawn frame.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::Msg;
use warroom::app::mouse::MouseAct;
use warroom::app::state::Pane;

/// Where `needle` is on the last frame drawn at `w`x`h`.
fn find(h: &Harness, w: u16, ht: u16, needle: &str) -> (u16, u16) {
    let screen = h.screen(w, ht);
    for (y, line) in screen.lines().enumerate() {
        if let Some(i) = line.find(needle) {
            return (line[..i].chars().count() as u16, y as u16);
        }
    }
    panic!("{needle} not on screen:\n{screen}");
}

fn mouse(h: &mut Harness, act: MouseAct, (x, y): (u16, u16)) {
    let at = warroom::ui::hit_at(x, y);
    h.send(Msg::Mouse { act, at });
}

#[test]
fn a_click_focuses_the_pane_and_selects_the_row() {
    let mut h = Harness::at(0);
    let at = find(&h, 200, 50, "CertificateExpiringSo");
    mouse(&mut h, MouseAct::Click, at);
    assert_eq!(h.app.focus, Pane::Alerts);
    assert_eq!(
        h.app
            .alerts
            .selected()
            .map(|a| a.name().to_string())
            .as_deref(),
        Some("CertificateExpiringSoon")
    );
    // A click in the Metrics pane focuses it.
    let at = find(&h, 200, 50, "Metrics ·");
    mouse(&mut h, MouseAct::Click, (at.0 + 2, at.1 + 3));
    assert_eq!(h.app.focus, Pane::Metrics);
    // In the compact layout a click on a tab goes to that pane.
    let at = find(&h, 80, 24, "5 Timeline");
    mouse(&mut h, MouseAct::Click, at);
    assert_eq!(h.app.focus, Pane::Timeline);
}

#[test]
fn a_click_on_a_timeline_row_selects_that_entry() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.advance(5);
    h.command("note first look at the dashboard");
    h.advance(5);
    h.command("note second note");
    let at = find(&h, 200, 50, "Note: first look");
    mouse(&mut h, MouseAct::Click, at);
    assert_eq!(h.app.focus, Pane::Timeline);
    let screen = h.screen(200, 50);
    let row = screen
        .lines()
        .find(|l| l.contains("Note: first look"))
        .unwrap_or_default();
    assert!(row.contains('▶'), "{screen}");
}

#[test]
fn the_wheel_scrolls_the_pane_under_it_and_dialogs() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('1'));
    // Over the Runbook, the document scrolls; the focus stays on Alerts.
    let at = find(&h, 200, 50, "▌ALERT");
    let before = h.screen(200, 50);
    mouse(&mut h, MouseAct::WheelDown, (at.0 + 5, at.1 + 2));
    assert_eq!(h.app.focus, Pane::Alerts);
    assert_ne!(h.screen(200, 50), before, "the runbook did not scroll");
    // With help up, the wheel scrolls help, and a click answers nothing.
    h.key(KeyCode::Char('?'));
    h.layout(80, 24);
    let top = h.screen(80, 24);
    mouse(&mut h, MouseAct::WheelDown, (10, 10));
    assert_ne!(h.screen(80, 24), top);
    mouse(&mut h, MouseAct::Click, (10, 10));
    assert!(!h.mode.is_normal(), "a click closed the dialog");
}
