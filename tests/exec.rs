//! Runbook command execution against real child processes: exit codes,
//! timeouts, cancelling, bounded output and hostile escape sequences.

use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use warroom::domain::incident::RunOutcome;
use warroom::exec::{self, MAX_LINE_CHARS, RunReport, RunSpec};

fn spec(command: &str, timeout: Duration) -> RunSpec {
    RunSpec {
        id: 7,
        command: command.to_string(),
        timeout,
        shell: Some("/bin/sh".into()),
        env: vec![("WARROOM_STEP".into(), "mitigate-1".into())],
    }
}

/// Runs to the end; returns every output line and the outcome.
async fn run_collect(
    spec: RunSpec,
    cancel_after: Option<Duration>,
) -> (Vec<String>, RunOutcome, Duration) {
    let (tx, mut rx) = mpsc::channel(warroom::exec::REPORTS_QUEUED);
    let (cancel_tx, cancel_rx) = oneshot::channel();
    let task = tokio::spawn(exec::run(spec, cancel_rx, tx));
    let mut cancel_tx = Some(cancel_tx);
    if let Some(after) = cancel_after {
        tokio::time::sleep(after).await;
        if let Some(c) = cancel_tx.take() {
            let _ = c.send(());
        }
    }
    let mut lines = Vec::new();
    let mut end = None;
    while let Some(r) = rx.recv().await {
        match r {
            RunReport::Output { id, lines: l } => {
                assert_eq!(id, 7);
                lines.extend(l);
            }
            RunReport::Finished {
                id,
                outcome,
                duration,
            } => {
                assert_eq!(id, 7);
                end = Some((outcome, duration));
            }
        }
    }
    task.await.expect("runner task");
    drop(cancel_tx);
    let (outcome, duration) = end.expect("a Finished report");
    (lines, outcome, duration)
}

#[tokio::test]
async fn exit_codes_and_both_streams_are_reported() {
    let (lines, outcome, _) = run_collect(
        spec(
            "echo out; echo err >&2; echo \"step=$WARROOM_STEP\"; exit 3",
            Duration::from_secs(10),
        ),
        None,
    )
    .await;
    assert_eq!(outcome, RunOutcome::Exited(3));
    for want in ["out", "err", "step=mitigate-1"] {
        assert!(lines.iter().any(|l| l == want), "{want} in {lines:?}");
    }
    let (_, ok, _) = run_collect(spec("true", Duration::from_secs(10)), None).await;
    assert!(ok.is_success());
}

#[tokio::test]
async fn a_command_past_its_timeout_is_stopped_with_its_children() {
    let dir = tempfile::tempdir().expect("tmp");
    let marker = dir.path().join("survivor");
    // A background grandchild that would write the marker later if it survived.
    let cmd = format!(
        "(sleep 3; touch {}) & echo started; sleep 30",
        marker.display()
    );
    let t0 = Instant::now();
    let (lines, outcome, duration) =
        run_collect(spec(&cmd, Duration::from_millis(700)), None).await;
    assert_eq!(outcome, RunOutcome::TimedOut);
    assert_eq!(lines, ["started"]);
    assert!(t0.elapsed() < Duration::from_secs(6), "{:?}", t0.elapsed());
    assert!(duration >= Duration::from_millis(700));
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(!marker.exists(), "the background child outlived the stop");
}

#[tokio::test]
async fn cancel_stops_the_child_even_when_it_ignores_sigterm() {
    let t0 = Instant::now();
    let (lines, outcome, _) = run_collect(
        spec(
            "trap '' TERM; echo waiting; sleep 60",
            Duration::from_secs(60),
        ),
        Some(Duration::from_millis(500)),
    )
    .await;
    assert_eq!(outcome, RunOutcome::Cancelled);
    assert_eq!(lines, ["waiting"]);
    // SIGTERM is ignored, so SIGKILL follows after the grace period.
    assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn output_is_bounded_per_line_and_never_holds_the_terminal() {
    let (lines, outcome, _) = run_collect(
        spec(
            "head -c 200000 /dev/zero | tr '\\0' x; echo; printf 'tail\\n'",
            Duration::from_secs(20),
        ),
        None,
    )
    .await;
    assert!(outcome.is_success());
    assert_eq!(lines.len(), 2, "one cut line and the tail");
    assert_eq!(lines[0].chars().count(), MAX_LINE_CHARS + 1);
    assert!(lines[0].ends_with('…'));
    assert_eq!(lines[1], "tail");
    // Many lines arrive in batches, all of them, in order.
    let (lines, _, _) = run_collect(spec("seq 1 20000", Duration::from_secs(20)), None).await;
    assert_eq!(lines.len(), 20000);
    assert_eq!(lines.last().map(String::as_str), Some("20000"));
    // A child that tries to read a key gets end-of-file, not the terminal.
    let (lines, outcome, _) = run_collect(
        spec(
            "read answer || echo \"eof [$answer]\"",
            Duration::from_secs(5),
        ),
        None,
    )
    .await;
    assert_eq!(lines, ["eof []"]);
    assert!(outcome.is_success());
}

#[tokio::test]
async fn escape_sequences_in_output_are_removed() {
    let (lines, _, _) = run_collect(
        spec(
            r"printf '\033[2J\033[31mRED\033[0m\n\033]0;owned\007title\n\033]52;c;ZXZpbA==\007clip\n\302\233Hcsi\nbell\007\n'",
            Duration::from_secs(5),
        ),
        None,
    )
    .await;
    assert_eq!(lines, ["RED", "title", "clip", "csi", "bell"]);
    for l in &lines {
        assert!(!l.chars().any(char::is_control), "{l:?}");
    }
}

#[tokio::test]
async fn a_missing_shell_is_a_clear_outcome() {
    let mut s = spec("true", Duration::from_secs(5));
    s.shell = Some("/nonexistent/shell".into());
    let (_, outcome, _) = run_collect(s, None).await;
    match outcome {
        // With setsid the shell is looked up by setsid, which exits 127.
        RunOutcome::Exited(127) => {}
        RunOutcome::NotStarted(msg) => assert!(msg.contains("/nonexistent/shell"), "{msg}"),
        other => panic!("unexpected {other:?}"),
    }
}

/// A command that prints without end while nobody reads its reports fills
/// the report queue and then waits: its output backs up into the pipe, not
/// into memory.
#[tokio::test]
async fn a_flood_of_output_waits_for_a_cockpit_that_is_behind() {
    let (tx, mut rx) = mpsc::channel(warroom::exec::REPORTS_QUEUED);
    let (cancel_tx, cancel_rx) = oneshot::channel();
    let task = tokio::spawn(exec::run(
        spec("yes flood", Duration::from_secs(30)),
        cancel_rx,
        tx,
    ));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let queued = rx.len();
    assert!(
        queued <= warroom::exec::REPORTS_QUEUED,
        "{queued} batches queued"
    );
    assert!(queued > 0, "the command printed nothing");
    let _ = cancel_tx.send(());
    let mut finished = false;
    while let Some(r) = rx.recv().await {
        if let RunReport::Finished { outcome, .. } = r {
            assert!(matches!(outcome, RunOutcome::Cancelled), "{outcome:?}");
            finished = true;
        }
    }
    assert!(finished);
    task.await.expect("the run ends");
}
