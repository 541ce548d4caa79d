//! The exercise's markdown: the title's mark, the header's Kind row and
//! the Drill or Game-day section. Every text from the record is escaped
//! as the rest of the postmortem's is, and a block of it (the fault's
//! spec) is fenced longer than any backtick run inside it.

use super::exercise::{DrillReport, ExerciseReport, GamedayReport, SampleRow};
use super::markdown::{cell, code, prose_line};
use crate::domain::exercise::drill::ms_text;

/// At most this many rows of the abort query's series are shown.
const SERIES_ROWS: usize = 60;

/// `DRILL — ` before the title of a drill; empty for a real incident.
pub(super) fn label(x: Option<&ExerciseReport>) -> String {
    x.map_or(String::new(), |x| format!("{} — ", x.label))
}

/// The header's `| Kind | … |` row with its line break; empty for a real
/// incident, so a template can hold it at the start of another row.
pub(super) fn kind_row(x: Option<&ExerciseReport>) -> String {
    x.map_or(String::new(), |x| format!("| Kind | {} |\n", x.described))
}

/// The section with a blank line after it; empty for a real incident, so
/// a template can hold it at the start of the next heading.
pub(super) fn placed(x: Option<&ExerciseReport>) -> String {
    x.map_or(String::new(), |x| format!("{}\n\n", section(x)))
}

/// The Drill or Game-day section, without a final line break.
pub(super) fn section(x: &ExerciseReport) -> String {
    let mut s = String::new();
    if let Some(d) = &x.drill {
        drill(d, &x.as_of, &mut s);
    }
    if let Some(g) = &x.gameday {
        gameday(g, &mut s);
    }
    s.trim_end().to_string()
}

/// Prose from the record inside a line: its line breaks shown, not taken.
fn words(s: &str) -> String {
    prose_line(&s.replace('\n', " ⏎ "))
}

/// ` — how` after a clock, or nothing.
fn how(s: &str) -> String {
    if s.trim().is_empty() {
        String::new()
    } else {
        format!(" — {}", words(s))
    }
}

fn or_none(ms: Option<u64>, none: &str) -> String {
    ms.map_or(none.to_string(), ms_text)
}

fn drill(d: &DrillReport, as_of: &str, s: &mut String) {
    let t = &d.targets;
    s.push_str(&format!(
        "## Drill\n\nThis was a **DR drill** of runbook {} — an exercise, not a real incident: a fault was injected on purpose, and the clocks below measured the recovery.\n\n",
        code(&d.runbook)
    ));
    s.push_str("### Targets, frozen when the drill began\n\n");
    s.push_str(&format!(
        "- Runbook: {} at content hash {}\n",
        code(&d.runbook),
        code(&d.hash)
    ));
    s.push_str(&format!(
        "- RTO (injection to recovery): {}\n",
        ms_text(t.rto_ms)
    ));
    s.push_str(&format!(
        "- RPO (data that may be lost): {}\n",
        ms_text(t.rpo_ms)
    ));
    s.push_str(&format!(
        "- Human action time: {}\n",
        or_none(t.human_ms, "no target set")
    ));
    s.push_str(&format!(
        "- Recovered when: {}\n",
        t.recovered_query.as_deref().map_or(
            "no recovered_query: recovery is marked by hand".to_string(),
            |q| format!("{} answers", code(q))
        )
    ));
    s.push_str(&format!(
        "- Data lost measured by: {}\n\n",
        t.rpo_query.as_deref().map_or(
            "no rpo_query: data lost is entered by hand".to_string(),
            code
        )
    ));
    s.push_str("### Clocks\n\n");
    let mark = |m: &Option<super::exercise::ClockMark>, none: &str| {
        m.as_ref().map_or(none.to_string(), |m| {
            format!("{}, {}{}", m.at, words(&m.by), how(&m.how))
        })
    };
    s.push_str(&format!(
        "- Fault injected (RTO clock started): {}\n",
        mark(&d.injected, "not recorded")
    ));
    s.push_str(&format!(
        "- Recovered (RTO clock stopped): {}\n",
        mark(&d.recovered, "not recorded")
    ));
    s.push_str(&format!(
        "- Data lost: {}\n\n",
        d.rpo
            .as_ref()
            .map_or("not measured".to_string(), |r| format!(
                "{}{}",
                ms_text(r.lost_ms),
                how(&r.how)
            ))
    ));
    s.push_str("### Score\n\n");
    if d.scored {
        score(d, s);
    } else {
        unscored(d, as_of, s);
    }
    slowest(d, s);
    trend(d, s);
}

fn score(d: &DrillReport, s: &mut String) {
    s.push_str("| Measure | Actual | Target | Verdict | Last drill | Change |\n|---|---|---|---|---|---|\n");
    for r in &d.rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.measure,
            r.actual,
            or_none(r.target_ms, "none set"),
            r.verdict,
            or_none(r.last_ms, "—"),
            r.change.as_deref().unwrap_or("—"),
        ));
    }
    let failed: Vec<&str> = d
        .rows
        .iter()
        .filter(|r| r.verdict == "FAIL")
        .map(|r| r.measure.as_str())
        .collect();
    if failed.is_empty() {
        s.push_str("\n**Overall: PASS** — every measure with a target met it.\n\n");
    } else {
        s.push_str(&format!(
            "\n**Overall: FAIL** — missed: {}.\n\n",
            failed.join(", ")
        ));
    }
}

fn unscored(d: &DrillReport, as_of: &str, s: &mut String) {
    s.push_str(&format!(
        "**Not scored.** The journal holds no score for this drill: it was still running when this was exported, or it ended before it was scored. The numbers so far, as of the journal's last event ({as_of}):\n\n"
    ));
    let t = &d.targets;
    let rto = match (d.rto_ms, &d.recovered) {
        (None, _) => "not started: no injection was recorded".to_string(),
        (Some(ms), Some(_)) => ms_text(ms),
        (Some(ms), None) => format!("{} so far, not recovered", ms_text(ms)),
    };
    s.push_str(&format!("- RTO: {rto} (target {})\n", ms_text(t.rto_ms)));
    s.push_str(&format!(
        "- RPO: {} (target {})\n",
        or_none(d.rpo.as_ref().map(|r| r.lost_ms), "not measured"),
        ms_text(t.rpo_ms)
    ));
    s.push_str(&format!(
        "- Human action time: {} so far ({})\n\n",
        ms_text(d.human_ms),
        t.human_ms.map_or("no target set".to_string(), |h| format!(
            "target {}",
            ms_text(h)
        ))
    ));
}

fn slowest(d: &DrillReport, s: &mut String) {
    s.push_str("### Where the human time went\n\n");
    if d.slowest.is_empty() {
        s.push_str("No step was taken between the injection and the recovery.\n\n");
        return;
    }
    s.push_str("The steps that took the most human time (time commands ran is not counted):\n\n| Step | Human time | Command time | Became next | Taken |\n|---|---|---|---|---|\n");
    for st in &d.slowest {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&st.step),
            ms_text(st.human_ms),
            ms_text(st.machine_ms),
            st.from,
            st.to
        ));
    }
    s.push('\n');
}

fn trend(d: &DrillReport, s: &mut String) {
    s.push_str("### Trend over every drill of this runbook\n\n");
    if d.history.is_empty() {
        s.push_str("No trend: earlier drills are compared when a drill is scored.\n\n");
        return;
    }
    if d.history.len() == 1 {
        s.push_str("This is the first drill of this runbook.\n\n");
    }
    s.push_str("| Drill | Date | RTO | RPO | Human time | Result |\n|---|---|---|---|---|---|\n");
    for t in &d.history {
        let id = if t.this {
            format!("**this drill** ({})", cell(&t.id))
        } else {
            cell(&t.id)
        };
        s.push_str(&format!(
            "| {id} | {} | {} | {} | {} | {} |\n",
            t.date,
            or_none(t.rto_ms, "not recovered"),
            or_none(t.rpo_ms, "not measured"),
            ms_text(t.human_ms),
            if t.passed { "PASS" } else { "FAIL" }
        ));
    }
    s.push('\n');
}

fn gameday(g: &GamedayReport, s: &mut String) {
    s.push_str(&format!(
        "## Game-day\n\nThis was a **chaos game-day** — an exercise, not a real incident: experiment {} from {}, exercising runbook {}.\n\n",
        code(&g.name),
        code(&g.file),
        code(&g.runbook)
    ));
    match &g.ended {
        Some(e) => s.push_str(&format!(
            "**Outcome: {}.** Why, as recorded: {}\n\n",
            e.words,
            words(&e.why)
        )),
        None => s.push_str("**Outcome: none recorded.** The journal holds no end of the experiment: it was still running when this was exported, or the cockpit stopped before recording it.\n\n"),
    }
    s.push_str("### Hypothesis\n\n");
    // Pipes escaped too: two lines of it could otherwise make a table.
    for l in g.hypothesis.split('\n') {
        s.push_str(&format!("> {}\n", prose_line(&l.replace('|', "\\|"))));
    }
    s.push_str("\n### Blast radius\n\n");
    s.push_str(&format!("- Namespace: {}\n", code(&g.namespace)));
    s.push_str(&format!(
        "- Pods: {}, at most {}\n",
        code(&g.selector),
        g.max_pods
    ));
    s.push_str(&format!(
        "- Longest fault: {}\n",
        ms_text(g.max_duration_ms)
    ));
    let contexts: Vec<String> = g.contexts.iter().map(|c| code(c)).collect();
    s.push_str(&format!(
        "- Contexts allowed: {}; ran in {}\n\n",
        if contexts.is_empty() {
            "none listed".to_string()
        } else {
            contexts.join(", ")
        },
        code(&g.context)
    ));
    fault(g, s);
    s.push_str("### Pre-flight checklist, as recorded at the start\n\n");
    if g.started.is_none() {
        s.push_str("No pre-flight was recorded: the experiment never started.\n\n");
    } else if g.checks.is_empty() {
        s.push_str("The start recorded no checks.\n\n");
    }
    for c in &g.checks {
        let mark = if c.ok { "[x]" } else { "[ ] **failed**" };
        s.push_str(&format!("- {mark} {}{}\n", words(&c.label), how(&c.detail)));
    }
    if !g.checks.is_empty() {
        s.push('\n');
    }
    abort(g, s);
    window(g, s);
}

fn fault(g: &GamedayReport, s: &mut String) {
    let f = &g.fault;
    s.push_str(&format!(
        "### Fault\n\n{} {} in namespace {}:\n\n",
        code(&f.kind),
        code(&f.name),
        code(&f.namespace)
    ));
    let spec = f.manifest.get("spec").unwrap_or(&f.manifest);
    let (lang, body) = match serde_yaml::to_string(spec) {
        Ok(y) => ("yaml", y),
        Err(_) => (
            "json",
            serde_json::to_string_pretty(spec).unwrap_or_default(),
        ),
    };
    s.push_str(&fenced(lang, &body));
    s.push('\n');
}

/// A code block no line of `body` can close: its fence is longer than any
/// run of backticks inside.
fn fenced(lang: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let body = body.trim_end_matches('\n');
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

fn abort(g: &GamedayReport, s: &mut String) {
    s.push_str("### Steady state and abort\n\n");
    s.push_str(&format!(
        "- Steady state (had to be empty before the start): {}\n",
        code(&g.steady_state)
    ));
    s.push_str(&format!(
        "- Abort (any answer stops the experiment at once): {}, asked every {}\n\n",
        code(&g.abort),
        ms_text(g.poll_ms)
    ));
    if g.series.is_empty() {
        s.push_str("No answer of the abort query was recorded.\n\n");
    } else {
        let first = g.series.iter().position(|x| x.value.is_some());
        let shown = sampled(g.series.len(), first);
        if shown.len() < g.series.len() {
            s.push_str(&format!(
                "{} of the {} answers shown, evenly spaced, with the last one and the first that answered.\n\n",
                shown.len(),
                g.series.len()
            ));
        }
        s.push_str("| Time (UTC) | Abort query answered |\n|---|---|\n");
        for i in shown {
            s.push_str(&sample_row(&g.series[i], Some(i) == first));
        }
        s.push('\n');
    }
    if let Some(e) = &g.evidence {
        s.push_str(&format!(
            "**Abort evidence**: at {} the abort query {} answered **{}** for the series {}.\n\n",
            e.at,
            code(&e.query),
            e.value,
            code(&e.series)
        ));
    }
}

fn sample_row(x: &SampleRow, first: bool) -> String {
    match x.value {
        Some(v) if first => format!("| {} | **{v}** (first answer: abort) |\n", x.at),
        Some(v) => format!("| {} | {v} |\n", x.at),
        None => format!("| {} | empty |\n", x.at),
    }
}

/// The indices of a series of `len` shown: every one when they fit, else
/// evenly spaced ones with the last and the `keep` one, at most
/// [`SERIES_ROWS`] in all, in order.
pub(super) fn sampled(len: usize, keep: Option<usize>) -> Vec<usize> {
    if len <= SERIES_ROWS {
        return (0..len).collect();
    }
    let step = len.div_ceil(SERIES_ROWS - 2);
    let mut v: std::collections::BTreeSet<usize> = (0..len).step_by(step).collect();
    v.insert(len - 1);
    v.extend(keep.filter(|&k| k < len));
    v.into_iter().collect()
}

fn window(g: &GamedayReport, s: &mut String) {
    s.push_str(&format!(
        "### Window\n\n| | |\n|---|---|\n| Started | {} |\n| Planned end | {} |\n| Ended | {} |\n| Outcome | {} |\n",
        g.started
            .as_ref()
            .map_or("not started".to_string(), |m| format!("{}, {}", m.at, cell(&m.by))),
        g.planned_end.as_deref().map_or("—".to_string(), |e| format!(
            "{e} (window {})",
            ms_text(g.window_ms)
        )),
        g.ended
            .as_ref()
            .map_or("no end recorded".to_string(), |e| format!("{}, {}", e.at, cell(&e.by))),
        g.ended
            .as_ref()
            .map_or("none recorded".to_string(), |e| format!("**{}**", e.words)),
    ));
}
