//! End to end: a DR drill and an aborted chaos game-day run by the real
//! binary in a real terminal (tmux, 80x24) against the demo's simulated
//! world, then read back with `warroom export`. The binary is the one
//! `WARROOM_E2E_BIN` names (the release build `scripts/test.sh` makes),
//! else the debug build cargo made for this test run, as in `e2e_tmux.rs`.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    std::env::var_os("WARROOM_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_warroom")))
}

fn runbooks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks")
}

/// `warroom ARGS` in a fresh tmux server of its own, at `w`x`h`.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, w: u16, h: u16, data: &Path, args: &str) -> Tmux {
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

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout)
            .into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    fn text(&self, s: &str) {
        assert!(
            self.tmux(&["send-keys", "-t", "e2e", "-l", s])
                .status
                .success()
        );
    }

    /// A `:` command, typed and entered (the terminal delivers the keys in
    /// order, so the line is open before the text arrives).
    fn command(&self, line: &str) {
        self.keys(&[":"]);
        self.text(line);
        self.keys(&["Enter"]);
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_within(needle, Duration::from_secs(15))
    }

    fn wait_within(&self, needle: &str, limit: Duration) -> String {
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
    fn declared(&self) -> String {
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
    fn resolve_and_quit(&self) {
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

fn warroom(data: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("WARROOM_DATA_DIR", data)
        .output()
        .unwrap()
}

fn export(data: &Path, id: &str) -> String {
    let out = warroom(data, &["export", id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `warroom drill` on the demo at 80x24: the inject step ticked, recovery
/// and data lost recorded by hand, an action item, resolved; the export
/// tells the drill and its score.
#[test]
fn a_drill_through_tmux_to_its_export() {
    let data = tempfile::tempdir().unwrap();
    let args = format!(
        "--runbooks '{}' drill regional-failover-drill --demo",
        runbooks().display()
    );
    let t = Tmux::start("drill", 80, 24, data.path(), &args);
    let id = t.declared();
    assert!(id.starts_with("drill-"), "{id}");
    let s = t.wait_for(" DRILL ");
    assert!(s.contains("RTO waits for injection"), "{s}");
    // The drill opens on its runbook, at the inject step.
    t.wait_for("take the primary region out");
    t.keys(&["Space"]);
    let s = t.wait_for("RTO 0s/30m");
    assert!(!s.contains("RTO waits"), "{s}");
    t.wait_within("RTO 2s/30m", Duration::from_secs(10));
    t.command("recovered");
    t.command("rpo 2s");
    t.wait_for("Data lost: 2s");
    // The demo's rpo_query said 3s at recovery: the worst measurement stands.
    t.wait_for("RPO 3s");
    t.command("action fix the DNS TTL owner=ana");
    t.wait_for("fix the DNS TTL");
    t.resolve_and_quit();

    let list = warroom(data.path(), &["list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    let row = list
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(row.contains("resolved"), "{row}");
    let md = export(data.path(), &id);
    for needle in [
        "Started a DR drill of runbook regional-failover-drill",
        "Fault injected (step inject-region-loss): RTO clock started",
        "Recovered (by hand (:recovered)): RTO clock stopped",
        "Data lost: 2s (by hand (:rpo))",
        "Drill scored PASS",
        "RPO 3s / target 5m PASS",
        "fix the DNS TTL",
    ] {
        assert!(md.contains(needle), "{needle:?} missing:\n{md}");
    }
}

/// `warroom gameday` on the demo at 80x24 with the shipped network-delay
/// experiment (polled every second instead of every 5 s): the pre-flight,
/// the name typed, the demo's simulated p99 trips the abort about 10 s in,
/// the fault is deleted; an action item, resolved; the export says
/// aborted.
#[test]
fn an_aborted_game_day_through_tmux_to_its_export() {
    let data = tempfile::tempdir().unwrap();
    let shipped = runbooks().join("experiments/checkout-network-delay.yaml");
    let text = std::fs::read_to_string(shipped).unwrap();
    assert!(text.contains("contexts: [demo,"), "the demo may run it");
    assert!(text.contains("poll: 5s"));
    let file = data.path().join("checkout-network-delay.yaml");
    std::fs::write(&file, text.replace("poll: 5s", "poll: 1s")).unwrap();
    let args = format!(
        "--runbooks '{}' gameday '{}' --demo",
        runbooks().display(),
        file.display()
    );
    let t = Tmux::start("gameday", 80, 24, data.path(), &args);
    t.wait_for("Game-day pre-flight");
    let s = t.wait_for("Type 'checkout-network-delay' and press Enter");
    assert!(s.contains("✔ Context: demo is listed"), "{s}");
    assert!(!s.contains('✖'), "{s}");
    t.text("checkout-network-delay");
    t.keys(&["Enter"]);
    t.wait_for(" GAMEDAY ");
    let started = Instant::now();
    let s = t.wait_within("aborted", Duration::from_secs(25));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(8),
        "the demo's delay bites after 10 s: aborted after {took:?}\n{s}"
    );
    t.command("action make checkout retry payments on another path owner=ana");
    t.wait_for("make checkout retry");
    t.resolve_and_quit();

    // The messages move on too fast to catch the declaration: `list` says.
    let list = warroom(data.path(), &["list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    let ids: Vec<&str> = list
        .lines()
        .filter(|l| l.starts_with("gameday-"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(ids.len(), 1, "{list}");
    let id = ids[0];
    assert!(id.contains("checkout-network-delay"), "{id}");
    let md = export(data.path(), id);
    for needle in [
        "Started game-day checkout-network-delay",
        "Experiment started: pre-flight passed",
        "apply NetworkChaos checkout-network-delay",
        "Experiment aborted — hypothesis failed",
        "abort query answered",
        "delete NetworkChaos shop/checkout-network-delay",
        "make checkout retry payments on another path",
    ] {
        assert!(md.contains(needle), "{needle:?} missing:\n{md}");
    }
}
