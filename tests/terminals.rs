//! Every terminal: NO_COLOR (monochrome), a light background, and limited
//! terminals that take only ASCII. Checked on the drawn cells, not just the
//! text.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use warroom::look::{Depth, Look, Palette};

fn worked(look: Look) -> Harness {
    let mut h = Harness::at(0);
    h.app.settings.look = look;
    h.key(KeyCode::Enter);
    h.advance(10);
    h.key(KeyCode::Char(' '));
    h
}

#[test]
fn monochrome_has_no_colour_and_still_shows_the_selection_and_focus() {
    let h = worked(Look {
        palette: Palette::Mono,
        ascii: false,
        depth: Depth::True,
    });
    for (w, ht) in [(80, 24), (200, 50)] {
        let t = h.render(w, ht);
        let buf = t.backend().buffer();
        assert!(
            buf.content
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
            "a colour at {w}x{ht}"
        );
        // The selected step is reversed and marked in the border.
        let screen = h.screen(w, ht);
        let row = screen
            .lines()
            .position(|l| l.contains("▶[ ] 2."))
            .unwrap_or_else(|| panic!("no marker on the selected step:\n{screen}"));
        let cell = buf
            .content
            .iter()
            .skip(row * w as usize)
            .take(w as usize)
            .find(|c| c.symbol() == "[")
            .expect("the step's box");
        assert!(cell.modifier.contains(Modifier::REVERSED));
        // The focused pane has a thick border.
        assert!(screen.contains('┏'), "{screen}");
    }
}

#[test]
fn ascii_terminals_get_only_ascii() {
    let h = worked(Look {
        palette: Palette::Mono,
        ascii: true,
        depth: Depth::Ansi16,
    });
    for (w, ht) in [(80, 24), (200, 50)] {
        let screen = h.screen(w, ht);
        assert!(screen.is_ascii(), "{screen}");
        insta::assert_snapshot!(format!("ascii_mono_{w}x{ht}"), screen);
    }
}

#[test]
fn a_light_palette_never_leaves_default_text_on_a_dark_bar() {
    let h = worked(Look {
        palette: Palette::Light,
        ascii: false,
        depth: Depth::True,
    });
    let t = h.render(200, 50);
    for c in &t.backend().buffer().content {
        if let Color::Rgb(r, g, b) = c.bg {
            let dark = u32::from(r) + u32::from(g) + u32::from(b) < 3 * 128;
            assert!(
                !(dark && c.fg == Color::Reset),
                "default text on a dark background: {c:?}"
            );
        }
    }
}

#[test]
fn small_windows_keep_the_severity_and_the_clock_and_every_tab() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.command("role ic a-responder-with-a-long-name");
    for (w, ht) in [(80, 24), (60, 16), (40, 12)] {
        let screen = h.screen(w, ht);
        let status = screen.lines().last().unwrap_or_default();
        assert!(status.contains("P1"), "{w}x{ht}: {status}");
        assert!(status.contains("ack 15:00 left"), "{w}x{ht}: {status}");
        let tabs = screen.lines().next().unwrap_or_default();
        for n in ["1", "2", "3", "4", "5"] {
            assert!(tabs.contains(n), "{w}x{ht}: tab {n} missing: {tabs}");
        }
        insta::assert_snapshot!(format!("small_{w}x{ht}"), screen);
    }
}

#[test]
fn commands_stay_on_one_line_and_scroll_sideways() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    let line = screen
        .lines()
        .find(|l| l.contains("$ promtool query instant"))
        .unwrap_or_default()
        .to_string();
    // Cut at the edge with a mark, not broken onto the next line.
    assert!(line.contains('›'), "{screen}");
    assert!(!screen.contains("catalog\"}[5m])))'"), "{screen}");
    for _ in 0..12 {
        h.key(KeyCode::Right);
    }
    let screen = h.screen(80, 24);
    assert!(screen.contains('‹'), "{screen}");
    assert!(screen.contains("[5m])))'"), "{screen}");
    for _ in 0..20 {
        h.key(KeyCode::Left);
    }
    assert_eq!(h.app.runbook.hscroll, 0);
}

#[test]
fn with_only_a_cluster_the_pods_pane_takes_the_alerts_place() {
    use warroom::app::Msg;
    use warroom::sources::{Feed, SourceMsg};
    let mut h = Harness::at(0);
    let mut app = warroom::app::App::new(
        "alice".into(),
        Default::default(),
        h.app.runbooks.library.clone(),
        h.now(),
    );
    app.pods.replace(h.app.pods.store.iter().cloned().collect());
    h.app = app;
    h.send(Msg::Source(SourceMsg::Unavailable {
        feed: Feed::Alerts,
        reason: "No Alertmanager or Prometheus is configured".into(),
    }));
    assert_eq!(h.app.focus, warroom::app::Pane::Pods);
    let wide = h.screen(200, 50);
    assert!(!wide.contains("┌ Alerts"), "{wide}");
    assert!(
        wide.starts_with("┏ Pods") || wide.starts_with("┌ Pods"),
        "{wide}"
    );
    let compact = h.screen(80, 24);
    assert!(
        compact.lines().nth(1).is_some_and(|l| l.contains("Pods")),
        "{compact}"
    );
    // The timeline says how to open an incident without an alert.
    assert!(wide.contains(":declare TITLE"), "{wide}");
    assert!(!wide.contains("Select an alert"), "{wide}");
}
