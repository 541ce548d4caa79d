//! The Pods pane's word about its scope, and refusals that are the same for
//! every cluster change.

mod common;

use common::Harness;
use warroom::app::Msg;
use warroom::sources::SourceMsg;

fn with_cluster() -> Harness {
    let mut h = Harness::at(0);
    h.send(Msg::Source(SourceMsg::Cluster {
        context: "prod-eu".into(),
        namespace: "shop".into(),
    }));
    h
}

#[test]
fn the_status_line_names_the_namespace_in_force() {
    let mut h = with_cluster();
    assert!(h.screen(200, 50).contains("⎈ prod-eu/shop"));
    h.command("ns payments");
    let screen = h.screen(200, 50);
    assert!(screen.contains("⎈ prod-eu/payments"), "{screen}");
    h.command("ns all");
    assert!(h.screen(200, 50).contains("⎈ prod-eu/all namespaces"));
    h.command("ns bad_ns!");
    assert!(h.screen(200, 50).contains("is not a namespace name"));
}

#[test]
fn a_pod_not_in_the_list_is_refused_for_delete_as_for_restart() {
    let mut h = with_cluster();
    for cmd in ["delete nosuch-pod", "restart nosuch-pod"] {
        h.command(cmd);
        assert!(h.mode.is_normal(), "{cmd} asked: {:?}", h.mode);
        let screen = h.screen(200, 50);
        assert!(
            screen.contains("pod nosuch-pod is not in the list"),
            "{cmd}:\n{screen}"
        );
    }
}
