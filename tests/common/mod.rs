//! Shared test support: a cockpit fed from the demo scenario at a fixed moment,
//! with effects performed in memory so reducer and rendering tests need no
//! terminal, files or threads.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::{App, Effect, Mode, Msg, SilenceDone, update};
use warroom::domain::incident::{EventKind, incident_id};
use warroom::domain::severity::SeverityMap;
use warroom::journal::{Declared, JournalMsg, Opened, Position};
use warroom::sources::demo::{SOURCE, Scenario};
use warroom::sources::{SourceMsg, runbook_files};

pub fn t0() -> Timestamp {
    "2026-11-21T03:00:00Z".parse().unwrap()
}

pub fn runbooks_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runbooks")
}

/// A cockpit `secs` seconds into the demo, with sources already reported.
pub struct Harness {
    pub app: App,
    pub mode: Mode,
    pub scenario: Scenario,
    pub effects: Vec<Effect>,
}

impl Harness {
    pub fn at(secs: i64) -> Harness {
        let lib = runbook_files::load(&[runbooks_dir()]);
        assert!(
            lib.errors.is_empty(),
            "shipped runbooks must parse: {:?}",
            lib.errors
        );
        let now = t0() + SignedDuration::from_secs(secs);
        let mut app = App::new("alice".into(), SeverityMap::default(), lib, now);
        // Declarations are written at once here; the moment they wait on
        // the status line has a test of its own.
        app.settings.declare_after = SignedDuration::ZERO;
        let mut h = Harness {
            app,
            mode: Mode::Normal,
            scenario: Scenario::new(t0()),
            effects: Vec::new(),
        };
        h.refresh_sources();
        h
    }

    pub fn now(&self) -> Timestamp {
        self.app.now
    }

    /// Moves the clock and lets the sources report again.
    pub fn advance(&mut self, secs: i64) {
        let now = self.app.now + SignedDuration::from_secs(secs);
        self.send(Msg::Tick(now));
        self.refresh_sources();
    }

    pub fn refresh_sources(&mut self) {
        let now = self.now();
        self.send(Msg::Source(SourceMsg::Alerts {
            source: SOURCE.into(),
            result: Ok(self.scenario.alerts(now)),
        }));
        self.send(Msg::Source(SourceMsg::Pods {
            source: SOURCE.into(),
            result: Ok(self.scenario.pods(now)),
        }));
        if let Some(req) = self.app.metric.requested.clone() {
            let result = self.scenario.metric(&req, now);
            self.send(Msg::Source(SourceMsg::Metric {
                source: SOURCE.into(),
                query: req.query,
                result,
            }));
        }
    }

    /// Applies a message and performs the effects in memory: declarations get
    /// their id, appends come straight back as journal events, queries are
    /// answered by the scenario.
    pub fn send(&mut self, msg: Msg) {
        // Effects are answered in the order they were asked, as the loop does.
        let mut queue = std::collections::VecDeque::from([msg]);
        while let Some(m) = queue.pop_front() {
            for e in update(&mut self.app, &mut self.mode, m) {
                self.effects.push(e.clone());
                match e {
                    Effect::Declare(mut event) => {
                        let EventKind::Declared {
                            id,
                            alert,
                            exercise,
                            ..
                        } = &mut event.kind
                        else {
                            panic!("not a declaration")
                        };
                        *id = match exercise {
                            // Named as the journal names exercises.
                            Some(x) => format!(
                                "{}-{}",
                                x.kind(),
                                incident_id(&alert.name_or_title(), event.ts)
                            ),
                            None => incident_id(&alert.name, event.ts),
                        };
                        let id = id.clone();
                        queue.push_back(Msg::Declared(Ok(Opened {
                            declared: Declared::New(id),
                            events: vec![event],
                            warnings: Vec::new(),
                            position: Position::default(),
                        })));
                    }
                    Effect::Append(event) => {
                        let id = self.app.incident.as_ref().unwrap().id.clone();
                        queue.push_back(Msg::Journal(JournalMsg::Events {
                            id,
                            events: vec![event],
                        }));
                    }
                    Effect::Query(Some(req)) => {
                        let result = self.scenario.metric(&req, self.now());
                        queue.push_back(Msg::Source(SourceMsg::Metric {
                            source: SOURCE.into(),
                            query: req.query,
                            result,
                        }));
                    }
                    Effect::Silence(req) => {
                        let n = self.effects.len();
                        queue.push_back(Msg::Silenced(Ok(SilenceDone {
                            silence_id: format!("silence-{n}"),
                            alert: req.alert,
                            fingerprint: req.fingerprint,
                            until: req.starts_at + SignedDuration::try_from(req.duration).unwrap(),
                        })));
                    }
                    Effect::Unsilence(id) => queue.push_back(Msg::Unsilenced(Ok(id))),
                    Effect::Rejoin(_) => {}
                    Effect::Recreate(events) => {
                        let id = self.app.incident.as_ref().unwrap().id.clone();
                        queue.push_back(Msg::Journal(JournalMsg::Reloaded {
                            id,
                            events,
                            why: "recreated".into(),
                        }));
                    }
                    Effect::PodDetails { pod, previous, .. } => {
                        let (events, lines) =
                            self.scenario.pod_details(&pod.name, previous, self.now());
                        queue.push_back(Msg::Source(SourceMsg::PodEvents {
                            pod: pod.clone(),
                            result: Ok(events),
                        }));
                        queue.push_back(Msg::Source(SourceMsg::PodLog {
                            pod,
                            lines: Ok(lines),
                            done: true,
                        }));
                    }
                    Effect::Cluster(action) => queue.push_back(Msg::ClusterDone {
                        action: action.describe(),
                        result: Ok("done".into()),
                    }),
                    // Runs and queries stay pending: tests answer them.
                    Effect::Query(None)
                    | Effect::Run(_)
                    | Effect::CancelRun(_)
                    | Effect::CheckQuery { .. }
                    | Effect::Follow { .. }
                    | Effect::Export { .. }
                    | Effect::PodScope(_)
                    | Effect::Copy(_)
                    | Effect::RunQuery { .. }
                    | Effect::RememberCommand(_)
                    | Effect::ReplicasNow { .. }
                    | Effect::FindOwner { .. }
                    | Effect::FindOwnerScope(_)
                    | Effect::ExerciseQuery { .. }
                    | Effect::LoadExperiment(_)
                    | Effect::CountPods { .. }
                    | Effect::ApplyFault { .. }
                    | Effect::DeleteFault(_)
                    | Effect::FindLeftovers
                    | Effect::FetchWindow(_)
                    | Effect::ClosePodDetails => {}
                }
            }
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    pub fn chars(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn command(&mut self, line: &str) {
        self.key(KeyCode::Char(':'));
        self.chars(line);
        self.key(KeyCode::Enter);
    }

    /// The frame as text, as a terminal of `w`x`h` would show it.
    pub fn render(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| warroom::ui::draw(f, &self.app, &self.mode))
            .unwrap();
        t
    }

    /// Tells the reducer how the Runbook pane lays out at this size, as the
    /// loop does after drawing, so paging keys move by what is on screen.
    pub fn layout(&mut self, w: u16, h: u16) {
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        if let Some(l) = warroom::ui::runbook_layout(&self.app, area) {
            self.send(Msg::RunbookLayout(l));
        }
        let overlay = warroom::ui::overlay_max(&self.app, &self.mode, area);
        self.send(Msg::OverlayMax(overlay));
    }

    pub fn screen(&self, w: u16, h: u16) -> String {
        let t = self.render(w, h);
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Compares the rendering with the README's `screenshots/NAME.svg`; with
/// `WARROOM_UPDATE_SCREENSHOTS` set, writes it first.
pub fn screenshot(name: &str, buffer: &ratatui::buffer::Buffer) {
    let svg = warroom::screenshot::svg(buffer);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("screenshots")
        .join(format!("{name}.svg"));
    if std::env::var_os("WARROOM_UPDATE_SCREENSHOTS").is_some() {
        std::fs::write(&path, &svg).expect("write screenshot");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == svg,
        "{} is out of date: run WARROOM_UPDATE_SCREENSHOTS=1 cargo test --test screenshots --test replay",
        path.display()
    );
}
