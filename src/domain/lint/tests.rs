//! Lint findings on runbooks written for these tests.
use super::*;
use crate::domain::runbook::parse;
use std::path::Path;

fn now() -> Timestamp {
    "2026-11-21T03:00:00Z".parse().expect("ts")
}

const GOOD: &str = "---\nalerts: [A]\nlast_exercised: 2026-10-01\n---\n# A\n\n## Alert\n\nx\n\n## Check\n\n1. look `kubectl -n $namespace get pods`\n\n## Diagnose\n\n1. think\n\n## Mitigate\n\n1. act\n\n## Postmortem\n\nwrite\n";

#[test]
fn a_good_runbook_has_no_findings() {
    let rb = parse(Path::new("good.md"), GOOD).expect("parses");
    assert_eq!(lint(&[rb], &[], &History::default(), now(), &|_| true), []);
}

#[test]
fn findings_name_file_line_and_problem() {
    let bad = "---\nalerts: [A]\nlast_exercised: 2026-01-01\n---\n# B\n\n## Alert\n\nx\n\n## Check\n\nNo list here.\n\n## Mitigation\n\n1. restart `kubectl -n $namspace rollout restart deploy/x`\n";
    let a = parse(Path::new("good.md"), GOOD).expect("parses");
    let b = parse(Path::new("bad.md"), bad).expect("parses");
    let d = lint(&[a, b], &[], &History::default(), now(), &|_| true);
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("bad.md:15: error: missing required section: Diagnose"),
        "{text:#?}"
    );
    assert!(
        has("bad.md:17: error: missing required section: Postmortem"),
        "{text:#?}"
    );
    assert!(
        has("bad.md:11: error: section 'Check' has no steps"),
        "{text:#?}"
    );
    assert!(
        has("bad.md:17: warning: placeholder '$namspace'"),
        "{text:#?}"
    );
    assert!(
        has("bad.md:1: warning: STALE: last exercised 324 days ago"),
        "{text:#?}"
    );
    assert!(
        has("good.md:2: error: alert 'a' is claimed by 2 runbooks: also bad.md:2"),
        "{text:#?}"
    );
    assert!(!text.iter().any(|t| t.contains(".md:0:")), "{text:#?}");
}

#[test]
fn contracts_gates_and_branches_must_point_somewhere() {
    let text = "---\nlast_exercised: 2026-10-01\n---\n# C\n\n## Alert\n\nx\n\n## Check\n\n1. look, and if fine go to step 9\n2. see [the fix](#nowhere)\n\n## Diagnose\n\n1. think\n\n   ```yaml\n   id: think\n   requires: [check-7]\n   ```\n\n## Mitigate\n\n1. act\n\n   ```yaml\n   id: act\n   requries: [think]\n   ```\n2. again\n\n   ```yaml\n   id: think\n   owner: platform\n   ```\n\n## Postmortem\n\nwrite\n";
    let rb = parse(Path::new("c.md"), text).expect("parses");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| true);
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("c.md:12: error: step check-1: 'go to step 9' leads to a step that does not exist"),
        "{text:#?}"
    );
    assert!(
        has("c.md:13: error: step check-2: 'the fix' leads to a step that does not exist"),
        "{text:#?}"
    );
    assert!(
        has("c.md:17: error: step think requires 'check-7', which is not a step here"),
        "{text:#?}"
    );
    assert!(
        has("c.md:30: error: step mitigate-1: contract: unknown field `requries`"),
        "{text:#?}"
    );
    assert!(
        has("c.md:32: error: step id 'think' is used twice (also line 17)"),
        "{text:#?}"
    );
    assert_eq!(d.iter().filter(|d| d.level == Level::Error).count(), 5);
}

#[test]
fn unknown_front_matter_is_kept_and_reported() {
    let rb = parse(
        Path::new("f.md"),
        "---\ntitle: Hugo page\nweight: 20\nthreshhold: 3\n---\n# T\n",
    )
    .expect("other tools' keys do not stop a runbook opening");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| true);
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        text.contains(
            &"f.md:4: error: front matter key 'threshhold' is unknown: did you mean 'threshold'?"
                .to_string()
        ),
        "{text:#?}"
    );
    assert!(
        !text.iter().any(|t| t.contains("weight")),
        "a docs site's own keys are its business: {text:#?}"
    );
    // In warroom's own format an unused key is pointed out, at its line.
    let rb = parse(
        Path::new("w.md"),
        "---\nalerts: [X]\nweight: 20\nthreshhold: 3\n---\n# T\n",
    )
    .expect("parses");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| true);
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert!(
        text.contains(
            &"w.md:3: warning: front matter key 'weight' is not used by warroom (ignored)"
                .to_string()
        ),
        "{text:#?}"
    );
    assert!(
        text.contains(
            &"w.md:4: error: front matter key 'threshhold' is unknown: did you mean 'threshold'?"
                .to_string()
        ),
        "{text:#?}"
    );
}

#[test]
fn an_unknown_unit_is_a_warning_at_its_line() {
    let text = GOOD.replace("alerts: [A]\n", "alerts: [A]\nquery: up\nunit: minutes\n");
    let rb = parse(Path::new("u.md"), &text).expect("an unknown unit still opens");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| true);
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "u.md:4: warning: unit 'minutes' is not one warroom knows: use seconds, ratio, percent, bytes, none; the chart guesses from the query instead"
        ],
    );
    // Known units pass; a number from another tool opens and is pointed out.
    for (unit, findings) in [("seconds", 0), ("ratio", 0), ("none", 0), ("3", 1)] {
        let text = GOOD.replace("alerts: [A]\n", &format!("alerts: [A]\nunit: {unit}\n"));
        let rb = parse(Path::new("u.md"), &text).expect("opens");
        assert_eq!(
            lint(&[rb], &[], &History::default(), now(), &|_| true).len(),
            findings,
            "{unit}"
        );
    }
}

#[test]
fn staleness_uses_the_newest_of_front_matter_and_incidents() {
    let rb = parse(Path::new("r.md"), GOOD).expect("parses");
    let later = "2026-11-20T00:00:00Z".parse().expect("ts");
    assert_eq!(
        stale(&rb, None, "2027-02-01T00:00:00Z".parse().expect("ts")),
        Some(Some(123))
    );
    assert_eq!(
        stale(
            &rb,
            Some(later),
            "2027-02-01T00:00:00Z".parse().expect("ts")
        ),
        None
    );
    let never = parse(Path::new("n.md"), "# N\n").expect("parses");
    assert_eq!(stale(&never, None, now()), Some(None));
}

/// Another team's runbook: no warroom structure asked of it, but its real
/// faults found, each at its line.
#[test]
fn foreign_runbooks_are_linted_for_real_faults_only() {
    let text = "---\ntitle: KubePodCrashLooping\nweight: 20\n---\n# KubePodCrashLooping\n\n## Meaning\n\nA pod restarts. See [the other one](../general/TargetDown.md) and [a page](../KubeNodeNotReady/).\n\n## Diagnosis\n\nLook at `kubectl -n $NAMESPACE get pods` and $PODNAME.\n\n```shell\nfor p in $(kubectl get pods -o name); do echo $p; done\n```\n\n## Mitigation\n\n```shell\nkubectl describe pod\n";
    let rb = parse(Path::new("rb/kubernetes/KubePodCrashLooping.md"), text).expect("parses");
    assert_eq!(rb.dialect, crate::domain::runbook::Dialect::Foreign);
    let exists = |p: &Path| p == Path::new("rb/kubernetes/KubeNodeNotReady.md");
    let d = lint(&[rb], &[], &History::default(), now(), &exists);
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "rb/kubernetes/KubePodCrashLooping.md:9: error: link '../general/TargetDown.md' points at rb/general/TargetDown.md, which does not exist",
            "rb/kubernetes/KubePodCrashLooping.md:13: warning: placeholder '$PODNAME' names a label alerts rarely carry (list it in front matter `labels:` if it is real)",
            "rb/kubernetes/KubePodCrashLooping.md:21: error: code fence opened here is never closed: everything after it reads as code",
        ],
        "no missing sections, no steps asked for, no front-matter or staleness noise; the loop variable is the command's own"
    );
    // The same page-style link with nothing there is only a warning.
    let rb = parse(
        Path::new("rb/k/A.md"),
        "# A\n\n## Meaning\n\nSee [b](../B/).\n",
    )
    .expect("parses");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| false);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].level, Level::Warning);
    assert_eq!(d[0].line, 5);
}

const DRILL: &str = "---\nid: failover\nalerts: [A]\nlast_exercised: 2026-10-01\ndrill: {rto: 45m, rpo: 5m}\n---\n# A\n\n## Alert\n\nx\n\n## Check\n\n1. look `kubectl -n $namespace get pods`\n\n## Diagnose\n\n1. think\n\n## Mitigate\n\n1. cut the region\n\n   ```yaml\n   inject: true\n   ```\n2. act\n\n## Postmortem\n\nwrite\n";

fn drill_history(targets: &str) -> History {
    let t = crate::domain::exercise::drill::DrillTargets::from_front(
        &serde_yaml::from_str(targets).expect("yaml"),
    )
    .expect("targets");
    let mut h = History::default();
    h.drills.insert(
        "failover".into(),
        vec![crate::domain::exercise::DrillRecord {
            id: "drill-2026-11-01-failover".into(),
            at: "2026-11-01T10:00:00Z".parse().expect("ts"),
            targets: Some(t),
            score: None,
        }],
    );
    h
}

#[test]
fn drill_targets_relaxed_since_the_previous_drill_are_reported_only_with_history() {
    let rb = parse(Path::new("failover.md"), DRILL).expect("parses");
    assert_eq!(
        lint(
            std::slice::from_ref(&rb),
            &[],
            &History::default(),
            now(),
            &|_| true
        ),
        [],
        "files alone: nothing to compare with"
    );
    let d = lint(
        std::slice::from_ref(&rb),
        &[],
        &drill_history("{rto: 30m, rpo: 5m}"),
        now(),
        &|_| true,
    );
    let text: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "failover.md:5: warning: drill targets relaxed since the previous drill (drill-2026-11-01-failover, 2026-11-01): RTO relaxed from 30m to 45m"
        ]
    );
    let same = lint(
        &[rb],
        &[],
        &drill_history("{rto: 45m, rpo: 10m}"),
        now(),
        &|_| true,
    );
    assert_eq!(same, [], "tightened: nothing to say");
}

#[test]
fn bad_drill_targets_and_a_drill_without_injection_are_reported() {
    let bad = DRILL.replace("{rto: 45m, rpo: 5m}", "{rto: 45m, rpo: later}");
    let rb = parse(Path::new("failover.md"), &bad).expect("parses");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| true);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].line, 5);
    assert_eq!(d[0].level, Level::Error);
    assert!(d[0].message.contains("drill.rpo"), "{d:?}");
    let no_inject = DRILL.replace("   ```yaml\n   inject: true\n   ```\n", "");
    let rb = parse(Path::new("failover.md"), &no_inject).expect("parses");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| true);
    assert!(
        d[0].message.contains("no step marked inject: true"),
        "{d:?}"
    );
    let stray = GOOD.replace(
        "1. act\n",
        "1. act\n\n   ```yaml\n   inject: true\n   ```\n",
    );
    let rb = parse(Path::new("good.md"), &stray).expect("parses");
    let d = lint(&[rb], &[], &History::default(), now(), &|_| true);
    assert!(
        d[0].message.contains("only means something in a drill"),
        "{d:?}"
    );
}
