//! End to end: two cockpits (the real binary in tmux, separate data dirs,
//! as two responders' laptops) share one incident through the test API
//! server with `--share`: the second joins the first's declaration, each
//! one's note reaches the other's screen, both keep writing while the API
//! server is killed and converge when it is back, and both journals give
//! the same export, with no event twice.
#![allow(clippy::unwrap_used, clippy::panic)]

mod kube_server;
mod tmux;

use std::time::Duration;

use tmux::{Tmux, warroom};

#[test]
fn two_cockpits_share_an_incident_through_the_cluster() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(kube_server::KubeServer::start());
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = format!("--kubeconfig '{}' --share", server.kubeconfig.display());
    let ta = Tmux::start("share-a", 120, 30, a.path(), &args);
    let tb = Tmux::start("share-b", 120, 30, b.path(), &args);
    ta.wait_for("kubernetes live");
    tb.wait_for("kubernetes live");
    // Declared by hand: written at once.
    ta.command("declare catalog checkout slow");
    let id = ta.declared();
    ta.wait_for("share: live");
    // The second laptop declares the same thing: it joins the first's.
    tb.command("declare catalog checkout slow");
    let s = tb.wait_for("joined open incident");
    assert!(s.contains(&id), "{s}");
    tb.wait_for("share: live");
    // The Timeline filling the screen, so notes are read whole.
    for t in [&ta, &tb] {
        t.keys(&["5", "f"]);
    }
    ta.keys(&["n"]);
    ta.wait_for("Enter saves");
    ta.text("from the first laptop");
    ta.keys(&["Enter"]);
    tb.wait_within("from the first laptop", Duration::from_secs(5));
    tb.keys(&["n"]);
    tb.wait_for("Enter saves");
    tb.text("from the second laptop");
    tb.keys(&["Enter"]);
    ta.wait_within("from the second laptop", Duration::from_secs(5));
    // The API server dies mid-incident; both keep writing and say what waits.
    server.kill();
    for (t, text) in [
        (&ta, "first, while the cluster is away"),
        (&tb, "second, while the cluster is away"),
    ] {
        t.keys(&["n"]);
        t.wait_for("Enter saves");
        t.text(text);
        t.keys(&["Enter"]);
    }
    ta.wait_within("share: offline, 1 event waiting", Duration::from_secs(10));
    tb.wait_within("share: offline, 1 event waiting", Duration::from_secs(10));
    // Back: each gets the other's, and nothing waits.
    rt.block_on(server.restart());
    ta.wait_within("second, while the cluster is away", Duration::from_secs(15));
    tb.wait_within("first, while the cluster is away", Duration::from_secs(15));
    ta.wait_within("share: live", Duration::from_secs(10));
    tb.wait_within("share: live", Duration::from_secs(10));
    // Leaving asks first while an incident is open.
    for t in [&ta, &tb] {
        t.keys(&["q"]);
        t.wait_for("quits");
        t.keys(&["y"]);
        let s = t.wait_for("EXIT=");
        assert!(s.contains("EXIT=0"), "{s}");
    }
    let export = |dir: &std::path::Path| {
        let out = warroom(dir, &["export", &id]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let (ea, eb) = (export(a.path()), export(b.path()));
    assert!(ea.contains("from the second laptop") && ea.contains("from the first laptop"));
    assert!(ea.contains("second, while the cluster is away"));
    // No event twice in either journal.
    for dir in [a.path(), b.path()] {
        let text =
            std::fs::read_to_string(dir.join("incidents").join(format!("{id}.jsonl"))).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let ids: Vec<String> = lines.iter().map(|l| l["event_id"].to_string()).collect();
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{text}");
        // The responders' five, besides the records of sharing (one per
        // cockpit that did not find the other's first: both run here, on
        // one machine of one name).
        let own = lines.iter().filter(|l| l["kind"] != "shared").count();
        assert_eq!(own, 5, "{text}");
        assert!(
            lines.iter().any(|l| l["kind"] == "shared"),
            "sharing is on the record: {text}"
        );
    }
    assert_eq!(ea, eb, "the same export on both laptops");
    drop(rt);
}
