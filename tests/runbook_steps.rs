//! Runbook steps that run: commands behind confirmation, danger typing,
//! read-only refusal, gates and overrides, verify checks and queries,
//! rollback, branches and cancelling — driven through the reducer.

mod common;

use std::path::Path;
use std::time::Duration;

use common::Harness;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::Mode;
use warroom::app::modal::RunDraft;
use warroom::app::{Effect, Msg};
use warroom::domain::incident::{EventKind, Purpose, RunOutcome};
use warroom::domain::runbook;
use warroom::exec::{RunReport, RunSpec};

pub const STEPS: &str = r#"---
id: t-steps
namespace: shop
last_exercised: 2026-11-01
---
# Test steps

## Alert
Latency is high.

## Check
1. Look at the pods: `kubectl -n $NAMESPACE get pods`
2. If everything is healthy, go to step 4.
3. Compare both:

   ```sh
   echo first
   ```

   ```sh
   echo second
   ```
4. Done checking.

## Mitigate
1. Restart the workers.

   ```sh
   kubectl -n {{ $labels.namespace }} rollout restart deploy/worker
   ```

   ```yaml
   id: restart-workers
   requires: [check-1]
   owner: application
   verify: kubectl -n shop rollout status deploy/worker
   verify_query: sum(up{job="worker"}) > 0
   rollback: kubectl -n shop rollout undo deploy/worker
   ```
2. Fail over the database.

   ```sh
   echo failover {{ $labels.pod }}
   ```

   ```yaml
   id: failover
   danger: true
   resource: db-primary
   owner: database
   ```
3. Broken contract.

   ```sh
   echo never
   ```

   ```yaml
   id: broken
   requries: [x]
   ```

## Postmortem
Write it.
"#;

/// An incident declared on the demo's first alert with the test runbook as
/// its checklist, Runbook pane focused on step 1.
pub fn with_steps() -> Harness {
    let mut h = Harness::at(0);
    let rb = runbook::parse(Path::new("t-steps.md"), STEPS).expect("test runbook parses");
    h.app.runbooks.library.runbooks.push(rb);
    h.key(KeyCode::Enter);
    h.command("runbook t-steps");
    assert_eq!(
        h.app
            .incident_state()
            .and_then(|i| i.runbook.as_ref())
            .map(|r| r.id.as_str()),
        Some("t-steps")
    );
    h
}

fn goto(h: &mut Harness, id: &str) {
    let pos = h
        .app
        .shown_runbook()
        .and_then(|rb| rb.position(id))
        .expect("step exists");
    h.app.runbook.cursor = pos;
}

/// The command waiting for confirmation; fails the test when none is.
fn confirming(h: &Harness) -> &RunDraft {
    match &h.mode {
        Mode::ConfirmRun(d) => d,
        other => panic!("expected a run confirmation, got {other:?}"),
    }
}

/// Gives the incident's alert a label, as if the alert had carried it.
fn set_label(h: &mut Harness, key: &str, value: &str) {
    h.app
        .incident
        .as_mut()
        .and_then(|i| i.state.as_mut())
        .expect("incident")
        .alert
        .labels
        .insert(key.into(), value.into());
}

fn last_run(h: &Harness) -> Option<RunSpec> {
    h.effects.iter().rev().find_map(|e| match e {
        Effect::Run(s) => Some(s.clone()),
        _ => None,
    })
}

fn runs(h: &Harness) -> usize {
    h.effects
        .iter()
        .filter(|e| matches!(e, Effect::Run(_)))
        .count()
}

fn events(h: &Harness) -> Vec<EventKind> {
    h.app
        .incident
        .as_ref()
        .map(|i| i.events.iter().map(|e| e.kind.clone()).collect())
        .unwrap_or_default()
}

fn flash(h: &Harness) -> String {
    h.app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default()
}

fn finish(h: &mut Harness, id: u64, lines: &[&str], outcome: RunOutcome) {
    h.send(Msg::Run(RunReport::Output {
        id,
        lines: lines.iter().map(|s| s.to_string()).collect(),
    }));
    h.send(Msg::Run(RunReport::Finished {
        id,
        outcome,
        duration: Duration::from_millis(1200),
    }));
}

#[test]
fn r_shows_the_filled_command_and_y_runs_and_records_it() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char('r'));
    let d = confirming(&h);
    assert_eq!(d.command, "kubectl -n shop get pods");
    assert!(!d.mutating);
    let screen = h.screen(80, 24);
    assert!(screen.contains("$ kubectl -n shop get pods"), "{screen}");
    assert!(screen.contains("y runs it"), "{screen}");
    assert_eq!(runs(&h), 0, "nothing runs before y");
    h.key(KeyCode::Char('y'));
    let spec = last_run(&h).expect("a run");
    assert_eq!(spec.command, "kubectl -n shop get pods");
    assert!(
        spec.env
            .iter()
            .any(|(k, v)| k == "WARROOM_STEP" && v == "check-1")
    );
    assert!(matches!(h.mode, Mode::Output));
    assert!(events(&h).iter().any(|e| matches!(
        e,
        EventKind::CommandStarted { step, purpose: Purpose::Run, .. } if step == "check-1"
    )));
    finish(
        &mut h,
        spec.id,
        &["NAME READY STATUS", "worker-1 1/1 Running"],
        RunOutcome::Exited(0),
    );
    let recorded = events(&h)
        .into_iter()
        .find_map(|e| match e {
            EventKind::CommandFinished {
                original: None,
                outcome,
                output,
                ..
            } => Some((outcome, output)),
            _ => None,
        })
        .expect("the end is recorded");
    assert_eq!(recorded.0, RunOutcome::Exited(0));
    assert_eq!(recorded.1, "NAME READY STATUS\nworker-1 1/1 Running");
    let screen = h.screen(100, 30);
    assert!(screen.contains("worker-1 1/1 Running"), "{screen}");
    assert!(screen.contains("exit 0 in 1s"), "{screen}");
    h.key(KeyCode::Esc);
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("$ exit 0 in 1s · 03:00:00 alice"),
        "{screen}"
    );
}

#[test]
fn anything_but_y_cancels_and_several_commands_are_picked_from() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('n'));
    assert!(matches!(h.mode, Mode::Normal));
    assert_eq!(runs(&h), 0);
    goto(&mut h, "check-3");
    h.key(KeyCode::Char('r'));
    let Mode::PickCommand(p) = &h.mode else {
        panic!("expected a picker, got {:?}", h.mode)
    };
    assert_eq!(p.options, ["echo first", "echo second"]);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('y'));
    assert_eq!(
        last_run(&h).map(|s| s.command).as_deref(),
        Some("echo second")
    );
}

#[test]
fn read_only_refuses_steps_that_change_things_but_not_checks() {
    let mut h = with_steps();
    h.app.settings.read_only = true;
    h.key(KeyCode::Char(' ')); // check-1 done, so the gate is open
    goto(&mut h, "restart-workers");
    h.key(KeyCode::Char('r'));
    assert!(matches!(h.mode, Mode::Normal));
    assert!(flash(&h).contains("read-only"), "{}", flash(&h));
    h.key(KeyCode::Char('b'));
    assert!(flash(&h).contains("read-only"), "{}", flash(&h));
    assert_eq!(runs(&h), 0);
    // Its verify check only reads, so it may run.
    h.key(KeyCode::Char('v'));
    h.key(KeyCode::Char('y'));
    assert_eq!(
        last_run(&h).map(|s| s.command).as_deref(),
        Some("kubectl -n shop rollout status deploy/worker")
    );
}

#[test]
fn a_closed_gate_refuses_until_overridden_and_the_override_is_recorded() {
    let mut h = with_steps();
    goto(&mut h, "restart-workers");
    h.key(KeyCode::Char(' '));
    let Mode::Gate(g) = &h.mode else {
        panic!("expected the gate, got {:?}", h.mode)
    };
    assert_eq!(g.missing, ["check-1"]);
    assert!(h.screen(80, 24).contains("requires check-1 first"));
    h.key(KeyCode::Char('x'));
    assert!(h.app.shown_step_done("restart-workers").is_none());
    h.key(KeyCode::Char('r'));
    assert!(matches!(h.mode, Mode::Gate(_)));
    h.key(KeyCode::Char('O'));
    assert!(matches!(h.mode, Mode::ConfirmRun(_)), "{:?}", h.mode);
    let ev = events(&h);
    assert!(ev.iter().any(|e| matches!(
        e,
        EventKind::GateOverridden { step, missing, .. } if step == "restart-workers" && missing == &["check-1".to_string()]
    )));
    h.key(KeyCode::Esc);
    // Overridden once, the gate stays open for this step.
    h.key(KeyCode::Char(' '));
    assert!(h.app.shown_step_done("restart-workers").is_some());
}

#[test]
fn ticking_the_required_step_opens_the_gate() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char(' '));
    goto(&mut h, "restart-workers");
    h.key(KeyCode::Char('r'));
    let d = confirming(&h);
    assert!(d.mutating);
    assert_eq!(d.command, "kubectl -n shop rollout restart deploy/worker");
}

#[test]
fn a_dangerous_step_needs_its_id_or_resource_typed() {
    let mut h = with_steps();
    set_label(&mut h, "pod", "db-0");
    goto(&mut h, "failover");
    h.key(KeyCode::Char('r'));
    let screen = h.screen(80, 24);
    assert!(screen.contains("DANGER"), "{screen}");
    h.key(KeyCode::Char('y'));
    assert_eq!(runs(&h), 0, "y alone is not enough");
    h.chars("fail");
    h.key(KeyCode::Enter);
    let d = confirming(&h);
    assert!(d.error.as_deref().unwrap_or("").contains("nothing was run"));
    assert_eq!(runs(&h), 0);
    for _ in 0..5 {
        h.key(KeyCode::Backspace);
    }
    h.chars("db-primary");
    h.key(KeyCode::Enter);
    assert_eq!(
        last_run(&h).map(|s| s.command).as_deref(),
        Some("echo failover db-0")
    );
}

#[test]
fn unfilled_placeholders_must_be_edited_before_running() {
    let mut h = with_steps();
    goto(&mut h, "failover");
    h.key(KeyCode::Char('r'));
    h.chars("failover");
    h.key(KeyCode::Enter);
    let d = confirming(&h);
    assert!(
        d.error
            .as_deref()
            .unwrap_or("")
            .contains("{{ $labels.pod }}"),
        "{:?}",
        d.error
    );
    assert_eq!(runs(&h), 0);
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('e'),
        KeyModifiers::CONTROL,
    )));
    // Replace the placeholder at the end of the line with a real name.
    for _ in 0.."{{ $labels.pod }}".len() {
        h.key(KeyCode::Backspace);
    }
    h.chars("db-1");
    h.key(KeyCode::Enter);
    h.chars("failover");
    h.key(KeyCode::Enter);
    assert_eq!(
        last_run(&h).map(|s| s.command).as_deref(),
        Some("echo failover db-1")
    );
}

#[test]
fn a_failed_step_offers_its_rollback() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char(' '));
    goto(&mut h, "restart-workers");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    let id = last_run(&h).expect("run").id;
    finish(&mut h, id, &["error: forbidden"], RunOutcome::Exited(1));
    assert!(flash(&h).contains("b runs its rollback"), "{}", flash(&h));
    h.key(KeyCode::Char('b'));
    let d = confirming(&h);
    assert_eq!(d.purpose, Purpose::Rollback);
    assert_eq!(d.command, "kubectl -n shop rollout undo deploy/worker");
    h.key(KeyCode::Char('y'));
    let spec = last_run(&h).expect("rollback run");
    finish(&mut h, spec.id, &[], RunOutcome::Exited(0));
    assert!(events(&h).iter().any(|e| matches!(
        e,
        EventKind::CommandFinished {
            original: None,
            purpose: Purpose::Rollback,
            outcome: RunOutcome::Exited(0),
            ..
        }
    )));
}

#[test]
fn a_passing_verify_command_marks_the_step_verified() {
    let mut h = with_steps();
    goto(&mut h, "restart-workers");
    h.key(KeyCode::Char('v'));
    h.key(KeyCode::Char('y'));
    let spec = last_run(&h).expect("verify run");
    finish(&mut h, spec.id, &["rolled out"], RunOutcome::Exited(1));
    assert!(
        h.app.shown_step_verified("restart-workers").is_none(),
        "a failed check proves nothing"
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('v'));
    h.key(KeyCode::Char('y'));
    let spec = last_run(&h).expect("verify run");
    finish(&mut h, spec.id, &["rolled out"], RunOutcome::Exited(0));
    assert!(h.app.shown_step_verified("restart-workers").is_some());
    assert!(
        h.app.shown_step_done("restart-workers").is_some(),
        "verified counts as done"
    );
}

#[test]
fn a_verify_query_with_data_turns_the_step_green_by_itself() {
    let mut h = with_steps();
    let asked = |h: &Harness| {
        h.effects
            .iter()
            .filter_map(|e| match e {
                Effect::CheckQuery { step, query } => Some((step.clone(), query.clone())),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    h.advance(1);
    let q = asked(&h);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].0.runbook, "t-steps");
    assert_eq!(q[0].1, "sum(up{job=\"worker\"}) > 0");
    h.send(Msg::QueryChecked {
        step: q[0].0.clone(),
        query: q[0].1.clone(),
        result: Ok(0),
    });
    goto(&mut h, "restart-workers");
    let screen = h.screen(200, 50);
    assert!(screen.contains("not met yet"), "{screen}");
    h.advance(5);
    assert_eq!(asked(&h).len(), 1, "not asked again before 15 s");
    h.advance(15);
    assert_eq!(asked(&h).len(), 2);
    h.send(Msg::QueryChecked {
        step: q[0].0.clone(),
        query: q[0].1.clone(),
        result: Ok(2),
    });
    assert!(h.app.shown_step_done("restart-workers").is_some());
    let how = &h
        .app
        .shown_step_verified("restart-workers")
        .expect("verified")
        .1;
    assert!(how.contains("verify_query returned 2 series"), "{how}");
    h.advance(30);
    assert_eq!(asked(&h).len(), 2, "a confirmed step is not asked again");
}

#[test]
fn enter_follows_a_branch_and_records_the_path() {
    let mut h = with_steps();
    goto(&mut h, "check-2");
    h.key(KeyCode::Enter);
    let at = h.app.selected_step().map(|s| s.id.clone()).expect("a step");
    assert_eq!(at, "check-4");
    assert!(events(&h).iter().any(|e| matches!(
        e,
        EventKind::BranchTaken { from, to, label } if from == "check-2" && to == "check-4" && label == "go to step 4"
    )));
    h.key(KeyCode::Enter);
    assert!(flash(&h).contains("no branch"), "{}", flash(&h));
}

#[test]
fn ctrl_c_stops_the_command_not_the_cockpit() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    let id = last_run(&h).expect("run").id;
    h.key(KeyCode::Esc); // hide the panel; the command keeps running
    assert!(h.app.running());
    h.key(KeyCode::Char('r'));
    assert!(flash(&h).contains("still running"), "{}", flash(&h));
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(!h.app.quit);
    assert!(h.effects.contains(&Effect::CancelRun(id)));
    finish(&mut h, id, &[], RunOutcome::Cancelled);
    assert!(events(&h).iter().any(|e| matches!(
        e,
        EventKind::CommandFinished {
            original: None,
            outcome: RunOutcome::Cancelled,
            ..
        }
    )));
    // With nothing running, Ctrl-C is quit again (asking, as an incident is open).
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(matches!(h.mode, Mode::ConfirmQuit));
}

#[test]
fn a_step_with_an_unreadable_contract_is_never_run() {
    let mut h = with_steps();
    goto(&mut h, "mitigate-3");
    h.key(KeyCode::Char('r'));
    assert!(matches!(h.mode, Mode::Normal));
    assert!(flash(&h).contains("cannot be read"), "{}", flash(&h));
    assert_eq!(runs(&h), 0);
}

#[test]
fn commands_need_a_declared_incident() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('r'));
    assert!(
        flash(&h).contains("declare the incident first"),
        "{}",
        flash(&h)
    );
    assert_eq!(runs(&h), 0);
}

/// Every step overlay and the pane's contract lines, at both sizes.
#[test]
fn snapshots_of_the_step_panes_and_dialogs() {
    let sizes = [(80u16, 24u16), (200, 50)];
    let mut h = with_steps();
    goto(&mut h, "restart-workers");
    for (w, ht) in sizes {
        insta::assert_snapshot!(format!("contracts_{w}x{ht}"), h.screen(w, ht));
    }
    h.key(KeyCode::Char('r'));
    for (w, ht) in sizes {
        insta::assert_snapshot!(format!("gate_{w}x{ht}"), h.screen(w, ht));
    }
    h.key(KeyCode::Char('O'));
    for (w, ht) in sizes {
        insta::assert_snapshot!(format!("confirm_run_{w}x{ht}"), h.screen(w, ht));
    }
    h.key(KeyCode::Char('y'));
    let id = last_run(&h).expect("run").id;
    h.send(Msg::Run(RunReport::Output {
        id,
        lines: (1..=40)
            .map(|i| format!("deployment.apps/worker restarted (line {i})"))
            .chain(std::iter::once(
                "E1122 04:42:09.180916 12327 memcache.go:265] couldn't get current server API group list: the server is unreachable; long lines wrap instead of being cut".to_string(),
            ))
            .collect(),
    }));
    for (w, ht) in sizes {
        insta::assert_snapshot!(format!("output_running_{w}x{ht}"), h.screen(w, ht));
    }
    h.send(Msg::Run(RunReport::Finished {
        id,
        outcome: RunOutcome::Exited(1),
        duration: Duration::from_secs(3),
    }));
    for (w, ht) in sizes {
        insta::assert_snapshot!(format!("output_failed_{w}x{ht}"), h.screen(w, ht));
    }
    h.key(KeyCode::Esc);
    goto(&mut h, "failover");
    h.key(KeyCode::Char('r'));
    for (w, ht) in sizes {
        insta::assert_snapshot!(format!("confirm_danger_{w}x{ht}"), h.screen(w, ht));
    }
    h.key(KeyCode::Esc);
    goto(&mut h, "check-3");
    h.key(KeyCode::Char('r'));
    for (w, ht) in sizes {
        insta::assert_snapshot!(format!("pick_command_{w}x{ht}"), h.screen(w, ht));
    }
}

#[test]
fn quitting_while_a_command_runs_asks_stops_it_and_records_it() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    let id = last_run(&h).expect("run").id;
    h.send(Msg::Run(RunReport::Output {
        id,
        lines: vec!["partial".into()],
    }));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('q'));
    assert!(matches!(h.mode, Mode::ConfirmQuit));
    assert!(h.screen(80, 24).contains("quitting stops it"));
    h.key(KeyCode::Char('y'));
    assert!(h.app.quit);
    assert!(h.effects.contains(&Effect::CancelRun(id)));
    assert!(events(&h).iter().any(|e| matches!(
        e,
        EventKind::CommandFinished { outcome: RunOutcome::Cancelled, output, .. } if output == "partial"
    )));
    // The runner's report of the stop may still arrive before the loop ends.
    finish(&mut h, id, &[], RunOutcome::Cancelled);
    let ends = events(&h)
        .iter()
        .filter(|e| matches!(e, EventKind::CommandFinished { .. }))
        .count();
    assert_eq!(ends, 1, "the end is recorded once");
}

/// Runs a command as the runner would (`/bin/sh -c`) in `dir` and returns
/// its output.
fn run_in_sh(command: &str, dir: &Path) -> String {
    let out = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .output()
        .expect("sh");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_hostile_label_value_runs_only_as_a_quoted_word_on_every_path() {
    let dir = tempfile::tempdir().expect("tmp");
    let hostile = "ns;touch pwned-ns";
    let mut h = with_steps();
    set_label(&mut h, "namespace", hostile);
    goto(&mut h, "check-1");
    h.key(KeyCode::Char('r'));
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("kubectl -n 'ns;touch pwned-ns' get pods"),
        "{screen}"
    );
    assert!(screen.contains("quoted, so the shell reads it"), "{screen}");
    assert!(screen.contains("y runs it"), "{screen}");
    // Path 1: y at once.
    h.key(KeyCode::Char('y'));
    let first = last_run(&h).expect("ran").command;
    assert_eq!(first, "kubectl -n 'ns;touch pwned-ns' get pods");
    // Path 2: e, Enter without changing anything, then y.
    h.key(KeyCode::Esc);
    let id = last_run(&h).expect("ran").id;
    finish(&mut h, id, &[], RunOutcome::Exited(0));
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('e'));
    let Mode::ConfirmRun(d) = &h.mode else {
        panic!("editing")
    };
    assert_eq!(
        d.input.lines().join("\n"),
        "kubectl -n $NAMESPACE get pods",
        "the editor holds the command as written, placeholders and all"
    );
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    assert_eq!(last_run(&h).expect("ran").command, first);
    // Path 3: e with changes: the placeholder is filled and quoted again.
    h.key(KeyCode::Esc);
    let id = last_run(&h).expect("ran").id;
    finish(&mut h, id, &[], RunOutcome::Exited(0));
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('e'));
    for _ in 0.." get pods".len() {
        h.key(KeyCode::Backspace);
    }
    h.chars(" get pods; echo \"$NAMESPACE\"");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    let edited = last_run(&h).expect("ran").command;
    assert_eq!(
        edited,
        "kubectl -n 'ns;touch pwned-ns' get pods; echo \"ns;touch pwned-ns\""
    );
    // What each path runs, run for real: the value is one argument and
    // nothing it says is executed.
    let probe = |cmd: &str| cmd.replacen("kubectl -n", "printf '<%s>\\n'", 1);
    assert_eq!(
        run_in_sh(&probe(&first), dir.path()),
        "<ns;touch pwned-ns>\n<get>\n<pods>\n"
    );
    assert_eq!(
        run_in_sh(&probe(&edited), dir.path()),
        "<ns;touch pwned-ns>\n<get>\n<pods>\nns;touch pwned-ns\n"
    );
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn the_output_panel_scrolls_from_the_first_line_to_the_newest() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('y'));
    let id = last_run(&h).expect("run").id;
    h.send(Msg::Run(RunReport::Output {
        id,
        lines: (1..=300).map(|i| format!("row {i:03}")).collect(),
    }));
    let screen = h.screen(80, 24);
    assert!(screen.contains("row 300"), "follows the newest:\n{screen}");
    h.key(KeyCode::Char('g'));
    let screen = h.screen(80, 24);
    assert!(screen.contains("row 001"), "top:\n{screen}");
    assert!(!screen.contains("row 300"), "{screen}");
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('G'));
    assert!(h.screen(80, 24).contains("row 300"));
}

/// `y` puts the step's command on the clipboard as the pane shows it:
/// values quoted for the shell, secrets masked unless revealed here.
#[test]
fn y_copies_the_command_as_shown() {
    let copied = |h: &Harness| {
        h.effects.iter().rev().find_map(|e| match e {
            Effect::Copy(t) => Some(t.clone()),
            _ => None,
        })
    };
    let mut h = with_steps();
    goto(&mut h, "check-1");
    set_label(&mut h, "namespace", "a b;c");
    h.key(KeyCode::Char('y'));
    assert_eq!(copied(&h).as_deref(), Some("kubectl -n 'a b;c' get pods"));
    assert!(flash(&h).contains("copied the command"), "{}", flash(&h));
    assert_eq!(runs(&h), 0, "copying runs nothing");
    set_label(&mut h, "namespace", "password=hunter22");
    h.key(KeyCode::Char('y'));
    assert_eq!(
        copied(&h).as_deref(),
        Some("kubectl -n password=[REDACTED] get pods")
    );
    assert!(flash(&h).contains(":reveal"), "{}", flash(&h));
    h.command("reveal");
    h.key(KeyCode::Char('y'));
    assert_eq!(
        copied(&h).as_deref(),
        Some("kubectl -n password=hunter22 get pods")
    );
    // Several commands: all of them, one per line.
    goto(&mut h, "check-3");
    h.key(KeyCode::Char('y'));
    assert_eq!(copied(&h).as_deref(), Some("echo first\necho second"));
    // A step without a command says so.
    goto(&mut h, "check-4");
    let before = h.effects.len();
    h.key(KeyCode::Char('y'));
    assert_eq!(h.effects.len(), before);
    assert!(flash(&h).contains("no command"), "{}", flash(&h));
}

const QUERIES: &str = "---\nid: q-steps\n---\n# Queries\n\n## Alert\nx\n\n## Check\n1. How fast is it now?\n\n   ```promql\n   histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"$service\"}[5m])))\n   ```\n2. Both views:\n\n   ```promql\n   up{namespace=\"$namespace\"}\n   ```\n\n   ```promql\n   sum(up)\n   ```\n\n## Diagnose\n1. think\n\n## Mitigate\n1. act\n\n## Postmortem\nwrite\n";

/// A `promql` step is asked of Prometheus, never run in a shell: `r` sends
/// the query with values as PromQL literals, the answer fills the output
/// panel and the record, and nothing reaches `sh`.
#[test]
fn a_promql_step_runs_against_prometheus_not_the_shell() {
    let mut h = Harness::at(0);
    let rb = runbook::parse(Path::new("q-steps.md"), QUERIES).expect("parses");
    h.app.runbooks.library.runbooks.push(rb);
    h.key(KeyCode::Enter);
    h.command("runbook q-steps");
    set_label(&mut h, "service", "cat\"alog");
    goto(&mut h, "check-1");
    let screen = h.screen(200, 50);
    assert!(screen.contains("⌕ histogram_quantile"), "{screen}");
    assert!(!screen.contains("$ histogram_quantile"), "{screen}");
    h.key(KeyCode::Char('r'));
    assert_eq!(runs(&h), 0, "no shell");
    let (id, query) = h
        .effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::RunQuery { id, query } => Some((*id, query.clone())),
            _ => None,
        })
        .expect("the query is asked");
    assert!(query.contains("service=\"cat\\\"alog\""), "{query}");
    assert!(matches!(h.mode, Mode::Output));
    finish(
        &mut h,
        id,
        &[
            "1 series; values now and the last 30 minutes:",
            "{}  1.2  ▁▂▃",
        ],
        RunOutcome::Answered(1),
    );
    let screen = h.screen(200, 50);
    assert!(screen.contains("⌕ histogram_quantile"), "{screen}");
    assert!(screen.contains("1 series; values now"), "{screen}");
    assert!(events(&h).iter().any(|e| matches!(
        e,
        EventKind::CommandFinished { purpose: Purpose::Query, outcome: RunOutcome::Answered(1), output, .. }
            if output.contains("1 series")
    )));
    assert!(flash(&h).contains("1 series"), "{}", flash(&h));
    // Two queries: pick one, as with commands.
    h.key(KeyCode::Esc);
    goto(&mut h, "check-2");
    h.key(KeyCode::Char('r'));
    let Mode::PickCommand(p) = &h.mode else {
        panic!("expected a pick, got {:?}", h.mode)
    };
    assert!(p.query);
    assert_eq!(p.options[1], "sum(up)");
    h.key(KeyCode::Char('2'));
    assert!(matches!(
        h.effects.last(),
        Some(Effect::RunQuery { query, .. }) if query == "sum(up)"
    ));
    assert_eq!(runs(&h), 0);
}

/// A run edited before it ran is recorded as edited, with the runbook's own
/// command beside what ran; the pane says so; and the export lists every
/// run of a step, ticked or not.
#[test]
fn edited_runs_and_runs_of_unticked_steps_are_in_the_record() {
    let mut h = with_steps();
    goto(&mut h, "check-1");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('e'));
    h.chars(" -o wide");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    let spec = last_run(&h).expect("ran");
    assert_eq!(spec.command, "kubectl -n shop get pods -o wide");
    finish(&mut h, spec.id, &["pod-a Running"], RunOutcome::Exited(0));
    assert!(events(&h).iter().any(|e| matches!(
        e,
        EventKind::CommandFinished { command, original: Some(o), .. }
            if command == "kubectl -n shop get pods -o wide" && o == "kubectl -n shop get pods"
    )));
    h.key(KeyCode::Esc);
    let screen = h.screen(200, 50);
    assert!(
        screen.contains("edited before running; ran: kubectl -n shop get pods -o wide"),
        "{screen}"
    );
    // Not ticked, and still in the export with its run.
    let evs: Vec<_> = h.app.incident.as_ref().expect("open").events.clone();
    let md = warroom::domain::export::markdown(
        &evs,
        warroom::domain::export::DEFAULT_TEMPLATE,
        &warroom::domain::policy::Matrix::default(),
    )
    .expect("exports");
    assert!(
        md.contains("- [ ] Check — check-1: Look at the pods"),
        "{md}"
    );
    assert!(
        md.contains("  - run `kubectl -n shop get pods -o wide` → exit 0 in 1s"),
        "{md}"
    );
    assert!(
        md.contains("edited before running, the runbook said `kubectl -n shop get pods`"),
        "{md}"
    );
}
