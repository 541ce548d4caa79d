//! Tests of the postmortem export.

use super::*;
use crate::domain::alert::AlertState;
use crate::domain::incident::Role;
use crate::domain::incident::tests::{declared, ev, step};
use crate::domain::incident::{Audience, EventKind, RunbookRef, StepRef};
use crate::domain::policy::ClockKind;
use crate::domain::severity::Sev;

/// A journal with every kind of event.
fn journal() -> Vec<Event> {
    vec![
        ev("03:00:00", "alice", declared()),
        ev(
            "03:00:30",
            "alice",
            EventKind::RoleAssigned {
                role: Role::Ic,
                name: "alice".into(),
            },
        ),
        ev(
            "03:00:40",
            "alice",
            EventKind::RoleAssigned {
                role: Role::Comms,
                name: "carol".into(),
            },
        ),
        ev("03:01:30", "alice", EventKind::Acknowledged),
        ev("03:02:00", "alice", step("check-1", true)),
        ev(
            "03:02:10",
            "alice",
            EventKind::StepUndone {
                version: None,
                runbook: None,
                key: None,
                step: "check-1".into(),
                section: "Check".into(),
                text: "Confirm".into(),
            },
        ),
        ev("03:02:20", "bob", step("check-1", true)),
        ev(
            "03:04:00",
            "bob",
            EventKind::Note {
                text: "rolled back | v1.4 with PGPASSWORD=hunter2 psql\n\u{1b}[31mred".into(),
            },
        ),
        ev(
            "03:05:00",
            "carol",
            EventKind::Note {
                text: "support saw the first complaint".into(),
            },
        )
        .about(Some(crate::domain::incident::tests::at("02:58:00"))),
        ev(
            "03:06:00",
            "alice",
            EventKind::SeverityChanged {
                from: Sev::P1,
                to: Sev::P0,
            },
        ),
        ev(
            "03:07:00",
            "alertmanager",
            EventKind::AlertChanged {
                fingerprint: "abc".into(),
                name: "CatalogP99Latency".into(),
                state: AlertState::Silenced,
                silenced_by: vec!["s-1".into()],
            },
        ),
        ev(
            "03:07:00",
            "alice",
            EventKind::SilenceCreated {
                silence_id: "s-1".into(),
                alert: "CatalogP99Latency".into(),
                fingerprint: "abc".into(),
                until: crate::domain::incident::tests::at("04:07:00"),
            },
        ),
        ev(
            "03:08:00",
            "carol",
            EventKind::StatusUpdate {
                audience: Audience::External,
                text: "Investigating: slow catalog pages.\nNext update 03:38 UTC.".into(),
            },
        ),
        ev(
            "03:08:10",
            "bob",
            EventKind::GateOverridden {
                runbook: None,
                key: None,
                step: "mitigate-1".into(),
                missing: vec!["check-1".into()],
            },
        ),
        ev(
            "03:08:20",
            "bob",
            EventKind::CommandStarted {
                original: None,
                runbook: None,
                key: None,
                step: "mitigate-1".into(),
                command: "kubectl -n shop rollout undo deploy/catalog".into(),
                purpose: crate::domain::incident::Purpose::Run,
            },
        ),
        ev(
            "03:08:25",
            "bob",
            EventKind::CommandFinished {
                original: None,
                runbook: None,
                key: None,
                step: "mitigate-1".into(),
                command: "kubectl -n shop rollout undo deploy/catalog".into(),
                purpose: crate::domain::incident::Purpose::Run,
                outcome: crate::domain::incident::RunOutcome::Exited(0),
                duration_ms: 4200,
                output: "deployment.apps/catalog rolled back\nPGPASSWORD=hunter2 | ``` fence"
                    .into(),
                omitted: 3,
            },
        ),
        ev(
            "03:08:40",
            "bob",
            EventKind::StepVerified {
                runbook: None,
                key: None,
                step: "verify-1".into(),
                how: "verify_query returned 1 series: up == 1".into(),
            },
        ),
        ev(
            "03:08:50",
            "alice",
            EventKind::BranchTaken {
                from: "check-1".into(),
                to: "mitigate-1".into(),
                label: "go to step mitigate-1".into(),
            },
        ),
        ev("03:09:00", "bob", EventKind::Mitigated),
        ev(
            "03:09:30",
            "bob",
            EventKind::ClusterAction {
                action: "rollout restart Deployment shop/catalog".into(),
                ok: true,
                outcome: "restarted".into(),
            },
        ),
        ev(
            "03:10:00",
            "alice",
            EventKind::RunbookAttached {
                runbook: RunbookRef {
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
                },
            },
        ),
        ev(
            "03:11:00",
            "alice",
            EventKind::SilenceExpired {
                silence_id: "s-1".into(),
            },
        ),
        ev(
            "03:35:00",
            "warroom",
            EventKind::DeadlineMissed {
                clock: ClockKind::Update,
                due: crate::domain::incident::tests::at("03:38:00"),
            },
        ),
        ev(
            "03:36:00",
            "alice",
            EventKind::ActionItem {
                text: "alert on p99 per pod".into(),
                owner: Some("bob".into()),
                due: "2026-12-01".parse().ok(),
                ticket: Some("OPS-42".into()),
            },
        ),
        ev(
            "03:37:00",
            "alice",
            EventKind::ActionItem {
                text: "load test with token=abc123secret".into(),
                owner: None,
                due: None,
                ticket: None,
            },
        ),
        ev("03:40:00", "alice", EventKind::Resolved),
        ev("03:41:00", "bob", EventKind::Reopened),
        ev("03:45:00", "bob", EventKind::Resolved),
    ]
}

fn md() -> String {
    markdown(&journal(), DEFAULT_TEMPLATE, &Matrix::default()).expect("export")
}

#[test]
fn export_matches_golden_file() {
    let md = md();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/export-basic.md");
    if std::env::var_os("WARROOM_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &md).expect("write golden");
    }
    let golden = std::fs::read_to_string(path).expect("golden file");
    assert_eq!(
        md, golden,
        "export changed; regenerate tests/golden/export-basic.md if intended"
    );
}

#[test]
fn export_is_deterministic_and_complete() {
    let a = md();
    assert_eq!(a, md());
    for heading in [
        "## Summary",
        "## Impact",
        "## Key times and durations (UTC)",
        "## Response against the severity targets",
        "## Timeline (UTC)",
        "## Runbook steps",
        "## Status updates",
        "## Root cause",
        "## Why we did not catch it earlier",
        "## Action items",
        "## Lessons",
    ] {
        assert!(a.contains(heading), "missing {heading}");
    }
    assert!(a.contains("| Roles | Incident commander: alice; Communications: carol; Operations: not assigned; Scribe: not assigned |"), "{a}");
    assert!(
        a.contains("| Detected (alert started) | 2026-11-21 02:55:00 UTC |"),
        "{a}"
    );
    assert!(a.contains("time to acknowledge 00:01:30"));
    assert!(a.contains("time to mitigate 00:09:00"));
    assert!(
        a.contains("time to resolve 00:45:00"),
        "the latest resolution counts"
    );
    // P0 at the end: acknowledge within 5 min met, mitigate within 30 met,
    // first customer update within 15 met.
    assert!(
        a.contains("| acknowledge | 00:05:00 | 00:01:30 | yes |"),
        "{a}"
    );
    assert!(
        a.contains("| mitigate | 00:30:00 | 00:09:00 | yes |"),
        "{a}"
    );
    assert!(
        a.contains("| first status update | 00:15:00 | 00:08:00 | yes |"),
        "{a}"
    );
    assert!(
        a.contains("- [x] Check — check-1: Confirm (2026-11-21 03:02:20 UTC, bob)"),
        "{a}"
    );
    assert!(a.contains("- [ ] Mitigate — mitigate-1: Roll back"));
    assert!(a.contains("> Investigating: slow catalog pages."));
    assert!(a.contains("| alert on p99 per pod | bob | 2026-12-01 | OPS-42 |"));
    assert!(
        a.contains("| load test with token=[REDACTED] | **missing** | **missing** | — |"),
        "{a}"
    );
    assert!(a.contains("1 action item(s) lack an owner or a due date"));
    // The late-reported note sorts by when it happened.
    let notes = &a[a.find("## Notes from the incident").expect("notes")..];
    let early = notes.find("support saw the first complaint").expect("note");
    let later = notes.find("rolled back").expect("note");
    assert!(early < later);
    assert!(
        !a.contains('\u{1b}')
            && !a.contains("{{")
            && !a.contains("hunter2")
            && !a.contains("abc123secret")
    );
}

#[test]
fn json_has_the_same_facts() {
    let j: serde_json::Value =
        serde_json::from_str(&json(&journal(), &Matrix::default()).expect("json"))
            .expect("valid json");
    assert_eq!(j["severity"], "P0");
    assert_eq!(j["status"], "resolved");
    assert_eq!(j["roles"]["Incident commander"], "alice");
    assert_eq!(j["times"]["acknowledged"], "2026-11-21 03:01:30 UTC");
    assert_eq!(j["targets"][0]["met"], true);
    assert_eq!(j["steps"][0]["state"], "done");
    assert_eq!(j["steps"][1]["state"], "not done");
    assert_eq!(
        j["action_items"][1]["missing"],
        serde_json::json!(["owner", "due date"])
    );
    assert_eq!(
        j["timeline"].as_array().map(Vec::len),
        Some(journal().len() + 1),
        "every event, and the alert's start"
    );
    assert!(!j.to_string().contains("hunter2"));
}

#[test]
fn missed_targets_say_by_how_much_and_open_ones_when_due() {
    let events = vec![
        ev("03:00:00", "alice", declared()),
        ev("03:20:00", "bob", EventKind::Acknowledged),
    ];
    let a = markdown(&events, "{{targets}}", &Matrix::default()).expect("export");
    assert!(
        a.contains("| acknowledge | 00:15:00 | 00:20:00 | **missed by 00:05:00** |"),
        "{a}"
    );
    assert!(
        a.contains("| mitigate | 04:00:00 | — | not yet (due 2026-11-21 07:00:00 UTC) |"),
        "{a}"
    );
    // Resolved without anyone acknowledging: the time is implied, and said so.
    let events = vec![
        ev("03:00:00", "alice", declared()),
        ev("03:30:00", "bob", EventKind::Resolved),
    ];
    let a = markdown(
        &events,
        "{{targets}}\n{{durations}}\n{{impact}}",
        &Matrix::default(),
    )
    .expect("export");
    assert!(
        a.contains("**missed by 00:15:00** (implied: no acknowledgement was recorded)"),
        "{a}"
    );
    assert!(
        a.contains("| mitigate | 04:00:00 | — | **missed**: never done |"),
        "{a}"
    );
    assert!(a.contains("implied: nobody acknowledged"), "{a}");
    assert!(a.contains("no end of it was recorded"), "{a}");
}

#[test]
fn text_from_the_journal_is_never_filled_as_a_template() {
    let mut events = journal();
    for _ in 0..50 {
        events.push(ev(
            "03:30:00",
            "bob",
            EventKind::Note {
                text: "see {{timeline}} and {{notes}}".into(),
            },
        ));
    }
    let md = markdown(&events, DEFAULT_TEMPLATE, &Matrix::default()).expect("export");
    assert!(md.contains("see {{timeline}} and {{notes}}"));
    let plain = markdown(&journal(), DEFAULT_TEMPLATE, &Matrix::default()).expect("export");
    assert!(
        md.len() < plain.len() + 50 * 400,
        "50 notes grew the export from {} to {} bytes",
        plain.len(),
        md.len()
    );
}

#[test]
fn unknown_template_placeholders_are_reported() {
    let r = render(&journal(), "{{title}} {{root_cause}}", &Matrix::default()).expect("export");
    assert_eq!(r.unknown, ["root_cause"]);
    assert!(r.text.contains("{{root_cause}}"));
}

#[test]
fn custom_template_uses_placeholders() {
    let md = markdown(
        &journal(),
        "{{id}} {{severity}} {{status}} {{roles}}",
        &Matrix::default(),
    )
    .expect("export");
    assert_eq!(
        md,
        "2026-11-21-catalog-p99-latency P0 resolved Incident commander: alice; Communications: carol; Operations: not assigned; Scribe: not assigned\n"
    );
    for p in PLACEHOLDERS {
        let out =
            markdown(&journal(), &format!("{{{{{p}}}}}"), &Matrix::default()).expect("export");
        assert!(!out.contains("{{"), "{p} not filled");
    }
}

/// A journal written before events had versions, ids and hosts (the
/// journal above, as the previous release wrote it) loads unchanged and
/// exports byte for byte as before; so does the same journal written now.
#[test]
fn old_and_new_journals_export_the_same() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/journal-v1.jsonl"
    ));
    let bytes = std::fs::read(path).expect("fixture");
    let (old, warnings, _) = crate::journal::parse_lines(&bytes, path, 0, true);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(old.len(), journal().len());
    assert!(old.iter().all(|e| e.v == 1 && e.host.is_empty()));
    // Ids derived from file and line: stable, unique, lowercase.
    let again = crate::journal::parse_lines(&bytes, path, 0, true).0;
    let ids: std::collections::BTreeSet<&str> = old.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), old.len());
    assert!(old.iter().zip(&again).all(|(a, b)| a.id == b.id));
    assert!(old.iter().all(|e| e.id == e.id.to_lowercase()));
    // Legacy ids sort like the lines, so the total order is file order for
    // events written in the same millisecond.
    assert!(old.windows(2).all(|w| w[0].id < w[1].id));
    let golden = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/export-basic.md"
    ))
    .expect("golden");
    let md = markdown(&old, DEFAULT_TEMPLATE, &Matrix::default()).expect("export");
    assert_eq!(md, golden, "an old journal exports as it always did");
    // Written by this build: versioned, with ids and host; same export.
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("x.jsonl");
    std::fs::write(&file, "").expect("create");
    for e in journal() {
        crate::journal::append_to(&file, &e).expect("append");
    }
    let new = crate::journal::parse_lines(&std::fs::read(&file).expect("read"), &file, 0, true).0;
    assert!(
        new.iter()
            .all(|e| e.v == crate::domain::incident::SCHEMA_VERSION
                && !e.host.is_empty()
                && uuid::Uuid::parse_str(&e.id).is_ok_and(|u| u.get_version_num() == 7))
    );
    let md = markdown(&new, DEFAULT_TEMPLATE, &Matrix::default()).expect("export");
    assert_eq!(
        md, golden,
        "a new journal exports the same facts the same way"
    );
}

#[test]
fn a_note_cannot_reshape_the_postmortem_or_bring_raw_html() {
    let mut events = journal();
    events.push(ev(
        "03:30:00",
        "<b>bob</b>",
        EventKind::Note {
            text: "fine\n---\n# injected heading\n1. listed\n<script>alert(1)</script> | x".into(),
        },
    ));
    let md = markdown(&events, DEFAULT_TEMPLATE, &Matrix::default()).expect("export");
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("<b>"), "{md}");
    let notes = &md[md.find("- 2026-11-21 03:30:00 UTC").expect("the note")..];
    let notes = &notes[..notes.find("\n\n").unwrap_or(notes.len())];
    for line in notes.lines().skip(1) {
        let body = line.trim_start();
        assert!(
            body.starts_with('\\') || body.starts_with("&lt;") || body.is_empty(),
            "a line of the note starts a block: {line:?}\n{notes}"
        );
    }
}

#[test]
fn output_kept_on_its_host_is_left_out_alike_on_every_host() {
    let on = |host: &str, mut e: Event| {
        e.host = host.into();
        e.id = crate::domain::incident::new_id();
        e
    };
    let shared = |host: &str, output: bool| {
        on(
            host,
            ev(
                "03:01:00",
                "ana",
                EventKind::Shared {
                    namespace: "warroom".into(),
                    output,
                },
            ),
        )
    };
    let ran = |host: &str, output: &str| {
        on(
            host,
            ev(
                "03:10:00",
                "ana",
                EventKind::CommandFinished {
                    original: None,
                    step: "check-1".into(),
                    command: "kubectl get pods".into(),
                    purpose: crate::domain::incident::Purpose::Run,
                    outcome: crate::domain::incident::RunOutcome::Exited(0),
                    duration_ms: 900,
                    output: output.into(),
                    omitted: 1,
                    runbook: None,
                    key: None,
                },
            ),
        )
    };
    // laptop-1 keeps its output at home; laptop-2 publishes it.
    let events = vec![
        ev("03:00:00", "ana", declared()),
        shared("laptop-1", false),
        shared("laptop-2", true),
        ran("laptop-1", "secret row 1\nsecret row 2"),
        ran("laptop-2", "visible row"),
    ];
    let r = report(&events, &Default::default()).expect("report");
    assert_eq!(r.commands[0].output, "");
    assert_eq!(r.commands[0].omitted, 3, "its lines are counted");
    assert_eq!(r.commands[0].kept_on.as_deref(), Some("laptop-1"));
    assert_eq!(r.commands[1].output, "visible row");
    assert_eq!(r.commands[1].kept_on, None);
    let md = markdown(&events, DEFAULT_TEMPLATE, &Default::default()).expect("md");
    assert!(
        md.contains("its output (3 lines) stays on host laptop-1: not shared"),
        "{md}"
    );
    assert!(!md.contains("secret row"), "{md}");
    // A host that received laptop-1's command without its output (as
    // published) exports the same bytes.
    let mut received = events.clone();
    if let EventKind::CommandFinished {
        output, omitted, ..
    } = &mut received[3].kind
    {
        *omitted += output.lines().count();
        output.clear();
    }
    assert_eq!(
        markdown(&received, DEFAULT_TEMPLATE, &Default::default()).expect("md"),
        md
    );
    // Never shared: the output is the export's, as before.
    let local: Vec<Event> = events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::Shared { .. }))
        .cloned()
        .collect();
    let md = markdown(&local, DEFAULT_TEMPLATE, &Default::default()).expect("md");
    assert!(
        md.contains("secret row 2") && !md.contains("stays on host"),
        "{md}"
    );
}
