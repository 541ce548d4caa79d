//! Tests of the event model and the fold.
#![allow(clippy::panic)]

use super::*;

pub(crate) fn at(s: &str) -> Timestamp {
    format!("2026-11-21T{s}Z").parse().expect("time")
}

pub(crate) fn ev(t: &str, who: &str, kind: EventKind) -> Event {
    Event::new(at(t), who.into(), kind)
}

pub(crate) fn declared() -> EventKind {
    EventKind::Declared {
        id: "2026-11-21-catalog-p99-latency".into(),
        title: "Catalog p99 latency above 500ms".into(),
        severity: Sev::P1,
        alert: AlertRef {
            name: "CatalogP99Latency".into(),
            fingerprint: "abc".into(),
            labels: [("service".to_string(), "catalog".to_string())].into(),
            summary: "p99 latency is 1.2s".into(),
            starts_at: at("02:55:00"),
        },
        runbook: Some(RunbookRef {
            id: "api-latency-p99".into(),
            title: "API latency".into(),
            version: None,
            steps: vec![
                StepRef {
                    id: "check-1".into(),
                    key: None,
                    section: "Check".into(),
                    text: "Confirm".into(),
                },
                StepRef {
                    id: "mitigate-1".into(),
                    key: None,
                    section: "Mitigate".into(),
                    text: "Roll back".into(),
                },
            ],
        }),
        exercise: None,
    }
}

/// A step as a journal from before step keys names it: by id alone.
pub(crate) fn old(id: &str) -> StepName<'_> {
    StepName { id, key: None }
}

pub(crate) fn step(id: &str, done: bool) -> EventKind {
    let (step, section, text) = (id.to_string(), "Check".to_string(), "Confirm".to_string());
    if done {
        EventKind::StepDone {
            version: None,
            runbook: None,
            key: None,
            step,
            section,
            text,
        }
    } else {
        EventKind::StepUndone {
            version: None,
            runbook: None,
            key: None,
            step,
            section,
            text,
        }
    }
}

#[test]
fn fold_tracks_every_kind() {
    let events = vec![
        ev("03:00:00", "alice", declared()),
        ev("03:02:00", "bob", EventKind::Acknowledged),
        ev("03:03:00", "alice", step("check-1", true)),
        ev("03:04:00", "alice", step("check-1", false)),
        ev("03:05:00", "bob", step("check-1", true)),
        ev(
            "03:06:00",
            "bob",
            EventKind::SeverityChanged {
                from: Sev::P1,
                to: Sev::P0,
            },
        ),
        ev(
            "03:07:00",
            "carol",
            EventKind::Note {
                text: "rolled back".into(),
            },
        ),
        ev("03:10:00", "alice", EventKind::Mitigated),
        ev("03:20:00", "alice", EventKind::Resolved),
    ];
    let inc = Incident::fold(&events).expect("fold");
    assert_eq!(inc.severity, Sev::P0);
    assert_eq!(inc.status, Status::Resolved);
    assert!(!inc.is_open());
    assert_eq!(
        inc.step_done("api-latency-p99", old("check-1"))
            .map(|m| m.by.as_str()),
        Some("bob")
    );
    assert_eq!(inc.step_done("api-latency-p99", old("mitigate-1")), None);
    assert_eq!(
        inc.time_to_acknowledge(),
        Some(SignedDuration::from_mins(2))
    );
    assert_eq!(inc.time_to_mitigate(), Some(SignedDuration::from_mins(10)));
    assert_eq!(inc.time_to_resolve(), Some(SignedDuration::from_mins(20)));
    assert_eq!(inc.time_to_declare(), SignedDuration::from_mins(5));
    assert_eq!(inc.responders.len(), 3);
    assert_eq!(inc.notes[0].1, "rolled back");
}

#[test]
fn reopen_and_implied_ack() {
    let events = vec![
        ev("03:00:00", "a", declared()),
        ev("03:10:00", "a", EventKind::Mitigated),
        ev("03:20:00", "a", EventKind::Resolved),
        ev("03:25:00", "a", EventKind::Reopened),
    ];
    let inc = Incident::fold(&events).expect("fold");
    assert_eq!(inc.status, Status::Mitigated);
    assert!(inc.is_open());
    assert_eq!(inc.acknowledged.map(|m| m.at), Some(at("03:10:00")));
    assert_eq!(inc.resolved, None);
}

#[test]
fn fold_needs_a_declaration_first() {
    assert_eq!(Incident::fold(&[]), Err(FoldError::Empty));
    assert_eq!(
        Incident::fold(&[ev("03:00:00", "a", EventKind::Acknowledged)]),
        Err(FoldError::NoDeclaration)
    );
}

#[test]
fn events_round_trip_as_json_lines() {
    let e = ev("03:00:00", "alice", EventKind::Note { text: "hi".into() });
    let line = serde_json::to_string(&e).expect("ser");
    assert_eq!(
        line,
        r#"{"v":2,"ts":"2026-11-21T03:00:00.000Z","author":"alice","kind":"note","text":"hi"}"#
    );
    assert_eq!(serde_json::from_str::<Event>(&line).expect("de"), e);
    let d = ev("03:00:00", "alice", declared());
    let line = serde_json::to_string(&d).expect("ser");
    assert_eq!(serde_json::from_str::<Event>(&line).expect("de"), d);
}

#[test]
fn slugs_and_ids() {
    assert_eq!(slug("CatalogP99Latency"), "catalog-p99-latency");
    assert_eq!(slug("KubePodCrashLooping"), "kube-pod-crash-looping");
    assert_eq!(slug("HTTPErrorRate"), "http-error-rate");
    assert_eq!(slug("disk_pressure high"), "disk-pressure-high");
    assert_eq!(slug("../../etc"), "etc");
    assert_eq!(slug("!!!"), "incident");
    assert_eq!(
        incident_id("CatalogP99Latency", at("03:00:00")),
        "2026-11-21-catalog-p99-latency"
    );
}

#[test]
fn purpose_names_match_the_journal() {
    for p in [Purpose::Run, Purpose::Verify, Purpose::Rollback] {
        assert_eq!(
            serde_json::to_value(p).expect("serialises"),
            serde_json::Value::String(p.as_str().into())
        );
    }
}

#[test]
fn every_event_kind_folds() {
    use crate::domain::policy::ClockKind;
    let events = vec![
        ev("03:00:00", "alice", declared()),
        ev(
            "03:00:10",
            "alice",
            EventKind::RoleAssigned {
                role: Role::Ic,
                name: "alice".into(),
            },
        ),
        ev(
            "03:00:20",
            "bob",
            EventKind::RoleAssigned {
                role: Role::Ic,
                name: "bob".into(),
            },
        ),
        ev("03:01:00", "bob", EventKind::Acknowledged),
        ev("03:02:00", "bob", step("check-1", true)),
        ev("03:02:30", "bob", step("check-1", false)),
        ev(
            "03:03:00",
            "carol",
            EventKind::Note {
                text: "late".into(),
            },
        )
        .about(Some(at("02:59:00"))),
        ev("03:03:30", "carol", EventKind::Note { text: "now".into() }),
        ev(
            "03:04:00",
            "bob",
            EventKind::SeverityChanged {
                from: Sev::P1,
                to: Sev::P0,
            },
        ),
        ev(
            "03:05:00",
            "alertmanager",
            EventKind::AlertChanged {
                fingerprint: "abc".into(),
                name: "X".into(),
                state: AlertState::Silenced,
                silenced_by: vec!["s1".into()],
            },
        ),
        ev(
            "03:05:00",
            "bob",
            EventKind::SilenceCreated {
                silence_id: "s1".into(),
                alert: "X".into(),
                fingerprint: "abc".into(),
                until: at("04:05:00"),
            },
        ),
        ev(
            "03:06:00",
            "bob",
            EventKind::SilenceExpired {
                silence_id: "s1".into(),
            },
        ),
        ev(
            "03:07:00",
            "carol",
            EventKind::StatusUpdate {
                audience: Audience::Internal,
                text: "u1".into(),
            },
        ),
        ev(
            "03:08:00",
            "bob",
            EventKind::ClusterAction {
                action: "delete pod".into(),
                ok: false,
                outcome: "forbidden".into(),
            },
        ),
        ev(
            "03:09:00",
            "bob",
            EventKind::RunbookAttached {
                runbook: RunbookRef {
                    id: "other".into(),
                    title: "Other".into(),
                    version: None,
                    steps: vec![],
                },
            },
        ),
        ev(
            "03:10:00",
            "warroom",
            EventKind::DeadlineMissed {
                clock: ClockKind::Update,
                due: at("03:10:00"),
            },
        ),
        ev(
            "03:11:00",
            "bob",
            EventKind::ActionItem {
                text: "fix".into(),
                owner: None,
                due: None,
                ticket: None,
            },
        ),
        ev(
            "03:11:10",
            "bob",
            EventKind::GateOverridden {
                runbook: None,
                key: None,
                step: "check-1".into(),
                missing: vec!["x".into()],
            },
        ),
        ev(
            "03:11:20",
            "bob",
            EventKind::CommandStarted {
                original: None,
                runbook: None,
                key: None,
                step: "check-1".into(),
                command: "true".into(),
                purpose: Purpose::Verify,
            },
        ),
        ev(
            "03:11:30",
            "bob",
            EventKind::CommandFinished {
                original: None,
                runbook: None,
                key: None,
                step: "check-1".into(),
                command: "true".into(),
                purpose: Purpose::Verify,
                outcome: RunOutcome::TimedOut,
                duration_ms: 10,
                output: String::new(),
                omitted: 0,
            },
        ),
        ev(
            "03:11:40",
            "bob",
            EventKind::StepVerified {
                runbook: None,
                key: None,
                step: "check-2".into(),
                how: "query".into(),
            },
        ),
        ev(
            "03:11:50",
            "bob",
            EventKind::BranchTaken {
                from: "check-1".into(),
                to: "check-2".into(),
                label: "go to step 2".into(),
            },
        ),
        ev("03:12:00", "bob", EventKind::Mitigated),
        ev("03:13:00", "bob", EventKind::Resolved),
        ev("03:14:00", "bob", EventKind::Reopened),
    ];
    let inc = Incident::fold(&events).expect("folds");
    assert_eq!(inc.roles.get(&Role::Ic).map(|r| r.0.as_str()), Some("bob"));
    assert_eq!(
        inc.acknowledged.as_ref().map(|m| m.by.as_str()),
        Some("bob")
    );
    assert!(
        inc.step_done("api-latency-p99", old("check-1")).is_none(),
        "unticked"
    );
    assert!(
        inc.step_done("other", old("check-2")).is_some(),
        "verified counts as done"
    );
    assert!(inc.step_overridden("other", old("check-1")).is_some());
    assert_eq!(
        inc.step_run("other", old("check-1"))
            .and_then(|r| r.outcome.clone()),
        Some(RunOutcome::TimedOut)
    );
    assert_eq!(
        inc.notes.iter().map(|n| n.1.as_str()).collect::<Vec<_>>(),
        ["late", "now"]
    );
    assert_eq!(inc.severity, Sev::P0);
    assert_eq!(inc.alerts.get("abc"), Some(&AlertState::Silenced));
    assert!(!inc.silences["s1"].active(at("03:30:00")), "expired");
    assert_eq!(inc.updates.len(), 1);
    assert_eq!(inc.runbook.as_ref().map(|r| r.id.as_str()), Some("other"));
    assert!(inc.missed.contains(&(ClockKind::Update, at("03:10:00"))));
    assert_eq!(inc.actions.len(), 1);
    assert_eq!(inc.status, Status::Mitigated, "reopened after mitigation");
    assert!(inc.resolved.is_none());
    assert!(!inc.responders.contains("alertmanager") && !inc.responders.contains("warroom"));
    // Every kind round-trips through the journal's JSON.
    for e in &events {
        let line = serde_json::to_string(e).expect("serialises");
        let back: Event = serde_json::from_str(&line).expect("parses");
        assert_eq!(&back, e, "{line}");
    }
}

#[test]
fn events_have_one_total_order() {
    let mut a = ev("03:05:00", "a", EventKind::Acknowledged);
    a.id = "b".into();
    let mut b = ev("03:05:00", "b", EventKind::Mitigated);
    b.id = "a".into();
    // A note written at 03:10 about 03:00 comes first.
    let late =
        ev("03:10:00", "c", EventKind::Note { text: "x".into() }).about(Some(at("03:00:00")));
    let mut same_moment =
        ev("03:04:00", "d", EventKind::Note { text: "y".into() }).about(Some(at("03:00:00")));
    same_moment.id = "z".into();
    let mut events = vec![a.clone(), late.clone(), b.clone(), same_moment.clone()];
    events.sort_by(|x, y| x.order(y));
    // Same effective time: the earlier write first; same write time: the id.
    assert_eq!(events, vec![same_moment, late, b, a]);
    assert_eq!(events[1].effective(), at("03:00:00"));
}

#[test]
fn a_fact_recorded_by_two_cockpits_counts_once() {
    let fact = |who: &str| {
        ev(
            "03:20:00",
            who,
            EventKind::DeadlineMissed {
                clock: crate::domain::policy::ClockKind::Acknowledge,
                due: at("03:15:00"),
            },
        )
        .as_fact("inc-1", "deadline-missed/Acknowledge/03:15")
    };
    let (one, two) = (fact("warroom"), fact("warroom"));
    assert_eq!(one.id, two.id, "the same fact, the same id on every host");
    assert_ne!(
        one.id,
        ev("03:20:00", "warroom", EventKind::Acknowledged)
            .as_fact("inc-1", "deadline-missed/Acknowledge/03:30")
            .id
    );
    let mut d = ev("03:00:00", "a", declared());
    d.id = new_id();
    let inc = Incident::fold(&[d, one, two]).expect("fold");
    assert_eq!(inc.missed.len(), 1);
    // Ids are lowercase UUIDs.
    assert!(uuid::Uuid::parse_str(&fact_id("i", "f")).is_ok());
    let id = new_id();
    assert_eq!(id, id.to_lowercase());
    assert_ne!(id, new_id());
}

#[test]
fn no_event_outgrows_the_maximum_size() {
    let big = ev(
        "03:00:00",
        "a",
        EventKind::Note {
            text: "é\n".repeat(2 * MAX_EVENT_BYTES),
        },
    )
    .bounded()
    .expect("cut to size");
    let line = serde_json::to_string(&big).expect("json");
    assert!(line.len() <= MAX_EVENT_BYTES, "{} bytes", line.len());
    let EventKind::Note { text } = &big.kind else {
        panic!("not a note")
    };
    assert!(
        text.ends_with("bytes cut: events are at most 1 MiB]"),
        "{}",
        &text[text.len() - 80..]
    );
    // As much of the start as fits is kept, not nothing.
    assert!(
        line.len() > MAX_EVENT_BYTES * 9 / 10,
        "only {} bytes kept",
        line.len()
    );
    assert!(text.starts_with("é\né\n"));
    // Small events are left alone.
    let small = ev("03:00:00", "a", EventKind::Note { text: "ok".into() });
    assert_eq!(small.clone().bounded(), Ok(small));
    // Wherever the size is: a label value, a list of step ids.
    let mut alert = ev("03:00:00", "a", declared());
    if let EventKind::Declared { alert: a, .. } = &mut alert.kind {
        a.summary = "s".repeat(3 * MAX_EVENT_BYTES);
        a.labels.insert("huge".into(), "l".repeat(MAX_EVENT_BYTES));
    }
    let cut = alert.bounded().expect("cut");
    assert!(serde_json::to_vec(&cut).expect("json").len() <= MAX_EVENT_BYTES);
    let gate = ev(
        "03:00:00",
        "a",
        EventKind::GateOverridden {
            runbook: None,
            key: None,
            step: "s".into(),
            missing: (0..200_000).map(|i| format!("step-{i}")).collect(),
        },
    )
    .bounded()
    .expect("cut");
    let EventKind::GateOverridden { missing, .. } = &gate.kind else {
        panic!("kind")
    };
    assert!(
        missing.last().is_some_and(|m| m.contains("more")),
        "{:?}",
        missing.last()
    );
    assert!(serde_json::to_vec(&gate).expect("json").len() <= MAX_EVENT_BYTES);
}
