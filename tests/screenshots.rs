//! The README's screenshots are the real rendering of the cockpit: this test
//! renders the demo and compares with screenshots/*.svg. After a UI change,
//! regenerate them with `WARROOM_UPDATE_SCREENSHOTS=1 cargo test --test screenshots`.

mod common;

use common::Harness;
use crossterm::event::KeyCode;

fn check(name: &str, h: &Harness, w: u16, ht: u16) {
    common::screenshot(name, h.render(w, ht).backend().buffer());
}

#[test]
fn screenshots_match_the_rendering() {
    let mut h = Harness::at(95);
    check("launch-200x50", &h, 200, 50);
    h.key(KeyCode::Enter);
    h.advance(25);
    h.key(KeyCode::Char(' '));
    h.advance(40);
    h.key(KeyCode::Char(' '));
    h.advance(30);
    h.command("note p99 follows the 02:53 deploy of catalog; rolling back");
    h.advance(5);
    check("incident-200x50", &h, 200, 50);
    check("incident-80x24", &h, 80, 24);
    // Running a step: the confirmation, then the output panel.
    h.app.runbook.cursor = h
        .app
        .shown_runbook()
        .and_then(|rb| rb.position("rollback-release"))
        .expect("the shipped runbook has the rollback step");
    h.key(KeyCode::Char('r'));
    check("run-confirm-200x50", &h, 200, 50);
    h.key(KeyCode::Char('y'));
    let id = h.app.runs.latest.as_ref().expect("running").id;
    h.send(warroom::app::Msg::Run(warroom::exec::RunReport::Output {
        id,
        lines: vec![
            "deployment.apps/catalog rolled back".into(),
            "Waiting for deployment \"catalog\" rollout to finish: 1 of 3 updated replicas are available...".into(),
            "Waiting for deployment \"catalog\" rollout to finish: 2 of 3 updated replicas are available...".into(),
            "deployment \"catalog\" successfully rolled out".into(),
        ],
    }));
    h.send(warroom::app::Msg::Run(warroom::exec::RunReport::Finished {
        id,
        outcome: warroom::domain::incident::RunOutcome::Exited(0),
        duration: std::time::Duration::from_secs(41),
    }));
    check("run-output-200x50", &h, 200, 50);
}

/// The README's game-day pictures: the pre-flight, then the abort query
/// charted while the fault is in (the demo's simulated world).
#[test]
fn game_day_screenshots_match_the_rendering() {
    use warroom::app::Msg;
    use warroom::app::msg::Ask;
    let mut h = Harness::at(95);
    h.app.settings.demo = true;
    let path = std::path::Path::new("runbooks/experiments/checkout-network-delay.yaml");
    h.command(&format!("gameday {}", path.display()));
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut loaded = warroom::domain::exercise::Experiment::load(&file).expect("shipped");
    loaded.source = path.to_path_buf();
    h.send(Msg::ExperimentLoaded(Ok(loaded)));
    for ask in [Ask::SteadyBefore, Ask::AbortBefore] {
        let at = h.now();
        h.send(Msg::ExerciseAnswer {
            ask,
            at,
            result: Ok(Vec::new()),
        });
    }
    h.send(Msg::PodsCounted(Ok(2)));
    check("gameday-preflight-200x50", &h, 200, 50);
    h.chars("checkout-network-delay");
    h.key(KeyCode::Enter);
    let run = h.app.incident.as_ref().expect("declared").id.clone();
    h.send(Msg::FaultApplied {
        what: "apply NetworkChaos checkout-network-delay".into(),
        result: Ok(warroom::sources::kubernetes::FaultRef {
            api_version: "chaos-mesh.org/v1alpha1".into(),
            kind: "NetworkChaos".into(),
            namespace: "shop".into(),
            name: "checkout-network-delay".into(),
            run,
        }),
    });
    for v in [None, None, Some(1.05)] {
        h.advance(5);
        let at = h.now();
        h.send(Msg::ExerciseAnswer {
            ask: Ask::Abort,
            at,
            result: Ok(v
                .map(|v| vec![("{service=\"checkout\"}".to_string(), v)])
                .unwrap_or_default()),
        });
    }
    h.key(KeyCode::Char('4'));
    check("gameday-200x50", &h, 200, 50);
}
