//! Clocks with an injected `now`.

use super::*;
use crate::domain::incident::tests::{at, declared, ev};
use crate::domain::incident::{Audience, EventKind, Incident};

fn inc(sev: Sev, extra: Vec<crate::domain::incident::Event>) -> Incident {
    let mut events = vec![ev("03:00:00", "alice", declared())];
    if sev != Sev::P1 {
        events.push(ev(
            "03:00:00",
            "alice",
            EventKind::SeverityChanged {
                from: Sev::P1,
                to: sev,
            },
        ));
    }
    events.extend(extra);
    Incident::fold(&events).expect("folds")
}

fn kinds(c: &[Clock]) -> Vec<(ClockKind, ClockState)> {
    c.iter().map(|c| (c.kind, c.state)).collect()
}

#[test]
fn p1_clocks_run_from_the_declaration() {
    let m = Matrix::default();
    let oc = OnCall::default();
    let i = inc(Sev::P1, vec![]);
    let c = clocks(&i, &m, &oc, at("03:05:00"));
    assert_eq!(
        kinds(&c),
        [
            (ClockKind::Acknowledge, ClockState::Ok),
            (ClockKind::Escalate, ClockState::Ok),
            (ClockKind::Update, ClockState::Ok),
            (ClockKind::Mitigate, ClockState::Ok),
        ]
    );
    assert_eq!(c[0].due, at("03:15:00"));
    assert_eq!(c[1].due, at("03:15:00"), "escalation after 15 minutes");
    assert_eq!(c[2].due, at("04:00:00"), "P1 updates every hour");
    assert_eq!(c[3].due, at("07:00:00"), "P1 mitigates within 4 hours");
    // Three minutes before the acknowledgement deadline it is amber; after it, red.
    let c = clocks(&i, &m, &oc, at("03:12:30"));
    assert_eq!(c[0].state, ClockState::Near);
    let c = clocks(&i, &m, &oc, at("03:15:00"));
    assert_eq!(
        kinds(&c)[..2],
        [
            (ClockKind::Acknowledge, ClockState::Missed),
            (ClockKind::Escalate, ClockState::Missed)
        ]
    );
}

#[test]
fn p0_is_tighter_and_p2_pages_nobody() {
    let m = Matrix::default();
    let oc = OnCall::default();
    let c = clocks(&inc(Sev::P0, vec![]), &m, &oc, at("03:01:00"));
    let due: Vec<_> = c.iter().map(|c| (c.kind, c.due)).collect();
    assert!(due.contains(&(ClockKind::Acknowledge, at("03:05:00"))));
    assert!(
        due.contains(&(ClockKind::Update, at("03:15:00"))),
        "the first update is due within P0's first-update target, not its cadence: {due:?}"
    );
    assert!(due.contains(&(ClockKind::Mitigate, at("03:30:00"))));
    let c = clocks(&inc(Sev::P2, vec![]), &m, &oc, at("03:01:00"));
    assert_eq!(
        kinds(&c),
        [(ClockKind::Acknowledge, ClockState::Ok)],
        "no escalation, no cadence"
    );
}

#[test]
fn acknowledging_stops_ack_and_escalation_and_updates_reset_the_cadence() {
    let m = Matrix::default();
    let oc = OnCall::default();
    let i = inc(
        Sev::P1,
        vec![
            ev("03:04:00", "bob", EventKind::Acknowledged),
            ev(
                "03:50:00",
                "carol",
                EventKind::StatusUpdate {
                    audience: Audience::Internal,
                    text: "x".into(),
                },
            ),
        ],
    );
    let c = clocks(&i, &m, &oc, at("04:10:00"));
    assert_eq!(
        kinds(&c),
        [
            (ClockKind::Update, ClockState::Ok),
            (ClockKind::Mitigate, ClockState::Ok)
        ]
    );
    assert_eq!(
        c[0].due,
        at("04:50:00"),
        "cadence restarts at the last update"
    );
    let i = inc(Sev::P1, vec![ev("03:30:00", "bob", EventKind::Resolved)]);
    assert!(
        clocks(&i, &m, &oc, at("09:00:00")).is_empty(),
        "resolved: no clocks"
    );
}

#[test]
fn config_overrides_the_matrix_and_escalation() {
    let patch: BTreeMap<Sev, TargetPatch> =
        serde_yaml::from_str("P1:\n  acknowledge: 10m\n  update_every: 30m\n").expect("yaml");
    let m = Matrix::with_overrides(&patch);
    assert_eq!(
        m.target(Sev::P1).acknowledge,
        Some(Duration::from_secs(600))
    );
    assert_eq!(
        m.target(Sev::P1).mitigate,
        Some(Duration::from_secs(4 * 3600)),
        "untouched"
    );
    let oc: OnCall =
        serde_yaml::from_str("primary: alice\nsecondary: bob\nescalate_after: 5m\n").expect("yaml");
    let c = clocks(&inc(Sev::P1, vec![]), &m, &oc, at("03:01:00"));
    let esc = c
        .iter()
        .find(|c| c.kind == ClockKind::Escalate)
        .expect("escalation");
    assert_eq!(esc.due, at("03:05:00"));
}
