//! The real binary in a real terminal: `warroom ARGS` in a tmux server of
//! its own, driven by keys and read back from the screen. Shared by the
//! end-to-end suites that need nothing more than this.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The binary under test: the release build `scripts/test.sh` names in
/// `WARROOM_E2E_BIN`, else the debug build cargo made for this test run.
pub fn bin() -> PathBuf {
    std::env::var_os("WARROOM_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_warroom")))
}

/// The shipped runbook library.
pub fn runbooks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks")
}

/// `warroom ARGS` in a fresh tmux server of its own, at `w`x`h`.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, w: u16, h: u16, data: &Path, args: &str) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is required: run scripts/test.sh, which installs it"
        );
        let socket = format!("warroom-e2e-x-{}-{name}", std::process::id());
        let script = format!("'{}' {args}; echo EXIT=$?; sleep 60", bin().display());
        let ok = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-s", "e2e", "-x", &w.to_string(), "-y", &h.to_string()])
            .arg("-e")
            .arg(format!("WARROOM_DATA_DIR={}", data.display()))
            .args([
                "-e",
                "WARROOM_AUTHOR=e2e-alice",
                "-e",
                "TERM=xterm-256color",
            ])
            .arg(script)
            .status()
            .unwrap();
        assert!(ok.success(), "tmux new-session failed");
        Tmux { socket }
    }

    pub fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap()
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout)
            .into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    pub fn text(&self, s: &str) {
        assert!(
            self.tmux(&["send-keys", "-t", "e2e", "-l", s])
                .status
                .success()
        );
    }

    /// A `:` command, typed and entered (the terminal delivers the keys in
    /// order, so the line is open before the text arrives).
    pub fn command(&self, line: &str) {
        self.keys(&[":"]);
        self.text(line);
        self.keys(&["Enter"]);
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_within(needle, Duration::from_secs(15))
    }

    pub fn wait_within(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            if start.elapsed() > limit {
                panic!("timed out waiting for {needle:?}; screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The id in the "declared incident ID" message, once fully drawn.
    pub fn declared(&self) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            let id = s
                .lines()
                .find_map(|l| l.trim().strip_prefix("declared incident "))
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty());
            if let Some(id) = id {
                return id;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("no declaration message on screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Resolves (`:resolve`, y) and quits; warroom must exit 0.
    pub fn resolve_and_quit(&self) {
        self.command("resolve");
        self.wait_for("y resolves");
        self.keys(&["y"]);
        self.wait_for("RESOLVED");
        self.keys(&["q"]);
        let s = self.wait_for("EXIT=");
        assert!(s.contains("EXIT=0"), "{s}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// `warroom ARGS` run to its end against the data dir `data`.
pub fn warroom(data: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("WARROOM_DATA_DIR", data)
        .output()
        .unwrap()
}
