//! Editing a runbook on disk while it is open: the watcher reports it within
//! a second; the cockpit keeps ticks by step id and, for a broken edit, the
//! last good version with the error shown.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::Harness;
use crossterm::event::KeyCode;
use tokio::sync::mpsc;
use warroom::app::Msg;
use warroom::domain::runbook::{self, Runbook, RunbookError};
use warroom::sources::{SourceMsg, runbook_files};

const V1: &str = "---\nid: hot\n---\n# Hot\n\n## Alert\nx\n\n## Check\n1. first\n\n   ```yaml\n   id: look\n   ```\n2. second\n\n## Diagnose\n1. think\n\n## Mitigate\n1. act\n\n## Postmortem\nwrite\n";

/// The same runbook with a step added above the ticked one and the text changed.
const V2: &str = "---\nid: hot\n---\n# Hot\n\n## Alert\nx\n\n## Check\n1. a new first step\n2. first, reworded\n\n   ```yaml\n   id: look\n   ```\n3. second\n\n## Diagnose\n1. think\n\n## Mitigate\n1. act\n\n## Postmortem\nwrite\n";

const BROKEN: &str = "---\nid: hot\nalerts: [unclosed\n---\n# Hot\n";

type Change = (PathBuf, Result<Box<Runbook>, RunbookError>);

async fn next_change(rx: &mut mpsc::Receiver<SourceMsg>) -> Change {
    let msg = tokio::time::timeout(Duration::from_secs(1), rx.recv())
        .await
        .expect("a change within a second")
        .expect("watcher alive");
    match msg {
        SourceMsg::Runbook { path, result } => (path, result),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn edits_on_disk_are_reported_within_a_second() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("hot.md");
    std::fs::write(&file, V1).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");
    let (tx, mut rx) = warroom::sources::channel();
    let _watch = runbook_files::watch(&[dir.path().to_path_buf()], tx).expect("watching");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let t0 = Instant::now();
    std::fs::write(&file, V2).expect("edit");
    let (path, result) = next_change(&mut rx).await;
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(path, file);
    let rb = result.expect("parses");
    assert_eq!(rb.steps().count(), 5);

    // An editor saving through a temporary file and a rename.
    let tmp = dir.path().join(".hot.md.swp");
    std::fs::write(&tmp, BROKEN).expect("write tmp");
    std::fs::rename(&tmp, &file).expect("rename");
    let (path, result) = next_change(&mut rx).await;
    assert_eq!(path, file);
    let err = result.expect_err("broken front matter");
    assert!(err.to_string().contains("hot.md"), "{err}");
    assert!(err.message.contains("front matter"), "{err}");

    // A runbook in a folder made after the watch began is seen too.
    let nested = dir.path().join("group/sub");
    std::fs::create_dir_all(&nested).expect("mkdir");
    std::fs::write(nested.join("deep.md"), V1.replace("id: hot", "id: deep")).expect("write");
    let (path, result) = next_change(&mut rx).await;
    assert_eq!(path, dir.path().join("group/sub/deep.md"));
    assert_eq!(result.expect("parses").id, "deep");

    // A file that is not a runbook, a section page or a hidden folder's
    // file changes nothing.
    std::fs::write(dir.path().join("notes.txt"), "still ignored").expect("write");
    std::fs::write(nested.join("_index.md"), "# Section").expect("write");
    std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
    std::fs::write(dir.path().join(".git/x.md"), V1).expect("write");
    if let Ok(extra) = tokio::time::timeout(Duration::from_millis(600), rx.recv()).await {
        panic!("no report for a non-runbook file, got {extra:?}");
    }
}

fn harness_with(path: &Path) -> Harness {
    let mut h = Harness::at(0);
    let rb = runbook::parse(path, V1).expect("v1 parses");
    h.app.runbooks.library.runbooks.push(rb);
    h.key(KeyCode::Enter);
    h.command("runbook hot");
    h
}

fn shown_text(h: &Harness) -> Vec<String> {
    h.app
        .shown_runbook()
        .map(|rb| rb.steps().map(|(_, s)| s.text.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn a_good_edit_replaces_the_runbook_keeping_ticks_and_the_cursor_by_step_id() {
    let path = PathBuf::from("runbooks/hot.md");
    let mut h = harness_with(&path);
    h.key(KeyCode::Char(' ')); // tick "look"
    h.key(KeyCode::Char('k')); // back onto "look"
    assert_eq!(h.app.selected_step().map(|s| s.id.as_str()), Some("look"));
    let v2 = runbook::parse(&path, V2).expect("v2 parses");
    h.send(Msg::Source(SourceMsg::Runbook {
        path: path.clone(),
        result: Ok(Box::new(v2)),
    }));
    assert_eq!(shown_text(&h)[0], "a new first step");
    assert_eq!(
        h.app.selected_step().map(|s| s.id.as_str()),
        Some("look"),
        "the cursor stays on its step"
    );
    assert!(
        h.app.shown_step_done("look").is_some(),
        "the tick follows the id"
    );
    let screen = h.screen(100, 30);
    assert!(screen.contains("[x] 2. first, reworded"), "{screen}");
    assert!(screen.contains("[ ] 1. a new first step"), "{screen}");
}

#[test]
fn a_broken_edit_keeps_the_last_good_version_and_says_why() {
    let path = PathBuf::from("runbooks/hot.md");
    let mut h = harness_with(&path);
    let err = runbook::parse(&path, BROKEN).expect_err("broken");
    h.send(Msg::Source(SourceMsg::Runbook {
        path: path.clone(),
        result: Err(err),
    }));
    assert_eq!(shown_text(&h)[0], "first", "last good version in use");
    let screen = h.screen(100, 30);
    assert!(screen.contains("edit not loaded"), "{screen}");
    assert!(screen.contains("runbooks/hot.md:"), "{screen}");
    // Fixing the file clears the message.
    let v2 = runbook::parse(&path, V2).expect("v2 parses");
    h.send(Msg::Source(SourceMsg::Runbook {
        path,
        result: Ok(Box::new(v2)),
    }));
    let screen = h.screen(100, 30);
    assert!(!screen.contains("edit not loaded"), "{screen}");
    assert!(screen.contains("a new first step"), "{screen}");
}
