//! `warroom open`: from what a page points at to the alert's first step.
//! The reducer side (what the cockpit does once alerts arrive) and the
//! command line (`--print`, bad input).

mod common;

use std::process::{Command, Stdio};

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::Effect;
use warroom::app::open::{KnownIncident, Opening};
use warroom::app::state::Pane;
use warroom::domain::open::parse;

fn opening(args: &[&str], declare: bool) -> Harness {
    let mut h = Harness::at(0);
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    h.app.opening = Some(Opening {
        target: parse(&args).expect("parses"),
        declare,
    });
    h
}

fn declares(h: &Harness) -> usize {
    h.effects
        .iter()
        .filter(|e| matches!(e, Effect::Declare(_)))
        .count()
}

#[test]
fn a_link_lands_on_step_one_of_the_alerts_runbook_and_declares_nothing() {
    let mut h = opening(
        &[
            "https://alertmanager.example.com/#/alerts?filter=%7Balertname%3D%22CatalogP99Latency%22%7D",
        ],
        false,
    );
    h.refresh_sources();
    assert_eq!(h.app.alerts.view().len(), 1, "only the match is listed");
    assert_eq!(
        h.app
            .alerts
            .selected()
            .map(|a| a.name().to_string())
            .as_deref(),
        Some("CatalogP99Latency")
    );
    assert_eq!(h.app.focus, Pane::Runbook);
    assert_eq!(h.app.runbook.cursor, 0);
    assert_eq!(declares(&h), 0, "open declares nothing by itself");
    let screen = h.screen(80, 24);
    assert!(screen.contains("API p99 latency above target"), "{screen}");
    assert!(
        screen
            .lines()
            .last()
            .unwrap_or_default()
            .contains("Enter declares"),
        "{screen}"
    );
    // Enter on the runbook preview declares; Esc would have shown all alerts.
    h.key(KeyCode::Enter);
    assert_eq!(declares(&h), 1);
    assert!(h.app.incident.is_some());
}

#[test]
fn several_matches_show_only_them_most_severe_first() {
    let mut h = opening(&["{severity=~\"critical|warning\"}"], false);
    h.refresh_sources();
    let shown = h.app.alerts.view().len();
    assert!(shown >= 2, "{shown}");
    assert!(shown < h.app.alerts.items().len());
    assert_eq!(
        h.app.alerts.selected().and_then(|a| a.severity_label()),
        Some("critical")
    );
    let screen = h.screen(200, 50);
    assert!(screen.contains("most severe"), "{screen}");
    // Esc shows every alert again.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.alerts.view().len(), h.app.alerts.items().len());
}

#[test]
fn an_open_incident_for_the_alert_is_joined_and_declare_declares() {
    let mut h = opening(&["CatalogP99Latency"], false);
    let fp = h.scenario.alerts(h.now())[0].fingerprint.clone();
    h.app.known = vec![KnownIncident {
        id: "2026-11-21-catalog-p99-latency".into(),
        fingerprint: fp,
        alert: "CatalogP99Latency".into(),
        open: true,
    }];
    h.refresh_sources();
    assert_eq!(
        declares(&h),
        1,
        "joins (declare_or_join joins the open one)"
    );
    let mut h = opening(&["CatalogP99Latency"], true);
    h.refresh_sources();
    assert_eq!(declares(&h), 1, "--declare declares at once");
}

#[test]
fn no_match_says_so_shows_everything_and_offers_the_incident() {
    let mut h = opening(&["GoneAlert", "namespace=shop"], false);
    h.app.known = vec![KnownIncident {
        id: "2026-11-20-gone-alert".into(),
        fingerprint: "ffff".into(),
        alert: "GoneAlert".into(),
        open: false,
    }];
    h.refresh_sources();
    assert_eq!(h.app.alerts.view().len(), h.app.alerts.items().len());
    let screen = h.screen(200, 50);
    assert!(
        screen.contains("no firing alert matches {alertname=\"GoneAlert\",namespace=\"shop\"}; it may have resolved — showing all alerts"),
        "{screen}"
    );
    assert!(screen.contains(":join 2026-11-20-gone-alert"), "{screen}");
    // :join reads that incident.
    h.command("join 2026-11-20-gone-alert");
    assert!(
        h.effects
            .iter()
            .any(|e| matches!(e, Effect::Rejoin(id) if id == "2026-11-20-gone-alert"))
    );
}

fn warroom(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tmp");
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .env("WARROOM_DATA_DIR", dir.path())
        .env_remove("WARROOM_CONFIG")
        .env_remove("WARROOM_ALERTMANAGER_URL")
        .env_remove("WARROOM_PROMETHEUS_URL")
        .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
        .stdin(Stdio::null())
        .output()
        .expect("runs")
}

#[test]
fn print_says_what_it_resolved_and_bad_input_exits_2_before_the_screen() {
    let out = warroom(&["open", "--print", "--demo", "CatalogP99Latency"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("runbook      api-latency-p99"), "{text}");
    assert!(text.contains("incident     none open"), "{text}");
    let out = warroom(&[
        "open",
        "--print",
        "--demo",
        "--format",
        "json",
        "{severity=\"critical\"}",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        json["matches"].as_array().is_some_and(|m| m.len() >= 2),
        "{json}"
    );
    let out = warroom(&["open", "--print", "--demo", "NoSuchAlert"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no firing alert matches"));
    for bad in [
        vec!["open", "https://grafana.example.com/d/x"],
        vec!["open", "{alertname=\"X\""],
        vec!["open", "rm -rf /"],
        vec!["open", "x\u{1b}]2;PWNED\u{7}\u{1b}[2J"],
    ] {
        let out = warroom(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("warroom open: "), "{err}");
        assert!(
            !err.contains('\u{1b}'),
            "an escape reached the terminal: {err:?}"
        );
    }
    // An incident id that is not there: said before the screen.
    let out = warroom(&["open", "2026-01-01-nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no incident '2026-01-01-nope'"));
}

/// A resolved incident opened by id: its alert selected, and nothing that
/// would be recorded (a run, an update, an action, a status change) is done
/// or claimed until `:reopen`.
#[test]
fn a_resolved_incident_opened_by_id_is_read_only_and_selects_its_alert() {
    use warroom::app::{Mode, Msg};
    use warroom::journal::{Declared, Opened, Position};
    // An incident for KubePodCrashLooping, resolved.
    let mut first = Harness::at(0);
    let pos = first
        .app
        .alerts
        .items()
        .iter()
        .position(|a| a.name() == "KubePodCrashLooping")
        .expect("demo alert");
    for _ in 0..pos {
        first.key(KeyCode::Char('j'));
    }
    first.key(KeyCode::Enter);
    first.key(KeyCode::Char('R'));
    first.key(KeyCode::Char('y'));
    let (id, events) = first
        .app
        .incident
        .as_ref()
        .map(|i| (i.id.clone(), i.events.clone()))
        .expect("declared");
    assert!(first.app.incident_state().is_some_and(|i| !i.is_open()));
    // Another cockpit opens it by id.
    let mut h = Harness::at(0);
    h.send(Msg::Joined(Ok(Opened {
        declared: Declared::Joined(id),
        events,
        warnings: Vec::new(),
        position: Position::default(),
    })));
    assert_eq!(
        h.app
            .alerts
            .selected()
            .map(|a| a.name().to_string())
            .as_deref(),
        Some("KubePodCrashLooping")
    );
    assert!(h.screen(200, 50).contains("shown read-only"));
    let before = h.effects.len();
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('r'));
    assert!(h.mode.is_normal(), "a run was offered: {:?}", h.mode);
    h.key(KeyCode::Char('m'));
    assert!(h.mode.is_normal(), "mitigated was asked: {:?}", h.mode);
    h.key(KeyCode::Char('u'));
    h.send(Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    assert!(
        matches!(h.mode, Mode::StatusUpdate(_)),
        "the editor stays open with the refusal"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('y'));
    h.command("action follow up owner=bob");
    assert!(h.screen(200, 50).contains("read-only"));
    assert!(
        !h.effects[before..]
            .iter()
            .any(|e| matches!(e, Effect::Append(_) | Effect::Run(_))),
        "something was recorded or run"
    );
    h.command("reopen");
    assert!(h.app.incident_state().is_some_and(|i| i.is_open()));
}
