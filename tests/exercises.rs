//! DR drills and game-day pre-flights driven through the reducer, with the
//! journal written by the real [`Store`] in a temporary data dir (so ids,
//! joins and scores are the ones a cockpit gets) and the clock moved by
//! hand (so every number can be recomputed from the journal's events).
//! Queries, runs and faults stay pending: each test answers them itself.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{runbooks_dir, t0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use warroom::app::exercise::Ask;
use warroom::app::gameday::Phase;
use warroom::app::{App, Effect, Mode, Msg, Pane, update};
use warroom::domain::alert::{Alert, AlertState};
use warroom::domain::exercise::Experiment;
use warroom::domain::exercise::drill::DrillScore;
use warroom::domain::incident::{
    AlertRef, Event, EventKind, Exercise, Incident, Outcome, Purpose, Status,
};
use warroom::domain::severity::SeverityMap;
use warroom::exec::RunReport;
use warroom::journal::{JournalMsg, Store};
use warroom::sources::SourceMsg;
use warroom::sources::kubernetes::FaultRef;

const DRILL: &str = "regional-failover-drill";

/// A cockpit whose journal effects go to a real store; everything else it
/// asks for is kept in `effects` for the test to answer.
struct Cockpit {
    app: App,
    mode: Mode,
    store: Store,
    effects: Vec<Effect>,
    /// The incident followed, and how many of its events were delivered.
    followed: Option<(String, usize)>,
}

impl Cockpit {
    /// A fresh cockpit at `at` on the data dir `data`, remembering the
    /// drills found there as `warroom` does when it starts.
    fn on(data: &Path, at: Timestamp) -> Cockpit {
        let lib = warroom::sources::runbook_files::load(&[runbooks_dir()]);
        assert!(lib.errors.is_empty(), "{:?}", lib.errors);
        let store = Store::new(data);
        let mut app = App::new("alice".into(), SeverityMap::default(), lib, at);
        app.settings.declare_after = SignedDuration::ZERO;
        app.runbooks.history = store
            .summaries()
            .map(|(s, _)| warroom::journal::index::history(&s))
            .unwrap_or_default();
        Cockpit {
            app,
            mode: Mode::Normal,
            store,
            effects: Vec::new(),
            followed: None,
        }
    }

    fn send(&mut self, msg: Msg) {
        let mut queue = VecDeque::from([msg]);
        while let Some(m) = queue.pop_front() {
            for e in update(&mut self.app, &mut self.mode, m) {
                self.effects.push(e.clone());
                match e {
                    Effect::Declare(event) => {
                        queue.push_back(Msg::Declared(
                            self.store.open(&event).map_err(|e| e.to_string()),
                        ));
                    }
                    Effect::Follow { id, .. } => {
                        let n = self.store.load(&id).unwrap().events.len();
                        self.followed = Some((id, n));
                    }
                    Effect::Append(event) => {
                        let (id, n) = self.followed.clone().expect("a followed journal");
                        self.store.append(&id, &event).unwrap();
                        let all = self.store.load(&id).unwrap().events;
                        self.followed = Some((id.clone(), all.len()));
                        queue.push_back(Msg::Journal(JournalMsg::Events {
                            id,
                            events: all[n..].to_vec(),
                        }));
                    }
                    _ => {}
                }
            }
        }
    }

    fn now(&self) -> Timestamp {
        self.app.now
    }

    /// Moves the clock by whole seconds, one tick a second as the loop does.
    fn advance(&mut self, secs: i64) {
        for _ in 0..secs {
            let now = self.app.now + SignedDuration::from_secs(1);
            self.send(Msg::Tick(now));
        }
    }

    fn key(&mut self, code: KeyCode) {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    fn chars(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn command(&mut self, line: &str) {
        self.key(KeyCode::Char(':'));
        self.chars(line);
        self.key(KeyCode::Enter);
    }

    fn flash(&self) -> (String, bool) {
        self.app
            .flash
            .as_ref()
            .map(|f| (f.text.clone(), f.error))
            .unwrap_or_default()
    }

    fn incident(&self) -> &Incident {
        self.app.incident_state().expect("an incident is open here")
    }

    fn id(&self) -> String {
        self.incident().id.clone()
    }

    /// The journal as the store reads it back.
    fn journal(&self) -> Vec<Event> {
        self.store.load(&self.id()).unwrap().events
    }

    fn screen(&self, w: u16, h: u16) -> String {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| warroom::ui::draw(f, &self.app, &self.mode))
            .unwrap();
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The effects asked for since `from`.
    fn asked_since(&self, from: usize) -> &[Effect] {
        &self.effects[from..]
    }

    /// Selects a step of the shown runbook by id and ticks it (Space).
    fn tick(&mut self, step: &str) {
        self.goto(step);
        self.key(KeyCode::Char(' '));
    }

    fn goto(&mut self, step: &str) {
        let at = self
            .app
            .shown_runbook()
            .and_then(|rb| rb.position(step))
            .unwrap_or_else(|| panic!("no step {step} in the shown runbook"));
        self.app.focus = Pane::Runbook;
        self.app.runbook.select(at);
    }
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| kind_name(&e.kind)).collect()
}

fn kind_name(k: &EventKind) -> &'static str {
    match k {
        EventKind::Declared { .. } => "Declared",
        EventKind::Injected { .. } => "Injected",
        EventKind::Recovered { .. } => "Recovered",
        EventKind::RpoMeasured { .. } => "RpoMeasured",
        EventKind::DrillScored { .. } => "DrillScored",
        EventKind::Resolved => "Resolved",
        EventKind::ExperimentStarted { .. } => "ExperimentStarted",
        EventKind::ExperimentEnded { .. } => "ExperimentEnded",
        EventKind::ClusterAction { .. } => "ClusterAction",
        EventKind::StepDone { .. } => "StepDone",
        EventKind::CommandStarted { .. } => "CommandStarted",
        EventKind::CommandFinished { .. } => "CommandFinished",
        EventKind::ActionItem { .. } => "ActionItem",
        EventKind::AlertChanged { .. } => "AlertChanged",
        _ => "other",
    }
}

fn score_of(events: &[Event]) -> DrillScore {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::DrillScored { score } => Some((**score).clone()),
            _ => None,
        })
        .expect("a DrillScored event")
}

fn ms(from: Timestamp, to: Timestamp) -> u64 {
    u64::try_from(to.duration_since(from).as_millis()).unwrap()
}

/// RTO and human action time recomputed from the journal alone, as a
/// facilitator would with a pencil: RTO from the injection to the recovery;
/// human time over the steps taken (ticked, or a command run) between the
/// two, each from the one before (the injection for the first) to its
/// taking, less the time commands were running in between.
fn by_hand(events: &[Event]) -> (u64, u64) {
    let at = |pick: &dyn Fn(&EventKind) -> bool| {
        events
            .iter()
            .find(|e| pick(&e.kind))
            .map(Event::effective)
            .unwrap()
    };
    let injected = at(&|k| matches!(k, EventKind::Injected { .. }));
    let recovered = at(&|k| matches!(k, EventKind::Recovered { .. }));
    let mut taken: Vec<(Timestamp, String)> = Vec::new();
    let mut commands: Vec<(Timestamp, Timestamp)> = Vec::new();
    for e in events {
        let t = e.effective();
        match &e.kind {
            EventKind::StepDone { step, .. } if t > injected && t <= recovered => {
                taken.push((t, step.clone()))
            }
            EventKind::CommandStarted {
                step,
                purpose: Purpose::Run,
                ..
            } if t > injected && t <= recovered => taken.push((t, step.clone())),
            EventKind::CommandFinished { duration_ms, .. } => {
                let d = SignedDuration::from_millis(i64::try_from(*duration_ms).unwrap());
                commands.push((t - d, t));
            }
            _ => {}
        }
    }
    taken.sort();
    let mut seen = std::collections::HashSet::new();
    taken.retain(|(_, s)| seen.insert(s.clone()));
    let mut human = 0;
    let mut prev = injected;
    for (t, _) in taken {
        let span = ms(prev, t);
        let machine: u64 = commands
            .iter()
            .map(|(s, e)| {
                let (s, e) = ((*s).max(prev), (*e).min(t));
                if e > s { ms(s, e) } else { 0 }
            })
            .sum();
        human += span - machine.min(span);
        prev = t;
    }
    (ms(injected, recovered), human)
}

/// Runs the selected step's command (`r`, `y`) and reports it finished
/// `secs` later with that duration.
fn run_selected_for(c: &mut Cockpit, secs: i64) {
    c.key(KeyCode::Char('r'));
    assert!(matches!(c.mode, Mode::ConfirmRun(_)), "r asks first");
    c.key(KeyCode::Char('y'));
    let id = c
        .effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Run(spec) => Some(spec.id),
            _ => None,
        })
        .expect("the command runs");
    c.advance(secs);
    c.send(Msg::Run(RunReport::Output {
        id,
        lines: vec!["node-a Ready".into()],
    }));
    c.send(Msg::Run(RunReport::Finished {
        id,
        outcome: warroom::domain::incident::RunOutcome::Exited(0),
        duration: Duration::from_secs(secs as u64),
    }));
    c.key(KeyCode::Esc);
    assert!(matches!(c.mode, Mode::Normal), "{:?}", c.mode.kind());
}

/// A drill of the shipped runbook, start to score, at 80x24: what the
/// status line says, what each command records, and a score that matches
/// the journal recomputed by hand.
#[test]
fn a_drill_is_clocked_refuses_to_end_without_an_action_and_scores_what_the_journal_says() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    let id = c.id();
    assert!(id.starts_with("drill-"), "{id}");
    assert!(id.contains(DRILL), "{id}");
    let inc = c.incident();
    let x = inc.exercise.as_ref().expect("an exercise");
    let Exercise::Drill {
        runbook, targets, ..
    } = &x.plan
    else {
        panic!("not a drill: {:?}", x.plan)
    };
    assert_eq!(runbook, DRILL);
    assert_eq!(
        (targets.rto_ms, targets.rpo_ms, targets.human_ms),
        (30 * 60_000, 5 * 60_000, Some(10 * 60_000))
    );
    assert_eq!(inc.runbook.as_ref().map(|r| r.id.as_str()), Some(DRILL));
    let screen = c.screen(80, 24);
    let status = screen.lines().last().unwrap();
    assert!(screen.contains(" DRILL "), "{screen}");
    assert!(status.contains("RTO waits for injection"), "{screen}");

    // Nothing is clocked before the injection.
    c.advance(5);
    c.command("recovered");
    assert_eq!(
        c.flash(),
        (
            "nothing was injected yet: the RTO clock has not started (:inject)".into(),
            true
        )
    );
    let start = c.effects.len();
    c.tick("inject-region-loss");
    let inc = c.incident();
    let (mark, how) = inc
        .exercise
        .as_ref()
        .unwrap()
        .injected
        .clone()
        .expect("ticking the inject step injects");
    assert_eq!(how, "step inject-region-loss");
    assert_eq!(mark.at, t0() + SignedDuration::from_secs(5));
    assert!(
        !c.asked_since(start)
            .iter()
            .any(|e| matches!(e, Effect::Run(_))),
        "ticking runs nothing"
    );
    // `:inject` afterwards changes nothing.
    c.command("inject");
    assert!(
        c.flash().0.starts_with("already injected at"),
        "{:?}",
        c.flash()
    );
    assert_eq!(
        kinds(&c.journal())
            .iter()
            .filter(|k| **k == "Injected")
            .count(),
        1
    );

    // The recovered query is asked every 5 s while it waits.
    let start = c.effects.len();
    c.advance(20);
    let asked = c
        .asked_since(start)
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::ExerciseQuery {
                    ask: Ask::Recovered,
                    ..
                }
            )
        })
        .count();
    assert_eq!(asked, 4, "every 5 s over 20 s");
    c.send(Msg::ExerciseAnswer {
        ask: Ask::Recovered,
        at: c.now(),
        result: Ok(Vec::new()),
    });
    assert!(c.incident().exercise.as_ref().unwrap().recovered.is_none());
    let screen = c.screen(80, 24);
    assert!(screen.contains("RTO 20s/30m"), "{screen}");

    // Steps taken: a tick 20 s after the injection, then a command run
    // 12 s later that runs for 8 s, then a tick 15 s after the run began.
    c.tick("check-2");
    c.advance(12);
    c.goto("check-3");
    run_selected_for(&mut c, 8);
    c.advance(7);
    c.tick("diagnose-1");
    c.advance(4);
    c.command("recovered");
    let x = c.incident().exercise.clone().unwrap();
    assert!(x.recovered.is_some(), "{:?}", c.flash());
    assert!(
        c.effects
            .iter()
            .any(|e| matches!(e, Effect::ExerciseQuery { ask: Ask::Rpo, .. })),
        "the rpo query is asked at recovery"
    );
    // The clock stopped: later time changes neither RTO nor human time.
    let rto_then = x.rto_ms(c.now());
    let human_then = x.human.total(c.now());
    c.advance(30);
    let x = c.incident().exercise.clone().unwrap();
    assert_eq!(x.rto_ms(c.now()), rto_then);
    assert_eq!(x.human.total(c.now()), human_then);
    let screen = c.screen(80, 24);
    assert!(screen.contains("RTO 51s/30m"), "{screen}");
    let start = c.effects.len();
    c.advance(10);
    assert!(
        !c.asked_since(start)
            .iter()
            .any(|e| matches!(e, Effect::ExerciseQuery { .. })),
        "no query after recovery"
    );

    c.command("rpo 3s");
    assert_eq!(c.flash().0, "data lost recorded: 3s");
    assert_eq!(
        c.incident().exercise.as_ref().unwrap().rpo,
        Some((3000, "by hand (:rpo)".into()))
    );

    // No action item: refused, with the reason, and nothing recorded.
    let before = c.journal().len();
    c.command("resolve");
    assert_eq!(
        c.flash(),
        (
            "a drill ends with at least one action item, even when it passed (:action TEXT)".into(),
            true
        )
    );
    assert!(matches!(c.mode, Mode::Normal));
    assert_eq!(c.journal().len(), before);

    c.command("action fix the DNS TTL owner=ana");
    assert_eq!(c.incident().actions.len(), 1, "{:?}", c.flash());
    c.command("resolve");
    assert!(matches!(c.mode, Mode::ConfirmResolve), "{:?}", c.flash());
    c.key(KeyCode::Char('y'));
    let events = c.journal();
    let k = kinds(&events);
    let scored = k.iter().position(|k| *k == "DrillScored").expect("scored");
    let resolved = k.iter().position(|k| *k == "Resolved").expect("resolved");
    assert!(scored < resolved, "scored first: {k:?}");
    assert_eq!(c.incident().status, Status::Resolved);

    let score = score_of(&events);
    let (rto, human) = by_hand(&events);
    assert_eq!(rto, 51_000);
    assert_eq!(human, 20_000 + 12_000 + (15_000 - 8_000));
    assert_eq!(score.rto_ms, Some(rto));
    assert_eq!(score.human_ms, human);
    assert_eq!(score.rpo_ms, Some(3000));
    assert!(score.passed());
    assert!(score.history.is_empty(), "the first drill of the runbook");
    let slowest: Vec<(&str, u64)> = score
        .slowest
        .iter()
        .map(|s| (s.step.as_str(), s.human_ms))
        .collect();
    assert_eq!(slowest.len(), 3, "{slowest:?}");
    assert_eq!(
        slowest.iter().map(|s| s.1).collect::<Vec<_>>(),
        [20_000, 12_000, 7_000]
    );
    let rows: Vec<String> = score.rows().iter().map(|r| r.line()).collect();
    assert_eq!(
        rows,
        [
            "RTO 51s / target 30m PASS",
            "RPO 3s / target 5m PASS",
            "human action time 39s / target 10m PASS"
        ]
    );
    let screen = c.screen(80, 24);
    assert!(screen.contains("scored PASS"), "{screen}");
}

/// A whole drill on `c`: the inject step ticked 5 s in, `check-2` ticked
/// `human` s after the injection, recovered `rto` s after it, 3 s of data
/// lost, one action item, resolved. The journal afterwards.
fn drill_once(c: &mut Cockpit, human: i64, rto: i64) -> Vec<Event> {
    c.command(&format!("drill {DRILL}"));
    assert!(c.id().starts_with("drill-"), "{:?}", c.flash());
    c.advance(5);
    c.tick("inject-region-loss");
    c.advance(human);
    c.tick("check-2");
    c.advance(rto - human);
    c.command("recovered");
    c.command("rpo 3s");
    c.command("action rehearse the DNS switch owner=ana");
    c.command("resolve");
    c.key(KeyCode::Char('y'));
    assert_eq!(c.incident().status, Status::Resolved, "{:?}", c.flash());
    c.journal()
}

/// The second drill of a runbook is scored against the first one found in
/// the data dir, as a cockpit started later finds it.
#[test]
fn a_second_drill_is_compared_with_the_first_found_in_the_data_dir() {
    let data = tempfile::tempdir().unwrap();
    let mut first = Cockpit::on(data.path(), t0());
    let one = drill_once(&mut first, 60, 120);
    let first_id = first.id();
    let s1 = score_of(&one);
    assert_eq!((s1.rto_ms, s1.human_ms), (Some(120_000), 60_000));
    assert_eq!(by_hand(&one), (120_000, 60_000));

    let mut second = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(3600));
    let two = drill_once(&mut second, 30, 60);
    assert_ne!(second.id(), first_id, "a new drill, not the resolved one");
    assert!(second.id().starts_with("drill-"));
    let s2 = score_of(&two);
    assert_eq!(by_hand(&two), (60_000, 30_000));
    assert_eq!((s2.rto_ms, s2.human_ms), (Some(60_000), 30_000));
    assert_eq!(s2.history.len(), 1, "{:?}", s2.history);
    assert_eq!(s2.history[0].id, first_id);
    assert_eq!(s2.history[0].rto_ms, Some(120_000));
    let rows: Vec<String> = s2.rows().iter().map(|r| r.line()).collect();
    assert_eq!(
        rows,
        [
            "RTO 1m (last drill 2m, −50%) / target 30m PASS",
            "RPO 3s (last drill 3s, +0%) / target 5m PASS",
            "human action time 30s (last drill 1m, −50%) / target 10m PASS"
        ]
    );
    // The timeline says it too.
    let line = two
        .iter()
        .find(|e| matches!(e.kind, EventKind::DrillScored { .. }))
        .unwrap()
        .kind
        .describe();
    assert!(line.contains("last drill 2m"), "{line}");
}

/// Two drills in one cockpit: the second must be compared with the first,
/// which is in the data dir by then, as it is for a cockpit started later.
#[test]
fn a_second_drill_in_the_same_cockpit_is_compared_with_the_first() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    drill_once(&mut c, 60, 120);
    let first_id = c.id();
    c.advance(60);
    let two = drill_once(&mut c, 30, 60);
    assert_ne!(c.id(), first_id);
    let s2 = score_of(&two);
    assert_eq!(
        s2.history.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        [first_id.as_str()]
    );
    assert!(s2.rows()[0].line().contains("last drill 2m"));
}

#[test]
fn only_a_drill_runbook_starts_a_drill_and_drill_commands_need_a_drill() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command("drill api-latency-p99");
    let (text, error) = c.flash();
    assert!(error);
    assert!(
        text.starts_with("runbook api-latency-p99 is not a drill runbook"),
        "{text}"
    );
    c.command("drill no-such-runbook");
    assert_eq!(c.flash(), ("no runbook named no-such-runbook".into(), true));
    for cmd in ["inject", "recovered", "rpo 3s"] {
        c.command(cmd);
        assert_eq!(
            c.flash(),
            ("no drill is open (:drill RUNBOOK starts one)".into(), true),
            "{cmd}"
        );
    }
    assert!(
        !c.effects
            .iter()
            .any(|e| matches!(e, Effect::Declare(_) | Effect::Append(_))),
        "nothing was declared or recorded"
    );
    assert_eq!(std::fs::read_dir(c.store.dir()).map_or(0, |d| d.count()), 0);

    // A real incident open here: no drill on top of it, and no drill
    // commands on it.
    c.command("declare checkout is down P1");
    let real = c.id();
    c.command("inject");
    assert_eq!(
        c.flash(),
        (
            format!("{real} is not a drill (:drill RUNBOOK starts one)"),
            true
        )
    );
    c.command(&format!("drill {DRILL}"));
    let (text, error) = c.flash();
    assert!(error && text.contains("is open here"), "{text}");
    assert_eq!(c.id(), real);
}

fn alert(name: &str, fingerprint: &str) -> Alert {
    Alert {
        fingerprint: fingerprint.into(),
        labels: [
            ("alertname".to_string(), name.to_string()),
            ("severity".to_string(), "critical".to_string()),
        ]
        .into(),
        annotations: [("summary".to_string(), format!("{name} firing"))].into(),
        starts_at: t0(),
        state: AlertState::Firing,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        generator_url: None,
    }
}

fn alerts(c: &mut Cockpit, items: Vec<Alert>) {
    c.send(Msg::Source(SourceMsg::Alerts {
        source: "alertmanager".into(),
        result: Ok(items),
    }));
}

/// Declares (Enter in the Alerts pane) for the alert named `name`.
fn declare_for(c: &mut Cockpit, name: &str) {
    c.app.focus = Pane::Alerts;
    let at = c
        .app
        .alerts
        .view()
        .iter()
        .position(|i| c.app.alerts.items()[*i].name() == name)
        .unwrap_or_else(|| panic!("{name} is not listed"));
    c.app.alerts.select_at(at);
    c.key(KeyCode::Enter);
}

/// An alert the drill runbook claims, firing while the drill runs, joins
/// the drill from any cockpit on the data dir: it never opens a real
/// incident. Other alerts do; and once the drill is over, so does it.
#[test]
fn alerts_the_drill_runbook_claims_join_the_running_drill() {
    let data = tempfile::tempdir().unwrap();
    let mut game_master = Cockpit::on(data.path(), t0());
    game_master.command(&format!("drill {DRILL}"));
    let drill = game_master.id();

    let mut responder = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(30));
    alerts(
        &mut responder,
        vec![
            alert("RegionUnavailable", "fp-region"),
            alert("CatalogP99Latency", "fp-catalog"),
        ],
    );
    declare_for(&mut responder, "RegionUnavailable");
    assert_eq!(responder.id(), drill, "{:?}", responder.flash());
    let journals = || {
        std::fs::read_dir(Store::new(data.path()).dir())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "jsonl")
            })
            .count()
    };
    assert_eq!(journals(), 1, "no new journal");
    // The claim ignores case, as alert names are compared.
    let declaration = |name: &str, fp: &str| {
        let mut a = AlertRef::from_alert(&alert(name, fp));
        a.starts_at = t0();
        Event::new(
            t0() + SignedDuration::from_secs(40),
            "bob".into(),
            EventKind::Declared {
                id: String::new(),
                title: name.into(),
                severity: warroom::domain::severity::Sev::P1,
                alert: a,
                runbook: None,
                exercise: None,
            },
        )
    };
    let store = Store::new(data.path());
    let joined = store
        .declare_or_join(&declaration("regionunavailable", "fp-other"))
        .unwrap();
    assert_eq!(joined, warroom::journal::Declared::Joined(drill.clone()));

    // Not claimed: a real incident of its own.
    let mut other = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(50));
    alerts(&mut other, vec![alert("CatalogP99Latency", "fp-catalog")]);
    declare_for(&mut other, "CatalogP99Latency");
    assert!(!other.id().starts_with("drill-"), "{}", other.id());
    assert_eq!(journals(), 2);

    // The drill over, the same alert is a real incident.
    game_master.command("action keep the region alert claimed owner=ana");
    game_master.command("resolve");
    game_master.key(KeyCode::Char('y'));
    let after = store
        .declare_or_join(&declaration("RegionUnavailable", "fp-region-2"))
        .unwrap();
    assert!(
        matches!(&after, warroom::journal::Declared::New(id) if !id.starts_with("drill-")),
        "{after:?}"
    );
}

/// Issue 18: alerts the drill runbook claims, firing while the drill runs,
/// "are recorded in the drill's timeline".
#[test]
fn a_claimed_alert_firing_during_the_drill_is_recorded_in_its_timeline() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    c.advance(10);
    alerts(&mut c, vec![alert("RegionUnavailable", "fp-region")]);
    let journal = c.journal();
    assert!(
        journal.iter().any(|e| matches!(
            &e.kind,
            EventKind::AlertChanged { name, state: AlertState::Firing, .. } if name == "RegionUnavailable"
        )),
        "{:?}",
        kinds(&journal)
    );
}

/// Issue 18: alerts the drill runbook claims "are marked 'drill' in the
/// Alerts pane" while the drill runs; others are not.
#[test]
fn a_claimed_alert_is_marked_drill_in_the_alerts_pane() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    alerts(
        &mut c,
        vec![
            alert("RegionUnavailable", "fp-region"),
            alert("CatalogP99Latency", "fp-catalog"),
        ],
    );
    c.app.focus = Pane::Alerts;
    let screen = c.screen(200, 50);
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not shown:\n{screen}"))
            .to_lowercase()
    };
    assert!(row("RegionUnavailable").contains("drill"), "{screen}");
    assert!(!row("CatalogP99Latency").contains("drill"), "{screen}");
}

/// A drill that injected its fault counts as exercising its runbook: a
/// cockpit started after it no longer calls the runbook stale (its front
/// matter says it was last exercised 93 days before the drill). One that
/// injected nothing exercised nothing.
#[test]
fn a_drill_freshens_its_runbook_for_the_next_cockpit() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    let screen = c.screen(200, 50);
    assert!(
        screen.contains("STALE — last exercised 93 days ago"),
        "{screen}"
    );
    c.command("action rehearse more often owner=ana");
    c.command("resolve");
    c.key(KeyCode::Char('y'));
    let mut idle = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(1800));
    idle.command(&format!("drill {DRILL}"));
    let screen = idle.screen(200, 50);
    assert!(screen.contains("STALE"), "nothing injected: {screen}");
    idle.command("inject");
    idle.command("action rehearse more often owner=ana");
    idle.command("resolve");
    idle.key(KeyCode::Char('y'));
    let mut next = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(3600));
    next.command(&format!("drill {DRILL}"));
    let screen = next.screen(200, 50);
    assert!(screen.contains("Regional failover (DR drill)"), "{screen}");
    assert!(!screen.contains("STALE"), "{screen}");
}

// ---------------------------------------------------------------------
// Game-day pre-flight and run, in the reducer.

const DELAY: &str = "checkout-network-delay";

/// A 4 s window polled every second, the fault lasting as long.
const SHORT: &[(&str, &str)] = &[
    ("window: 3m", "window: 4s"),
    ("poll: 5s", "poll: 1s"),
    ("duration: 90s", "duration: 4s"),
];

/// The shipped network-delay experiment, copied into `dir` with `edits`
/// (text replacements) made.
fn experiment(dir: &Path, edits: &[(&str, &str)]) -> PathBuf {
    let shipped = runbooks_dir()
        .join("experiments")
        .join(format!("{DELAY}.yaml"));
    let mut text = std::fs::read_to_string(shipped).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} is not in the experiment");
        text = text.replace(from, to);
    }
    let path = dir.join(format!("{DELAY}.yaml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// A cockpit on a cluster whose context the experiment lists.
fn on_cluster(data: &Path) -> Cockpit {
    let mut c = Cockpit::on(data, t0());
    c.app.cluster = Some(("kind-warroom".into(), "shop".into()));
    c
}

/// `:gameday FILE` with the file read and the pre-flight's two questions
/// answered as given.
fn preflight(c: &mut Cockpit, path: &Path, steady: Vec<(String, f64)>, pods: usize) {
    let start = c.effects.len();
    c.command(&format!("gameday {}", path.display()));
    let asked = c.asked_since(start);
    assert!(
        asked.contains(&Effect::LoadExperiment(path.to_path_buf())),
        "{asked:?}"
    );
    assert!(
        !asked
            .iter()
            .any(|e| matches!(e, Effect::ApplyFault { .. } | Effect::Declare(_))),
        "{asked:?}"
    );
    let start = c.effects.len();
    c.send(Msg::ExperimentLoaded(Experiment::load(path)));
    assert!(matches!(c.mode, Mode::Gameday(_)), "{:?}", c.flash());
    let asked = c.asked_since(start).to_vec();
    assert!(
        asked.iter().any(|e| matches!(e, Effect::ExerciseQuery { ask: Ask::SteadyBefore, query } if query.contains("histogram_quantile"))),
        "{asked:?}"
    );
    assert!(
        asked.iter().any(|e| matches!(e, Effect::CountPods { namespace, selector } if namespace == "shop" && selector == "app=checkout")),
        "{asked:?}"
    );
    c.send(Msg::ExerciseAnswer {
        ask: Ask::SteadyBefore,
        at: c.now(),
        result: Ok(steady),
    });
    // The abort query is asked once too: it must answer, and be empty.
    assert!(
        asked.iter().any(|e| matches!(
            e,
            Effect::ExerciseQuery {
                ask: Ask::AbortBefore,
                ..
            }
        )),
        "{asked:?}"
    );
    c.send(Msg::ExerciseAnswer {
        ask: Ask::AbortBefore,
        at: c.now(),
        result: Ok(Vec::new()),
    });
    c.send(Msg::PodsCounted(Ok(pods)));
}

fn nothing_applied(c: &Cockpit, from: usize) {
    assert!(
        !c.asked_since(from)
            .iter()
            .any(|e| matches!(e, Effect::Declare(_) | Effect::ApplyFault { .. })),
        "{:?}",
        c.asked_since(from)
    );
    assert!(c.app.incident.is_none());
}

fn draft_error(c: &Cockpit) -> Option<String> {
    match &c.mode {
        Mode::Gameday(d) => d.error.clone(),
        _ => None,
    }
}

/// Every check the pre-flight shows, on a small and a large terminal, and
/// the name to type. Nothing is applied before the name is typed.
#[test]
fn the_preflight_lists_every_check_at_80x24_and_200x50() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), &[]);
    let mut c = on_cluster(data.path());
    preflight(&mut c, &path, Vec::new(), 3);
    for (w, h) in [(200, 50), (80, 24)] {
        let screen = c.screen(w, h);
        let flat: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
        for check in [
            "Game-day pre-flight",
            "✔ Context: kind-warroom is listed",
            "✔ Steady state: the steady-state query is empty",
            "✔ Fault kind",
            "✔ Pod count",
            "✔ Duration",
            "✔ Cluster: changes allowed",
            "Type 'checkout-network-delay' and press Enter to apply the fault.",
        ] {
            assert!(
                flat.contains(check),
                "{w}x{h}: {check:?} missing:\n{screen}"
            );
        }
        assert!(!screen.contains('✖'), "{w}x{h}:\n{screen}");
    }
    nothing_applied(&c, 0);
}

/// A failing check refuses the start, whatever is typed: the checklist
/// says so, Enter says why, and nothing is declared or applied.
#[test]
fn a_failing_check_refuses_the_start() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), &[]);
    let mut c = on_cluster(data.path());
    preflight(
        &mut c,
        &path,
        vec![("{service=\"checkout\"}".into(), 0.9)],
        3,
    );
    let screen = c.screen(200, 50);
    let flat: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("✖ Steady state: the steady-state query returns 1 series"),
        "{screen}"
    );
    assert!(
        flat.contains("Refused until every check passes: nothing will be applied."),
        "{screen}"
    );
    c.chars(DELAY);
    c.key(KeyCode::Enter);
    let err = draft_error(&c).expect("Enter says why");
    assert!(
        err.starts_with("refused — Steady state: the steady-state query returns 1 series"),
        "{err}"
    );
    let flat: String = c
        .screen(200, 50)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("refused — Steady state"), "{flat}");
    assert!(matches!(c.mode, Mode::Gameday(_)));
    nothing_applied(&c, 0);

    // A context the experiment does not list, and a read-only cockpit.
    let mut c = on_cluster(data.path());
    c.app.cluster = Some(("prod-eu".into(), "shop".into()));
    c.app.settings.read_only = true;
    preflight(&mut c, &path, Vec::new(), 3);
    let flat: String = c
        .screen(200, 50)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains(
            "✖ Context: prod-eu is not one of the experiment's contexts (demo, kind-warroom)"
        ),
        "{flat}"
    );
    assert!(
        flat.contains("✖ Cluster: the cockpit is --read-only: nothing may be applied"),
        "{flat}"
    );
    c.chars(DELAY);
    c.key(KeyCode::Enter);
    assert!(draft_error(&c).unwrap().starts_with("refused — Context"));
    nothing_applied(&c, 0);

    // Out of bounds: mode all against max_pods 1.
    let wide = experiment(data.path(), &[("    mode: one\n", "    mode: all\n")]);
    let mut c = on_cluster(data.path());
    preflight(&mut c, &wide, Vec::new(), 3);
    let flat: String = c
        .screen(200, 50)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("✖ Pod count"), "{flat}");
    c.chars(DELAY);
    c.key(KeyCode::Enter);
    assert!(draft_error(&c).unwrap().contains("Pod count"));
    nothing_applied(&c, 0);
}

/// The wrong name applies nothing; a pasted name is text, not Enter.
#[test]
fn a_wrong_name_applies_nothing_and_a_pasted_name_does_not_submit() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), &[]);
    let mut c = on_cluster(data.path());
    preflight(&mut c, &path, Vec::new(), 3);
    c.chars("checkout-network-dela");
    c.key(KeyCode::Enter);
    assert_eq!(
        draft_error(&c).as_deref(),
        Some("'checkout-network-dela' is not checkout-network-delay: nothing was applied")
    );
    assert!(c.screen(200, 50).contains("nothing was applied"));
    nothing_applied(&c, 0);
    for _ in 0.."checkout-network-dela".len() {
        c.key(KeyCode::Backspace);
    }

    // Pasted with its line end: in the field, not submitted.
    c.send(Msg::Paste(format!("{DELAY}\n")));
    assert!(matches!(c.mode, Mode::Gameday(_)));
    nothing_applied(&c, 0);
    // Enter arriving with the paste is dropped too.
    c.key(KeyCode::Enter);
    assert!(matches!(c.mode, Mode::Gameday(_)));
    nothing_applied(&c, 0);
    // Pressed by a person afterwards, it starts.
    c.advance(1);
    c.key(KeyCode::Enter);
    assert!(matches!(c.mode, Mode::Normal), "{:?}", draft_error(&c));
    assert!(c.id().starts_with("gameday-"), "{}", c.id());
    assert!(
        c.effects
            .iter()
            .any(|e| matches!(e, Effect::ApplyFault { .. }))
    );
}

/// Starts the game-day and reports its fault applied; the fault.
fn start_gameday(c: &mut Cockpit, path: &Path) -> FaultRef {
    preflight(c, path, Vec::new(), 3);
    c.chars(DELAY);
    c.key(KeyCode::Enter);
    assert!(matches!(c.mode, Mode::Normal), "{:?}", draft_error(c));
    let (manifest, run) = c
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::ApplyFault { manifest, run } => Some((manifest.clone(), run.clone())),
            _ => None,
        })
        .expect("the fault is applied once the game-day is declared");
    assert_eq!(run, c.id());
    assert_eq!(manifest["kind"], "NetworkChaos");
    let k = kinds(&c.journal());
    assert_eq!(k, ["Declared", "ExperimentStarted"]);
    let fault = FaultRef {
        api_version: "chaos-mesh.org/v1alpha1".into(),
        kind: "NetworkChaos".into(),
        namespace: "shop".into(),
        name: DELAY.into(),
        run,
    };
    c.send(Msg::FaultApplied {
        what: format!("apply NetworkChaos {DELAY}"),
        result: Ok(fault.clone()),
    });
    assert_eq!(c.app.gameday.as_ref().unwrap().phase, Phase::Running);
    fault
}

fn abort_polls(c: &Cockpit, from: usize) -> usize {
    c.asked_since(from)
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::ExerciseQuery {
                    ask: Ask::Abort,
                    ..
                }
            )
        })
        .count()
}

fn ended(events: &[Event]) -> (Outcome, String, Option<f64>) {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ExperimentEnded {
                outcome,
                why,
                evidence,
                ..
            } => Some((*outcome, why.clone(), evidence.as_ref().map(|v| v.value))),
            _ => None,
        })
        .expect("the experiment ended")
}

/// The first non-empty abort answer deletes the fault at once and records
/// the evidence; a running game-day cannot be resolved, an ended one needs
/// an action item.
#[test]
fn the_first_abort_answer_deletes_the_fault_and_records_the_evidence() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    let fault = start_gameday(&mut c, &path);
    c.command("resolve");
    assert_eq!(
        c.flash(),
        (
            "the experiment is running: wait for its window to end, or :abort".into(),
            true
        )
    );
    let start = c.effects.len();
    c.advance(1);
    assert_eq!(abort_polls(&c, start), 1, "polled every second");
    c.send(Msg::ExerciseAnswer {
        ask: Ask::Abort,
        at: c.now(),
        result: Ok(Vec::new()),
    });
    let start = c.effects.len();
    c.advance(1);
    c.send(Msg::ExerciseAnswer {
        ask: Ask::Abort,
        at: c.now(),
        result: Ok(vec![("{service=\"checkout\"}".into(), 0.93)]),
    });
    assert_eq!(
        c.asked_since(start)
            .iter()
            .filter(|e| matches!(e, Effect::DeleteFault(f) if *f == fault))
            .count(),
        1,
        "deleted at once"
    );
    let (outcome, why, evidence) = ended(&c.journal());
    assert_eq!(outcome, Outcome::Aborted);
    assert!(why.contains("abort query answered"), "{why}");
    assert_eq!(evidence, Some(0.93));
    // Nothing more is asked or deleted after the abort.
    let start = c.effects.len();
    c.advance(5);
    assert_eq!(abort_polls(&c, start), 0);
    assert!(
        !c.asked_since(start)
            .iter()
            .any(|e| matches!(e, Effect::DeleteFault(_)))
    );
    assert!(c.screen(80, 24).contains(" GAMEDAY "));
    c.command("resolve");
    assert!(
        c.flash().0.contains("at least one action item"),
        "{:?}",
        c.flash()
    );
    c.command("action make checkout retry payments elsewhere owner=ana");
    c.command("resolve");
    c.key(KeyCode::Char('y'));
    assert_eq!(c.incident().status, Status::Resolved, "{:?}", c.flash());
}

/// A window with the abort query empty throughout ends with the fault
/// deleted and the steady state asked: held when it is empty, failed when
/// it is not. `:abort` stops a run early with no verdict.
#[test]
fn a_quiet_window_holds_and_abort_stops_with_no_verdict() {
    for (steady_after, want) in [
        (Vec::new(), Outcome::Held),
        (vec![("{}".to_string(), 0.7)], Outcome::Failed),
    ] {
        let data = tempfile::tempdir().unwrap();
        let path = experiment(data.path(), SHORT);
        let mut c = on_cluster(data.path());
        let fault = start_gameday(&mut c, &path);
        let start = c.effects.len();
        for _ in 0..3 {
            c.advance(1);
            c.send(Msg::ExerciseAnswer {
                ask: Ask::Abort,
                at: c.now(),
                result: Ok(Vec::new()),
            });
        }
        assert!(
            !c.asked_since(start)
                .iter()
                .any(|e| matches!(e, Effect::DeleteFault(_))),
            "the fault stays in through the window"
        );
        c.advance(1);
        let asked = c.asked_since(start).to_vec();
        assert_eq!(abort_polls(&c, start), 3, "{asked:?}");
        assert!(
            asked.contains(&Effect::DeleteFault(fault.clone())),
            "{asked:?}"
        );
        assert!(
            asked.iter().any(|e| matches!(
                e,
                Effect::ExerciseQuery {
                    ask: Ask::SteadyAfter,
                    ..
                }
            )),
            "{asked:?}"
        );
        c.send(Msg::ExerciseAnswer {
            ask: Ask::SteadyAfter,
            at: c.now(),
            result: Ok(steady_after),
        });
        let (outcome, _, evidence) = ended(&c.journal());
        assert_eq!(outcome, want);
        assert_eq!(evidence, None);
        // The abort answers are kept with the end.
        let series = c
            .journal()
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::ExperimentEnded { series, .. } => Some(series.len()),
                _ => None,
            })
            .unwrap();
        assert_eq!(series, 3);
    }

    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    let fault = start_gameday(&mut c, &path);
    c.advance(1);
    let start = c.effects.len();
    c.command("abort");
    let deleted: Vec<&Effect> = c
        .asked_since(start)
        .iter()
        .filter(|e| matches!(e, Effect::DeleteFault(_)))
        .collect();
    assert_eq!(deleted, [&Effect::DeleteFault(fault)]);
    let (outcome, why, _) = ended(&c.journal());
    assert_eq!(outcome, Outcome::Stopped);
    assert!(why.contains(":abort"), "{why}");
    c.command("abort");
    assert_eq!(c.flash(), ("no game-day is running here".into(), true));
}

/// At 80x24 the pre-flight must still say whether Enter will apply the
/// fault, why the last Enter did not, and which keys do what: they are
/// what the responder acts on.
#[test]
fn at_80x24_the_preflight_keeps_its_verdict_error_and_keys_on_screen() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), &[]);
    let mut c = on_cluster(data.path());
    preflight(
        &mut c,
        &path,
        vec![("{service=\"checkout\"}".into(), 0.9)],
        3,
    );
    c.chars(DELAY);
    c.key(KeyCode::Enter);
    let flat: String = c
        .screen(80, 24)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("Refused until every check passes"), "{flat}");
    assert!(flat.contains("refused — Steady state"), "{flat}");
    assert!(flat.contains("Esc cancels"), "{flat}");

    let mut c = on_cluster(data.path());
    preflight(&mut c, &path, Vec::new(), 3);
    c.chars("wrong");
    c.key(KeyCode::Enter);
    let flat: String = c
        .screen(80, 24)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("'wrong' is not checkout-network-delay"),
        "{flat}"
    );
    assert!(flat.contains("Esc cancels"), "{flat}");
}

/// A game-day that ended (aborted) but is not resolved yet (its
/// postmortem pending) is over: running the experiment again, from a
/// cockpit started later, must not put the fault back under the old run,
/// whose journal already has its end (the new end, a fact named "ended"
/// too, would be dropped as a repeat).
#[test]
fn running_an_experiment_again_does_not_reopen_its_ended_run() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut first = on_cluster(data.path());
    start_gameday(&mut first, &path);
    first.advance(1);
    first.send(Msg::ExerciseAnswer {
        ask: Ask::Abort,
        at: first.now(),
        result: Ok(vec![("{}".into(), 0.9)]),
    });
    assert_eq!(ended(&first.journal()).0, Outcome::Aborted);
    let first_id = first.id();

    let mut again = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(600));
    again.app.cluster = Some(("kind-warroom".into(), "shop".into()));
    preflight(&mut again, &path, Vec::new(), 3);
    again.chars(DELAY);
    again.key(KeyCode::Enter);
    let reapplied = again
        .effects
        .iter()
        .any(|e| matches!(e, Effect::ApplyFault { run, .. } if *run == first_id));
    assert!(
        !reapplied,
        "the fault went back in under the ended run {first_id}"
    );
}

/// "Resolve records DrillScored first": in the journal's total order too,
/// the one every timeline and export reads, not only in the file. (Here the
/// action item is written a few seconds before resolving, as a person does,
/// so this cockpit's last event is older than the resolution.)
#[test]
fn the_score_comes_before_the_resolution_in_the_timeline() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    c.advance(5);
    c.tick("inject-region-loss");
    c.advance(30);
    c.command("recovered");
    c.command("action rehearse the DNS switch owner=ana");
    c.advance(5);
    c.command("resolve");
    c.key(KeyCode::Char('y'));
    let file = kinds(&c.journal());
    let ordered = kinds(&c.app.incident.as_ref().unwrap().events);
    let at = |k: &[&str], what: &str| k.iter().position(|x| *x == what).unwrap();
    assert!(at(&file, "DrillScored") < at(&file, "Resolved"), "{file:?}");
    assert!(
        at(&ordered, "DrillScored") < at(&ordered, "Resolved"),
        "{ordered:?}"
    );
}

/// The recovered query's first non-empty answer stops the RTO clock, dated
/// when it answered; the RPO query is asked then and its largest value is
/// the data lost. Nothing is asked once the drill is over.
#[test]
fn the_recovered_and_rpo_queries_clock_the_drill_by_themselves() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    c.advance(2);
    c.command("inject");
    let injected = c.now();
    assert_eq!(
        c.incident()
            .exercise
            .as_ref()
            .unwrap()
            .injected
            .as_ref()
            .map(|(m, how)| (m.at, how.as_str())),
        Some((injected, "by hand (:inject)"))
    );
    c.advance(40);
    let answered = c.now() - SignedDuration::from_secs(3);
    let start = c.effects.len();
    c.send(Msg::ExerciseAnswer {
        ask: Ask::Recovered,
        at: answered,
        result: Ok(vec![("{region=\"standby\"}".into(), 12.0)]),
    });
    let x = c.incident().exercise.clone().unwrap();
    let (mark, how) = x.recovered.clone().expect("recovered");
    assert_eq!(
        (mark.at, how.as_str()),
        (answered, "recovered_query answered")
    );
    assert_eq!(x.rto_ms(c.now()), Some(37_000));
    let rpo_query = c
        .asked_since(start)
        .iter()
        .find_map(|e| match e {
            Effect::ExerciseQuery {
                ask: Ask::Rpo,
                query,
            } => Some(query.clone()),
            _ => None,
        })
        .expect("the rpo query is asked at recovery");
    assert_eq!(
        rpo_query,
        "max(pg_replication_lag_seconds{cluster=\"standby\"})"
    );
    // A second recovered answer changes nothing.
    c.send(Msg::ExerciseAnswer {
        ask: Ask::Recovered,
        at: c.now(),
        result: Ok(vec![("{}".into(), 1.0)]),
    });
    c.send(Msg::ExerciseAnswer {
        ask: Ask::Rpo,
        at: c.now(),
        result: Ok(vec![("{a=\"1\"}".into(), 1.5), ("{a=\"2\"}".into(), 4.2)]),
    });
    let x = c.incident().exercise.clone().unwrap();
    assert_eq!(x.rpo, Some((4200, "rpo_query at recovery".into())));
    let k = kinds(&c.journal());
    assert_eq!(k.iter().filter(|k| **k == "Recovered").count(), 1, "{k:?}");
    // An empty RPO answer asks for the number by hand.
    c.send(Msg::ExerciseAnswer {
        ask: Ask::Rpo,
        at: c.now(),
        result: Ok(Vec::new()),
    });
    assert_eq!(
        c.flash(),
        (
            "the rpo query answered nothing: record the data lost with :rpo 3s".into(),
            true
        )
    );
    c.command("action automate the failover owner=ana");
    c.command("resolve");
    c.key(KeyCode::Char('y'));
    let s = score_of(&c.journal());
    assert_eq!((s.rto_ms, s.rpo_ms), (Some(37_000), Some(4200)));
    let start = c.effects.len();
    c.advance(20);
    assert!(
        !c.asked_since(start)
            .iter()
            .any(|e| matches!(e, Effect::ExerciseQuery { .. })),
        "nothing is asked of a scored drill"
    );
}

/// A drill that never recovered fails its RTO, and says so.
#[test]
fn a_drill_that_never_recovered_fails_its_rto() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    c.advance(1);
    c.tick("inject-region-loss");
    c.advance(10);
    c.command("action find out why it never recovered owner=ana");
    c.command("resolve");
    c.key(KeyCode::Char('y'));
    let s = score_of(&c.journal());
    assert_eq!(s.rto_ms, None);
    assert!(!s.passed());
    assert_eq!(s.rows()[0].line(), "RTO not recovered / target 30m FAIL");
    assert!(c.screen(80, 24).contains("scored FAIL"));
}

/// The abort query failing three times in a row stops the run and deletes
/// the fault (nobody can watch it); once or twice only says so.
#[test]
fn a_blind_abort_query_stops_the_run() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    let fault = start_gameday(&mut c, &path);
    let start = c.effects.len();
    for n in 1..=3 {
        c.send(Msg::ExerciseAnswer {
            ask: Ask::Abort,
            at: c.now(),
            result: Err("connection refused".into()),
        });
        let deleted = c
            .asked_since(start)
            .iter()
            .any(|e| matches!(e, Effect::DeleteFault(f) if *f == fault));
        assert_eq!(deleted, n == 3, "after {n} failures");
    }
    let (outcome, why, _) = ended(&c.journal());
    assert_eq!(outcome, Outcome::Stopped);
    assert!(why.contains("failed 3 times in a row"), "{why}");
}

/// A fault the cluster refused ends the game-day at once, with no verdict.
#[test]
fn a_refused_fault_ends_the_game_day() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    preflight(&mut c, &path, Vec::new(), 3);
    c.chars(DELAY);
    c.key(KeyCode::Enter);
    c.send(Msg::FaultApplied {
        what: format!("apply NetworkChaos {DELAY}"),
        result: Err("forbidden by RBAC: create networkchaos.chaos-mesh.org in shop".into()),
    });
    let (outcome, why, _) = ended(&c.journal());
    assert_eq!(outcome, Outcome::Stopped);
    assert!(
        why.contains("could not be applied: forbidden by RBAC"),
        "{why}"
    );
    let start = c.effects.len();
    c.advance(5);
    assert_eq!(abort_polls(&c, start), 0);
}

/// `:abort` while the fault is still being applied: when the apply comes
/// back, the fault must be deleted at once, not watched as if running.
#[test]
fn abort_while_applying_deletes_the_fault_when_it_lands() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    preflight(&mut c, &path, Vec::new(), 3);
    c.chars(DELAY);
    c.key(KeyCode::Enter);
    assert_eq!(c.app.gameday.as_ref().unwrap().phase, Phase::Applying);
    c.command("abort");
    assert_eq!(ended(&c.journal()).0, Outcome::Stopped);
    let fault = FaultRef {
        api_version: "chaos-mesh.org/v1alpha1".into(),
        kind: "NetworkChaos".into(),
        namespace: "shop".into(),
        name: DELAY.into(),
        run: c.id(),
    };
    let start = c.effects.len();
    c.send(Msg::FaultApplied {
        what: format!("apply NetworkChaos {DELAY}"),
        result: Ok(fault.clone()),
    });
    c.advance(2);
    assert!(
        c.asked_since(start).contains(&Effect::DeleteFault(fault)),
        "{:?}",
        c.asked_since(start)
    );
    assert_eq!(abort_polls(&c, start), 0);
    assert_ne!(c.app.gameday.as_ref().unwrap().phase, Phase::Running);
}

/// Reloads the drill runbook as the file watcher would, with its targets
/// relaxed (RTO 30m → 45m, no human target).
fn relax_targets_on_disk(c: &mut Cockpit) {
    let rb = c.app.runbooks.library.get(DRILL).unwrap().clone();
    let text = std::fs::read_to_string(&rb.path).unwrap();
    let relaxed = text
        .replace("  rto: 30m\n", "  rto: 45m\n")
        .replace("  human: 10m\n", "");
    assert_ne!(relaxed, text);
    let parsed = warroom::domain::runbook::parse(&rb.path, &relaxed).map(Box::new);
    assert!(parsed.is_ok());
    c.send(Msg::Source(SourceMsg::Runbook {
        path: rb.path.clone(),
        result: parsed,
    }));
}

/// Targets are frozen when the drill starts: an edit of the runbook during
/// the drill does not move them, and the score uses the frozen ones.
#[test]
fn targets_edited_during_the_drill_do_not_change_its_score() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    c.advance(1);
    c.tick("inject-region-loss");
    relax_targets_on_disk(&mut c);
    let Exercise::Drill { targets, .. } = &c.incident().exercise.as_ref().unwrap().plan else {
        panic!("a drill")
    };
    assert_eq!(
        (targets.rto_ms, targets.human_ms),
        (30 * 60_000, Some(600_000))
    );
    c.advance(10);
    c.command("recovered");
    c.command("action keep the targets honest owner=ana");
    c.command("resolve");
    c.key(KeyCode::Char('y'));
    let s = score_of(&c.journal());
    assert_eq!(s.targets.rto_ms, 30 * 60_000);
    assert_eq!(s.targets.human_ms, Some(600_000));
    assert_eq!(s.rows()[0].line(), "RTO 10s / target 30m PASS");
    // No step taken between injection and recovery: no human time.
    assert_eq!(s.rows()[2].line(), "human action time 0s / target 10m PASS");
}

/// Issue 18: "hot reload keeps the recorded targets and says so".
#[test]
fn editing_the_targets_during_the_drill_says_they_are_kept() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    relax_targets_on_disk(&mut c);
    let (text, _) = c.flash();
    assert!(
        text.contains("target") && (text.contains("kept") || text.contains("frozen")),
        "{text}"
    );
}

/// Running the inject step's command (a dangerous one: its id typed) is
/// the injection too, dated when the command started.
#[test]
fn running_the_inject_step_starts_the_rto_clock() {
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    c.advance(3);
    c.goto("inject-region-loss");
    c.key(KeyCode::Char('r'));
    assert!(matches!(c.mode, Mode::ConfirmRun(_)));
    assert!(
        c.incident().exercise.as_ref().unwrap().injected.is_none(),
        "nothing before it runs"
    );
    c.chars("inject-region-loss");
    c.key(KeyCode::Enter);
    let spec = c
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Run(s) => Some(s.clone()),
            _ => None,
        })
        .expect("the inject command runs");
    assert!(spec.command.contains("--replicas=0"), "{}", spec.command);
    let x = c.incident().exercise.clone().unwrap();
    let (mark, how) = x.injected.expect("running the inject step injects");
    assert_eq!(
        (mark.at, how.as_str()),
        (
            t0() + SignedDuration::from_secs(3),
            "step inject-region-loss"
        )
    );
}

/// Issue 18: during the window "the abort query is polled and charted in
/// the Metrics pane with the window's countdown".
#[test]
fn the_metrics_pane_charts_the_abort_query_with_the_countdown() {
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    start_gameday(&mut c, &path);
    c.advance(1);
    // The pane draws the abort query's answers as they come, with the
    // window's countdown in its title.
    let screen = c.screen(200, 50);
    assert!(screen.contains("abort query"), "{screen}");
    let metrics_title = screen
        .lines()
        .next()
        .and_then(|l| l.split("Metrics").nth(1))
        .unwrap_or_default()
        .to_string();
    assert!(metrics_title.contains("left"), "{screen}");
}

/// An alert the drill runbook claims that was already firing before the
/// drill began is not the drill's doing: it opens (or joins) a real
/// incident, and the Alerts pane does not mark it.
#[test]
fn an_alert_firing_before_the_drill_is_not_claimed() {
    let data = tempfile::tempdir().unwrap();
    let mut game_master = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(60));
    game_master.command(&format!("drill {DRILL}"));
    let drill = game_master.id();
    let mut earlier = alert("RegionUnavailable", "fp-region");
    earlier.starts_at = t0();
    alerts(&mut game_master, vec![earlier.clone()]);
    let screen = game_master.screen(200, 50);
    assert!(!screen.contains("[drill]"), "{screen}");
    let mut responder = Cockpit::on(data.path(), t0() + SignedDuration::from_secs(90));
    alerts(&mut responder, vec![earlier]);
    declare_for(&mut responder, "RegionUnavailable");
    assert_ne!(responder.id(), drill, "a real incident of its own");
    assert!(!responder.id().starts_with("drill-"), "{}", responder.id());
}

// ---------------------------------------------------------------------
// What the exercises look like, at 80x24 and 200x50.

fn snapshot(c: &mut Cockpit, name: &str) {
    // The message line names a temporary path: not part of the picture.
    c.app.flash = None;
    for (w, h) in [(80, 24), (200, 50)] {
        insta::assert_snapshot!(format!("exercise_{name}_{w}x{h}"), c.screen(w, h));
    }
}

#[test]
fn snapshots_of_a_drill_the_preflight_and_a_running_game_day() {
    // A drill after its injection, and its Incident panel.
    let data = tempfile::tempdir().unwrap();
    let mut c = Cockpit::on(data.path(), t0());
    c.command(&format!("drill {DRILL}"));
    c.advance(5);
    c.tick("inject-region-loss");
    c.advance(65);
    snapshot(&mut c, "drill");
    c.key(KeyCode::Char('i'));
    snapshot(&mut c, "drill_panel");

    // The pre-flight, every check answered, and one refused.
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    preflight(&mut c, &path, Vec::new(), 3);
    snapshot(&mut c, "preflight");
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    preflight(&mut c, &path, vec![("{}".into(), 0.9)], 3);
    snapshot(&mut c, "preflight_refused");

    // Running: the Metrics pane charts the abort query's answers.
    let data = tempfile::tempdir().unwrap();
    let path = experiment(data.path(), SHORT);
    let mut c = on_cluster(data.path());
    start_gameday(&mut c, &path);
    for v in [None, None, Some(0.62)] {
        c.advance(1);
        c.send(Msg::ExerciseAnswer {
            ask: Ask::Abort,
            at: c.now(),
            result: Ok(v
                .map(|v| vec![("{service=\"checkout\"}".to_string(), v)])
                .unwrap_or_default()),
        });
    }
    snapshot(&mut c, "gameday_aborted");
}

#[test]
fn the_leftover_search_at_start_speaks_only_when_it_finds_something() {
    let data = tempfile::tempdir().unwrap();
    let mut c = on_cluster(data.path());
    // What the responder just did stays on the message line when the
    // search the cockpit ran at start comes back empty.
    c.command("delete no-such-pod");
    let (before, error) = c.flash();
    assert!(error, "{before}");
    c.send(Msg::Leftovers(Ok(Vec::new())));
    assert_eq!(c.flash(), (before, true));
    // Asked for (:cleanup), an empty answer is news.
    c.command("cleanup");
    c.send(Msg::Leftovers(Ok(Vec::new())));
    let (said, error) = c.flash();
    assert!(!error && said.contains("no chaos fault"), "{said}");
    // And a failing search asked for is an error the responder sees.
    c.command("cleanup");
    c.send(Msg::Leftovers(Err("403 forbidden".into())));
    let (said, error) = c.flash();
    assert!(error && said.contains("403 forbidden"), "{said}");
}
