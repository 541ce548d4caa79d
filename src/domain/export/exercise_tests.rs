//! Tests of an exercise's export: a scored drill and an aborted game-day
//! against their golden files, hostile text that must not reshape the
//! markdown, live numbers of an unscored drill, and the JSON facts.
#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::domain::exercise::drill::{DrillScore, DrillTargets, PastDrill, StepTime};
use crate::domain::incident::exercise::{AbortEvidence, CheckMark, Sample};
use crate::domain::incident::tests::{at, declared, ev, step};
use crate::domain::incident::{EventKind, Exercise, GamedayPlan, Outcome, Purpose, RunOutcome};

fn targets() -> DrillTargets {
    DrillTargets {
        rto_ms: 30 * 60_000,
        rpo_ms: 5 * 60_000,
        human_ms: Some(5 * 60_000),
        rpo_query: Some("time() - max(pg_last_xact_replay_timestamp)".into()),
        recovered_query: Some("sum(rate(checkout_ok[1m])) > 0".into()),
    }
}

/// The test declaration, made an exercise.
fn declared_as(x: Exercise) -> EventKind {
    let mut d = declared();
    if let EventKind::Declared {
        exercise, title, ..
    } = &mut d
    {
        *exercise = Some(Box::new(x));
        *title = "Primary database lost".into();
    }
    d
}

fn drill_declared() -> EventKind {
    declared_as(Exercise::Drill {
        runbook: "api-latency-p99".into(),
        hash: "sha256:5f1c".into(),
        targets: targets(),
        alerts: vec![],
    })
}

fn past(id: &str, day: &str, rto_min: Option<u64>, human_s: u64, passed: bool) -> PastDrill {
    PastDrill {
        id: id.into(),
        at: format!("2026-{day}T10:00:00Z").parse().unwrap(),
        rto_ms: rto_min.map(|m| m * 60_000),
        rpo_ms: Some(4_000),
        human_ms: human_s * 1000,
        passed,
    }
}

fn command(finished: Option<u64>) -> EventKind {
    let (step, command) = (
        "mitigate-1".to_string(),
        "kubectl -n db delete pod pg-0".into(),
    );
    match finished {
        None => EventKind::CommandStarted {
            original: None,
            runbook: None,
            key: None,
            step,
            command,
            purpose: Purpose::Run,
        },
        Some(ms) => EventKind::CommandFinished {
            original: None,
            runbook: None,
            key: None,
            step,
            command,
            purpose: Purpose::Run,
            outcome: RunOutcome::Exited(0),
            duration_ms: ms,
            output: "pod \"pg-0\" deleted".into(),
            omitted: 0,
        },
    }
}

/// A drill from declaration to score, with an action item.
fn drill_journal() -> Vec<Event> {
    let slow = StepTime {
        step: "[Check] Confirm".into(),
        from: at("10:06:00"),
        to: at("10:10:00"),
        machine_ms: 0,
        human_ms: 240_000,
    };
    vec![
        ev("10:00:00", "ana", drill_declared()),
        ev("10:01:00", "ana", EventKind::Acknowledged),
        ev(
            "10:02:00",
            "ana",
            EventKind::Injected {
                how: "step mitigate-1 deleted the primary".into(),
            },
        ),
        ev("10:05:00", "ana", command(None)),
        ev("10:06:00", "ana", command(Some(60_000))),
        ev("10:10:00", "bo", step("check-1", true)),
        ev(
            "10:20:00",
            "warroom",
            EventKind::Recovered {
                how: "recovered_query answered".into(),
            },
        ),
        ev(
            "10:20:05",
            "warroom",
            EventKind::RpoMeasured {
                lost_ms: 3_000,
                how: "rpo_query answered 3".into(),
            },
        ),
        ev(
            "10:21:00",
            "warroom",
            EventKind::DrillScored {
                score: Box::new(DrillScore {
                    targets: targets(),
                    rto_ms: Some(18 * 60_000),
                    rpo_ms: Some(3_000),
                    human_ms: 420_000,
                    slowest: vec![slow],
                    history: vec![
                        past("2026-09-01-drill", "09-01", None, 900, false),
                        past("2026-10-01-drill", "10-01", Some(25), 300, true),
                    ],
                }),
            },
        ),
        ev(
            "10:22:00",
            "ana",
            EventKind::ActionItem {
                text: "page the DBA on replica lag".into(),
                owner: Some("bo".into()),
                due: "2026-12-01".parse().ok(),
                ticket: None,
            },
        ),
        ev("10:25:00", "ana", EventKind::Resolved),
    ]
}

fn plan(hypothesis: &str, manifest: serde_json::Value, abort: &str) -> GamedayPlan {
    GamedayPlan {
        name: "kill-one-catalog-pod".into(),
        file: "experiments/catalog.yaml".into(),
        hypothesis: hypothesis.into(),
        runbook: "api-latency-p99".into(),
        namespace: "shop".into(),
        selector: "app=catalog".into(),
        max_pods: 1,
        max_duration_ms: 5 * 60_000,
        contexts: vec!["staging".into(), "prod-eu".into()],
        context: "staging".into(),
        manifest,
        abort: abort.into(),
        steady_state: "sum(rate(http_errors[1m])) > 0".into(),
        window_ms: 30 * 60_000,
        poll_ms: 15_000,
        alerts: vec![],
    }
}

fn manifest() -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "chaos-mesh.org/v1alpha1",
        "kind": "PodChaos",
        "metadata": {"name": "catalog-pod-kill", "namespace": "shop"},
        "spec": {"action": "pod-kill", "mode": "one",
                 "selector": {"labelSelectors": {"app": "catalog"}}},
    })
}

/// A game-day whose abort query answered: 100 answers over the window,
/// the 70th the first that was not empty; no action item.
fn gameday_journal(p: GamedayPlan) -> Vec<Event> {
    let abort = p.abort.clone();
    let start = at("14:00:00");
    let series: Vec<Sample> = (0..100i64)
        .map(|i| Sample {
            at: start + jiff::SignedDuration::from_secs(15 * i),
            value: (i >= 70).then_some(0.25 * (i - 69) as f64),
        })
        .collect();
    let hit = series[70].at;
    vec![
        ev(
            "13:58:00",
            "ana",
            declared_as(Exercise::Gameday(Box::new(p))),
        ),
        ev(
            "14:00:00",
            "ana",
            EventKind::ExperimentStarted {
                checks: vec![
                    CheckMark {
                        label: "steady state holds".into(),
                        ok: true,
                        detail: "query empty".into(),
                    },
                    CheckMark {
                        label: "context allowed".into(),
                        ok: true,
                        detail: "staging".into(),
                    },
                ],
            },
        ),
        ev(
            "14:24:45",
            "warroom",
            EventKind::ExperimentEnded {
                outcome: Outcome::Aborted,
                why: "the abort query answered".into(),
                evidence: Some(AbortEvidence {
                    query: abort,
                    value: 0.25,
                    series: "{pod=\"catalog-7\"}".into(),
                    at: hit,
                }),
                series,
            },
        ),
    ]
}

fn gameday() -> Vec<Event> {
    gameday_journal(plan(
        "Losing one catalog pod keeps checkout errors under 1%.",
        manifest(),
        "sum(rate(checkout_errors[1m])) > 0.01",
    ))
}

fn md(events: &[Event]) -> String {
    markdown(events, DEFAULT_TEMPLATE, &Matrix::default()).unwrap()
}

fn golden(name: &str, md: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("WARROOM_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, md).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap();
    assert_eq!(md, golden, "export changed; regenerate {path} if intended");
}

#[test]
fn export_matches_golden_drill() {
    let md = md(&drill_journal());
    golden("export-drill.md", &md);
    assert!(md.starts_with("# Postmortem: DRILL — Primary database lost\n"));
    assert!(md.contains("| Kind | DR drill (exercise, not a real incident) |\n| Severity |"));
    assert!(
        md.contains("| RTO | 18m | 30m | PASS | 25m | −28% |"),
        "{md}"
    );
    assert!(md.contains("| RPO | 3s | 5m | PASS | 4s | −25% |"), "{md}");
    assert!(
        md.contains("| human action time | 7m | 5m | FAIL | 5m | +40% |"),
        "{md}"
    );
    assert!(md.contains("**Overall: FAIL** — missed: human action time."));
    assert!(md.contains("| [Check] Confirm | 4m | 0s |"), "{md}");
    let trend = &md[md.find("### Trend").unwrap()..];
    let rows: Vec<&str> = trend.lines().filter(|l| l.contains("-drill")).collect();
    assert_eq!(rows.len(), 2, "{trend}");
    assert!(trend.contains("| **this drill** (2026-11-21-catalog-p99-latency) |"));
    assert!(!md.contains("**Missing"), "it has an action item");
    // The section sits after the summary and before the impact.
    let (summary, drill, impact) = (
        md.find("## Summary").unwrap(),
        md.find("## Drill").unwrap(),
        md.find("## Impact").unwrap(),
    );
    assert!(summary < drill && drill < impact);
}

#[test]
fn export_matches_golden_gameday() {
    let md = md(&gameday());
    golden("export-gameday.md", &md);
    assert!(md.starts_with("# Postmortem: GAMEDAY — Primary database lost\n"));
    assert!(md.contains("| Kind | chaos game-day (exercise, not a real incident) |"));
    assert!(md.contains("**Outcome: aborted — hypothesis failed.**"));
    assert!(md.contains("| 2026-11-21 14:17:30 UTC | **0.25** (first answer: abort) |"));
    assert!(md.contains("| Planned end | 2026-11-21 14:30:00 UTC (window 30m) |"));
    assert!(md.contains(
        "**Missing: an exercise must produce at least one action item — even a passing one.**"
    ));
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| 2026-11-21 14:"))
        .count();
    assert!(rows <= 60 && rows > 30, "{rows} series rows");
}

#[test]
fn a_series_is_cut_to_sixty_rows_keeping_the_first_abort() {
    assert_eq!(exercise_md::sampled(5, Some(3)), vec![0, 1, 2, 3, 4]);
    for (len, keep) in [
        (61, Some(31)),
        (100, Some(70)),
        (10_000, Some(9_997)),
        (999, None),
    ] {
        let v = exercise_md::sampled(len, keep);
        assert!(v.len() <= 60, "{len}: {}", v.len());
        assert_eq!(v.first(), Some(&0));
        assert_eq!(v.last(), Some(&(len - 1)));
        assert!(keep.is_none_or(|k| v.contains(&k)));
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }
}

/// The headings, the code blocks' contents and any raw HTML (other than
/// the `<br>` that stands for a line break in a cell) of a markdown text.
fn shape(md: &str) -> (Vec<String>, Vec<String>, Vec<String>, usize) {
    use pulldown_cmark::{Event as Md, Options, Parser, Tag, TagEnd};
    let (mut headings, mut blocks, mut html, mut tables) = (vec![], vec![], vec![], 0);
    let (mut heading, mut block) = (None::<String>, None::<String>);
    for e in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match e {
            Md::Start(Tag::Heading { level, .. }) => heading = Some(format!("{level}")),
            Md::End(TagEnd::Heading(_)) => headings.extend(heading.take()),
            Md::Start(Tag::CodeBlock(_)) => block = Some(String::new()),
            Md::End(TagEnd::CodeBlock) => blocks.extend(block.take()),
            Md::Start(Tag::Table(_)) => tables += 1,
            Md::Html(h) | Md::InlineHtml(h) if &*h != "<br>" => html.push(h.to_string()),
            Md::Text(t) | Md::Code(t) => {
                for s in [&mut heading, &mut block].into_iter().flatten() {
                    s.push(' ');
                    s.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (headings, blocks, html, tables)
}

#[test]
fn hostile_text_cannot_reshape_an_exercise_export() {
    let evil = "```\n## heading\n</pre><script>alert(1)</script> | a | b\n:--|:--\n\u{1b}[2J~~~\n- item\n````";
    let mut m = manifest();
    m["spec"]["note"] = serde_json::json!(evil);
    m["metadata"]["name"] = serde_json::json!(evil);
    let hostile = gameday_journal(plan(evil, m, evil));
    let calm = md(&gameday());
    let md = md(&hostile);
    let (want_headings, _, _, want_tables) = shape(&calm);
    let (headings, blocks, html, tables) = shape(&md);
    assert_eq!(headings, want_headings, "{md}");
    assert_eq!(tables, want_tables, "{md}");
    assert!(html.is_empty(), "raw HTML: {html:?}\n{md}");
    assert_eq!(blocks.len(), 1, "one block, the fault's spec: {blocks:?}");
    assert!(
        blocks[0].contains("</pre><script>"),
        "kept inside the fence"
    );
    assert!(!md.contains('\u{1b}'), "no terminal escapes");
    // The hypothesis stays one quote; the abort query one inline code span.
    let quote = &md[md.find("### Hypothesis").unwrap()..md.find("### Blast radius").unwrap()];
    assert!(
        quote
            .lines()
            .skip(2)
            .all(|l| l.is_empty() || l.starts_with("> ")),
        "{quote}"
    );
    // The same text in a drill's clocks and targets.
    let mut t = targets();
    t.rpo_query = Some(evil.into());
    let events = vec![
        ev(
            "10:00:00",
            "<b>ana</b>",
            declared_as(Exercise::Drill {
                runbook: evil.into(),
                hash: evil.into(),
                targets: t,
                alerts: vec![],
            }),
        ),
        ev("10:02:00", evil, EventKind::Injected { how: evil.into() }),
    ];
    let md = super::markdown(&events, DEFAULT_TEMPLATE, &Matrix::default()).unwrap();
    let calm = super::markdown(
        &[
            ev("10:00:00", "ana", drill_declared()),
            ev("10:02:00", "ana", EventKind::Injected { how: "x".into() }),
        ],
        DEFAULT_TEMPLATE,
        &Matrix::default(),
    )
    .unwrap();
    let (h, b, html, _) = shape(&md);
    assert_eq!(h, shape(&calm).0, "{md}");
    assert!(b.is_empty() && html.is_empty(), "{b:?} {html:?}\n{md}");
}

#[test]
fn an_unscored_drill_says_so_with_numbers_at_its_last_event() {
    let events = vec![
        ev("10:00:00", "ana", drill_declared()),
        ev(
            "10:02:00",
            "ana",
            EventKind::Injected {
                how: "by hand".into(),
            },
        ),
        ev(
            "10:10:00",
            "ana",
            EventKind::Note {
                text: "still down".into(),
            },
        ),
    ];
    let a = md(&events);
    assert_eq!(
        a,
        md(&events),
        "deterministic: the wall clock plays no part"
    );
    assert!(a.contains("**Not scored.**"), "{a}");
    assert!(a.contains("as of the journal's last event (2026-11-21 10:10:00 UTC)"));
    assert!(
        a.contains("- RTO: 8m so far, not recovered (target 30m)"),
        "{a}"
    );
    assert!(
        a.contains("- Human action time: 8m so far (target 5m)"),
        "{a}"
    );
    assert!(a.contains("- Recovered (RTO clock stopped): not recorded"));
    assert!(a.contains("**Missing: an exercise must produce"));
    let j: serde_json::Value =
        serde_json::from_str(&json(&events, &Matrix::default()).unwrap()).unwrap();
    assert_eq!(j["exercise"]["drill"]["scored"], false);
    assert_eq!(j["exercise"]["drill"]["rto_ms"], 8 * 60_000);
    assert_eq!(j["exercise"]["drill"]["verdict"], serde_json::Value::Null);
}

#[test]
fn json_states_the_exercise() {
    let j: serde_json::Value =
        serde_json::from_str(&json(&drill_journal(), &Matrix::default()).unwrap()).unwrap();
    let x = &j["exercise"];
    assert_eq!(x["kind"], "drill");
    assert_eq!(x["action_items_missing"], false);
    let d = &x["drill"];
    assert_eq!(d["targets"]["rto_ms"], 30 * 60_000);
    assert_eq!(d["verdict"], "FAIL");
    assert_eq!(d["rows"][0]["verdict"], "PASS");
    assert_eq!(d["rows"][2]["verdict"], "FAIL");
    assert_eq!(d["rows"][2]["change"], "+40%");
    assert_eq!(d["history"].as_array().map(Vec::len), Some(3));
    assert_eq!(d["history"][2]["this"], true);
    assert_eq!(d["injected"]["at"], "2026-11-21 10:02:00 UTC");
    let j: serde_json::Value =
        serde_json::from_str(&json(&gameday(), &Matrix::default()).unwrap()).unwrap();
    let g = &j["exercise"]["gameday"];
    assert_eq!(j["exercise"]["kind"], "gameday");
    assert_eq!(j["exercise"]["action_items_missing"], true);
    assert_eq!(g["ended"]["outcome"], "aborted");
    assert_eq!(g["fault"]["kind"], "PodChaos");
    assert_eq!(g["checks"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        g["series"].as_array().map(Vec::len),
        Some(100),
        "every answer"
    );
    assert_eq!(g["evidence"]["value"], 0.25);
    // A real incident's JSON has no such object.
    let plain = json(&[ev("03:00:00", "alice", declared())], &Matrix::default()).unwrap();
    assert!(!plain.contains("\"exercise\""));
}

#[test]
fn a_template_without_the_exercise_placeholder_still_says_it() {
    let r = render(&gameday(), "# {{title}}\n\n{{summary}}", &Matrix::default()).unwrap();
    assert!(r.unknown.is_empty());
    assert!(r.text.contains("\n\n## Game-day\n"), "{}", r.text);
    assert!(r.text.ends_with("|\n"), "{}", r.text);
    // Placed once when the template has it; nothing for a real incident.
    let r = render(&gameday(), "{{exercise}}end", &Matrix::default()).unwrap();
    assert_eq!(r.text.matches("## Game-day").count(), 1);
    let plain = [ev("03:00:00", "alice", declared())];
    let t = "{{exercise_label}}{{kind_row}}{{exercise}}";
    assert_eq!(markdown(&plain, t, &Matrix::default()).unwrap(), "\n");
}
