//! Progress belongs to its runbook: ticks and runs made on one runbook never
//! show on another attached to the same incident, survive edits to the file
//! around them, and the export reports them per runbook — never a step
//! nobody did as done.

mod common;

use std::path::Path;

use common::Harness;
use crossterm::event::KeyCode;
use warroom::app::Msg;
use warroom::domain::export;
use warroom::domain::policy::Matrix;
use warroom::domain::runbook;
use warroom::sources::SourceMsg;

const OTHER: &str = "---\nid: other\n---\n# Other\n\n## Alert\nx\n\n## Check\n1. Look at the queue: `echo queue`\n2. Look at the workers: `echo workers`\n\n## Diagnose\n1. think\n\n## Mitigate\n1. act\n\n## Postmortem\nwrite\n";

fn events(h: &Harness) -> Vec<warroom::domain::incident::Event> {
    h.app.incident.as_ref().expect("open").events.clone()
}

fn exported(h: &Harness) -> String {
    export::markdown(&events(h), export::DEFAULT_TEMPLATE, &Matrix::default()).expect("exports")
}

fn title_line(h: &Harness) -> String {
    h.screen(200, 50)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn ticks_stay_with_their_runbook_across_switches_and_in_the_export() {
    let mut h = Harness::at(0);
    let other = runbook::parse(Path::new("other.md"), OTHER).expect("parses");
    h.app.runbooks.library.runbooks.push(other);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char(' '));
    assert!(title_line(&h).contains("1/"), "{}", title_line(&h));

    h.command("runbook other");
    let title = title_line(&h);
    assert!(title.contains("Other · 0/4 done"), "{title}");
    assert!(title.contains("runbook 2 of 2"), "{title}");
    let screen = h.screen(200, 50);
    assert!(screen.contains("[ ] 1. Look at the queue"), "{screen}");
    assert!(!screen.contains("[x]"), "nothing is done here:\n{screen}");

    // Ticking here is this runbook's alone.
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    assert!(h.app.shown_step_done("check-2").is_some());
    assert!(h.app.shown_step_done("check-1").is_none());

    // Back to the first: its own tick, and only that.
    h.key(KeyCode::Char('['));
    let title = title_line(&h);
    assert!(title.contains("1/"), "{title}");
    assert!(h.app.shown_step_done("check-1").is_some());
    assert!(h.app.shown_step_done("check-2").is_none());

    let md = exported(&h);
    let first = md
        .find("Runbook API p99 latency above target")
        .expect("first runbook listed");
    let second = md
        .find("Runbook Other (other): 1 of 4 steps done.")
        .expect("{md}");
    assert!(first < second, "{md}");
    let other_part = &md[second..];
    assert!(
        other_part.contains("- [ ] Check — check-1: Look at the queue"),
        "{other_part}"
    );
    assert!(
        other_part.contains("- [x] Check — check-2: Look at the workers"),
        "{other_part}"
    );
    let first_part = &md[first..second];
    assert!(first_part.contains(": 1 of"), "{first_part}");
}

#[test]
fn an_edit_above_a_ticked_step_does_not_move_its_tick_and_a_removed_step_is_gone() {
    let mut h = Harness::at(0);
    let path = Path::new("other.md");
    h.app
        .runbooks
        .library
        .runbooks
        .push(runbook::parse(path, OTHER).expect("parses"));
    h.key(KeyCode::Enter);
    h.command("runbook other");
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' ')); // "Look at the workers" done
    // A bullet inserted above it: its position changes, its key does not.
    let edited = OTHER.replace(
        "1. Look at the queue",
        "1. Page the database team\n2. Look at the queue",
    );
    let edited = edited.replace("2. Look at the workers", "3. Look at the workers");
    h.send(Msg::Source(SourceMsg::Runbook {
        path: path.to_path_buf(),
        result: Ok(Box::new(runbook::parse(path, &edited).expect("parses"))),
    }));
    assert!(
        h.app.shown_step_done("check-3").is_some(),
        "the tick stayed on its step"
    );
    assert!(h.app.shown_step_done("check-2").is_none());
    let screen = h.screen(200, 50);
    assert!(screen.contains("[x] 3. Look at the workers"), "{screen}");
    assert!(screen.contains("[ ] 1. Page the database team"), "{screen}");

    // The ticked step removed from the file: the pane says it is gone, the
    // export keeps it, no other step takes its tick.
    let removed = OTHER.replace("2. Look at the workers: `echo workers`\n", "");
    h.send(Msg::Source(SourceMsg::Runbook {
        path: path.to_path_buf(),
        result: Ok(Box::new(runbook::parse(path, &removed).expect("parses"))),
    }));
    h.key(KeyCode::Char('G'));
    let screen = h.screen(200, 50);
    assert!(!screen.contains("[x] 1."), "{screen}");
    assert!(screen.contains("NO LONGER IN THIS RUNBOOK"), "{screen}");
    assert!(screen.contains("Look at the workers"), "{screen}");
    assert!(screen.contains("step gone"), "{screen}");
    let md = exported(&h);
    assert!(
        md.contains("- [x] Check — check-2: Look at the workers"),
        "as attached, the runbook listed it: {md}"
    );
}

/// Steps are recorded as they were shown: placeholders filled from the
/// alert's labels in the timeline, the export and the status draft, with the
/// runbook's version; a placeholder no label fills stays as written.
#[test]
fn steps_are_recorded_with_their_placeholders_filled() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    let done = events(&h)
        .into_iter()
        .find_map(|e| match e.kind {
            warroom::domain::incident::EventKind::StepDone { text, version, .. } => {
                Some((text, version))
            }
            _ => None,
        })
        .expect("ticked");
    assert!(
        done.0.contains("kubectl -n shop get pods -l app=catalog"),
        "{}",
        done.0
    );
    assert!(!done.0.contains("$namespace"), "{}", done.0);
    assert_eq!(
        done.1.as_deref().map(str::len),
        Some(12),
        "the runbook's version"
    );
    let md = exported(&h);
    assert!(!md.contains("{{ $labels"), "{md}");
    assert!(!md.contains("$namespace"), "{md}");
    assert!(
        md.contains("kubectl -n shop get pods -l app=catalog"),
        "{md}"
    );
    let screen = h.screen(200, 50);
    assert!(
        !screen.contains("Done [Check] See whether the pods are healthy: `kubectl -n $"),
        "{screen}"
    );
}

#[test]
fn a_teammates_tick_is_taken_back_only_when_asked() {
    let mut h = Harness::at(0);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char(' '));
    let ticker = h.app.settings.author.clone();
    assert!(h.app.shown_step_done("check-1").is_some());
    // Another responder, at another cockpit, looks at the same step.
    h.app.settings.author = "bob".into();
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Char(' '));
    assert!(
        matches!(h.mode, warroom::app::Mode::ConfirmUntick(_)),
        "{:?}",
        h.mode
    );
    let screen = h.screen(80, 24);
    assert!(
        screen.contains(&format!("{ticker} ticked this at")),
        "{screen}"
    );
    assert!(screen.contains("Untick it?"), "{screen}");
    h.key(KeyCode::Char('n'));
    assert!(h.app.shown_step_done("check-1").is_some(), "n leaves it");
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char('y'));
    assert!(h.app.shown_step_done("check-1").is_none(), "y unticks");
    let last = events(&h).pop().expect("an event");
    assert_eq!(last.author, "bob");
    assert!(matches!(
        last.kind,
        warroom::domain::incident::EventKind::StepUndone { .. }
    ));
    // One's own tick is taken back at once, however long ago it was made.
    h.key(KeyCode::Char(' '));
    h.advance(3600);
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Char(' '));
    assert!(h.mode.is_normal());
    assert!(h.app.shown_step_done("check-1").is_none());
}
