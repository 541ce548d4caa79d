//! Postmortem export: a pure function from journal events and a template to
//! markdown, so the same journal always yields the same bytes.

use std::collections::BTreeMap;

use super::incident::{Event, FoldError, Incident};
use super::time::{hms, utc_datetime};
use crate::sanitize;

/// The template shipped in assets/, used unless a team supplies its own.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../assets/postmortem.md");

/// Placeholders a template may use, each written `{{name}}`.
pub const PLACEHOLDERS: &[&str] = &[
    "title",
    "id",
    "severity",
    "status",
    "alert",
    "runbook",
    "responders",
    "summary",
    "impact",
    "durations",
    "timeline",
    "steps",
    "notes",
];

/// Renders the postmortem for a journal.
pub fn markdown(events: &[Event], template: &str) -> Result<String, FoldError> {
    let inc = Incident::fold(events)?;
    let values = values(&inc, events);
    let mut out = template.to_string();
    for (key, value) in &values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn values(inc: &Incident, events: &[Event]) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    v.insert("title", inline(&inc.title));
    v.insert("id", inline(&inc.id));
    v.insert("severity", inc.severity.to_string());
    v.insert("status", inc.status.to_string());
    v.insert("alert", inline(&inc.alert.name));
    v.insert(
        "runbook",
        inc.runbook
            .as_ref()
            .map(|r| format!("{} (`{}`)", inline(&r.title), inline(&r.id)))
            .unwrap_or_else(|| "none matched".into()),
    );
    v.insert(
        "responders",
        inc.responders
            .iter()
            .map(|r| inline(r))
            .collect::<Vec<_>>()
            .join(", "),
    );
    v.insert("summary", summary(inc));
    v.insert("impact", impact(inc));
    v.insert("durations", durations(inc));
    v.insert("timeline", timeline(events));
    v.insert("steps", steps(inc));
    v.insert("notes", notes(inc));
    v
}

/// Text from outside on one line, safe in a table cell.
fn inline(s: &str) -> String {
    sanitize::line(s).replace('|', "\\|")
}

fn summary(inc: &Incident) -> String {
    let mut s = format!(
        "Alert {} fired at {} UTC; a {} incident was declared at {} UTC by {}.",
        inline(&inc.alert.name),
        utc_datetime(inc.alert.starts_at),
        inc.severity,
        utc_datetime(inc.declared.at),
        inline(&inc.declared.by),
    );
    if let Some(m) = &inc.mitigated {
        s.push_str(&format!(" Mitigated at {} UTC.", utc_datetime(m.at)));
    }
    match &inc.resolved {
        Some(r) => s.push_str(&format!(" Resolved at {} UTC.", utc_datetime(r.at))),
        None => s.push_str(" Not resolved when this was exported."),
    }
    if !inc.alert.summary.is_empty() {
        s.push_str(&format!(
            "\n\nAlert summary: {}",
            inline(&inc.alert.summary)
        ));
    }
    s
}

fn impact(inc: &Incident) -> String {
    let labels: Vec<String> = inc
        .alert
        .labels
        .iter()
        .map(|(k, v)| format!("`{}={}`", inline(k), inline(v).replace('`', "'")))
        .collect();
    let end = inc
        .resolved
        .as_ref()
        .map(|r| format!("until {} UTC", utc_datetime(r.at)))
        .unwrap_or_else(|| "and still ongoing at export".into());
    format!(
        "The alert was active from {} UTC {end}. Alert labels: {}.",
        utc_datetime(inc.alert.starts_at),
        if labels.is_empty() {
            "none".into()
        } else {
            labels.join(", ")
        }
    )
}

fn durations(inc: &Incident) -> String {
    let when = |m: Option<&super::incident::Mark>| {
        m.map(|m| format!("{} UTC by {}", utc_datetime(m.at), inline(&m.by)))
            .unwrap_or_else(|| "not recorded".into())
    };
    let dur = |d: Option<jiff::SignedDuration>| d.map(hms).unwrap_or_else(|| "not recorded".into());
    let rows = [
        (
            "Alert started",
            format!("{} UTC", utc_datetime(inc.alert.starts_at)),
            "".to_string(),
        ),
        (
            "Declared",
            when(Some(&inc.declared)),
            format!("{} after the alert started", hms(inc.time_to_declare())),
        ),
        (
            "Acknowledged",
            when(inc.acknowledged.as_ref()),
            format!("time to acknowledge {}", dur(inc.time_to_acknowledge())),
        ),
        (
            "Mitigated",
            when(inc.mitigated.as_ref()),
            format!("time to mitigate {}", dur(inc.time_to_mitigate())),
        ),
        (
            "Resolved",
            when(inc.resolved.as_ref()),
            format!("time to resolve {}", dur(inc.time_to_resolve())),
        ),
    ];
    let mut s = String::from("| Milestone | When | Duration |\n|---|---|---|\n");
    for (name, at, d) in rows {
        s.push_str(&format!("| {name} | {at} | {d} |\n"));
    }
    s.trim_end().to_string()
}

fn timeline(events: &[Event]) -> String {
    let mut s = String::from("| Time (UTC) | Who | Event |\n|---|---|---|\n");
    for e in events {
        let text = sanitize::multiline(&e.kind.describe())
            .replace('|', "\\|")
            .replace('\n', "<br>");
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            e.ts.strftime("%Y-%m-%d %H:%M:%S%.3f"),
            inline(&e.author),
            text
        ));
    }
    s.trim_end().to_string()
}

fn steps(inc: &Incident) -> String {
    let Some(rb) = &inc.runbook else {
        return "No runbook was open for this incident.".into();
    };
    let (done, todo): (Vec<_>, Vec<_>) = rb
        .steps
        .iter()
        .partition(|s| inc.step_done(&s.id).is_some());
    let mut s = format!(
        "Runbook `{}`: {} of {} steps done.\n\n### Done\n\n",
        inline(&rb.id),
        done.len(),
        rb.steps.len()
    );
    if done.is_empty() {
        s.push_str("- none\n");
    }
    for st in &done {
        if let Some(m) = inc.step_done(&st.id) {
            s.push_str(&format!(
                "- [x] {} — {}: {} ({} UTC, {})\n",
                inline(&st.section),
                inline(&st.id),
                inline(&st.text),
                utc_datetime(m.at),
                inline(&m.by)
            ));
        }
    }
    s.push_str("\n### Not done\n\n");
    if todo.is_empty() {
        s.push_str("- none\n");
    }
    for st in &todo {
        s.push_str(&format!(
            "- [ ] {} — {}: {}\n",
            inline(&st.section),
            inline(&st.id),
            inline(&st.text)
        ));
    }
    s.trim_end().to_string()
}

fn notes(inc: &Incident) -> String {
    if inc.notes.is_empty() {
        return "No notes were taken.".into();
    }
    inc.notes
        .iter()
        .map(|(m, text)| {
            let body = sanitize::multiline(text).replace('\n', "\n  ");
            format!("- {} UTC, {}: {}", utc_datetime(m.at), inline(&m.by), body)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::EventKind;
    use crate::domain::incident::tests::{declared, ev, step};

    fn journal() -> Vec<Event> {
        vec![
            ev("03:00:00", "alice", declared()),
            ev("03:01:30", "alice", EventKind::Acknowledged),
            ev("03:02:00", "alice", step("check-1", true)),
            ev(
                "03:04:00",
                "bob",
                EventKind::Note {
                    text: "rolled back | v1.4\n\u{1b}[31mred".into(),
                    at: None,
                },
            ),
            ev("03:09:00", "bob", EventKind::Mitigated),
            ev("03:30:00", "alice", EventKind::Resolved),
        ]
    }

    #[test]
    fn export_matches_golden_file() {
        let md = markdown(&journal(), DEFAULT_TEMPLATE).expect("export");
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
        let a = markdown(&journal(), DEFAULT_TEMPLATE).expect("export");
        let b = markdown(&journal(), DEFAULT_TEMPLATE).expect("export");
        assert_eq!(a, b);
        for heading in [
            "## Summary",
            "## Impact",
            "## Timeline (UTC)",
            "## Root cause",
            "## Why we did not catch it earlier",
            "## Action items",
            "## Lessons",
        ] {
            assert!(a.contains(heading), "missing {heading}");
        }
        assert!(a.contains("time to acknowledge 00:01:30"));
        assert!(a.contains("time to mitigate 00:09:00"));
        assert!(a.contains("time to resolve 00:30:00"));
        assert!(a.contains("- [x] Check — check-1: Confirm (2026-11-21 03:02:00 UTC, alice)"));
        assert!(a.contains("- [ ] Mitigate — mitigate-1: Roll back"));
        assert!(!a.contains('\u{1b}'));
        assert!(!a.contains("{{"));
    }

    #[test]
    fn custom_template_uses_placeholders() {
        let md = markdown(&journal(), "{{id}} {{severity}} {{status}}").expect("export");
        assert_eq!(md, "2026-11-21-catalog-p99-latency P1 resolved\n");
    }
}
