//! The keyboard flow of the core loop, driven through the reducer with no
//! terminal: what each key does to the state and what it records.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::Mode;
use warroom::app::Pane;
use warroom::domain::incident::{EventKind, Status};
use warroom::domain::severity::Sev;
use warroom::sources::MetricRequest;

fn kinds(h: &Harness) -> Vec<String> {
    h.app
        .incident
        .as_ref()
        .map(|i| i.events.iter().map(|e| e.kind.describe()).collect())
        .unwrap_or_default()
}

#[test]
fn launch_focuses_alerts_with_the_most_severe_selected() {
    let h = Harness::at(0);
    assert_eq!(h.app.focus, Pane::Alerts);
    let sel = h.app.alerts.selected().expect("an alert is selected");
    assert_eq!(sel.name(), "CatalogP99Latency");
    assert_eq!(sel.severity_label(), Some("critical"));
}

#[test]
fn selection_follows_the_alert_when_the_list_changes() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('j'));
    assert_eq!(
        h.app.alerts.selected().map(|a| a.name()),
        Some("KubePodCrashLooping")
    );
    h.advance(100); // QueueBacklogGrowing (warning) fires and sorts above it
    assert_eq!(
        h.app.alerts.selected().map(|a| a.name()),
        Some("KubePodCrashLooping")
    );
}

#[test]
fn enter_declares_and_opens_the_runbook_at_step_one() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    let inc = h.app.incident_state().expect("incident");
    assert_eq!(inc.id, "2026-11-21-catalog-p99-latency");
    assert_eq!(inc.severity, Sev::P1);
    assert_eq!(
        inc.runbook.as_ref().map(|r| r.id.as_str()),
        Some("api-latency-p99")
    );
    assert_eq!(h.app.focus, Pane::Runbook);
    assert_eq!(h.app.runbook.cursor, 0);
    // Enter again on the same alert reopens, it does not declare twice.
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    assert_eq!(kinds(&h).len(), 1);
    assert_eq!(h.app.focus, Pane::Runbook);
}

#[test]
fn space_ticks_moves_on_and_unticks() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.advance(10);
    h.key(KeyCode::Char(' '));
    assert_eq!(h.app.runbook.cursor, 1);
    let mark = h.app.shown_step_done("check-1").expect("ticked");
    assert_eq!(mark.by, "alice");
    assert_eq!(mark.at, h.now());
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Char(' '));
    assert!(h.app.shown_step_done("check-1").is_none());
    let events = &h.app.incident.as_ref().expect("incident").events;
    assert!(matches!(events[1].kind, EventKind::StepDone { .. }));
    assert!(matches!(events[2].kind, EventKind::StepUndone { .. }));
}

#[test]
fn ticking_without_an_incident_explains_instead() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char(' '));
    assert!(h.app.incident.is_none());
    let flash = h.app.flash.as_ref().expect("message");
    assert!(
        flash.error && flash.text.contains("press Enter"),
        "{flash:?}"
    );
}

#[test]
fn note_editor_saves_on_enter_and_cancels_on_esc() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('n'));
    assert!(matches!(h.mode, Mode::Note(_)));
    h.chars("throwaway");
    h.key(KeyCode::Esc);
    assert!(matches!(h.mode, Mode::Normal));
    h.key(KeyCode::Char('n'));
    h.chars("rolled back to v1.4");
    h.key(KeyCode::Enter);
    assert_eq!(
        kinds(&h).last().map(String::as_str),
        Some("Note: rolled back to v1.4")
    );
    assert_eq!(kinds(&h).len(), 2);
}

#[test]
fn commands_change_the_incident() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.command("ack");
    h.command("sev P0");
    h.command("note paged payments");
    h.command("mitigated");
    // Like `m`, the command asks first.
    h.key(KeyCode::Char('y'));
    let inc = h.app.incident_state().expect("incident");
    assert_eq!(inc.severity, Sev::P0);
    assert_eq!(inc.status, Status::Mitigated);
    assert!(inc.acknowledged.is_some());
    h.command("ack");
    assert!(
        h.app
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("already acknowledged"))
    );
    h.command("bogus");
    assert!(
        h.app
            .flash
            .as_ref()
            .is_some_and(|f| f.error && f.text.contains("unknown command"))
    );
    // `:export` records the main metric over the incident first, then
    // writes the draft once the record is read back from the journal.
    h.command("export /tmp/x.md");
    let request = h
        .effects
        .iter()
        .find_map(|e| match e {
            warroom::app::Effect::FetchWindow(r) => Some(r.clone()),
            _ => None,
        })
        .expect("the main metric is asked for");
    assert_eq!(request.then_export, Some(Some("/tmp/x.md".into())));
    assert!(request.start < request.end, "{request:?}");
    assert!(
        !h.effects
            .iter()
            .any(|e| matches!(e, warroom::app::Effect::Export { .. }))
    );
    let chart = warroom::domain::incident::evidence::PinnedChart {
        query: request.query.clone(),
        range_s: 600,
        series: Vec::new(),
        threshold: request.threshold,
        unit: request.unit.clone(),
        current: None,
    };
    h.send(warroom::app::Msg::WindowFetched {
        request,
        result: Ok(chart.clone()),
    });
    let events = &h.app.incident.as_ref().expect("an incident is open").events;
    assert!(events.iter().any(|e| e.kind
        == EventKind::MetricWindow {
            chart: chart.clone()
        }));
    assert!(h.effects.iter().any(|e| matches!(
        e,
        warroom::app::Effect::Export { path: Some(p), .. } if p.ends_with("x.md")
    )));
    h.command("resolve");
    h.key(KeyCode::Char('y'));
    assert_eq!(
        h.app.incident_state().map(|i| i.status),
        Some(Status::Resolved)
    );
}

#[test]
fn quit_asks_while_an_incident_is_open() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('q'));
    assert!(matches!(h.mode, Mode::ConfirmQuit));
    h.key(KeyCode::Char('n'));
    assert!(!h.app.quit);
    h.command("resolve");
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::Char('q'));
    assert!(h.app.quit, "a resolved incident needs no confirmation");

    let mut h = Harness::at(0);
    h.key(KeyCode::Char('q'));
    assert!(h.app.quit, "nothing open: quit at once");
}

#[test]
fn timeline_follows_unless_scrolled_up() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    for i in 0..5 {
        h.command(&format!("note n{i}"));
    }
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Char('k'));
    assert_eq!(h.app.timeline_scroll, 1);
    h.command("note later");
    assert_eq!(
        h.app.timeline_scroll, 2,
        "the view stays on what the user was reading"
    );
    h.key(KeyCode::Char('G'));
    assert_eq!(h.app.timeline_scroll, 0);
}

#[test]
fn metric_query_follows_the_shown_runbook_with_labels_filled() {
    let mut h = Harness::at(0);
    let q = h.app.metric.query.clone().expect("query");
    assert!(
        q.contains("namespace=\"shop\"") && q.contains("service=\"catalog\""),
        "{q}"
    );
    assert_eq!(h.app.metric.threshold, Some(0.5));
    assert!(h.app.metric.data.is_some());
    h.key(KeyCode::Char('j'));
    let q2 = h.app.metric.query.clone().expect("query");
    assert!(q2.contains("http_requests_total"), "{q2}");
}

#[test]
fn alerts_without_a_runbook_say_so() {
    let mut h = Harness::at(0);
    // Nothing in the shipped library covers this hand-made alert.
    let mut alert = h.app.alerts.items()[0].clone();
    alert.fingerprint = "zzz".into();
    alert
        .labels
        .insert("alertname".into(), "MysteryAlert".into());
    alert.labels.insert("severity".into(), "critical".into());
    h.send(warroom::app::Msg::Source(
        warroom::sources::SourceMsg::Alerts {
            source: "demo".into(),
            result: Ok(vec![alert]),
        },
    ));
    h.key(KeyCode::Char('2'));
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("No runbook matches MysteryAlert"),
        "{screen}"
    );
    // Instead of a checklist, what the alert itself says.
    assert!(screen.contains("Annotations"), "{screen}");
    assert!(screen.contains("summary:"), "{screen}");
    assert!(screen.contains("severity=critical"), "{screen}");
}

#[test]
fn hostile_text_from_sources_never_reaches_the_terminal() {
    let mut h = Harness::at(0);
    let mut alerts = h.app.alerts.items().to_vec();
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}1m\r\nnext\u{202e}txt";
    alerts[0].annotations.insert("summary".into(), evil.into());
    alerts[0]
        .annotations
        .insert("description".into(), evil.into());
    alerts[0].labels.insert("service".into(), evil.into());
    let mut pods = h.scenario.pods(h.now());
    pods[0].name = evil.into();
    pods[0].status = evil.into();
    h.send(warroom::app::Msg::Source(
        warroom::sources::SourceMsg::Alerts {
            source: "demo".into(),
            result: Ok(alerts),
        },
    ));
    h.send(warroom::app::Msg::Source(
        warroom::sources::SourceMsg::Pods {
            source: "demo".into(),
            result: Ok(pods),
        },
    ));
    h.key(KeyCode::Enter);
    h.command(&format!("note {evil}"));
    for (w, ht) in [(80, 24), (200, 50)] {
        for pane in ['1', '2', '3', '5'] {
            h.key(KeyCode::Char(pane));
            let t = h.render(w, ht);
            let buf = t.backend().buffer();
            for cell in &buf.content {
                assert!(
                    !cell
                        .symbol()
                        .chars()
                        .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                    "control character drawn at {w}x{ht} pane {pane}: {:?}",
                    cell.symbol()
                );
            }
            let screen = h.screen(w, ht);
            assert!(!screen.contains("pwned"), "OSC payload drawn:\n{screen}");
        }
    }
}

#[test]
fn every_demo_alert_has_a_complete_runbook_whose_query_resolves() {
    use warroom::domain::placeholder::{Seg, fill_string, segments};
    use warroom::domain::runbook::SectionKind;
    let h = Harness::at(200); // every alert of the story is firing by now
    assert_eq!(h.app.alerts.items().len(), 6);
    for alert in h.app.alerts.items() {
        let Some(rb) = h.app.runbooks.library.for_alert(alert) else {
            panic!("no runbook for {}", alert.name());
        };
        let kinds: Vec<_> = rb.sections.iter().map(|s| s.kind).collect();
        for k in [
            SectionKind::Alert,
            SectionKind::Check,
            SectionKind::Diagnose,
            SectionKind::Mitigate,
            SectionKind::Postmortem,
        ] {
            assert!(kinds.contains(&k), "{}: no {k:?} section", rb.id);
        }
        for (section, step) in rb.steps() {
            assert!(
                !step.text.is_empty(),
                "{}: empty step in {}",
                rb.id,
                section.heading
            );
        }
        let Some(query) = rb.meta.query.as_deref() else {
            panic!("{}: no query", rb.id);
        };
        let missing: Vec<_> = segments(query, &alert.labels)
            .into_iter()
            .filter(|s| matches!(s, Seg::Missing(_)))
            .collect();
        assert!(missing.is_empty(), "{}: unresolved {missing:?}", rb.id);
        let req = MetricRequest {
            query: fill_string(query, &alert.labels),
            range: std::time::Duration::from_secs(900),
            width: 60,
        };
        let data = h.scenario.metric(&req, h.now());
        assert!(
            data.is_ok(),
            "{}: the demo has no curve for its query",
            rb.id
        );
        assert!(rb.meta.threshold.is_some(), "{}: no threshold", rb.id);
    }
}

/// A paste is text for the open editor, never keystrokes: pasting
/// "line1⏎m⏎R⏎y⏎" into a note neither mitigates, nor resolves, nor runs.
#[test]
fn pasted_text_never_acts_as_keys() {
    use warroom::app::Msg;
    use warroom::domain::incident::EventKind;
    let mut h = Harness::at(100);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('n'));
    h.send(Msg::Paste("line1\r\nm\nR\ny\n\u{1b}[2Jr".into()));
    assert!(matches!(h.mode, Mode::Note(_)), "still writing the note");
    // A forged end-of-paste marker delivers the rest as keys at once:
    // Enter would save the note early. Keys that come with a paste are dropped.
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.mode, Mode::Note(_)),
        "a key with the paste acted"
    );
    assert!(
        h.app
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("ignored"))
    );
    h.advance(1);
    h.key(KeyCode::Enter);
    let inc = h.app.incident_state().expect("incident");
    assert!(inc.mitigated.is_none() && inc.resolved.is_none());
    let notes: Vec<String> = h
        .app
        .incident
        .as_ref()
        .expect("open")
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Note { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(notes, ["line1\nm\nR\ny\nr"], "escape sequences are dropped");
    assert!(
        !h.effects
            .iter()
            .any(|e| matches!(e, warroom::app::Effect::Run(_)))
    );
    // With no editor open, a paste does nothing at all and says so.
    let before = h.app.incident.as_ref().map(|i| i.events.len());
    h.send(Msg::Paste("m\nR\ny\n".into()));
    for c in ['m', 'y', 'R', 'y'] {
        h.key(KeyCode::Char(c));
    }
    assert!(matches!(h.mode, Mode::Normal));
    assert_eq!(h.app.incident.as_ref().map(|i| i.events.len()), before);
    let inc = h.app.incident_state().expect("incident");
    assert!(inc.mitigated.is_none() && inc.resolved.is_none());
    let flash = h.app.flash.as_ref().expect("message");
    assert!(flash.text.contains("ignored"), "{flash:?}");
    // A moment later keys are keys again.
    h.advance(1);
    // The window starts when the loop has finished inserting the paste,
    // however long that took.
    h.send(Msg::Paste("m".into()));
    h.send(Msg::PasteHandled(
        h.now() + jiff::SignedDuration::from_secs(2),
    ));
    h.advance(1);
    h.key(KeyCode::Char('m'));
    let inc = h.app.incident_state().expect("incident");
    assert!(
        inc.mitigated.is_none(),
        "a key right after a slow paste acted"
    );
    h.advance(2);
    // A paste larger than any note is refused whole, with a reason.
    h.send(Msg::Paste("x".repeat(warroom::app::modal::MAX_PASTE + 1)));
    let flash = h.app.flash.as_ref().expect("message");
    assert!(flash.text.contains("paste ignored"), "{flash:?}");
    h.advance(1);
    // One-line fields take a paste on one line.
    h.key(KeyCode::Char(':'));
    h.send(Msg::Paste("note from\nthe clipboard".into()));
    let Mode::CommandLine(d) = &h.mode else {
        panic!("command line")
    };
    assert_eq!(d.text(), "note from the clipboard");
}

/// A shared screen is an audience: secrets in notes are masked unless this
/// terminal asks with `:reveal`, and the status line says when it has.
#[test]
fn secrets_are_masked_on_screen_until_revealed() {
    let mut h = Harness::at(100);
    h.key(KeyCode::Enter);
    h.command("note psql postgres://app:hunter2secret@db/app worked");
    // The timeline, wrapped, shows the note whole.
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Char('w'));
    let screen = h.screen(200, 50);
    assert!(screen.contains("postgres://app:[REDACTED]@"), "{screen}");
    assert!(!screen.contains("hunter2"), "{screen}");
    h.command("reveal");
    let screen = h.screen(200, 50);
    assert!(screen.contains("app:hunter2"), "{screen}");
    assert!(screen.contains("SECRETS SHOWN"), "{screen}");
    h.command("reveal");
    let screen = h.screen(200, 50);
    assert!(!screen.contains("hunter2") && !screen.contains("SECRETS SHOWN"));
    // The journal keeps what was typed: it is the record.
    let journal = h
        .app
        .incident
        .as_ref()
        .expect("open")
        .events
        .last()
        .cloned();
    assert!(format!("{journal:?}").contains("hunter2secret"));
}
