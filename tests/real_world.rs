//! Runbooks written for other tools (Meaning / Impact / Diagnosis /
//! Mitigation headings, docs-site front matter, HTML `<details>` blocks,
//! `$NAMESPACE` placeholders, CRLF line endings) open usefully.

mod common;

use std::path::PathBuf;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::Effect;
use warroom::app::Mode;
use warroom::domain::runbook::SectionKind;
use warroom::sources::runbook_files;

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realworld")
}

#[test]
fn they_parse_into_sections_steps_and_commands() {
    let lib = runbook_files::load(&[folder()]);
    assert!(lib.errors.is_empty(), "{:?}", lib.errors);
    let ids: Vec<&str> = lib.runbooks.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "DiskFillingUp",
            "KubeDeploymentRolloutStuck",
            "KubeJobStuck",
            "etcd-members-down",
            // The Hugo tree below, walked folder by folder.
            "TargetDown",
            "Watchdog",
            "KubeAPIErrorBudgetBurn",
            "KubeNodeNotReady",
            "KubePersistentVolumeFillingUp",
            "KubePodCrashLooping",
        ]
    );

    // A terminal transcript: the `$` lines are the commands, the rest output.
    let job = lib.get("KubeJobStuck").expect("loaded");
    let (_, st) = job.steps().next().expect("a step");
    assert_eq!(st.text, "See where its pod is:");
    assert_eq!(
        st.commands,
        [
            "kubectl -n <my-namespace> get pods -l job-name=<my-job>",
            "kubectl -n <my-namespace> logs job/<my-job> --tail=50"
        ]
    );
    assert!(
        st.details[0].contains("nightly-report-x7k2p"),
        "{:?}",
        st.details
    );

    let rb = lib.get("KubeDeploymentRolloutStuck").expect("loaded");
    assert_eq!(rb.title, "Kube Deployment Rollout Stuck");
    let kinds: Vec<SectionKind> = rb.sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::Alert,
            SectionKind::Alert,
            SectionKind::Diagnose,
            SectionKind::Mitigate
        ],
        "another team's Meaning and Impact both say what fired"
    );
    assert_eq!(rb.dialect, warroom::domain::runbook::Dialect::Foreign);
    let alert = &rb.sections[0];
    assert!(
        alert.prose.iter().any(|p| p == "Full context"),
        "the <details> summary is kept: {:?}",
        alert.prose
    );
    assert!(
        alert
            .prose
            .iter()
            .any(|p| p.contains("progressDeadlineSeconds"))
    );
    let diag = &rb.sections[2];
    assert_eq!(
        diag.steps[0].commands,
        ["kubectl -n $NAMESPACE rollout status deployment/$DEPLOYMENT --timeout=10s"]
    );
    // "Common causes" and its examples have nothing to run: prose, not steps.
    assert!(
        !diag.steps.iter().any(|s| s.text.contains("Common causes")),
        "{:?}",
        diag.steps
    );
    assert!(rb.blocks.iter().any(|b| matches!(
        b,
        warroom::domain::runbook::Block::Item { depth: 2, text, .. } if text.contains("readiness probe")
    )));
    let folded = diag
        .steps
        .iter()
        .flat_map(|s| s.commands.iter())
        .find(|c| c.contains("--sort-by"))
        .expect("the command inside <details> is a command");
    assert_eq!(
        folded,
        "kubectl -n $NAMESPACE get pods --sort-by=.metadata.creationTimestamp -o wide | tail -n 5"
    );
    let mitigate = &rb.sections[3];
    assert_eq!(
        mitigate.steps[0].commands,
        ["kubectl -n $NAMESPACE rollout undo deployment/$DEPLOYMENT"]
    );
    assert!(mitigate.steps[0].is_mutating());

    let etcd = lib.get("etcd-members-down").expect("loaded");
    assert_eq!(etcd.title, "etcd members down");
    let trouble = etcd
        .sections
        .iter()
        .find(|s| s.kind == SectionKind::Diagnose)
        .expect("Troubleshooting is diagnosis");
    assert_eq!(trouble.steps.len(), 4);
    let branch = &trouble.steps[1];
    let target = etcd
        .branch_target(branch, &branch.branches[0].target)
        .expect("go to step 4 resolves");
    assert_eq!(target.id, "diagnose-4");

    let crlf = lib.get("DiskFillingUp").expect("CRLF file loads");
    assert_eq!(crlf.title, "Windows line endings");
    assert_eq!(
        crlf.steps().next().map(|(_, s)| s.commands.clone()),
        Some(vec!["kubectl -n $NAMESPACE exec $POD -- df -h".to_string()])
    );
}

#[test]
fn they_open_in_the_cockpit_with_placeholders_filled() {
    let mut h = Harness::at(0);
    let lib = runbook_files::load(&[folder()]);
    h.app.runbooks.library.runbooks.extend(lib.runbooks);
    h.command("runbook KubeDeploymentRolloutStuck");
    h.key(KeyCode::Char('2'));
    let screen = h.screen(200, 50);
    // The demo alert carries namespace=shop; $DEPLOYMENT has no label.
    assert!(
        screen.contains("kubectl -n shop rollout status deployment/$DEPLOYMENT"),
        "{screen}"
    );
    assert!(screen.contains("▌DIAGNOSIS"), "{screen}");
    assert!(screen.contains("Full context"), "{screen}");
    insta::assert_snapshot!("real_world_runbook_80x24", h.screen(80, 24));
    insta::assert_snapshot!("real_world_runbook_200x50", screen);
}

#[test]
fn a_transcript_command_with_blanks_asks_for_them_before_running() {
    let mut h = Harness::at(0);
    let lib = runbook_files::load(&[folder()]);
    h.app.runbooks.library.runbooks.extend(lib.runbooks);
    h.key(KeyCode::Enter);
    h.command("runbook KubeJobStuck");
    h.key(KeyCode::Char('r'));
    let Mode::PickCommand(p) = &h.mode else {
        panic!("two commands: a picker, got {:?}", h.mode)
    };
    assert_eq!(p.options.len(), 2);
    h.key(KeyCode::Char('1'));
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("replace <my-namespace> with a real value"),
        "{screen}"
    );
    h.key(KeyCode::Char('y'));
    assert!(
        !h.effects.iter().any(|e| matches!(e, Effect::Run(_))),
        "blanks are never sent to the shell"
    );
}

/// A page of the pane's text, trimmed, as lines.
fn page(h: &Harness, w: u16, hgt: u16) -> Vec<String> {
    h.screen(w, hgt).lines().map(|l| l.to_string()).collect()
}

/// A Hugo runbook opened from its tree: every part of it is reachable by
/// paging, in the order of the file, down to its last line; its PromQL
/// blocks are queries, never commands.
#[test]
fn a_hugo_runbook_reads_to_its_last_line_in_file_order() {
    let mut h = Harness::at(100);
    h.app.runbooks.library = runbook_files::load(&[folder().join("hugo")]);
    assert!(h.app.runbooks.library.errors.is_empty());
    h.command("runbook KubeAPIErrorBudgetBurn");
    h.key(KeyCode::Char('2'));
    let rb = h.app.shown_runbook().expect("shown").clone();
    assert!(
        rb.steps()
            .all(|(_, s)| s.commands.iter().all(|c| !c.contains("histogram_quantile"))),
        "PromQL never becomes a shell command"
    );
    assert!(rb.steps().any(|(_, s)| !s.queries.is_empty()));
    for (w, hgt) in [(80u16, 24u16), (200, 50)] {
        // Page from the top to the end, collecting what the pane shows.
        h.layout(w, hgt);
        h.key(KeyCode::Char('g'));
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..200 {
            h.layout(w, hgt);
            let text = page(&h, w, hgt).join("\n");
            seen.push(text);
            let l = h.app.runbook.layout;
            if l.top + l.height >= l.rows {
                break;
            }
            h.key(KeyCode::PageDown);
        }
        let all = seen.join("\n");
        let mut at = 0;
        for heading in [
            "MEANING",
            "IMPACT",
            "DIAGNOSIS",
            "Errors",
            "Latency",
            "etcd",
            "MITIGATION",
            "Understanding the budget",
            "Slow read requests",
            "buys time.",
        ] {
            let found = all[at..]
                .find(heading)
                .unwrap_or_else(|| panic!("{heading} missing or out of order at {w}x{hgt}"));
            at += found;
        }
        // The end, as G shows it.
        h.key(KeyCode::Char('G'));
        h.layout(w, hgt);
        let screen = h.screen(w, hgt);
        assert!(screen.contains("buys time."), "{screen}");
        insta::assert_snapshot!(format!("hugo_runbook_end_{w}x{hgt}"), screen);
    }
}

/// Link addresses are shown; where the terminal shows hyperlinks (OSC 8),
/// an address drawn whole on a row is also one, two cells at a time.
#[test]
fn links_show_their_address_and_can_be_terminal_hyperlinks() {
    let url = "https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/";
    let linked_cells = |h: &Harness| {
        let t = h.render(200, 50);
        let buf = t.backend().buffer().clone();
        buf.content()
            .iter()
            .filter(|c| c.symbol().contains(&format!("\u{1b}]8;;{url}\u{1b}\\")))
            .count()
    };
    let mut h = Harness::at(100);
    h.app.runbooks.library = runbook_files::load(&[folder().join("hugo")]);
    h.command("runbook KubePodCrashLooping");
    h.key(KeyCode::Char('2'));
    h.layout(200, 50);
    h.key(KeyCode::Char('G'));
    h.layout(200, 50);
    let screen = h.screen(200, 50);
    assert!(screen.contains(&format!("<{url}>")), "{screen}");
    assert_eq!(linked_cells(&h), 0, "off unless the terminal shows them");
    h.app.settings.hyperlinks = true;
    let cells = linked_cells(&h);
    assert_eq!(cells, url.len().div_ceil(2), "every two characters of it");
    // What a terminal shows from what was sent: each linked cell prints its
    // characters and the escape sequences print nothing. It is the same
    // screen as without links, to the last column.
    let t = h.render(200, 50);
    let buf = t.backend().buffer();
    let mut shown = String::new();
    for y in 0..50u16 {
        let mut x = 0u16;
        while x < 200 {
            let s = buf[(x, y)].symbol();
            let visible: String = strip_osc8(s);
            let w = visible.chars().count().max(1) as u16;
            shown.push_str(&visible);
            x += w;
        }
        shown.push('\n');
    }
    h.app.settings.hyperlinks = false;
    assert_eq!(shown, h.screen(200, 50) + "\n");
}

/// A cell's symbol without OSC 8 sequences.
fn strip_osc8(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\u{1b}]8;") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        match after.find("\u{1b}\\") {
            Some(end) => rest = &after[end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}
