//! Arbitrary input never panics, and what must hold for all input holds:
//! the runbook parser, the placeholder filler, the sanitiser, the redactor,
//! the journal line parser and the export, each fed what proptest makes up.
//! Case counts are kept modest so the suite stays quick.

use std::path::Path;

use proptest::prelude::*;
use warroom::domain::export;
use warroom::domain::incident::{AlertRef, Event, EventKind};
use warroom::domain::placeholder::{Use, fill};
use warroom::domain::policy::Matrix;
use warroom::domain::redact::redact;
use warroom::domain::runbook;
use warroom::domain::severity::Sev;
use warroom::journal::parse_lines;
use warroom::sanitize;

/// Markdown-ish text: headings, lists, fences, placeholders, HTML, noise.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# Title\n".to_string()),
        Just("## Check\n".to_string()),
        Just("## Mitigation\n".to_string()),
        Just("1. step `kubectl -n $NAMESPACE get pods`\n".to_string()),
        Just("- [ ] task {{ $labels.pod }}\n".to_string()),
        Just("```sh\necho hi\n```\n".to_string()),
        Just("```yaml\nid: x\nrequires: [y]\n```\n".to_string()),
        Just("```\nunclosed\n".to_string()),
        Just("---\nalerts: [A]\n---\n".to_string()),
        Just("<details><summary>s</summary>body</details>\n".to_string()),
        Just("{{< ref \"x.md\" >}}\n".to_string()),
        Just("go to step 2\n".to_string()),
        "[^\u{0}]{0,30}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn event(text: String) -> Event {
    Event::new(
        "2026-11-21T03:01:00Z".parse().expect("time"),
        "a".into(),
        EventKind::Note { text },
    )
}

fn declaration() -> Event {
    Event::new(
        "2026-11-21T03:00:00Z".parse().expect("time"),
        "a".into(),
        EventKind::Declared {
            id: "i".into(),
            title: "t".into(),
            severity: Sev::P1,
            alert: AlertRef {
                name: "A".into(),
                fingerprint: "f".into(),
                labels: Default::default(),
                summary: String::new(),
                starts_at: "2026-11-21T02:59:00Z".parse().expect("time"),
            },
            runbook: None,
            exercise: None,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_runbook_parser_takes_anything(text in markdownish()) {
        let _ = runbook::parse(Path::new("x.md"), &text);
    }

    #[test]
    fn the_filler_takes_anything(text in "[^\u{0}]{0,60}", value in "[^\u{0}]{0,20}") {
        let labels = [("namespace".to_string(), value)].into();
        for how in [Use::Text, Use::Exact, Use::Query, Use::Shell { env: &|_| false }] {
            let _ = fill(&text, &labels, how);
        }
    }

    #[test]
    fn sanitised_text_has_no_control_characters(text in any::<String>()) {
        let line = sanitize::line(&text);
        prop_assert!(!line.chars().any(char::is_control), "{line:?}");
        let multi = sanitize::multiline(&text);
        prop_assert!(!multi.chars().any(|c| c.is_control() && c != '\n'), "{multi:?}");
    }

    #[test]
    fn redaction_is_idempotent(text in any::<String>()) {
        let once = redact(&text);
        prop_assert_eq!(redact(&once), once);
    }

    #[test]
    fn secrets_in_any_sentence_are_redacted(
        before in "[a-z ]{0,20}",
        secret in "[A-Za-z0-9]{12,30}",
        after in "[a-z ]{0,20}",
    ) {
        for shape in [
            format!("PGPASSWORD={secret}"),
            format!("api_key: {secret}"),
            format!("Authorization: Bearer {secret}"),
            format!("https://u:{secret}@host/x"),
            format!("--password={secret}"),
        ] {
            let text = format!("{before} {shape} {after}");
            let out = redact(&text);
            prop_assert!(!out.contains(&secret), "{text:?} became {out:?}");
        }
    }

    #[test]
    fn the_journal_line_parser_takes_anything(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (events, warnings, consumed) = parse_lines(&bytes, Path::new("j.jsonl"), 0, true);
        prop_assert_eq!(consumed, bytes.len());
        prop_assert!(events.len() + warnings.len() <= bytes.len() + 1);
    }

    #[test]
    fn the_export_takes_any_note(notes in prop::collection::vec(any::<String>(), 0..6)) {
        let mut events = vec![declaration()];
        events.extend(notes.into_iter().map(event));
        let md = export::markdown(&events, export::DEFAULT_TEMPLATE, &Matrix::default())
            .expect("export");
        prop_assert!(!md.chars().any(|c| c.is_control() && c != '\n'));
        let json = export::json(&events, &Matrix::default()).expect("json");
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    }
}
