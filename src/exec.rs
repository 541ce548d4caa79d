//! Runs runbook commands in the user's shell as child processes: output is
//! streamed line by line (sanitised), the run is bounded by a timeout, and a
//! cancel stops the whole process group — never the cockpit.
//!
//! The child gets its own session (through util-linux `setsid` when present,
//! else its own process group) and no stdin, so it can neither read the
//! cockpit's keys nor receive the terminal's signals, and a stop reaches every
//! process it started.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::{mpsc, oneshot};

use crate::domain::incident::RunOutcome;
use crate::sanitize;

/// Longest line kept, in characters; the rest is cut with `…`.
pub const MAX_LINE_CHARS: usize = 1000;

/// How long a runbook command may run when neither its contract nor the
/// config says.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// Lines sent to the cockpit in one batch at most.
const BATCH: usize = 500;

/// Time a stopped command gets to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// A command to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Matches reports to the run that produced them.
    pub id: u64,
    /// The command line, given to the shell's `-c`.
    pub command: String,
    /// How long it may run.
    pub timeout: Duration,
    /// The shell; `/bin/sh` when `None`. Never the user's login shell by
    /// default: values are quoted the POSIX way, and a command must mean the
    /// same for every responder.
    pub shell: Option<PathBuf>,
    /// Extra environment, e.g. the incident id.
    pub env: Vec<(String, String)>,
}

/// What a run reports while it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum RunReport {
    /// New output lines (stdout and stderr interleaved as they came).
    Output {
        /// The run.
        id: u64,
        /// Sanitised lines.
        lines: Vec<String>,
    },
    /// The run ended.
    Finished {
        /// The run.
        id: u64,
        /// How it ended.
        outcome: RunOutcome,
        /// How long it took.
        duration: Duration,
    },
}

/// One line of child output made safe to show: invalid UTF-8 replaced, what
/// a carriage return overwrote dropped, escape sequences and control
/// characters removed, length bounded.
pub fn clean_line(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_end_matches(['\n', '\r']);
    // Progress bars redraw with \r: the terminal would show the last version.
    let shown = text.rsplit('\r').find(|s| !s.is_empty()).unwrap_or("");
    let clean = sanitize::line(shown);
    if clean.chars().count() > MAX_LINE_CHARS {
        let mut cut: String = clean.chars().take(MAX_LINE_CHARS).collect();
        cut.push('…');
        cut
    } else {
        clean.into_owned()
    }
}

fn shell(spec: &RunSpec) -> PathBuf {
    spec.shell
        .clone()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("/bin/sh"))
}

fn setsid_binary() -> Option<PathBuf> {
    ["/usr/bin/setsid", "/bin/setsid"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// How many batches of output may wait for the cockpit.
pub const REPORTS_QUEUED: usize = 64;

/// Runs `spec` to the end, sending output and the outcome to `report`. A
/// message on `cancel` (or the sender being dropped while it runs) stops it.
pub async fn run(spec: RunSpec, cancel: oneshot::Receiver<()>, report: mpsc::Sender<RunReport>) {
    let started = Instant::now();
    let outcome = run_inner(&spec, cancel, &report).await;
    let _ = report
        .send(RunReport::Finished {
            id: spec.id,
            outcome,
            duration: started.elapsed(),
        })
        .await;
}

async fn run_inner(
    spec: &RunSpec,
    mut cancel: oneshot::Receiver<()>,
    report: &mpsc::Sender<RunReport>,
) -> RunOutcome {
    let sh = shell(spec);
    let mut cmd = match setsid_binary() {
        Some(setsid) => {
            let mut c = Command::new(setsid);
            c.arg(&sh);
            c
        }
        None => {
            let mut c = Command::new(&sh);
            c.process_group(0);
            c
        }
    };
    cmd.arg("-c")
        .arg(&spec.command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("PAGER", "cat")
        .env("GIT_PAGER", "cat")
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .kill_on_drop(true);
    for (k, v) in &spec.env {
        cmd.env(k, v);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return RunOutcome::NotStarted(format!("{}: {e}", sh.display())),
    };
    // With setsid the shell keeps the child's pid and leads its own session,
    // so the pid is also the process group to signal.
    let group = child
        .id()
        .and_then(|p| i32::try_from(p).ok())
        .map(Pid::from_raw);
    let (line_tx, mut line_rx) = mpsc::channel::<String>(4096);
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, line_tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, line_tx.clone()));
    }
    drop(line_tx);
    let deadline = tokio::time::sleep(spec.timeout);
    tokio::pin!(deadline);
    let mut streams_open = true;
    let mut status = None;
    let mut stopped: Option<RunOutcome> = None;
    loop {
        if status.is_some() && !streams_open {
            break;
        }
        tokio::select! {
            line = line_rx.recv(), if streams_open => match line {
                Some(first) => {
                    let mut lines = vec![first];
                    while lines.len() < BATCH {
                        match line_rx.try_recv() {
                            Ok(l) => lines.push(l),
                            Err(_) => break,
                        }
                    }
                    // Waits while the cockpit is behind: a flood of output
                    // backs up into the pipe, not into memory.
                    let _ = report.send(RunReport::Output { id: spec.id, lines }).await;
                }
                None => streams_open = false,
            },
            st = child.wait(), if status.is_none() => {
                status = Some(st);
                // A background grandchild may keep the pipes open: give the
                // output a moment, then stop reading.
                if streams_open {
                    deadline.as_mut().reset(tokio::time::Instant::now() + Duration::from_millis(500));
                }
            },
            _ = &mut deadline => {
                if status.is_some() {
                    break;
                }
                stopped = Some(RunOutcome::TimedOut);
                terminate(&mut child, group).await;
                status = Some(child.wait().await);
                streams_open = false;
            },
            _ = &mut cancel, if stopped.is_none() && status.is_none() => {
                stopped = Some(RunOutcome::Cancelled);
                terminate(&mut child, group).await;
                status = Some(child.wait().await);
                streams_open = false;
            },
        }
    }
    // Whatever is still queued was printed before the end.
    let mut rest = Vec::new();
    while let Ok(l) = line_rx.try_recv() {
        rest.push(l);
    }
    if !rest.is_empty() {
        let _ = report
            .send(RunReport::Output {
                id: spec.id,
                lines: rest,
            })
            .await;
    }
    if let Some(pgid) = group {
        // Leave nothing behind: background children die with the run.
        let _ = killpg(pgid, Signal::SIGKILL);
    }
    if let Some(s) = stopped {
        return s;
    }
    match status {
        Some(Ok(st)) => match (
            st.code(),
            std::os::unix::process::ExitStatusExt::signal(&st),
        ) {
            (Some(c), _) => RunOutcome::Exited(c),
            (None, Some(sig)) => RunOutcome::Signalled(sig),
            (None, None) => RunOutcome::Exited(-1),
        },
        Some(Err(e)) => RunOutcome::NotStarted(e.to_string()),
        None => RunOutcome::Exited(-1),
    }
}

/// SIGTERM to the whole group, then SIGKILL if it has not exited in time.
async fn terminate(child: &mut tokio::process::Child, group: Option<Pid>) {
    match group {
        Some(pgid) => {
            let _ = killpg(pgid, Signal::SIGTERM);
            if tokio::time::timeout(GRACE, child.wait()).await.is_err() {
                let _ = killpg(pgid, Signal::SIGKILL);
            }
        }
        None => {
            let _ = child.start_kill();
        }
    }
}

/// Bytes of one line read before the rest of it is skipped, so a child
/// writing endlessly without a newline cannot grow memory.
const MAX_RAW_LINE: usize = 16 * 1024;

async fn pump(stream: impl AsyncRead + Unpin, tx: mpsc::Sender<String>) {
    let mut reader = BufReader::new(stream);
    let mut line: Vec<u8> = Vec::new();
    let mut skipping = false;
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(c) if !c.is_empty() => c,
            _ => {
                if !line.is_empty() && !skipping {
                    let _ = tx.send(clean_line(&line)).await;
                }
                return;
            }
        };
        let newline = chunk.iter().position(|b| *b == b'\n');
        let take = newline.unwrap_or(chunk.len());
        if !skipping {
            let room = MAX_RAW_LINE.saturating_sub(line.len());
            line.extend_from_slice(&chunk[..take.min(room)]);
        }
        reader.consume(newline.map_or(take, |i| i + 1));
        let full = line.len() >= MAX_RAW_LINE;
        if newline.is_some() || (full && !skipping) {
            if !skipping && tx.send(clean_line(&line)).await.is_err() {
                return;
            }
            line.clear();
            // A cut line's remainder is dropped up to its newline.
            skipping = newline.is_none();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_made_safe() {
        assert_eq!(clean_line(b"\x1b[31mred\x1b[0m\n"), "red");
        assert_eq!(clean_line(b"\x1b]0;pwned\x07title\n"), "title");
        assert_eq!(clean_line(b"10%\r50%\r100%\n"), "100%");
        assert_eq!(clean_line(b"bad \xff byte"), "bad \u{fffd} byte");
        let long = vec![b'x'; 5000];
        assert_eq!(clean_line(&long).chars().count(), MAX_LINE_CHARS + 1);
    }
}
