//! The Timeline as a facilitator reads it: a cursor on one entry, every
//! entry readable in full (the entry view, or wrapped in the pane), a run's
//! exit code on its row, zoom, and copying an entry.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::{Effect, Mode, Msg};
use warroom::domain::incident::{Event, EventKind, Purpose, RunOutcome};
use warroom::journal::JournalMsg;

const LONG: &str = "kubectl -n shop logs deploy/catalog --since=15m --all-containers --prefix | grep -E 'timeout|deadline exceeded|connection reset' | tail -n 50";

/// An incident with a note and a failed run of a long command.
fn worked() -> Harness {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.advance(10);
    h.key(KeyCode::Char('n'));
    h.chars("checked the dashboard: the p99 jump lines up with the deploy at 03:02");
    h.key(KeyCode::Enter);
    h.advance(10);
    let id = h.app.incident.as_ref().expect("open").id.clone();
    let ran = Event::new(
        h.now(),
        "alice".into(),
        EventKind::CommandFinished {
            original: None,
            step: "diagnose-2".into(),
            command: LONG.into(),
            purpose: Purpose::Run,
            outcome: RunOutcome::Exited(2),
            duration_ms: 1500,
            output: "grep: unmatched ( in pattern\nsecond line of output".into(),
            omitted: 0,
            runbook: Some("api-latency-p99".into()),
            key: None,
        },
    );
    h.send(Msg::Journal(JournalMsg::Events {
        id,
        events: vec![ran],
    }));
    h.key(KeyCode::Char('5'));
    h
}

fn selected_line(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains('▶'))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_cursor_follows_the_newest_entry_and_a_run_row_shows_its_exit_code() {
    let h = worked();
    let screen = h.screen(80, 24);
    let row = selected_line(&screen);
    assert!(
        row.contains("Ran step diagnose-2 → exit 2 in 1s"),
        "{screen}"
    );
    let mut h = h;
    h.key(KeyCode::Char('k'));
    let screen = h.screen(80, 24);
    assert!(selected_line(&screen).contains("Note: checked"), "{screen}");
    assert!(screen.contains("back (G follows)"), "{screen}");
    h.key(KeyCode::Char('G'));
    assert!(selected_line(&h.screen(80, 24)).contains("Ran step"));
}

#[test]
fn an_entry_opens_in_full_and_walks_to_its_neighbours() {
    let mut h = worked();
    h.key(KeyCode::Enter);
    assert!(matches!(h.mode, Mode::TimelineEntry(_)), "{:?}", h.mode);
    let screen = h.screen(80, 24);
    for part in [
        "Outcome   exit 2 after 1s",
        "Step      diagnose-2 of api-latency-p99",
        "tail -n 50",
        "grep: unmatched ( in pattern",
        "second line of output",
    ] {
        assert!(screen.contains(part), "{part} missing:\n{screen}");
    }
    h.key(KeyCode::Char('k'));
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("the p99 jump lines up with the deploy at"),
        "{screen}"
    );
    // y copies the entry as shown.
    h.key(KeyCode::Char('y'));
    let copied = h.effects.iter().rev().find_map(|e| match e {
        Effect::Copy(t) => Some(t.clone()),
        _ => None,
    });
    let copied = copied.expect("copied");
    assert!(
        copied.contains("alice: Note: checked the dashboard"),
        "{copied}"
    );
    h.key(KeyCode::Esc);
    assert!(h.mode.is_normal());
    // The pane's cursor stayed where the entry view left it.
    assert!(selected_line(&h.screen(80, 24)).contains("Note: checked"));
}

#[test]
fn wrap_shows_every_entry_whole_and_zoom_fills_the_screen() {
    let mut h = worked();
    assert!(
        !h.screen(80, 24).contains("tail -n 50"),
        "cut when not wrapped"
    );
    h.key(KeyCode::Char('w'));
    let screen = h.screen(80, 24);
    assert!(screen.contains("tail -n 50"), "{screen}");
    assert!(screen.contains("wrapped"), "{screen}");
    // Zoomed, the wide layout shows the Timeline alone.
    h.key(KeyCode::Char('f'));
    let screen = h.screen(200, 50);
    assert!(!screen.contains("┌ Alerts"), "{screen}");
    assert!(screen.contains("┌ Timeline"), "{screen}");
    h.key(KeyCode::Char('f'));
    assert!(h.screen(200, 50).contains("┌ Alerts"));
}

#[test]
fn timeline_snapshots() {
    let mut h = worked();
    h.key(KeyCode::Char('k'));
    for (w, ht) in [(80, 24), (200, 50)] {
        insta::assert_snapshot!(
            format!("timeline_cursor_{w}x{ht}"),
            h.render(w, ht).backend()
        );
    }
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Enter);
    for (w, ht) in [(80, 24), (200, 50)] {
        insta::assert_snapshot!(
            format!("timeline_entry_{w}x{ht}"),
            h.render(w, ht).backend()
        );
    }
}

#[test]
fn help_wraps_at_80x24_and_scrolls_to_its_end() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('?'));
    h.layout(80, 24);
    let screen = h.screen(80, 24);
    // A long description continues on the next line instead of being cut.
    assert!(!screen.contains('…'), "{screen}");
    h.key(KeyCode::Char('G'));
    let end = h.screen(80, 24);
    assert!(end.contains("quit (same as q)"), "{end}");
    h.key(KeyCode::Char('g'));
    assert_eq!(h.screen(80, 24), screen);
    h.key(KeyCode::PageDown);
    assert_ne!(h.screen(80, 24), screen);
}
