//! End to end: the real binary in a real terminal (tmux) at 80x24, driven by
//! keys, then `warroom list` and `warroom export` on what it recorded. Also
//! checks the terminal is restored after quitting and after SIGTERM / SIGHUP.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;
mod servers;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The binary under test: the release build the test script names, else the
/// debug build cargo made for this test run.
fn bin() -> PathBuf {
    std::env::var_os("WARROOM_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_warroom")))
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, w: u16, h: u16, data: &Path) -> Tmux {
        Self::start_as(name, w, h, data, "e2e-alice")
    }

    fn start_as(name: &str, w: u16, h: u16, data: &Path, author: &str) -> Tmux {
        let runbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
        let args = format!("--runbooks '{}' demo", runbooks.display());
        Self::start_with(name, w, h, data, author, &args)
    }

    /// Runs `warroom ARGS` (a shell-quoted string) in a fresh tmux server.
    fn start_with(name: &str, w: u16, h: u16, data: &Path, author: &str, args: &str) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is required: run scripts/test.sh, which installs it"
        );
        let socket = format!("warroom-e2e-{}-{name}", std::process::id());
        let script = format!(
            "'{}' {args}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?icanon'; echo CHECKED-TTY; sleep 60",
            bin().display(),
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "e2e",
            ])
            .args(["-x", &w.to_string(), "-y", &h.to_string()])
            .arg("-e")
            .arg(format!("WARROOM_DATA_DIR={}", data.display()))
            .arg("-e")
            .arg(format!("WARROOM_AUTHOR={author}"))
            .args(["-e", "TERM=xterm-256color"])
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

    /// Writes a note through the editor (`n`, text, Enter).
    fn note(&self, text: &str) {
        self.keys(&["n"]);
        self.wait_for("Enter saves");
        self.text(text);
        self.keys(&["Enter"]);
    }

    /// Waits for the "declared incident ID" message, whole (a capture can
    /// catch the line half drawn), and returns the id.
    fn declared(&self) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if let Some(id) = parse_declared(&s) {
                return id;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("no declaration message on screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
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

    fn alternate_screen_on(&self) -> bool {
        let out = self.tmux(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Whether the program in the pane asked the terminal for mouse events.
    fn mouse_on(&self) -> bool {
        let out = self.tmux(&["display-message", "-p", "-t", "e2e", "#{mouse_any_flag}"]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// The pid of warroom itself (the child of the pane's shell).
    fn app_pid(&self) -> String {
        let out = self.tmux(&["list-panes", "-t", "e2e", "-F", "#{pane_pid}"]);
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let out = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// After warroom exits: exit status shown, canonical mode back, main screen.
    fn assert_restored(&self) {
        let s = self.wait_for("CHECKED-TTY");
        let after: Vec<&str> = s.lines().skip_while(|l| !l.starts_with("EXIT=")).collect();
        assert!(after.contains(&"icanon"), "terminal left in raw mode:\n{s}");
        assert!(
            !self.alternate_screen_on(),
            "alternate screen not left:\n{s}"
        );
        assert!(!self.mouse_on(), "mouse reporting left on:\n{s}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// The incident id in a "declared incident ID" message, once fully drawn.
fn parse_declared(screen: &str) -> Option<String> {
    screen
        .lines()
        .find_map(|l| l.trim().strip_prefix("declared incident "))
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
}

fn warroom(data: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("WARROOM_DATA_DIR", data)
        .output()
        .unwrap()
}

#[test]
fn declare_tick_note_resolve_quit_then_export() {
    let data = tempfile::tempdir().unwrap();
    let t = Tmux::start("flow", 80, 24, data.path());
    t.wait_for("CatalogP99Latency");
    assert!(t.mouse_on(), "the cockpit reports the mouse by default");
    t.keys(&["Enter"]);
    let id = t.declared();
    assert!(id.ends_with("-catalog-p99-latency"), "{id}");
    t.keys(&["Space"]);
    t.wait_for("1/13 done");
    t.keys(&["Space"]);
    t.wait_for("2/13 done");
    t.note("rolled back catalog to v1.4");
    t.wait_for("Note: rolled back catalog");
    t.keys(&[":"]);
    t.text("resolve");
    t.keys(&["Enter"]);
    t.wait_for("y resolves");
    t.keys(&["y"]);
    t.wait_for("RESOLVED");
    t.keys(&["q"]);
    t.assert_restored();

    let list = warroom(data.path(), &["list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    let row = list
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(row.contains("P1") && row.contains("resolved"), "{row}");

    let a = warroom(data.path(), &["export", &id]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let md = String::from_utf8_lossy(&a.stdout);
    let done: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("- [x] Check — check-"))
        .collect();
    assert_eq!(done.len(), 2, "{md}");
    for line in done {
        assert!(
            line.contains(" UTC, e2e-alice)"),
            "step without time and author: {line}"
        );
    }
    assert!(
        md.contains("e2e-alice: rolled back catalog to v1.4"),
        "{md}"
    );
    assert!(md.contains("| Note: rolled back catalog to v1.4 |"), "{md}");
    assert!(md.contains("time to resolve"), "{md}");
    let b = warroom(data.path(), &["export", &id]);
    assert_eq!(a.stdout, b.stdout, "export is deterministic");
}

/// tmux pastes with the bracketed-paste markers when the program asked for
/// them: the pasted keys of a would-be attack become note text, and once the
/// cockpit has quit the shell gets its terminal back without the mode on.
#[test]
fn a_bracketed_paste_is_text_not_keys() {
    let data = tempfile::tempdir().unwrap();
    let runbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    // After the cockpit, `cat -v` shows what a paste looks like to the next
    // program: bracket markers would mean the mode was left on.
    let args = format!(
        "--runbooks '{}' demo; echo AFTER; timeout 3 cat -v",
        runbooks.display()
    );
    let t = Tmux::start_with("paste", 80, 24, data.path(), "e2e-alice", &args);
    t.wait_for("CatalogP99Latency");
    t.keys(&["Enter"]);
    let id = t.declared();
    t.keys(&["n"]);
    t.wait_for("Enter saves");
    assert!(t.tmux(&["set-buffer", "line1\nm\nR\ny\n"]).status.success());
    assert!(
        t.tmux(&["paste-buffer", "-p", "-t", "e2e"])
            .status
            .success()
    );
    t.wait_for("line1");
    // Keys that arrive with a paste are dropped; a person's come later.
    std::thread::sleep(std::time::Duration::from_millis(400));
    t.keys(&["Enter"]);
    t.wait_for("Note: line1");
    // A forged end-of-paste marker inside the text: tmux passes it on, so
    // the rest arrives as keys (":resolve⏎"); the cockpit drops them.
    assert!(
        t.tmux(&["set-buffer", "x\u{1b}[201~:resolve\r"])
            .status
            .success()
    );
    assert!(
        t.tmux(&["paste-buffer", "-p", "-t", "e2e"])
            .status
            .success()
    );
    t.wait_for("keys arriving with a paste were ignored");
    let s = t.screen();
    assert!(
        s.contains("INVESTIGATING"),
        "the paste changed the incident:\n{s}"
    );
    std::thread::sleep(std::time::Duration::from_millis(400));
    t.keys(&["q"]);
    t.wait_for("Quit anyway?");
    t.keys(&["y"]);
    t.wait_for("AFTER");
    assert!(t.tmux(&["set-buffer", "PASTED-AFTER\n"]).status.success());
    assert!(
        t.tmux(&["paste-buffer", "-p", "-t", "e2e"])
            .status
            .success()
    );
    let s = t.wait_for("PASTED-AFTER");
    assert!(!s.contains("[200~"), "bracketed paste left on:\n{s}");
    t.assert_restored();
    let md = String::from_utf8_lossy(&warroom(data.path(), &["export", &id]).stdout).into_owned();
    assert!(md.contains("line1"), "{md}");
    assert!(md.contains("| Status | investigating |"), "{md}");
    assert!(!md.contains("Ran step"), "{md}");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for (n, sig) in ["TERM", "HUP"].iter().enumerate() {
        let data = tempfile::tempdir().unwrap();
        let t = Tmux::start(&format!("sig{n}"), 80, 24, data.path());
        t.wait_for("CatalogP99Latency");
        assert!(t.alternate_screen_on());
        let pid = t.app_pid();
        assert!(!pid.is_empty(), "warroom pid not found");
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &pid])
            .status()
            .unwrap();
        assert!(ok.success());
        t.assert_restored();
    }
}

#[test]
fn unknown_incident_export_is_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let out = warroom(data.path(), &["export", "no-such-incident"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no incident 'no-such-incident'"), "{err}");
    let out = warroom(data.path(), &["export", "../../etc/passwd"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid incident id"));
}

#[test]
fn two_cockpits_share_one_incident_live() {
    let data = tempfile::tempdir().unwrap();
    let a = Tmux::start_as("live-a", 200, 50, data.path(), "alice");
    let b = Tmux::start_as("live-b", 80, 24, data.path(), "bob");
    a.wait_for("CatalogP99Latency");
    b.wait_for("CatalogP99Latency");
    a.keys(&["Enter"]);
    a.wait_for("declared incident");
    b.keys(&["Enter"]);
    b.wait_for("joined open incident");
    // Bob ticks a step; Alice sees it, and Alice's note reaches Bob, each within
    // about a second (file notifications, with a half-second poll behind them).
    b.keys(&["Space"]);
    a.wait_within("1/13 done", Duration::from_secs(3));
    a.note("from alice");
    b.keys(&["5"]);
    b.wait_within("Note: from alice", Duration::from_secs(3));
    let journal = std::fs::read_dir(data.path().join("incidents"))
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    let text = std::fs::read_to_string(journal.path()).unwrap();
    assert_eq!(
        text.lines().count(),
        3,
        "one declaration, one tick, one note:\n{text}"
    );
    assert!(
        text.contains("\"author\":\"bob\",\"kind\":\"step_done\""),
        "{text}"
    );
}

#[test]
fn live_alert_opens_its_runbook_silence_reaches_alertmanager_and_restarts_heal() {
    let mut am = servers::alertmanager();
    let prom = servers::prometheus("groups: []\n", None);
    let alert = serde_json::json!([{
        "labels": {"alertname": "VolumeAlmostFull", "severity": "critical",
                   "namespace": "payments", "persistentvolumeclaim": "data-db-0"},
        "annotations": {"summary": "volume \u{1b}[2J\u{1b}]0;pwned\u{7}almost full",
                        "runbook_url": "https://runbooks.example.com/runbooks/storage/volumealmostfull"},
        "startsAt": jiff::Timestamp::now().to_string()
    }]);
    servers::post_alerts(&am, &alert);
    let work = tempfile::tempdir().unwrap();
    let runbooks = work.path().join("runbooks");
    std::fs::create_dir(&runbooks).unwrap();
    std::fs::write(
        runbooks.join("VolumeAlmostFull.md"),
        "# Volume almost full\n\n## Alert\n\nA volume is nearly full.\n\n## Check\n\n1. Look at usage: `kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}`\n\n## Diagnose\n\n1. Find what grew.\n\n## Mitigate\n\n1. Expand the volume.\n\n## Postmortem\n\nWrite it up.\n",
    )
    .unwrap();
    let config = work.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "alertmanager:\n  url: {}\n  poll_interval: 1s\n  timeout: 2s\nprometheus:\n  url: {}\n  poll_interval: 2s\n",
            am.url(),
            prom.url()
        ),
    )
    .unwrap();
    let data = work.path().join("data");
    let args = format!(
        "--config '{}' --runbooks '{}'",
        config.display(),
        runbooks.display()
    );
    let t = Tmux::start_with("live", 80, 24, &data, "e2e-alice", &args);
    let s = t.wait_for("VolumeAlmostFull");
    assert!(s.contains("alertmanager live"), "{s}");
    assert!(
        !s.contains("pwned"),
        "an OSC title reached the terminal:\n{s}"
    );
    t.keys(&["Enter"]);
    // The preview shows the runbook before Enter; the message says it is declared.
    let id = t.declared();
    let s = t.screen();
    assert!(s.contains("kubectl -n payments get pvc data-db-0"), "{s}");
    assert!(s.contains("Volume almost full"), "{s}");
    t.keys(&[":"]);
    t.text("silence 1h");
    t.keys(&["Enter"]);
    t.wait_for("created for VolumeAlmostFull");

    let (code, body) = servers::http("GET", am.port, "/api/v2/silences", None);
    assert_eq!(code, 200);
    let silences: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let ours = silences
        .iter()
        .find(|s| s["createdBy"] == "e2e-alice")
        .unwrap_or_else(|| panic!("no silence by e2e-alice: {body}"));
    assert!(ours["comment"].as_str().unwrap().contains(&id), "{ours}");
    assert_eq!(ours["status"]["state"], "active");
    let matchers = ours["matchers"].as_array().unwrap();
    assert!(
        matchers
            .iter()
            .any(|m| m["name"] == "alertname" && m["value"] == "VolumeAlmostFull")
    );
    assert!(matchers.iter().all(|m| m["isRegex"] == false));

    // Alertmanager dies; the cockpit keeps answering keys and says so.
    am.kill();
    t.keys(&["1"]);
    t.wait_within("alertmanager error", Duration::from_secs(10));
    for (key, shows) in [
        ("2", "Runbook · Volume almost full"),
        ("5", "Timeline"),
        ("1", "Alerts 1"),
    ] {
        let start = Instant::now();
        t.keys(&[key]);
        t.wait_within(shows, Duration::from_secs(2));
        assert!(start.elapsed() < Duration::from_secs(2));
    }
    // It comes back (alerts are re-sent, as Prometheus would) and the pane heals.
    am.start_again();
    servers::post_alerts(&am, &alert);
    t.wait_within("alertmanager live", Duration::from_secs(30));
    t.keys(&["q"]);
    t.wait_for("Quit anyway?");
    t.keys(&["y"]);
    t.assert_restored();

    let journal =
        std::fs::read_to_string(data.join("incidents").join(format!("{id}.jsonl"))).unwrap();
    assert!(
        journal.contains("\"kind\":\"silence_created\""),
        "{journal}"
    );
}

#[test]
fn pods_from_a_cluster_delete_with_confirmation_and_read_only_refuses() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(kube_server::KubeServer::start());
    server.put_pod(kube_server::pod(
        "shop",
        "catalog-5f7c9d8b6-aaaaa",
        "catalog",
        "crash",
        7,
    ));
    server.put_pod(kube_server::pod(
        "shop",
        "catalog-5f7c9d8b6-bbbbb",
        "catalog",
        "running",
        0,
    ));
    server.put_pod(kube_server::pod(
        "shop",
        "checkout-5f7c9d8b6-ccccc",
        "checkout",
        "oom",
        2,
    ));
    server.put_pod(kube_server::pod(
        "payments",
        "ledger-5f7c9d8b6-ddddd",
        "ledger",
        "running",
        0,
    ));
    server.state.lock().unwrap().logs.insert(
        ("shop".into(), "catalog-5f7c9d8b6-aaaaa".into()),
        vec!["starting catalog".into(), "FATAL no database".into()],
    );
    let data = tempfile::tempdir().unwrap();
    let args = format!("--kubeconfig '{}'", server.kubeconfig.display());
    let t = Tmux::start_with("kube", 80, 24, data.path(), "e2e-alice", &args);
    // With only a cluster, the cockpit opens on the Pods pane.
    let s = t.wait_for("CrashLoopBackOff");
    assert!(s.contains("NO INCIDENT 0 alerts firing"), "{s}");
    assert!(s.contains("Pods · shop"), "{s}");
    assert!(s.contains("OOMKilled"), "{s}");
    assert!(!s.contains("ledger"), "only the current namespace:\n{s}");
    let row = s
        .lines()
        .find(|l| l.contains("catalog-5f7c9d8b6-aaaaa"))
        .unwrap();
    assert!(row.contains("0/1") && row.contains(" 7 ("), "{row}");

    // Details: the crash-looping pod is first (unhealthy first).
    t.keys(&["Enter"]);
    t.wait_for("FATAL no database");
    // q closes the details (a lone Escape followed quickly by another key
    // reads as Alt+key in a terminal).
    t.keys(&["q"]);
    t.wait_for("Enter logs");

    t.keys(&[":"]);
    t.text("delete checkout-5f7c9d8b6-ccccc");
    t.keys(&["Enter"]);
    t.wait_for("delete pod shop/checkout-5f7c9d8b6-ccccc");
    t.keys(&["y"]);
    t.wait_for("pod shop/checkout-5f7c9d8b6-ccccc deleted");
    assert!(
        server
            .changes()
            .iter()
            .any(|(m, p, _)| m == "DELETE" && p.ends_with("/pods/checkout-5f7c9d8b6-ccccc"))
    );
    // The watch removes it from the list.
    let start = Instant::now();
    while t
        .screen()
        .lines()
        .any(|l| l.starts_with("│checkout-5f7c9d8b6-ccccc"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still listed:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Only one list of pods: after it, the client watched.
    let lists = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /api/v1/namespaces/shop/pods?") && !r.contains("watch=true"))
        .count();
    assert_eq!(lists, 1, "{:?}", server.requests());
    t.keys(&["q"]);
    t.assert_restored();

    let args = format!("--kubeconfig '{}' --read-only", server.kubeconfig.display());
    let t = Tmux::start_with("kube-ro", 80, 24, data.path(), "e2e-alice", &args);
    t.wait_for("READ-ONLY");
    t.keys(&["3"]);
    t.wait_for("CrashLoopBackOff");
    t.keys(&[":"]);
    t.text("delete catalog-5f7c9d8b6-aaaaa");
    t.keys(&["Enter"]);
    t.wait_for("read-only: refused to delete pod shop/catalog-5f7c9d8b6-aaaaa");
    t.keys(&["j"]);
    t.keys(&["d"]);
    t.wait_for("refused to delete pod shop/catalog-5f7c9d8b6-bbbbb");
    let deletes = server
        .changes()
        .iter()
        .filter(|(m, _, _)| m == "DELETE")
        .count();
    assert_eq!(deletes, 1, "read-only must not reach the server");
    t.keys(&["q"]);
    t.assert_restored();
    drop(rt);
}

#[test]
fn incident_command_through_tmux_then_markdown_and_json_exports() {
    let data = tempfile::tempdir().unwrap();
    let t = Tmux::start("command", 80, 24, data.path());
    t.wait_for("CatalogP99Latency");
    t.keys(&["Enter"]);
    let id = t.declared();
    let cmd = |text: &str| {
        t.keys(&[":"]);
        t.text(text);
        t.keys(&["Enter"]);
    };
    cmd("sev P0");
    t.wait_for(" P0 ");
    cmd("role ic e2e-alice");
    t.keys(&["a"]);
    t.wait_for("Acknowledged");
    cmd("action add a p99 alert per pod owner=bob due=2026-12-01 ticket=OPS-42");
    t.wait_for("action item added");
    cmd("note ran PGPASSWORD=hunter2 psql -h db -c 'select 1'");
    cmd("note @02:50 support heard of it first");
    t.keys(&["u"]);
    t.wait_for("Ctrl-s saves");
    t.keys(&["C-s"]);
    t.wait_for("status update saved");
    t.keys(&["m"]);
    t.wait_for("Still firing: CatalogP99Latency");
    t.keys(&["y"]);
    t.wait_for("MITIGATED");
    t.keys(&["R"]);
    t.wait_for("y resolves");
    let s = t.screen();
    assert!(s.contains("runbook steps are not done"), "{s}");
    t.keys(&["y"]);
    t.wait_for("RESOLVED");
    t.keys(&["q"]);
    t.assert_restored();

    let out = warroom(data.path(), &["export", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "| Severity | P0 |",
        "Incident commander: e2e-alice",
        "## Response against the severity targets",
        "| acknowledge | 00:05:00 |",
        "## Status updates",
        "**",
        "| add a p99 alert per pod | bob | 2026-12-01 | OPS-42 |",
        "PGPASSWORD=[REDACTED]",
        "support heard of it first",
    ] {
        assert!(md.contains(needle), "{needle:?} missing:\n{md}");
    }
    assert!(
        !md.contains("hunter2"),
        "a secret reached the export:\n{md}"
    );

    let out = warroom(data.path(), &["export", &id, "--format", "json"]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["severity"], "P0");
    assert_eq!(j["status"], "resolved");
    assert_eq!(j["updates"].as_array().map(Vec::len), Some(1));
    assert!(!j.to_string().contains("hunter2"));

    let out = warroom(data.path(), &["list", "--json"]);
    let l: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(l[0]["id"], id.as_str());
    assert!(l[0]["time_to_acknowledge"].is_string());
    let out = warroom(data.path(), &["list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("TO ACK") && text.contains("P0"), "{text}");
}

const RUN_RUNBOOK: &str = r#"---
id: e2e-run
last_exercised: 2026-11-01
---
# Commands from the runbook

## Alert
Testing step commands.

## Check
1. Print something hostile and fail:

   ```sh
   printf 'hello \033[31mred\033[0m\033]0;pwned\007 done\n'; echo "step=$WARROOM_STEP"; exit 3
   ```
2. Wait for it:

   ```sh
   echo started; sleep 37
   ```

## Diagnose
1. Nothing.

## Mitigate
1. Nothing.

## Postmortem
Write it.
"#;

#[test]
fn runbook_commands_run_stop_reload_and_reach_the_export() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let runbooks = work.path().join("runbooks");
    std::fs::create_dir_all(&runbooks).unwrap();
    let file = runbooks.join("e2e-run.md");
    std::fs::write(&file, RUN_RUNBOOK).unwrap();
    let args = format!("--runbooks '{}' demo", runbooks.display());
    let t = Tmux::start_with("run", 80, 24, &data, "e2e-alice", &args);
    t.wait_for("CatalogP99Latency");
    t.keys(&["Enter"]);
    let id = t.declared();
    t.keys(&[":"]);
    t.text("runbook e2e-run");
    t.keys(&["Enter"]);
    t.wait_for("Print something hostile");
    t.keys(&["r"]);
    t.wait_for("y runs it");
    t.keys(&["y"]);
    let s = t.wait_for("exit 3 after");
    assert!(s.contains("hello red done"), "{s}");
    assert!(s.contains("step=check-1"), "{s}");
    assert!(
        s.contains("││hello red done  "),
        "escape sequences leaked:\n{s}"
    );
    let title = t.tmux(&["display-message", "-p", "-t", "e2e", "#{pane_title}"]);
    assert!(
        !String::from_utf8_lossy(&title.stdout).contains("pwned"),
        "an OSC title sequence reached the terminal"
    );
    t.keys(&["q"]);
    t.wait_for("✗ exit 3 after");
    // A long command: Ctrl-C stops it, not the cockpit.
    t.keys(&["j"]);
    t.keys(&["r"]);
    t.wait_for("y runs it");
    t.keys(&["y"]);
    t.wait_for("started");
    t.wait_for("Ctrl-c stops it");
    t.keys(&["C-c"]);
    let s = t.wait_for("stopped by the responder");
    assert!(
        !s.contains("EXIT="),
        "the cockpit must survive Ctrl-C:\n{s}"
    );
    t.keys(&["q"]);
    // Editing the runbook on disk updates the pane.
    std::fs::write(
        &file,
        RUN_RUNBOOK.replace("Wait for it", "Wait for it, edited"),
    )
    .unwrap();
    t.wait_within("Wait for it, edited", Duration::from_secs(3));
    // Quitting while a command runs stops it and records that.
    t.keys(&["r"]);
    t.wait_for("y runs it");
    t.keys(&["y"]);
    t.wait_for("Ctrl-c stops it");
    t.keys(&["q"]);
    t.keys(&["q"]);
    t.wait_for("quitting stops it");
    t.keys(&["y"]);
    t.assert_restored();
    let left = Command::new("pgrep")
        .args(["-f", "sleep 37"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&left.stdout).trim().is_empty(),
        "a runbook command outlived the cockpit"
    );

    let out = warroom(&data, &["export", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("## Commands run"), "{md}");
    assert!(md.contains("(run) step check-1: exit 3"), "{md}");
    assert!(md.contains("hello red done"), "{md}");
    assert_eq!(
        md.matches("(run) step check-2: stopped by the responder")
            .count(),
        2,
        "{md}"
    );
    assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'), "{md}");
}

/// `y` in the Runbook pane copies the step's command with OSC 52: tmux,
/// told to accept it, holds exactly the command the pane shows.
#[test]
fn y_copies_a_command_through_the_terminal() {
    let data = tempfile::tempdir().unwrap();
    let runbooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("runbooks");
    let args = format!("--runbooks '{}' demo", runbooks.display());
    let t = Tmux::start_with("copy", 120, 40, data.path(), "e2e-alice", &args);
    assert!(
        t.tmux(&["set", "-g", "set-clipboard", "on"])
            .status
            .success()
    );
    t.wait_for("CatalogP99Latency");
    t.keys(&["Enter"]);
    t.declared();
    t.keys(&["2"]);
    t.keys(&["j"]);
    t.keys(&["y"]);
    t.wait_for("copied the command to the clipboard");
    let buffer = String::from_utf8_lossy(&t.tmux(&["show-buffer"]).stdout).into_owned();
    assert!(
        buffer.starts_with("promtool query instant"),
        "clipboard: {buffer:?}"
    );
    assert!(t.screen().contains("$ promtool query instant"));
}

/// `warroom open` with a link copied from a real Alertmanager: it lands on
/// step 1 of the right runbook without declaring; a second responder with
/// the same link joins the incident; a link for an alert that is gone says
/// so and shows everything.
#[test]
fn a_pasted_alertmanager_link_lands_on_step_one_and_joins_an_open_incident() {
    let am = servers::alertmanager();
    let now = jiff::Timestamp::now().to_string();
    let alerts = serde_json::json!([
        {"labels": {"alertname": "VolumeAlmostFull", "severity": "critical",
                    "namespace": "payments", "persistentvolumeclaim": "data-db-0"},
         "annotations": {"summary": "payments volume almost full"}, "startsAt": now},
        {"labels": {"alertname": "VolumeAlmostFull", "severity": "warning",
                    "namespace": "shop", "persistentvolumeclaim": "data-cart-0"},
         "annotations": {"summary": "shop volume almost full"}, "startsAt": now}
    ]);
    servers::post_alerts(&am, &alerts);
    let work = tempfile::tempdir().unwrap();
    let runbooks = work.path().join("runbooks");
    std::fs::create_dir(&runbooks).unwrap();
    std::fs::write(
        runbooks.join("VolumeAlmostFull.md"),
        "# Volume almost full\n\n## Alert\n\nA volume is nearly full.\n\n## Check\n\n1. Look at usage: `kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}`\n\n## Diagnose\n\n1. Find what grew.\n\n## Mitigate\n\n1. Expand the volume.\n\n## Postmortem\n\nWrite it up.\n",
    )
    .unwrap();
    let config = work.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "alertmanager:\n  url: {}\n  poll_interval: 1s\n  timeout: 2s\n",
            am.url()
        ),
    )
    .unwrap();
    let data = work.path().join("data");
    // As the Alertmanager UI puts it in the address bar (another host's).
    let link = "https://alertmanager.example.com/#/alerts?silenced=false&inhibited=false&active=true&filter=%7Balertname%3D%22VolumeAlmostFull%22%2Cnamespace%3D%22payments%22%7D";
    let args = format!(
        "--config '{}' --runbooks '{}' open '{link}'",
        config.display(),
        runbooks.display()
    );
    let a = Tmux::start_with("open-a", 80, 24, &data, "e2e-alice", &args);
    let s = a.wait_for("Enter declares");
    assert!(s.contains("Volume almost full"), "{s}");
    assert!(s.contains("kubectl -n payments get pvc data-db-0"), "{s}");
    assert!(
        !data.join("incidents").exists()
            || std::fs::read_dir(data.join("incidents")).unwrap().count() == 0,
        "open declared by itself"
    );
    a.keys(&["Enter"]);
    let id = a.declared();
    // Bob pastes the same link: he joins Alice's incident.
    let b = Tmux::start_with("open-b", 80, 24, &data, "e2e-bob", &args);
    let s = b.wait_for("joined open incident");
    assert!(s.contains(&id), "{s}");
    // A link for an alert that has resolved says so.
    let gone = format!(
        "--config '{}' --runbooks '{}' --no-mouse open 'https://am.example.com/#/alerts?filter=%7Balertname%3D%22DiskGone%22%7D'",
        config.display(),
        runbooks.display()
    );
    let c = Tmux::start_with("open-c", 80, 24, &data, "e2e-carol", &gone);
    let s = c.wait_for("no firing alert matches");
    assert!(s.contains("VolumeAlmostFull"), "all alerts are shown: {s}");
    assert!(!c.mouse_on(), "--no-mouse leaves the mouse to the terminal");
}
