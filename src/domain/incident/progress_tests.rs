//! Progress per runbook and step key, against journals old and new.

use super::tests::{declared, ev, old, step};
use super::*;

fn keyed(rb: &str, key: &str, id: &str, done: bool) -> EventKind {
    let (step, section, text) = (
        id.to_string(),
        "Check".to_string(),
        format!("text of {key}"),
    );
    let (runbook, key) = (Some(rb.to_string()), Some(key.to_string()));
    if done {
        EventKind::StepDone {
            version: None,
            step,
            section,
            text,
            runbook,
            key,
        }
    } else {
        EventKind::StepUndone {
            version: None,
            step,
            section,
            text,
            runbook,
            key,
        }
    }
}

/// Two runbooks attached to one incident keep their progress apart, even
/// for steps with the same positional id; an older journal's ticks belong
/// to the runbook in force when they were made.
#[test]
fn progress_is_kept_per_runbook_and_key() {
    let other = RunbookRef {
        id: "other".into(),
        title: "Other".into(),
        version: None,
        steps: vec![StepRef {
            id: "check-1".into(),
            key: Some("check/look".into()),
            section: "Check".into(),
            text: "Look".into(),
        }],
    };
    let events = vec![
        ev("03:00:00", "alice", declared()),
        // An older cockpit's tick: no runbook, no key.
        ev("03:01:00", "alice", step("check-1", true)),
        ev(
            "03:02:00",
            "alice",
            EventKind::RunbookAttached {
                runbook: other.clone(),
            },
        ),
        ev("03:03:00", "bob", step("mitigate-1", true)),
        ev(
            "03:04:00",
            "bob",
            keyed("api-latency-p99", "mitigate/roll-back", "mitigate-1", true),
        ),
    ];
    let inc = Incident::fold(&events).expect("folds");
    assert_eq!(inc.attached.len(), 2);
    assert_eq!(inc.runbook.as_ref().map(|r| r.id.as_str()), Some("other"));
    let look = StepName {
        id: "check-1",
        key: Some("check/look"),
    };
    assert!(
        inc.step_done("other", look).is_none(),
        "the first runbook's check-1 is not the second's"
    );
    assert!(inc.step_done("api-latency-p99", old("check-1")).is_some());
    assert!(
        inc.step_done("other", old("mitigate-1")).is_some(),
        "an old tick goes to the runbook in force"
    );
    let roll_back = StepName {
        id: "mitigate-9",
        key: Some("mitigate/roll-back"),
    };
    assert_eq!(
        inc.step_done("api-latency-p99", roll_back)
            .map(|m| m.by.as_str()),
        Some("bob"),
        "found by key whatever its position now"
    );
    // Steps the runbook no longer has are reported, not moved.
    let now: Vec<StepName<'_>> = vec![StepName {
        id: "check-1",
        key: Some("check/something-else"),
    }];
    let gone: Vec<&str> = inc
        .gone_steps("api-latency-p99", &now)
        .iter()
        .map(|(_, m)| m.text.as_str())
        .collect();
    assert_eq!(gone, ["text of mitigate/roll-back"]);
    let kept: Vec<StepName<'_>> = vec![old("check-1"), roll_back];
    assert!(inc.gone_steps("api-latency-p99", &kept).is_empty());
}

/// The later of a key's and an old id's record wins, so unticking with a
/// new cockpit what an old one ticked leaves the step not done.
#[test]
fn the_latest_record_wins_between_old_ids_and_keys() {
    let events = vec![
        ev("03:00:00", "alice", declared()),
        ev("03:01:00", "alice", step("check-1", true)),
        ev(
            "03:02:00",
            "bob",
            keyed("api-latency-p99", "check/confirm", "check-1", false),
        ),
    ];
    let inc = Incident::fold(&events).expect("folds");
    let confirm = StepName {
        id: "check-1",
        key: Some("check/confirm"),
    };
    assert!(inc.step_done("api-latency-p99", confirm).is_none());
    assert_eq!(
        inc.step_mark("api-latency-p99", confirm)
            .map(|m| m.mark.by.as_str()),
        Some("bob")
    );
}

/// Two cockpits tick and untick the same step at the same millisecond: the
/// tie is broken by event id, so every cockpit and every export agrees on
/// the outcome whatever order the lines landed in the file.
#[test]
fn simultaneous_marks_are_ordered_by_id_not_by_file_position() {
    let mut done = ev(
        "03:01:00",
        "alice",
        keyed("rb", "check/look", "check-1", true),
    );
    let mut undone = ev(
        "03:01:00",
        "bob",
        keyed("rb", "check/look", "check-1", false),
    );
    done.id = "0190a000-0000-7000-8000-00000000000b".into();
    undone.id = "0190a000-0000-7000-8000-00000000000a".into();
    let head = ev("03:00:00", "alice", declared());
    for lines in [
        vec![head.clone(), done.clone(), undone.clone()],
        vec![head.clone(), undone.clone(), done.clone()],
    ] {
        let inc = Incident::fold(&lines).expect("folds");
        let name = StepName {
            id: "check-1",
            key: Some("check/look"),
        };
        let mark = inc.step_mark("rb", name);
        let mark = mark.expect("marked");
        assert!(mark.done, "the larger id (alice's tick) is the later one");
        assert_eq!(mark.mark.by, "alice");
    }
}
