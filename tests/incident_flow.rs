//! Incident command through the reducer with an injected clock: deadlines near
//! and missed (recorded once), escalation, cadence reset by a status update,
//! roles, backdated notes, the update editor and action items.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::Harness;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::Mode;
use warroom::app::Msg;
use warroom::domain::incident::{Audience, EventKind, Role};
use warroom::domain::policy::{ClockKind, ClockState, OnCall};

fn events(h: &Harness) -> Vec<EventKind> {
    h.app
        .incident
        .as_ref()
        .map(|i| i.events.iter().map(|e| e.kind.clone()).collect())
        .unwrap_or_default()
}

fn declared() -> Harness {
    let mut h = Harness::at(0);
    h.app.settings.oncall =
        serde_yaml::from_str::<OnCall>("primary: alice\nsecondary: bob\n").unwrap();
    h.key(KeyCode::Enter);
    h
}

fn tick(h: &mut Harness, secs: i64) {
    let now = h.app.now + jiff::SignedDuration::from_secs(secs);
    h.send(Msg::Tick(now));
}

#[test]
fn deadlines_go_amber_then_red_and_are_recorded_once() {
    let mut h = declared();
    let state = |h: &Harness, k: ClockKind| {
        h.app
            .clocks()
            .into_iter()
            .find(|c| c.kind == k)
            .map(|c| c.state)
    };
    assert_eq!(state(&h, ClockKind::Acknowledge), Some(ClockState::Ok));
    tick(&mut h, 12 * 60 + 30);
    assert_eq!(state(&h, ClockKind::Acknowledge), Some(ClockState::Near));
    assert!(
        h.screen(80, 24).contains("ack 2:30 left"),
        "{}",
        h.screen(80, 24)
    );
    tick(&mut h, 150);
    assert_eq!(state(&h, ClockKind::Acknowledge), Some(ClockState::Missed));
    tick(&mut h, 1);
    tick(&mut h, 1);
    let missed: Vec<ClockKind> = events(&h)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::DeadlineMissed { clock, .. } => Some(clock),
            _ => None,
        })
        .collect();
    assert_eq!(
        missed,
        [ClockKind::Acknowledge, ClockKind::Escalate],
        "each once"
    );
    h.key(KeyCode::Char('i'));
    let panel = h.screen(80, 24);
    assert!(panel.contains("escalate to bob"), "{panel}");
    assert!(panel.contains("MISSED"), "{panel}");
    // Acknowledging stops both clocks; the responder list is not polluted.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('a'));
    assert!(state(&h, ClockKind::Acknowledge).is_none());
    assert!(state(&h, ClockKind::Escalate).is_none());
    assert!(
        !h.app
            .incident_state()
            .unwrap()
            .responders
            .contains("warroom")
    );
}

#[test]
fn a_status_update_restarts_the_cadence() {
    let mut h = declared();
    tick(&mut h, 50 * 60);
    let due = |h: &Harness| {
        h.app
            .clocks()
            .into_iter()
            .find(|c| c.kind == ClockKind::Update)
            .unwrap()
            .due
    };
    assert_eq!(due(&h), common::t0() + jiff::SignedDuration::from_mins(60));
    h.key(KeyCode::Char('u'));
    let Mode::StatusUpdate(d) = &h.mode else {
        panic!("u opens the editor")
    };
    let text = d.editor.lines().join("\n");
    assert!(text.starts_with("[P1] "), "{text}");
    assert!(text.contains("Next update by 04:50 UTC"), "{text}");
    assert!(
        text.contains("Declared P1 incident") || text.contains("- "),
        "{text}"
    );
    // Tab switches to the customer template while nothing was typed.
    h.key(KeyCode::Tab);
    let Mode::StatusUpdate(d) = &h.mode else {
        panic!()
    };
    assert_eq!(d.audience, Audience::External);
    assert!(d.editor.lines().join("\n").starts_with("Investigating: "));
    h.chars(" More soon.");
    h.key(KeyCode::Esc);
    let Mode::StatusUpdate(d) = &h.mode else {
        panic!("a changed draft asks first")
    };
    assert!(d.confirm_discard);
    h.key(KeyCode::Char('n'));
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    assert!(matches!(h.mode, Mode::Normal));
    let inc = h.app.incident_state().unwrap();
    assert_eq!(inc.updates.len(), 1);
    assert_eq!(inc.updates[0].audience, Audience::External);
    // :updates, then y: the update onto the clipboard as it was sent.
    h.command("updates");
    h.key(KeyCode::Char('y'));
    let copied = h.effects.iter().rev().find_map(|e| match e {
        warroom::app::Effect::Copy(t) => Some(t.clone()),
        _ => None,
    });
    assert!(
        copied
            .as_deref()
            .is_some_and(|t| t.contains("Investigating: ") && t.contains("More soon.")),
        "{copied:?}"
    );
    h.key(KeyCode::Esc);
    // From the update's write time (this cockpit's events are a
    // millisecond apart at most when written at once).
    let reset = due(&h).duration_since(h.app.now + jiff::SignedDuration::from_mins(60));
    assert!(
        reset >= jiff::SignedDuration::ZERO && reset < jiff::SignedDuration::from_secs(1),
        "cadence reset: {reset:?}"
    );
    h.command("updates");
    assert!(
        h.screen(80, 24).contains("external"),
        "{}",
        h.screen(80, 24)
    );
}

#[test]
fn roles_oncall_backdated_notes_and_resolve_confirmation() {
    let mut h = declared();
    h.command("role ic Alice Smith");
    h.command("role comms bob");
    let inc = h.app.incident_state().unwrap();
    assert_eq!(
        inc.roles.get(&Role::Ic).map(|r| r.0.as_str()),
        Some("Alice Smith")
    );
    h.command("oncall");
    assert!(
        h.screen(200, 50)
            .contains("on call: primary alice, secondary bob")
    );
    h.command("note @02:50 customer reported slow pages first");
    let inc = h.app.incident_state().unwrap();
    assert_eq!(inc.notes[0].1, "customer reported slow pages first");
    assert_eq!(
        inc.notes[0].0.at,
        common::t0() - jiff::SignedDuration::from_mins(10)
    );
    let ev = h
        .app
        .incident
        .as_ref()
        .unwrap()
        .events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Note { text } if text.starts_with("customer")))
        .unwrap()
        .clone();
    assert!(
        ev.ts >= h.app.now && ev.ts < h.app.now + jiff::SignedDuration::from_secs(1),
        "the event keeps the time it was written"
    );
    assert_eq!(
        h.app.incident.as_ref().unwrap().events[0].id,
        ev.id,
        "listed where it happened, before the declaration"
    );
    // Mitigating asks first, and says what is still firing.
    h.key(KeyCode::Char('m'));
    assert!(matches!(h.mode, Mode::ConfirmMitigate));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("Still firing: CatalogP99Latency"),
        "{screen}"
    );
    h.key(KeyCode::Char('n'));
    assert!(h.app.incident_state().unwrap().mitigated.is_none());
    h.key(KeyCode::Char('m'));
    h.key(KeyCode::Char('y'));
    assert!(h.app.incident_state().unwrap().mitigated.is_some());
    h.key(KeyCode::Char('R'));
    assert!(matches!(h.mode, Mode::ConfirmResolve));
    let screen = h.screen(120, 40);
    assert!(screen.contains("runbook steps are not done"), "{screen}");
    h.key(KeyCode::Char('n'));
    assert!(h.app.incident_state().unwrap().is_open());
    h.key(KeyCode::Char('R'));
    h.key(KeyCode::Char('y'));
    assert!(!h.app.incident_state().unwrap().is_open());
}

#[test]
fn action_items_by_form_and_by_command() {
    let mut h = declared();
    h.key(KeyCode::Char('A'));
    h.chars("add a p99 alert on checkout");
    h.key(KeyCode::Tab);
    h.chars("bob");
    h.key(KeyCode::Tab);
    h.chars("next week");
    h.key(KeyCode::Enter);
    let Mode::ActionForm(d) = &h.mode else {
        panic!("a bad date keeps the form open")
    };
    assert!(d.error.as_deref().unwrap().contains("YYYY-MM-DD"));
    for _ in 0.."next week".len() {
        h.key(KeyCode::Backspace);
    }
    h.chars("2026-12-01");
    h.key(KeyCode::Enter);
    h.command("action write the load test ticket=OPS-7");
    let inc = h.app.incident_state().unwrap();
    assert_eq!(inc.actions.len(), 2);
    assert_eq!(inc.actions[0].owner.as_deref(), Some("bob"));
    assert_eq!(
        inc.actions[0].due.map(|d| d.to_string()).as_deref(),
        Some("2026-12-01")
    );
    assert_eq!(inc.actions[1].ticket.as_deref(), Some("OPS-7"));
    assert_eq!(inc.actions[1].owner, None);
    h.key(KeyCode::Char('i'));
    let panel = h.screen(80, 24);
    assert!(panel.contains("NO OWNER"), "{panel}");
}

#[test]
fn a_journal_damaged_or_deleted_under_the_cockpit_is_said_and_recovered() {
    use warroom::journal::JournalMsg;
    let mut h = declared();
    h.key(KeyCode::Char('a'));
    let id = h.app.incident.as_ref().unwrap().id.clone();
    let all = h.app.incident.as_ref().unwrap().events.clone();
    assert!(h.app.incident_state().unwrap().acknowledged.is_some());
    // Shortened on disk: only the declaration is left; the cockpit shows
    // what the journal holds now, and says why.
    h.send(Msg::Journal(JournalMsg::Reloaded {
        id: id.clone(),
        events: all[..1].to_vec(),
        why: "shortened".into(),
    }));
    assert!(h.app.incident_state().unwrap().acknowledged.is_none());
    let screen = h.screen(200, 50);
    assert!(screen.contains("journal shortened on disk"), "{screen}");
    // Deleted: said on the status line; nothing is pretended saved.
    h.send(Msg::Journal(JournalMsg::Deleted { id: id.clone() }));
    let screen = h.screen(80, 24);
    assert!(screen.contains("JOURNAL DELETED"), "{screen}");
    let before = h.effects.len();
    h.key(KeyCode::Char('a'));
    assert!(
        !h.effects[before..]
            .iter()
            .any(|e| matches!(e, warroom::app::Effect::Append(_))),
        "an append while the journal is gone"
    );
    assert!(h.screen(200, 50).contains("NOT SAVED"));
    // A note typed meanwhile is kept aside, not lost.
    h.key(KeyCode::Char('n'));
    h.chars("saw the disk fill");
    h.key(KeyCode::Enter);
    assert!(h.mode.is_normal());
    // Written again only when asked.
    h.command("recreate");
    assert!(!h.screen(80, 24).contains("JOURNAL DELETED"));
    h.key(KeyCode::Char('n'));
    assert!(h.screen(80, 24).contains("saw the disk fill"));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.incident_state().unwrap().notes.len(), 1);
    h.key(KeyCode::Char('a'));
    assert!(h.app.incident_state().unwrap().acknowledged.is_some());
}

#[test]
fn a_declaration_is_shown_for_a_moment_and_esc_cancels_it() {
    let mut h = Harness::at(0);
    h.app.settings.declare_after = jiff::SignedDuration::from_secs(2);
    let declares = |h: &Harness| {
        h.effects
            .iter()
            .filter(|e| matches!(e, warroom::app::Effect::Declare(_)))
            .count()
    };
    h.key(KeyCode::Enter);
    assert_eq!(declares(&h), 0, "written before it was shown");
    let screen = h.screen(80, 24);
    let status = screen.lines().last().unwrap_or_default();
    assert!(status.contains("DECLARING P1"), "{screen}");
    // Esc: nothing is written, even after the moment passes.
    h.key(KeyCode::Esc);
    tick(&mut h, 5);
    assert_eq!(declares(&h), 0);
    assert!(h.app.incident.is_none());
    assert!(h.screen(200, 50).contains("not declared: P1"));
    // Left alone, it is written once its moment has passed.
    h.key(KeyCode::Enter);
    tick(&mut h, 1);
    assert_eq!(declares(&h), 0, "too early");
    tick(&mut h, 2);
    assert_eq!(declares(&h), 1);
    assert!(h.app.incident.is_some());
}

#[test]
fn esc_clears_a_kept_filter() {
    let mut h = Harness::at(0);
    let all = h.app.alerts.view().len();
    h.key(KeyCode::Char('/'));
    h.chars("Catalog");
    h.key(KeyCode::Enter);
    assert!(h.app.alerts.view().len() < all);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.alerts.view().len(), all);
}

/// `:declare TITLE [sev]` opens an incident with no alert; everything that
/// shows an incident says it was declared by hand, and nothing claims an
/// alert fired.
#[test]
fn declare_opens_an_incident_by_hand_that_no_view_credits_to_an_alert() {
    let mut h = Harness::at(0);
    h.command("declare checkout errors after deploy P1");
    let inc = h.app.incident_state().expect("declared");
    assert_eq!(inc.title, "checkout errors after deploy");
    assert_eq!(inc.severity.to_string(), "P1");
    assert!(inc.alert.is_manual());
    let EventKind::Declared { runbook, .. } = &events(&h)[0] else {
        panic!("not a declaration: {:?}", events(&h));
    };
    assert!(runbook.is_none());
    let screen = h.screen(200, 50);
    assert!(screen.contains("Declared P1 incident by hand"), "{screen}");
    assert!(!screen.contains("started firing"), "{screen}");
    // The runbook pane says why none matched and how to attach one.
    assert!(screen.contains("Declared by hand: no alert"), "{screen}");
    assert!(!screen.contains("No runbook matches"), "{screen}");
    h.command("runbook api-latency-p99");
    let screen = h.screen(200, 50);
    assert!(!screen.contains("Declared by hand: no alert"), "{screen}");
    // The panel says how it was opened, not when an alert was detected.
    h.key(KeyCode::Char('i'));
    let panel = h.screen(200, 50);
    assert!(panel.contains("declared by hand (no alert)"), "{panel}");
    assert!(!panel.contains("time to detect"), "{panel}");

    // The export's summary and impact say the same.
    let loaded: Vec<_> = h.app.incident.as_ref().unwrap().events.clone();
    let md = warroom::domain::export::markdown(
        &loaded,
        warroom::domain::export::DEFAULT_TEMPLATE,
        &Default::default(),
    )
    .unwrap();
    assert!(md.contains("declared by hand"), "{md}");
    assert!(!md.contains("Alert  fired"), "{md}");
    assert!(!md.contains("The alert was active"), "{md}");
    assert!(!md.contains("started firing"), "{md}");
}

#[test]
fn declare_needs_a_title_and_defaults_to_the_fallback_severity() {
    let mut h = Harness::at(0);
    h.command("declare");
    assert!(h.app.incident.is_none());
    assert!(h.screen(200, 50).contains(":declare needs a title"));
    h.command("declare queue backlog growing");
    let inc = h.app.incident_state().expect("declared");
    assert_eq!(inc.title, "queue backlog growing");
    assert_eq!(inc.severity, h.app.settings.severity.map(None));
}

/// A title far longer than an id may be still declares: the id is cut,
/// the title is kept whole, and shell characters are only words.
#[test]
fn a_very_long_hostile_title_declares_with_a_shortened_id() {
    let mut h = Harness::at(0);
    let title = format!(
        "checkout $(touch /tmp/pwned) `id`; rm -rf ~ | {}",
        "x".repeat(300)
    );
    h.command(&format!("declare {title} P1"));
    let inc = h.app.incident_state().expect("declared");
    assert_eq!(inc.title, title);
    assert!(inc.id.len() <= 200, "{}", inc.id);
    assert!(warroom::journal::valid_id(&inc.id), "{}", inc.id);
    assert!(!std::path::Path::new("/tmp/pwned").exists());
}
