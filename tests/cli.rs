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
        stderr(&out).contains("13 runbook(s) checked: 0 error(s)"),
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
        text.contains("thin.md:0: error: missing required section: Diagnose"),
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
