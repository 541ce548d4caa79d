//! The command line's answers to bad input: clear words, non-zero exits, nothing
//! written where it should not be.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output, Stdio};

fn warroom(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .env("WARROOM_DATA_DIR", data)
        .env_remove("WARROOM_CONFIG")
        .env_remove("WARROOM_ALERTMANAGER_URL")
        .env_remove("WARROOM_PROMETHEUS_URL")
        // Keep the user's own config file out of the way.
        .env("XDG_CONFIG_HOME", data.join("xdg-config"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_config_names_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.yaml");
    std::fs::write(&cfg, "author: alice\nseverity_map:\n  critical: P7\n").unwrap();
    let out = warroom(dir.path(), &["--config", cfg.to_str().unwrap(), "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("config.yaml") && err.contains("line 3") && err.contains("P7"),
        "{err}"
    );
}

/// Pipes, devices and folders named as files are refused at once with the
/// path, never waited on or read without end.
#[test]
fn pipes_and_devices_named_as_files_are_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["--config", fifo, "list"],
        vec!["--config", "/dev/zero", "list"],
        vec!["--config", "/dev/urandom", "list"],
    ] {
        let started = std::time::Instant::now();
        let out = warroom(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
        assert!(err.contains(args[1]), "names the path: {err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
    // Secret files too.
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        format!("alertmanager:\n  url: http://127.0.0.1:9\n  bearer_token_file: {fifo}\n"),
    )
    .unwrap();
    let out = warroom(dir.path(), &["--config", cfg.to_str().unwrap(), "list"]);
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn demo_without_a_terminal_explains_instead_of_garbling() {
    let dir = tempfile::tempdir().unwrap();
    let out = warroom(dir.path(), &["demo"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("needs an interactive terminal"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty(), "nothing drawn on a non-terminal");
}

#[test]
fn no_source_configured_explains_what_to_configure() {
    let dir = tempfile::tempdir().unwrap();
    let out = warroom(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in [
        "no data source is configured",
        "xdg-config/warroom/config.yaml",
        "alertmanager:",
        "--alertmanager URL",
        "WARROOM_PROMETHEUS_URL",
        "warroom demo",
    ] {
        assert!(err.contains(needle), "{needle:?} missing in:\n{err}");
    }
}

#[test]
fn bad_urls_and_missing_secrets_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = warroom(dir.path(), &["--alertmanager", "not a url", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--alertmanager"), "{}", stderr(&out));
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        "prometheus:\n  url: https://prom.example.com\n  bearer_token_env: WARROOM_TEST_NO_SUCH_VAR\n",
    )
    .unwrap();
    let out = warroom(dir.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("c.yaml")
            && err.contains("prometheus.bearer_token_env")
            && err.contains("WARROOM_TEST_NO_SUCH_VAR"),
        "{err}"
    );
}

#[test]
fn secrets_never_reach_output_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.yaml");
    let token = dir.path().join("token");
    std::fs::write(&token, "tok-SECRET-4242\n").unwrap();
    std::fs::write(
        &cfg,
        format!(
            "alertmanager:\n  url: https://user:pw-SECRET-1@am.example.com\n  bearer_token_file: {}\nprometheus:\n  url: https://prom.example.com\n  basic_auth:\n    username: ops\n    password_env: WARROOM_TEST_PW\n",
            token.display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["--config", cfg.to_str().unwrap()])
        .env("WARROOM_DATA_DIR", dir.path())
        .env("WARROOM_TEST_PW", "pw-SECRET-2")
        .env("WARROOM_LOG", "trace")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    // No terminal here, so it stops before drawing, after reading the config.
    assert!(!out.status.success());
    let mut seen = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    for entry in std::fs::read_dir(dir.path().join("logs")).unwrap() {
        seen += &std::fs::read_to_string(entry.unwrap().path()).unwrap();
    }
    assert!(
        seen.contains("am.example.com"),
        "the log names the server: {seen}"
    );
    assert!(!seen.contains("SECRET"), "a secret leaked: {seen}");
}

#[test]
fn list_on_an_empty_data_dir_says_so_and_skips_broken_journals() {
    let dir = tempfile::tempdir().unwrap();
    let out = warroom(dir.path(), &["list"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("no incidents"), "{}", stderr(&out));
    std::fs::create_dir_all(dir.path().join("incidents")).unwrap();
    std::fs::write(dir.path().join("incidents/garbage.jsonl"), "not json\n").unwrap();
    let out = warroom(dir.path(), &["list"]);
    assert!(
        out.status.success(),
        "a broken journal must not stop the listing"
    );
    assert!(stderr(&out).contains("garbage.jsonl"), "{}", stderr(&out));
}

#[test]
fn lint_passes_the_shipped_library_and_names_problems() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks");
    let out = warroom(dir.path(), &["lint", shipped]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("13 runbook file(s) and 2 experiment file(s) checked: 0 error(s)"),
        "{}",
        stderr(&out)
    );

    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("broken.md"), "---\nalerts: [X\n---\n# B\n").unwrap();
    std::fs::write(
        bad.join("thin.md"),
        "---\nalerts: [Y]\nlast_exercised: 2020-01-01\n---\n# Thin\n\n## Alert\n\nx\n\n## Check\n\nprose only\n\n## Meaning\n\nold-style heading\n",
    )
    .unwrap();
    let out = warroom(dir.path(), &["lint", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("broken.md:") && text.contains("error: front matter"),
        "{text}"
    );
    assert!(
        text.contains("thin.md:17: error: missing required section: Diagnose"),
        "{text}"
    );
    assert!(
        text.contains("error: section 'Check' has no steps"),
        "{text}"
    );
    assert!(text.contains("warning: STALE"), "{text}");
    let out = warroom(
        dir.path(),
        &["lint", bad.to_str().unwrap(), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|d| d["level"] == "error"));
}

#[test]
fn lint_fixture_folders_valid_passes_invalid_names_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lint");
    let valid = format!("{fixtures}/valid");
    let out = warroom(dir.path(), &["lint", &valid]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 runbook file(s) checked: 0 error(s), 0 warning(s)"));

    let invalid = format!("{fixtures}/invalid");
    let out = warroom(dir.path(), &["lint", &invalid]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "bad-contracts.md:11: error: step check-1: 'jump to step 7' leads to a step that does not exist",
        "bad-contracts.md:12: error: step check-2: 'the fix' leads to a step that does not exist",
        "bad-contracts.md:19: error: step diagnose-1: contract: owner: unknown variant `networking`",
        "bad-contracts.md:23: error: step act requires 'ghost-step', which is not a step here",
        "bad-contracts.md:23: warning: placeholder '$namspace'",
        "broken-front-matter.md:3: error: front matter:",
        "empty-steps.md:4: error: front matter key 'threshhold' is unknown: did you mean 'threshold'?",
        "empty-steps.md:11: error: section 'Check' has no steps",
        "no-sections.md:7: error: missing required section: Check",
        "no-sections.md:2: error: alert 'thing' is claimed by 2 runbooks",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let out = warroom(dir.path(), &["lint", &invalid, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let owner = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap_or("").contains("networking"))
        .expect("the owner finding");
    assert_eq!(owner["level"], "error");
    assert_eq!(owner["line"], 19);
    assert!(
        owner["path"]
            .as_str()
            .unwrap()
            .ends_with("bad-contracts.md")
    );
}

/// Other teams' runbooks, in a Hugo tree and loose: read recursively and
/// linted for real faults only, so a good library passes and a CI gate on
/// it means something.
#[test]
fn real_world_trees_lint_clean_and_real_faults_are_found_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/realworld");
    let out = warroom(dir.path(), &["lint", folder]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        stderr(&out).contains("10 runbook file(s) checked: 0 error(s)"),
        "nested folders are walked: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(&format!("runbooks: 10 from {folder}")),
        "{}",
        stderr(&out)
    );
    assert!(
        !text.contains("_index.md") && !text.contains("Ignored"),
        "{text}"
    );
    assert!(!text.contains("missing required section"), "{text}");
    assert!(!text.contains("weight"), "{text}");

    // One file, named on its own.
    let one = format!("{folder}/hugo/content/runbooks/general/TargetDown.md");
    let out = warroom(dir.path(), &["lint", &one]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 runbook file(s) checked"),
        "{}",
        stderr(&out)
    );

    // Real faults in a foreign runbook, each at its line.
    let tree = dir.path().join("tree/group");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(
        tree.join("Broken.md"),
        "---\ntitle: Broken\n---\n# Broken\n\n## Meaning\n\nSee [x](./Missing.md).\n\n## Mitigation\n\n```shell\nkubectl get pods\n",
    )
    .unwrap();
    let out = warroom(
        dir.path(),
        &["lint", dir.path().join("tree").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Broken.md:8: error: link './Missing.md'"),
        "{text}"
    );
    assert!(
        text.contains("Broken.md:12: error: code fence opened here is never closed"),
        "{text}"
    );

    // Nothing to check is a failure of its own.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = warroom(dir.path(), &["lint", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no runbooks found"),
        "{}",
        stderr(&out)
    );
}

/// A declaration of `alert` at `t` (UTC, on 2026-11-29).
fn declaration(alert: &str, t: &str) -> warroom::domain::incident::Event {
    use warroom::domain::incident::{AlertRef, Event, EventKind};
    let at: jiff::Timestamp = format!("2026-11-29T{t}Z").parse().unwrap();
    Event::new(
        at,
        "alice".into(),
        EventKind::Declared {
            id: String::new(),
            title: format!("{alert} is failing"),
            severity: warroom::domain::severity::Sev::P1,
            alert: AlertRef {
                name: alert.into(),
                fingerprint: alert.to_lowercase(),
                labels: Default::default(),
                summary: String::new(),
                starts_at: at,
            },
            runbook: None,
            exercise: None,
        },
    )
}

#[test]
fn list_columns_line_up_for_every_state_and_a_missing_data_dir_is_an_error() {
    use warroom::domain::incident::{Event, EventKind};
    let dir = tempfile::tempdir().unwrap();
    let store = warroom::journal::Store::new(dir.path());
    let later = |t: &str, kind: EventKind| {
        Event::new(format!("2026-11-{t}Z").parse().unwrap(), "bob".into(), kind)
    };
    let a = store
        .declare_or_join(&declaration("Short", "01:00:00"))
        .unwrap();
    let b = store
        .declare_or_join(&declaration("AMuchLongerAlertName", "02:00:00"))
        .unwrap();
    let c = store
        .declare_or_join(&declaration("Third", "03:00:00"))
        .unwrap();
    store
        .append(a.id(), &later("29T01:05:00", EventKind::Acknowledged))
        .unwrap();
    store
        .append(a.id(), &later("29T01:09:00", EventKind::Mitigated))
        .unwrap();
    // Resolved three days later: a duration wider than the others.
    store
        .append(b.id(), &later("30T02:00:00", EventKind::Mitigated))
        .unwrap();
    store
        .append(b.id(), &later("30T02:00:00", EventKind::Resolved))
        .unwrap();
    let _ = c;
    let out = warroom(dir.path(), &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let title_at = lines[0].find("TITLE").unwrap();
    for l in &lines[1..] {
        assert!(
            l[title_at..].ends_with("is failing") && !l[..title_at].ends_with("is failing"),
            "not aligned:\n{text}"
        );
        assert_eq!(&l[title_at - 2..title_at], "  ", "not aligned:\n{text}");
    }
    for state in ["investigating", "mitigated", "resolved"] {
        assert!(text.contains(state), "{text}");
    }
    // A data dir that does not exist is a mistake, said plainly.
    let missing = dir.path().join("no-such-dir");
    for args in [&["list"][..], &["export", "x"][..]] {
        let out = warroom(&missing, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
        assert!(!missing.exists(), "{args:?} created it");
    }
}

#[test]
fn export_names_the_gaps_in_the_record_and_strict_fails_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = warroom::journal::Store::new(dir.path());
    let d = store
        .declare_or_join(&declaration("Gappy", "01:00:00"))
        .unwrap();
    let path = store.path(d.id()).unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"ts\": \"2026-11-29T01:0\n");
    std::fs::write(&path, &text).unwrap();
    let out = warroom(dir.path(), &["export", d.id()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = String::from_utf8(out.stdout).unwrap();
    let gaps = md.split("## Gaps in the record").nth(1).expect(&md);
    assert!(gaps.contains("- line 2: "), "{gaps}");
    assert!(!gaps.contains(dir.path().to_str().unwrap()), "{gaps}");
    let out = warroom(dir.path(), &["export", "--strict", d.id()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = warroom(dir.path(), &["export", "--format", "json", d.id()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["gaps"].as_array().map(Vec::len), Some(1), "{json}");
    // A journal read whole has no such section.
    let e = store
        .declare_or_join(&declaration("Whole", "02:00:00"))
        .unwrap();
    let out = warroom(dir.path(), &["export", "--strict", e.id()]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Gaps in the record"));
}

/// A drill (scored, no action item) and an aborted game-day, written as
/// journal lines beside a real incident: `list` marks both, as a table and
/// as JSON, and `export --strict` refuses an exercise without an action item.
#[test]
fn list_marks_exercises_and_strict_export_wants_their_action_item() {
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let store = warroom::journal::Store::new(dir.path());
    let _ = store.declare_or_join(&declaration("Real", "01:00:00"));
    let write = |id: &str, hour: &str, exercise, mut end: serde_json::Value| {
        let mut d = serde_json::to_value(declaration(id, &format!("{hour}:00:00"))).unwrap();
        (d["id"], d["exercise"]) = (id.into(), exercise);
        (end["ts"], end["author"]) = (format!("2026-11-29T{hour}:30:00Z").into(), "ana".into());
        std::fs::write(store.path(id).unwrap(), format!("{d}\n{end}\n")).unwrap();
    };
    let targets = json!({"rto_ms": 1_800_000, "rpo_ms": 300_000});
    let score = json!({"targets": targets, "rto_ms": 1, "rpo_ms": 0, "human_ms": 1, "slowest": []});
    let drill = json!({"type": "drill", "runbook": "rb", "hash": "h", "targets": targets});
    let scored = json!({"kind": "drill_scored", "score": score});
    write("2026-11-29-db-drill", "02", drill, scored);
    let plan = json!({"type": "gameday", "name": "kill", "file": "k.yaml", "hypothesis": "h",
        "runbook": "rb", "namespace": "shop", "selector": "app=a", "max_pods": 1,
        "max_duration_ms": 60_000, "contexts": [], "context": "kind", "manifest": {},
        "abort": "up", "steady_state": "up", "window_ms": 600_000, "poll_ms": 15_000});
    let end = json!({"kind": "experiment_ended", "outcome": "aborted", "why": "abort answered"});
    write("2026-11-29-kill-gameday", "03", plan, end);
    let text = String::from_utf8(warroom(dir.path(), &["list"]).stdout).unwrap();
    let kinds: Vec<_> = text
        .lines()
        .flat_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(kinds, ["KIND", "GAMEDAY", "DRILL", "incident"], "{text}");
    let rows: serde_json::Value =
        serde_json::from_slice(&warroom(dir.path(), &["list", "--json"]).stdout).unwrap();
    let rows: Vec<String> = (0..3).map(|i| format!("{}", rows[i])).collect();
    assert!(rows[0].contains(r#""kind":"gameday""#) && rows[0].contains(r#""outcome":"aborted""#));
    assert!(rows[1].contains(r#""kind":"drill""#) && rows[1].contains(r#""score":"PASS""#));
    assert!(
        rows[2].contains(r#""kind":"incident""#) && !rows[2].contains("score"),
        "{rows:?}"
    );
    let out = warroom(dir.path(), &["export", "2026-11-29-db-drill"]);
    assert!(out.status.success() && stderr(&out).contains("no action item"));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# Postmortem: DRILL — ") && md.contains("**Missing: an exercise"));
    let out = warroom(
        dir.path(),
        &["export", "--strict", "2026-11-29-kill-gameday"],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let help = String::from_utf8(warroom(dir.path(), &["export", "--help"]).stdout).unwrap();
    assert!(
        help.contains("4  with --strict: a drill or game-day"),
        "{help}"
    );
}

fn audited(ts: &str, pod: &str, status: u16) -> warroom::journal::audit::AuditRecord {
    use warroom::journal::audit::{AuditAnswer, AuditRecord, AuditRequest};
    AuditRecord {
        v: 1,
        ts: ts.parse().unwrap(),
        author: "alice".into(),
        host: "laptop".into(),
        context: "prod".into(),
        namespace: "shop".into(),
        action: format!("delete pod shop/{pod}"),
        incident: None,
        request: AuditRequest::new(
            "DELETE",
            &format!("/api/v1/namespaces/shop/pods/{pod}"),
            b"{}",
        ),
        answer: AuditAnswer {
            status: Some(status),
            ok: status < 300,
            detail: if status < 300 {
                format!("pod shop/{pod} deleted")
            } else {
                "forbidden by RBAC: no".into()
            },
        },
    }
}

/// `warroom audit` prints every change oldest first, aligned, cleaned of
/// escape sequences; `--since` and `--format json` narrow and reshape it.
#[test]
fn audit_prints_the_changes_aligned_and_clean() {
    let dir = tempfile::tempdir().unwrap();
    let missing = warroom(&dir.path().join("nope"), &["audit"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("does not exist"));
    let log = warroom::journal::audit::AuditLog::new(dir.path());
    let out = warroom(dir.path(), &["audit"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("no cluster changes recorded"));
    log.append(&audited("2026-11-21T03:05:00Z", "evil-\u{1b}[2Jpod", 403))
        .unwrap();
    log.append(&audited("2026-11-21T03:00:00Z", "catalog-aaaaa", 200))
        .unwrap();
    let out = warroom(dir.path(), &["audit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("WHEN (UTC)"));
    // Newest last, whatever the order they were written in.
    assert!(lines[1].contains("catalog-aaaaa") && lines[1].contains("200 applied"));
    assert!(lines[2].contains("evil-pod") && lines[2].contains("403 refused"));
    let col = |l: &str| l.find("DELETE").unwrap();
    assert_eq!(col(lines[1]), col(lines[2]));
    assert_eq!(lines[0].find("REQUEST").unwrap(), col(lines[1]));

    let out = warroom(
        dir.path(),
        &[
            "audit",
            "--since",
            "2026-11-21T03:01:00Z",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["answer"]["status"], 403);
    assert_eq!(rows[0]["request"]["method"], "DELETE");
    assert_eq!(rows[0]["request"]["body"], serde_json::json!({}));
    let bad = warroom(dir.path(), &["audit", "--since", "yesterday"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("a duration back from now"));
}

/// `-A` asks for every namespace, as with kubectl; with `-n` it is refused
/// rather than one silently winning.
#[test]
fn all_namespaces_is_a_flag_and_conflicts_with_a_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let help = warroom(dir.path(), &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("-A, --all-namespaces"), "{text}");
    let out = warroom(dir.path(), &["-A", "-n", "shop", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn lint_checks_experiment_files_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks/experiments");
    let out = warroom(dir.path(), &["lint", shipped]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 experiment file(s) checked: 0 error(s)"),
        "{}",
        stderr(&out)
    );
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: x\nhypothesis: h\nrunbok: y\n").unwrap();
    let out = warroom(dir.path(), &["lint", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("bad.yaml:3: error: unknown key 'runbok'"),
        "{text}"
    );
    // And `warroom gameday` says so on the terminal, before any screen.
    let out = warroom(dir.path(), &["gameday", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("bad.yaml:3: unknown key 'runbok'"),
        "{}",
        stderr(&out)
    );
}
