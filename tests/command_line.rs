//! The `:` command line through the reducer: Tab completion (with cycling),
//! the history walk (and the line typed before it), the nearest command for
//! a slip, the shell's editing keys, and old errors making way for a later
//! success.

mod common;

use common::Harness;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::keys;
use warroom::app::{Effect, Mode, Msg};

/// The line being typed, or a panic when the command line is not up.
fn line(h: &Harness) -> String {
    match &h.mode {
        Mode::CommandLine(d) => d.text(),
        other => panic!("the command line is not open: {other:?}"),
    }
}

/// The completion candidates on show.
fn shown(h: &Harness) -> Vec<String> {
    match &h.mode {
        Mode::CommandLine(d) => d
            .tabbing
            .as_ref()
            .map(|t| t.candidates.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn ctrl(h: &mut Harness, c: char) {
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

fn open(h: &mut Harness, text: &str) {
    h.key(KeyCode::Char(':'));
    h.chars(text);
}

fn flash(h: &Harness) -> Option<(String, bool)> {
    h.app.flash.as_ref().map(|f| (f.text.clone(), f.error))
}

#[test]
fn tab_completes_a_command_name_and_cycles_through_several() {
    let mut h = Harness::at(0);
    open(&mut h, "reso");
    h.key(KeyCode::Tab);
    assert_eq!(
        line(&h),
        "resolve ",
        "one candidate: taken whole, a space after"
    );
    assert!(shown(&h).is_empty());
    h.key(KeyCode::Esc);

    open(&mut h, "re");
    h.key(KeyCode::Tab);
    assert_eq!(
        shown(&h),
        [
            "recovered",
            "recreate",
            "reopen",
            "resolve",
            "restart",
            "reveal"
        ]
    );
    assert_eq!(line(&h), "re", "no longer common beginning to add");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "recovered");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "recreate");
    h.key(KeyCode::BackTab);
    assert_eq!(line(&h), "recovered");
    h.key(KeyCode::BackTab);
    assert_eq!(line(&h), "reveal", "backwards wraps round");
    for _ in 0..2 {
        h.key(KeyCode::Tab);
    }
    assert_eq!(line(&h), "recreate");
    // Typing ends the completion: the list goes, the text stays.
    h.chars(" ");
    assert!(shown(&h).is_empty());
    assert_eq!(line(&h), "recreate ");

    // Several with a longer common beginning: it is filled in.
    h.key(KeyCode::Esc);
    open(&mut h, "u");
    h.key(KeyCode::Tab);
    assert_eq!(shown(&h), ["unsilence", "updates"]);
    assert_eq!(line(&h), "u");
    h.key(KeyCode::Esc);
    open(&mut h, "mi");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "mitigated ");
}

#[test]
fn tab_completes_arguments_from_what_the_cockpit_knows() {
    let mut h = Harness::at(0);
    open(&mut h, "sev ");
    h.key(KeyCode::Tab);
    assert_eq!(shown(&h), ["P0", "P1", "P2"]);
    h.key(KeyCode::Esc);
    open(&mut h, "sev p1");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "sev P1 ", "the candidate's spelling wins");
    h.key(KeyCode::Esc);

    open(&mut h, "severity p");
    h.key(KeyCode::Tab);
    assert_eq!(shown(&h), ["P0", "P1", "P2"], "aliases complete too");
    h.key(KeyCode::Esc);

    open(&mut h, "role s");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "role scribe ");
    h.key(KeyCode::Tab);
    assert_eq!(
        line(&h),
        "role scribe alice ",
        "the responder at this cockpit"
    );
    h.key(KeyCode::Esc);

    open(&mut h, "runbook api");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "runbook api-latency-p99 ");
    h.key(KeyCode::Esc);
    open(&mut h, "rb pod-");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "rb pod-crash-loop ");
    h.key(KeyCode::Esc);

    // Pods and namespaces the cockpit has seen; no cluster is asked.
    let pods: Vec<String> = h.app.pods.store.iter().map(|p| p.name.clone()).collect();
    assert!(pods.len() > 2, "{pods:?}");
    for cmd in ["logs", "delete", "restart"] {
        open(&mut h, &format!("{cmd} "));
        h.key(KeyCode::Tab);
        let mut want = pods.clone();
        want.sort();
        want.dedup();
        assert_eq!(shown(&h), want, "{cmd}");
        h.key(KeyCode::Esc);
    }
    let one = pods
        .iter()
        .find(|p| {
            pods.iter()
                .filter(|q| q.starts_with(&p[..p.len() - 2]))
                .count()
                == 1
        })
        .expect("a pod with a name of its own");
    open(&mut h, &format!("logs {}", &one[..one.len() - 2]));
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), format!("logs {one} "));
    h.key(KeyCode::Esc);
    open(&mut h, "ns ");
    h.key(KeyCode::Tab);
    assert!(shown(&h).contains(&"shop".to_string()), "{:?}", shown(&h));
    h.key(KeyCode::Esc);

    // Nothing known: the line stays and the list says so.
    open(&mut h, "note some");
    h.key(KeyCode::Tab);
    assert_eq!(line(&h), "note some");
    assert!(
        matches!(&h.mode, Mode::CommandLine(d) if d.tabbing.as_ref().is_some_and(|t| t.candidates.is_empty()))
    );
    assert!(
        h.screen(80, 24).contains("nothing to complete here"),
        "{}",
        h.screen(80, 24)
    );
}

#[test]
fn completing_asks_nothing_of_any_server() {
    let mut h = Harness::at(0);
    let before = h.effects.len();
    for text in ["logs ", "ns ", "runbook ", "role ic "] {
        open(&mut h, text);
        h.key(KeyCode::Tab);
        h.key(KeyCode::Tab);
        h.key(KeyCode::Esc);
    }
    assert_eq!(h.effects[before..], []);
}

#[test]
fn up_and_down_walk_the_history_and_give_back_the_draft() {
    let mut h = Harness::at(0);
    h.send(Msg::HistoryLoaded(vec!["ack".into(), "sev P1".into()]));
    // Typed this session: newest.
    h.command("range 1h");
    open(&mut h, "no");
    h.key(KeyCode::Up);
    assert_eq!(line(&h), "range 1h");
    h.key(KeyCode::Up);
    assert_eq!(line(&h), "sev P1");
    h.key(KeyCode::Up);
    assert_eq!(line(&h), "ack");
    h.key(KeyCode::Up);
    assert_eq!(line(&h), "ack", "the oldest stays");
    h.key(KeyCode::Down);
    assert_eq!(line(&h), "sev P1");
    ctrl(&mut h, 'n');
    assert_eq!(line(&h), "range 1h");
    h.key(KeyCode::Down);
    assert_eq!(line(&h), "no", "past the newest: what was being typed");
    h.key(KeyCode::Down);
    assert_eq!(line(&h), "no");
    ctrl(&mut h, 'p');
    assert_eq!(line(&h), "range 1h");
    h.key(KeyCode::Esc);

    // Submitted lines are kept redacted, and handed to the loop to save.
    h.command("note password=hunter22 rotated");
    let newest = h.app.history.back(0).expect("kept").to_string();
    assert!(!newest.contains("hunter22"), "{newest}");
    assert!(newest.starts_with("note password="), "{newest}");
    let saved: Vec<&String> = h
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::RememberCommand(l) => Some(l),
            _ => None,
        })
        .collect();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert!(saved.iter().all(|l| !l.contains("hunter22")), "{saved:?}");
    // The same line twice in a row is kept once; an empty one not at all.
    h.command("note password=hunter22 rotated");
    h.command("");
    assert_eq!(h.app.history.len(), 4);
    // History loaded late goes before what was typed meanwhile.
    h.send(Msg::HistoryLoaded(vec!["export".into()]));
    assert_eq!(
        h.app.history.lines().collect::<Vec<_>>(),
        ["export", "ack", "sev P1", "range 1h", newest.as_str()]
    );
}

#[test]
fn an_unknown_command_suggests_the_nearest() {
    let mut h = Harness::at(0);
    h.command("reslove");
    assert_eq!(
        flash(&h),
        Some((
            "unknown command :reslove — did you mean :resolve?".into(),
            true
        ))
    );
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("unknown command :reslove — did you mean :resolve?"),
        "{screen}"
    );
}

#[test]
fn control_keys_edit_the_line_as_a_shell_does() {
    let mut h = Harness::at(0);
    open(&mut h, "note rolled back  catalog/v1.4");
    ctrl(&mut h, 'w');
    assert_eq!(line(&h), "note rolled back  ", "back to the space");
    ctrl(&mut h, 'w');
    assert_eq!(line(&h), "note rolled ", "spaces first, then the word");
    ctrl(&mut h, 'a');
    h.chars("x");
    assert_eq!(line(&h), "xnote rolled ", "Ctrl-a: the start");
    ctrl(&mut h, 'e');
    h.chars("y");
    assert_eq!(line(&h), "xnote rolled y", "Ctrl-e: the end");
    ctrl(&mut h, 'a');
    h.key(KeyCode::Right);
    ctrl(&mut h, 'k');
    assert_eq!(line(&h), "x", "Ctrl-k: to the end");
    h.chars("yz");
    h.key(KeyCode::Left);
    ctrl(&mut h, 'u');
    assert_eq!(line(&h), "z", "Ctrl-u: to the start, not undo");
    h.chars("ack");
    assert_eq!(line(&h), "ackz");
    ctrl(&mut h, 'u');
    ctrl(&mut h, 'u');
    ctrl(&mut h, 'w');
    assert_eq!(line(&h), "z");
    // They come from the key table, so help lists them.
    let help = keys::help();
    let section = help
        .sections
        .iter()
        .find(|s| s.title == "On the : command line")
        .expect("a section");
    let keys: Vec<&str> = section.rows.iter().map(|(k, _)| k.as_str()).collect();
    for k in [
        "Tab",
        "Shift-Tab",
        "↑ Ctrl-p",
        "↓ Ctrl-n",
        "Ctrl-a Home",
        "Ctrl-e End",
        "Ctrl-u",
        "Ctrl-w",
        "Ctrl-k",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
}

#[test]
fn a_later_success_clears_a_stale_error() {
    let mut h = Harness::at(0);
    h.command("reslove");
    assert!(flash(&h).is_some_and(|(_, e)| e));
    // A command that says nothing of its own still clears it.
    h.command("range 1h");
    assert_eq!(flash(&h), None);
    // One that says something replaces it.
    h.command("frobnicate");
    h.command("ns shop");
    assert_eq!(
        flash(&h),
        Some(("watching pods in namespace shop".into(), false))
    );

    // A failing command is an error again; moving around keeps it…
    h.command("sev P7");
    assert!(flash(&h).is_some_and(|(_, e)| e));
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('j'));
    assert!(flash(&h).is_some_and(|(_, e)| e), "moving is not doing");
    // …and opening a dialog does not decide either, until it goes through.
    h.key(KeyCode::Char(':'));
    h.key(KeyCode::Esc);
    assert!(
        flash(&h).is_some_and(|(_, e)| e),
        "a cancelled line changes nothing"
    );
    // A pane action that goes through quietly clears it.
    h.key(KeyCode::Char('z'));
    assert_eq!(flash(&h), None);
    // One that fails the same way twice says so twice.
    h.key(KeyCode::Char('a'));
    let refused = flash(&h).expect("no incident to acknowledge");
    assert!(refused.1, "{refused:?}");
    h.key(KeyCode::Char('a'));
    assert_eq!(flash(&h), Some(refused));

    // In an incident: a failed action, then a saved note.
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Enter);
    h.command("sev P9");
    assert!(flash(&h).is_some_and(|(_, e)| e));
    h.key(KeyCode::Char('n'));
    h.chars("rolled back");
    h.key(KeyCode::Enter);
    assert!(!flash(&h).is_some_and(|(_, e)| e), "{:?}", flash(&h));
}
