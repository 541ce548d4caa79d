//! End to end: a DR drill and an aborted chaos game-day run by the real
//! binary in a real terminal (tmux, 80x24) against the demo's simulated
//! world, then read back with `warroom export`. The binary is the one
//! `WARROOM_E2E_BIN` names (the release build `scripts/test.sh` makes),
//! else the debug build cargo made for this test run, as in `e2e_tmux.rs`.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

mod tmux;

use tmux::{Tmux, runbooks, warroom};

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
