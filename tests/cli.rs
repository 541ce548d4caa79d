//! The command line's answers to bad input: clear words, non-zero exits, nothing
//! written where it should not be.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output, Stdio};

fn warroom(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .env("WARROOM_DATA_DIR", data)
        .env_remove("WARROOM_CONFIG")
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
fn no_subcommand_points_at_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let out = warroom(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("warroom demo"), "{}", stderr(&out));
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
