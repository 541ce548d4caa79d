//! Tests of the exercise fold: the drill clocks and a game-day's end.
#![allow(clippy::panic, clippy::unwrap_used)]

use super::tests::{at, declared, ev};
use super::*;
use crate::domain::exercise::drill::DrillTargets;

fn drill() -> EventKind {
    let mut d = declared();
    if let EventKind::Declared { exercise, .. } = &mut d {
        *exercise = Some(Box::new(Exercise::Drill {
            runbook: "api-latency-p99".into(),
            hash: "abc".into(),
            targets: DrillTargets {
                rto_ms: 30 * 60_000,
                rpo_ms: 5 * 60_000,
                human_ms: None,
                rpo_query: None,
                recovered_query: None,
            },
            alerts: vec!["RegionUnavailable".into()],
        }));
    }
    d
}

fn done(id: &str) -> EventKind {
    EventKind::StepDone {
        version: None,
        step: id.into(),
        section: "Mitigate".into(),
        text: format!("step {id}"),
        runbook: None,
        key: None,
    }
}

fn run(id: &str, finished: Option<u64>) -> EventKind {
    let (step, command, purpose) = (id.to_string(), "kubectl x".to_string(), Purpose::Run);
    match finished {
        None => EventKind::CommandStarted {
            original: None,
            step,
            command,
            purpose,
            runbook: None,
            key: None,
        },
        Some(ms) => EventKind::CommandFinished {
            original: None,
            step,
            command,
            purpose,
            outcome: RunOutcome::Exited(0),
            duration_ms: ms,
            output: String::new(),
            omitted: 0,
            runbook: None,
            key: None,
        },
    }
}

fn how(s: &str) -> String {
    s.to_string()
}

#[test]
fn human_time_counts_steps_taken_between_injection_and_recovery_less_command_time() {
    let events = vec![
        ev("10:00:00", "ana", drill()),
        ev("10:01:00", "ana", done("prep")),
        ev(
            "10:02:00",
            "ana",
            EventKind::Injected {
                how: how("by hand"),
            },
        ),
        ev("10:05:00", "ana", run("a", None)),
        ev("10:06:00", "ana", run("a", Some(60_000))),
        ev("10:08:00", "bo", done("b")),
        ev("10:08:30", "bo", done("b")),
        ev(
            "10:10:00",
            "ana",
            EventKind::Recovered {
                how: how("by hand"),
            },
        ),
        ev("10:12:00", "ana", done("c")),
    ];
    let inc = Incident::fold(&events).unwrap();
    let x = inc.exercise.as_ref().unwrap();
    let steps: Vec<(String, u64, u64)> = x
        .human
        .steps
        .iter()
        .map(|s| (s.step.clone(), s.human_ms, s.machine_ms))
        .collect();
    assert_eq!(
        steps,
        vec![
            // A step only run is named as the runbook names it (here: not at all).
            ("a".to_string(), 180_000, 0),
            ("[Mitigate] step b".to_string(), 120_000, 60_000),
        ]
    );
    assert_eq!(x.human.total(at("11:00:00")), 300_000);
    assert_eq!(x.rto_ms(at("11:00:00")), Some(8 * 60_000));
    assert_eq!(x.human.slowest(1)[0].step, "a");
}

#[test]
fn the_live_clocks_run_until_recovery_and_pause_while_a_command_runs() {
    let events = vec![
        ev("10:00:00", "ana", drill()),
        ev("10:02:00", "ana", EventKind::Injected { how: how("step") }),
        ev("10:03:00", "ana", done("a")),
        ev("10:04:00", "ana", run("v", None)),
    ];
    let inc = Incident::fold(&events).unwrap();
    let x = inc.exercise.as_ref().unwrap();
    // a: 1 min; then b (v) ran at 10:04 and its command is still running.
    assert_eq!(x.human.total(at("10:04:30")), 120_000);
    assert_eq!(x.human.total(at("10:10:00")), 120_000);
    assert_eq!(x.rto_ms(at("10:10:00")), Some(8 * 60_000));
    assert!(x.recovered.is_none());
    assert!(x.plan.claims("regionunavailable"));
    assert!(!x.plan.claims("Other"));
}

#[test]
fn nothing_counts_before_the_injection_and_a_second_injection_is_ignored() {
    let events = vec![
        ev("10:00:00", "ana", drill()),
        ev("10:01:00", "ana", done("a")),
        ev(
            "10:05:00",
            "ana",
            EventKind::Recovered { how: how("early") },
        ),
        ev("10:06:00", "ana", EventKind::Injected { how: how("one") }),
        ev("10:07:00", "ana", EventKind::Injected { how: how("two") }),
        ev("10:09:00", "ana", done("b")),
    ];
    let inc = Incident::fold(&events).unwrap();
    let x = inc.exercise.as_ref().unwrap();
    assert_eq!(x.injected.as_ref().unwrap().1, "one");
    // A recovery before any injection is not one.
    assert!(x.recovered.is_none());
    assert_eq!(x.human.steps.len(), 1);
    assert_eq!(x.human.steps[0].human_ms, 180_000);
}

#[test]
fn a_real_incident_has_no_exercise_state_and_drill_events_change_nothing() {
    let events = vec![
        ev("10:00:00", "ana", declared()),
        ev("10:02:00", "ana", EventKind::Injected { how: how("x") }),
    ];
    let inc = Incident::fold(&events).unwrap();
    assert!(inc.exercise.is_none());
}

#[test]
fn a_gameday_keeps_its_first_end() {
    let mut d = declared();
    if let EventKind::Declared { exercise, .. } = &mut d {
        *exercise = Some(Box::new(Exercise::Gameday(Box::new(GamedayPlan {
            name: "kill-one".into(),
            file: "x.yaml".into(),
            hypothesis: "h".into(),
            runbook: "r".into(),
            namespace: "shop".into(),
            selector: "app=checkout".into(),
            max_pods: 1,
            max_duration_ms: 60_000,
            contexts: vec!["demo".into()],
            context: "demo".into(),
            manifest: serde_json::json!({}),
            abort: "up == 0".into(),
            steady_state: "up == 0".into(),
            window_ms: 120_000,
            poll_ms: 5_000,
            alerts: vec![],
        }))));
    }
    let ended = |outcome| EventKind::ExperimentEnded {
        outcome,
        why: "w".into(),
        evidence: None,
        series: vec![],
    };
    let events = vec![
        ev("10:00:00", "ana", d),
        ev(
            "10:01:00",
            "ana",
            EventKind::ExperimentStarted { checks: vec![] },
        ),
        ev("10:02:00", "ana", ended(Outcome::Aborted)),
        ev("10:03:00", "bo", ended(Outcome::Held)),
    ];
    let inc = Incident::fold(&events).unwrap();
    let x = inc.exercise.as_ref().unwrap();
    assert_eq!(x.ended.as_ref().unwrap().outcome, Outcome::Aborted);
    assert_eq!(x.window_ends(), Some(at("10:03:00")));
    // The declaration round-trips through JSON.
    let line = serde_json::to_string(&events[0]).unwrap();
    let back: Event = serde_json::from_str(&line).unwrap();
    assert_eq!(back, events[0]);
}

#[test]
fn the_data_lost_is_the_worst_measurement() {
    let rpo = |ms, how: &str| EventKind::RpoMeasured {
        lost_ms: ms,
        how: how.into(),
    };
    let events = vec![
        ev("10:00:00", "ana", drill()),
        ev("10:01:00", "ana", rpo(3_000, "rpo_query")),
        ev("10:02:00", "ana", rpo(0, "by hand")),
    ];
    let inc = Incident::fold(&events).unwrap();
    let x = inc.exercise.as_ref().unwrap();
    assert_eq!(x.rpo, Some((3_000, "rpo_query".to_string())));
}
