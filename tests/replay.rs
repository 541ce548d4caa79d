//! `warroom replay` (issue 19, point 3): an incident recorded through the
//! cockpit's reducer is played back at 10× and 60×; at several moments what
//! the replay shows (the incident's state, its timeline, the alerts, the
//! latest command, the chart) is compared with the journal read up to that
//! moment; Space, +/-, ]/[ drive the clock; and no key, paste or command
//! writes anything.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Harness, runbooks_dir};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::state::replay::ReplayState;
use warroom::app::{App, Effect, Mode, Msg, update};
use warroom::domain::alert::AlertState;
use warroom::domain::incident::{Event, EventKind, Incident};
use warroom::domain::severity::SeverityMap;
use warroom::exec::RunReport;
use warroom::sources::runbook_files;

/// An incident worked through the cockpit: declared, acknowledged, a step
/// ticked, a note, a command with output, the chart pinned, the alert
/// resolved, mitigated and resolved with its main metric recorded.
fn journal() -> Vec<Event> {
    let mut h = Harness::at(95);
    h.key(KeyCode::Enter);
    h.advance(20);
    h.command("ack");
    h.advance(25);
    h.key(KeyCode::Char(' '));
    h.advance(30);
    h.command("note the 02:53 deploy is the suspect");
    h.advance(20);
    h.app.runbook.cursor = h
        .app
        .shown_runbook()
        .and_then(|rb| rb.position("rollback-release"))
        .unwrap();
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    let id = h.app.runs.latest.as_ref().unwrap().id;
    h.send(Msg::Run(RunReport::Output {
        id,
        lines: vec!["deployment.apps/catalog rolled back".into()],
    }));
    h.advance(40);
    h.send(Msg::Run(RunReport::Finished {
        id,
        outcome: warroom::domain::incident::RunOutcome::Exited(0),
        duration: std::time::Duration::from_secs(40),
    }));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('p'));
    h.chars("p99 back under the line");
    h.key(KeyCode::Enter);
    // The demo's alert stops firing 16 minutes into its story; two polls
    // without it record it resolved.
    h.advance(600);
    h.advance(150);
    h.advance(20);
    h.command("mitigated");
    h.key(KeyCode::Char('y'));
    h.advance(60);
    h.command("resolve");
    h.key(KeyCode::Char('y'));
    let request = h
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchWindow(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    let range = (request.end.as_second() - request.start.as_second()) as u64;
    let req = warroom::sources::MetricRequest {
        query: request.query.clone(),
        range: std::time::Duration::from_secs(range),
        width: 60,
    };
    let data = h.scenario.metric(&req, request.end).unwrap();
    let chart = warroom::domain::incident::evidence::PinnedChart::of(
        &data,
        range,
        request.threshold,
        &request.unit,
    )
    .unwrap();
    h.send(Msg::WindowFetched {
        request,
        result: Ok(chart),
    });
    h.app.incident.as_ref().unwrap().events.clone()
}

struct Replay {
    app: App,
    mode: Mode,
    real: Timestamp,
    effects: Vec<Effect>,
}

impl Replay {
    fn new(events: Vec<Event>, speed: u32) -> Replay {
        let lib = runbook_files::load(&[runbooks_dir()]);
        let real = Timestamp::from_second(2_000_000_000).unwrap();
        let mut app = App::new("viewer".into(), SeverityMap::default(), lib, real);
        let id = events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Declared { id, .. } => Some(id.clone()),
                _ => None,
            })
            .unwrap();
        let replay = ReplayState::new(id, events, None, speed, real).unwrap();
        warroom::app::replay::start(&mut app, replay, real);
        Replay {
            app,
            mode: Mode::Normal,
            real,
            effects: Vec::new(),
        }
    }

    fn send(&mut self, msg: Msg) {
        let fx = update(&mut self.app, &mut self.mode, msg);
        self.effects.extend(fx);
    }

    /// Lets `secs` of wall-clock time pass, ticking four times a second as
    /// the loop does.
    fn wait(&mut self, secs: f64) {
        let steps = (secs * 4.0).round() as i64;
        for _ in 0..steps {
            self.real += SignedDuration::from_millis(250);
            self.send(Msg::Tick(self.real));
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn screen(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| warroom::ui::draw(f, &self.app, &self.mode))
            .unwrap();
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect()
    }

    fn events_shown(&self) -> usize {
        self.app.incident.as_ref().map_or(0, |i| i.events.len())
    }
}

/// What the journal says by playback time `t`.
fn journal_at(events: &[Event], t: Timestamp) -> Vec<Event> {
    let mut v: Vec<Event> = events
        .iter()
        .filter(|e| e.effective() <= t)
        .cloned()
        .collect();
    v.sort_by(Event::order);
    v
}

/// The replay at its playback time agrees with the journal read up to then.
fn agrees(r: &Replay, events: &[Event]) {
    let now = r.app.now;
    let expected = journal_at(events, now);
    assert_eq!(r.events_shown(), expected.len(), "at {now}");
    if expected.is_empty() {
        assert!(r.app.incident.is_none());
        return;
    }
    let folded = Incident::fold(&expected).unwrap();
    let shown = r.app.incident_state().unwrap();
    assert_eq!(shown.status, folded.status, "at {now}");
    assert_eq!(shown.acknowledged.is_some(), folded.acknowledged.is_some());
    assert_eq!(shown.mitigated.is_some(), folded.mitigated.is_some());
    assert_eq!(shown.resolved.is_some(), folded.resolved.is_some());
    // The alert fires in the pane until the journal says it resolved.
    let resolved = expected.iter().any(|e| {
        matches!(
            &e.kind,
            EventKind::AlertChanged {
                state: AlertState::Resolved,
                ..
            }
        )
    });
    assert_eq!(r.app.alerts.items().is_empty(), resolved, "at {now}");
    // The latest entry of the timeline is on screen.
    let latest = expected.last().unwrap().describe();
    let words: String = latest.chars().take(12).collect();
    let screen = r.screen(200, 50);
    assert!(screen.contains(&words), "{words:?} at {now}:\n{screen}");
}

/// Plays the whole journal at `speed`, checking at a few moments.
fn plays_back_at(speed: u32) {
    let events = journal();
    assert!(
        events.iter().any(|e| matches!(
            &e.kind,
            EventKind::AlertChanged {
                state: AlertState::Resolved,
                ..
            }
        )),
        "the journal records the alert resolving"
    );
    let mut r = Replay::new(events.clone(), speed);
    let start = r.app.now;
    // It starts when the alert fired, before anyone declared.
    assert!(r.app.incident.is_none());
    assert_eq!(r.app.alerts.items().len(), 1);
    agrees(&r, &events);
    // Moments: just after the declaration, the note, the command's end, the
    // pin, and the end; reached by the wall clock at `speed`.
    let moments: Vec<Timestamp> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Declared { .. }
                    | EventKind::Note { .. }
                    | EventKind::CommandFinished { .. }
                    | EventKind::Evidence { .. }
                    | EventKind::AlertChanged { .. }
                    | EventKind::Mitigated
            )
        })
        .map(Event::effective)
        .collect();
    for m in moments {
        let virtual_secs = (m - r.app.now).total(jiff::Unit::Second).unwrap().max(0.0);
        r.wait(virtual_secs / f64::from(speed) + 0.25);
        assert!(r.app.now >= m, "{} < {m}", r.app.now);
        agrees(&r, &events);
        if matches!(
            events.iter().find(|e| e.effective() == m).map(|e| &e.kind),
            Some(EventKind::CommandFinished { .. })
        ) {
            let run = r.app.runs.latest.as_ref().unwrap();
            assert_eq!(
                run.lines.back().map(String::as_str),
                Some("deployment.apps/catalog rolled back")
            );
            assert!(run.outcome.is_some());
        }
    }
    // Played to its end, it stops there.
    r.wait(3_600.0 / f64::from(speed));
    assert_eq!(r.events_shown(), events.len());
    assert!(r.app.replay.as_ref().unwrap().paused);
    assert!(r.app.now > start);
    // The main metric recorded at resolution is the chart, drawn up to now.
    assert_eq!(r.app.metric.origin, "recorded");
    assert!(r.app.metric.data.is_some());
    // Nothing but clipboard copies left the replay.
    assert!(r.effects.is_empty(), "{:?}", r.effects);
}

#[test]
fn at_10x_what_is_shown_is_what_the_journal_says_at_that_moment() {
    plays_back_at(10);
}

#[test]
fn at_60x_what_is_shown_is_what_the_journal_says_at_that_moment() {
    plays_back_at(60);
}

#[test]
fn space_pauses_plus_and_minus_change_speed_brackets_jump_between_events() {
    let events = journal();
    let mut r = Replay::new(events.clone(), 10);
    r.key(KeyCode::Char(' '));
    let held = r.app.now;
    r.wait(5.0);
    assert_eq!(r.app.now, held, "paused");
    r.key(KeyCode::Char(' '));
    r.key(KeyCode::Char('+'));
    assert_eq!(r.app.replay.as_ref().unwrap().speed, 30);
    let from = r.app.now;
    r.wait(2.0);
    assert_eq!(r.app.now, from + SignedDuration::from_secs(60));
    r.key(KeyCode::Char('-'));
    r.key(KeyCode::Char('-'));
    assert_eq!(r.app.replay.as_ref().unwrap().speed, 5);
    // ] lands exactly on the next event, [ takes the latest back.
    r.key(KeyCode::Char(' '));
    let mut order = events.clone();
    order.sort_by(Event::order);
    let before = r.events_shown();
    r.key(KeyCode::Char(']'));
    assert_eq!(r.events_shown(), before + 1);
    assert_eq!(r.app.now, order[before].effective());
    agrees(&r, &events);
    r.key(KeyCode::Char(']'));
    r.key(KeyCode::Char(']'));
    assert_eq!(r.events_shown(), before + 3);
    r.key(KeyCode::Char('['));
    assert_eq!(r.events_shown(), before + 2);
    agrees(&r, &events);
    r.key(KeyCode::Char('q'));
    assert!(r.app.quit);
}

#[test]
fn nothing_can_be_written_while_replaying() {
    let events = journal();
    let mut r = Replay::new(events.clone(), 60);
    r.wait(30.0);
    let shown = r.events_shown();
    assert!(shown > 3, "{shown}");
    assert!(r.app.writable().is_err());
    // Every key of every pane, the : line with commands that write, the
    // note editor, Enter on the alert, and pastes.
    for pane in ['1', '2', '3', '4', '5'] {
        r.key(KeyCode::Char(pane));
        for c in "abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ!@#$%^&*/?:;,.<>|\\".chars() {
            r.key(KeyCode::Char(c));
            for _ in 0..3 {
                r.key(KeyCode::Esc);
            }
        }
        r.key(KeyCode::Enter);
        r.key(KeyCode::Char('y'));
        r.key(KeyCode::Esc);
    }
    for text in [
        "resolve\n",
        ":resolve\ry",
        "\u{1b}[201~:mitigated\ry",
        "n sneaky note\r",
    ] {
        r.send(Msg::Paste(text.into()));
        r.key(KeyCode::Enter);
        r.key(KeyCode::Char('y'));
    }
    assert!(!r.app.quit, "no key but q leaves");
    let writes: Vec<&Effect> = r
        .effects
        .iter()
        .filter(|e| !matches!(e, Effect::Copy(_)))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    // The journal on screen is still the journal: not one event added.
    let open = r.app.incident.as_ref().unwrap();
    assert!(
        open.events
            .iter()
            .all(|e| events.iter().any(|j| j.id == e.id))
    );
    let flash = r.app.flash.as_ref().unwrap();
    assert!(flash.text.contains("read-only"), "{}", flash.text);
}

#[test]
fn snapshots_of_a_replay_at_80x24_and_200x50() {
    let events = journal();
    let mut r = Replay::new(events, 10);
    // Paused on the note, so the picture does not depend on timing.
    r.key(KeyCode::Char(' '));
    for _ in 0..4 {
        r.key(KeyCode::Char(']'));
    }
    insta::assert_snapshot!("replay_80x24", r.screen(80, 24));
    insta::assert_snapshot!("replay_200x50", r.screen(200, 50));
    // The README's picture of a replay, further on: the command's output.
    for _ in 0..2 {
        r.key(KeyCode::Char(']'));
    }
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
    t.draw(|f| warroom::ui::draw(f, &r.app, &r.mode)).unwrap();
    common::screenshot("replay-200x50", t.backend().buffer());
}

#[test]
fn messages_fade_by_the_wall_clock_and_a_filter_takes_a_paste() {
    let events = journal();
    let mut r = Replay::new(events, 600);
    // Played to the end at 600×, then stepped back: the end's message goes
    // after eight wall-clock seconds though the playback clock went back.
    r.wait(4.0);
    assert!(
        r.app
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("end of the journal"))
    );
    for _ in 0..3 {
        r.key(KeyCode::Char('['));
    }
    r.wait(4.0);
    assert!(r.screen(200, 50).contains("end of the journal") || r.app.flash.is_some());
    r.wait(9.0);
    assert!(!r.screen(200, 50).contains("end of the journal"));
    // A paste into the / filter is text for the filter.
    r.key(KeyCode::Char('1'));
    r.key(KeyCode::Char('/'));
    assert!(matches!(r.mode, Mode::Filter(_)), "{:?}", r.mode);
    r.send(Msg::Paste("Catalog".into()));
    assert!(
        r.screen(80, 24).contains("/Catalog"),
        "{}",
        r.screen(80, 24)
    );
    r.key(KeyCode::Esc);
    // Ctrl-C leaves: nothing runs for it to stop.
    r.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(r.app.quit);
}
