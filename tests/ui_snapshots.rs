//! Whole-frame snapshots at 80x24 (compact) and 200x50 (wide) for every screen
//! of the core loop, plus cell-level checks that text snapshots cannot make.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use ratatui::style::Color;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn snap(name: &str, h: &Harness) {
    for (w, ht) in SIZES {
        let t = h.render(w, ht);
        insta::assert_snapshot!(format!("{name}_{w}x{ht}"), t.backend());
    }
}

fn with_incident() -> Harness {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.advance(20);
    h.key(KeyCode::Char(' '));
    h.advance(15);
    h.key(KeyCode::Char(' '));
    h.advance(30);
    h
}

#[test]
fn launch() {
    snap("launch", &Harness::at(0));
}

#[test]
fn incident_open_with_runbook() {
    snap("incident", &with_incident());
}

#[test]
fn note_editor() {
    let mut h = with_incident();
    h.key(KeyCode::Char('n'));
    h.chars("p99 back under 400ms after rollback");
    snap("note_editor", &h);
}

#[test]
fn help_overlay() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('?'));
    snap("help", &h);
}

#[test]
fn each_pane_in_compact_layout() {
    let mut h = with_incident();
    h.command("note catalog rollback started");
    for (n, name) in [('3', "pods"), ('4', "metrics"), ('5', "timeline")] {
        h.key(KeyCode::Char(n));
        let t = h.render(80, 24);
        insta::assert_snapshot!(format!("pane_{name}_80x24"), t.backend());
    }
}

#[test]
fn quit_confirmation_while_open() {
    let mut h = with_incident();
    h.key(KeyCode::Char('q'));
    let t = h.render(80, 24);
    insta::assert_snapshot!("confirm_quit_80x24", t.backend());
}

#[test]
fn severity_colours_and_missing_placeholders_are_styled() {
    let h = Harness::at(0);
    let t = h.render(200, 50);
    let buf = t.backend().buffer();
    // The first alert row is critical: its severity cell is red.
    let (x, y) = find(buf, "CRIT").expect("CRIT on screen");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let (x, y) = find(buf, "INFO").expect("INFO on screen");
    assert_eq!(buf[(x, y)].fg, Color::Blue);
}

fn find(buf: &ratatui::buffer::Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in 0..area.height {
        let row: String = (0..area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(i) = row.find(needle) {
            let col = row[..i].chars().count() as u16;
            return Some((col, y));
        }
    }
    None
}
