use super::*;

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid timestamp")
}

fn crashing() -> Pod {
    Pod {
        namespace: "shop".into(),
        name: "catalog-7d9f8b6c5-x2x9z".into(),
        ready: 0,
        containers: 1,
        status: "CrashLoopBackOff".into(),
        restarts: 5,
        created_at: at("2026-11-19T00:00:00Z"),
        node: "ip-10-0-3-17".into(),
        last_restart: Some(at("2026-11-21T02:57:30Z")),
        last_exit: Some("OOMKilled, exit 137".into()),
        ..Pod::default()
    }
}

#[test]
fn restarts_are_printed_as_kubectl_prints_them() {
    let now = at("2026-11-21T03:00:00Z");
    let mut p = crashing();
    assert_eq!(restarts_text(&p, now), "5 (2m30s ago)");
    p.last_restart = Some(at("2026-11-21T01:00:00Z"));
    assert_eq!(restarts_text(&p, now), "5 (120m ago)");
    p.last_restart = None;
    assert_eq!(restarts_text(&p, now), "5");
    p.restarts = 0;
    p.last_restart = Some(at("2026-11-21T01:00:00Z"));
    assert_eq!(restarts_text(&p, now), "0");
}

#[test]
fn the_last_exit_goes_first_then_the_restart_time_then_node_then_the_name_is_cut() {
    let now = at("2026-11-21T03:00:00Z");
    let pod = crashing();
    let cells = [Cells::of(&pod, now, false)];
    assert_eq!(cells[0].exit.as_deref(), Some("OOMKilled 137"));
    assert_eq!(cells[0].short, "5 (2m30s)");
    // 23 + 5 + 32 + 13 + 4 + 12 and five gaps.
    let wide = Columns::fit(&cells, 94);
    assert!(wide.exit && wide.timed == Timed::Ago && wide.node == 12 && wide.name == 23);
    let no_exit = Columns::fit(&cells, 93);
    assert!(!no_exit.exit && no_exit.timed == Timed::Ago && no_exit.node == 12);
    assert_eq!(no_exit.status, 16);
    // 23 + 5 + 16 + 9 + 4 + 12 and five gaps.
    let short = Columns::fit(&cells, 74);
    assert!(short.timed == Timed::Short && short.restarts == 9 && short.node == 12);
    let untimed = Columns::fit(&cells, 73);
    assert!(untimed.timed == Timed::No && untimed.restarts == 8 && untimed.node == 12);
    // Without NODE the time comes back: 23 + 5 + 16 + 13 + 4 and four gaps.
    let no_node = Columns::fit(&cells, 72);
    assert!(no_node.node == 0 && no_node.name == 23 && no_node.timed == Timed::Ago);
    let no_node = Columns::fit(&cells, 61);
    assert!(
        no_node.node == 0 && no_node.timed == Timed::Short,
        "{no_node:?}"
    );
    // Without NODE or the time, 60 wide: NAME gives what is missing, down to 10.
    let cut = Columns::fit(&cells, 50);
    assert_eq!((cut.node, cut.name, cut.timed), (0, 13, Timed::No));
    let cut = Columns::fit(&cells, 40);
    assert_eq!((cut.node, cut.name), (0, 10));
}
