//! The key table. Every binding the cockpit knows is one row here; the key
//! handler, the help overlay and the status-line hints all read this table, so
//! they cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::Pane;

/// What a key asks for. The reducer gives each action its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the cockpit, asking first while an incident is open.
    Quit,
    /// Show the help overlay built from this table.
    Help,
    /// Cycle focus forwards through the panes.
    FocusNext,
    /// Cycle focus backwards.
    FocusPrev,
    /// Jump straight to a pane (compact layout shows it as the tab).
    Focus(Pane),
    /// Move the selection or scroll up by one.
    Up,
    /// Move the selection or scroll down by one.
    Down,
    /// Move by a screenful up.
    PageUp,
    /// Move by a screenful down.
    PageDown,
    /// Jump to the first row.
    Top,
    /// Jump to the last row (the timeline follows again).
    Bottom,
    /// Enter on an alert: declare or reopen its incident.
    Open,
    /// Tick or untick the selected runbook step.
    ToggleStep,
    /// Run the selected step's command (asks first).
    RunStep,
    /// Run the selected step's verify check.
    VerifyStep,
    /// Run the selected step's rollback (asks first).
    RollbackStep,
    /// Follow the selected step's "go to step N".
    FollowBranch,
    /// Show the latest command's output.
    ShowOutput,
    /// Open the note editor.
    Note,
    /// Open the `:` command line.
    CommandLine,
    /// Open the `/` filter of the Alerts pane.
    Filter,
    /// Hide or show silenced and inhibited alerts.
    ToggleSuppressed,
    /// Group alerts by name, or list them one by one.
    ToggleGroups,
    /// Start a silence for the selected (or the incident's) alert.
    Silence,
    /// Cycle the chart's time range.
    CycleRange,
    /// Show the selected pod's events and logs.
    PodDetails,
    /// Delete the selected pod (asks first).
    DeletePod,
    /// Rollout-restart the selected pod's workload (asks first).
    RestartWorkload,
    /// Scale the selected pod's workload: opens `:scale`.
    ScaleWorkload,
    /// Acknowledge the incident.
    Ack,
    /// Record that the impact has stopped.
    Mitigated,
    /// Resolve the incident (asks y/n).
    Resolve,
    /// Write a status update.
    StatusUpdate,
    /// Add an action item.
    AddAction,
    /// Show the Incident panel.
    IncidentPanel,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Active whatever pane has focus.
    Global,
    /// Active only while this pane has focus.
    In(Pane),
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where the binding applies.
    pub scope: Scope,
    /// Every key combination that triggers it; the first is shown in hints.
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// What it asks for.
    pub action: Action,
    /// One line for the help overlay.
    pub help: &'static str,
    /// Shown in the status line when its scope is active.
    pub hint: Option<&'static str>,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

/// The default bindings, most specific first.
pub const KEYS: &[Binding] = &[
    Binding {
        scope: Scope::In(Pane::Alerts),
        keys: &[(KeyCode::Enter, NONE)],
        action: Action::Open,
        help: "declare an incident for the alert (or reopen its open one) and open its runbook",
        hint: Some("declare"),
    },
    Binding {
        scope: Scope::In(Pane::Alerts),
        keys: &[(KeyCode::Char('H'), SHIFT), (KeyCode::Char('H'), NONE)],
        action: Action::ToggleSuppressed,
        help: "hide or show silenced and inhibited alerts",
        hint: None,
    },
    Binding {
        scope: Scope::In(Pane::Alerts),
        keys: &[(KeyCode::Char('z'), NONE)],
        action: Action::ToggleGroups,
        help: "group alerts by name, or list them one by one",
        hint: None,
    },
    Binding {
        scope: Scope::In(Pane::Pods),
        keys: &[(KeyCode::Enter, NONE), (KeyCode::Char('l'), NONE)],
        action: Action::PodDetails,
        help: "the pod's events and last 200 log lines (f follows, p previous run, Esc closes)",
        hint: Some("logs"),
    },
    Binding {
        scope: Scope::In(Pane::Pods),
        keys: &[(KeyCode::Char('d'), NONE)],
        action: Action::DeletePod,
        help: "delete the selected pod (asks y/n; refused with --read-only)",
        hint: Some("delete"),
    },
    Binding {
        scope: Scope::In(Pane::Pods),
        keys: &[(KeyCode::Char('r'), NONE)],
        action: Action::RestartWorkload,
        help: "rollout restart the pod's Deployment/StatefulSet/DaemonSet (asks y/n)",
        hint: Some("restart"),
    },
    Binding {
        scope: Scope::In(Pane::Pods),
        keys: &[(KeyCode::Char('s'), NONE)],
        action: Action::ScaleWorkload,
        help: "scale the pod's Deployment/StatefulSet: opens :scale N (asks y/n)",
        hint: None,
    },
    Binding {
        scope: Scope::In(Pane::Metrics),
        keys: &[(KeyCode::Char('r'), NONE)],
        action: Action::CycleRange,
        help: "chart range: 15m → 1h → 6h",
        hint: Some("range"),
    },
    Binding {
        scope: Scope::In(Pane::Runbook),
        keys: &[(KeyCode::Char(' '), NONE)],
        action: Action::ToggleStep,
        help: "tick the selected step (again to untick); a closed gate asks first",
        hint: Some("tick"),
    },
    Binding {
        scope: Scope::In(Pane::Runbook),
        keys: &[(KeyCode::Char('r'), NONE)],
        action: Action::RunStep,
        help: "run the step's command in your shell (asks y; dangerous steps want the id typed)",
        hint: Some("run"),
    },
    Binding {
        scope: Scope::In(Pane::Runbook),
        keys: &[(KeyCode::Char('v'), NONE)],
        action: Action::VerifyStep,
        help: "run the step's verify check; exit 0 marks it verified",
        hint: None,
    },
    Binding {
        scope: Scope::In(Pane::Runbook),
        keys: &[(KeyCode::Char('b'), NONE)],
        action: Action::RollbackStep,
        help: "run the step's rollback (asks first)",
        hint: None,
    },
    Binding {
        scope: Scope::In(Pane::Runbook),
        keys: &[(KeyCode::Enter, NONE)],
        action: Action::FollowBranch,
        help: "follow the step's \"go to step N\" (recorded in the timeline)",
        hint: None,
    },
    Binding {
        scope: Scope::In(Pane::Runbook),
        keys: &[(KeyCode::Char('o'), NONE)],
        action: Action::ShowOutput,
        help: "show the latest command's output (Ctrl-C stops a running one)",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)],
        action: Action::Help,
        help: "show this help",
        hint: Some("help"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), CTRL)],
        action: Action::Quit,
        help: "quit (asks first while an incident is open)",
        hint: Some("quit"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('n'), NONE)],
        action: Action::Note,
        help: "write a note into the incident timeline",
        hint: Some("note"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('i'), NONE)],
        action: Action::IncidentPanel,
        help: "the Incident panel: severity, roles, clocks, action items, updates",
        hint: Some("incident"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('a'), NONE)],
        action: Action::Ack,
        help: "acknowledge the incident (stops the acknowledge and escalation clocks)",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('m'), NONE)],
        action: Action::Mitigated,
        help: "record that the impact has stopped",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('R'), SHIFT), (KeyCode::Char('R'), NONE)],
        action: Action::Resolve,
        help: "resolve the incident (asks y/n)",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('u'), NONE)],
        action: Action::StatusUpdate,
        help: "write a status update from the template (Tab: internal/external, Ctrl-s saves)",
        hint: Some("update"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('A'), SHIFT), (KeyCode::Char('A'), NONE)],
        action: Action::AddAction,
        help: "add a follow-up action item (what, owner, due date, ticket)",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('/'), NONE)],
        action: Action::Filter,
        help: "filter the Alerts (or, in Pods, the pods) as you type; Enter keeps, Esc clears",
        hint: Some("filter"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('S'), SHIFT), (KeyCode::Char('S'), NONE)],
        action: Action::Silence,
        help: "silence the selected alert (or the incident's) in Alertmanager: asks for how long",
        hint: Some("silence"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char(':'), NONE), (KeyCode::Char(':'), SHIFT)],
        action: Action::CommandLine,
        help: "command line (ack, mitigated, resolve, sev, note, export, ...)",
        hint: Some("cmd"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Tab, NONE)],
        action: Action::FocusNext,
        help: "focus the next pane",
        hint: Some("pane"),
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::BackTab, SHIFT), (KeyCode::BackTab, NONE)],
        action: Action::FocusPrev,
        help: "focus the previous pane",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('1'), NONE)],
        action: Action::Focus(Pane::Alerts),
        help: "go to Alerts",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('2'), NONE)],
        action: Action::Focus(Pane::Runbook),
        help: "go to Runbook",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('3'), NONE)],
        action: Action::Focus(Pane::Pods),
        help: "go to Pods",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('4'), NONE)],
        action: Action::Focus(Pane::Metrics),
        help: "go to Metrics",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('5'), NONE)],
        action: Action::Focus(Pane::Timeline),
        help: "go to Timeline",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('j'), NONE), (KeyCode::Down, NONE)],
        action: Action::Down,
        help: "move down",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('k'), NONE), (KeyCode::Up, NONE)],
        action: Action::Up,
        help: "move up",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::PageDown, NONE), (KeyCode::Char('d'), CTRL)],
        action: Action::PageDown,
        help: "page down",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::PageUp, NONE), (KeyCode::Char('u'), CTRL)],
        action: Action::PageUp,
        help: "page up",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)],
        action: Action::Top,
        help: "go to the top",
        hint: None,
    },
    Binding {
        scope: Scope::Global,
        keys: &[
            (KeyCode::Char('G'), SHIFT),
            (KeyCode::Char('G'), NONE),
            (KeyCode::End, NONE),
        ],
        action: Action::Bottom,
        help: "go to the bottom (the timeline follows new events again)",
        hint: None,
    },
];

/// The action bound to `key` with `focus`; pane bindings win over global ones.
pub fn lookup(key: &KeyEvent, focus: Pane) -> Option<Action> {
    let hit = |b: &&Binding| {
        b.keys
            .iter()
            .any(|(c, m)| *c == key.code && *m == key.modifiers)
    };
    KEYS.iter()
        .filter(|b| b.scope == Scope::In(focus))
        .find(hit)
        .or_else(|| KEYS.iter().filter(|b| b.scope == Scope::Global).find(hit))
        .map(|b| b.action)
}

/// How a key is written in help and hints: `Enter`, `Space`, `Ctrl-d`, `j`.
pub fn label(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Up => "↑".to_string(),
        KeyCode::Down => "↓".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        other => format!("{other:?}"),
    };
    if mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// All distinct labels of a binding, e.g. `j ↓`.
pub fn labels(b: &Binding) -> String {
    let mut seen: Vec<String> = Vec::new();
    for (c, m) in b.keys {
        let l = label(*c, *m);
        if !seen.contains(&l) {
            seen.push(l);
        }
    }
    seen.join(" ")
}

/// Status-line hints for the focused pane: pane bindings first, then global.
pub fn hints(focus: Pane) -> Vec<(String, &'static str)> {
    KEYS.iter()
        .filter(|b| b.scope == Scope::In(focus))
        .chain(KEYS.iter().filter(|b| b.scope == Scope::Global))
        .filter_map(|b| b.hint.map(|h| (label(b.keys[0].0, b.keys[0].1), h)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn pane_bindings_win_and_globals_apply_everywhere() {
        assert_eq!(
            lookup(&key(KeyCode::Enter), Pane::Alerts),
            Some(Action::Open)
        );
        assert_eq!(
            lookup(&key(KeyCode::Enter), Pane::Pods),
            Some(Action::PodDetails)
        );
        assert_eq!(lookup(&key(KeyCode::Enter), Pane::Timeline), None);
        assert_eq!(
            lookup(&key(KeyCode::Char(' ')), Pane::Runbook),
            Some(Action::ToggleStep)
        );
        assert_eq!(
            lookup(&key(KeyCode::Char('j')), Pane::Timeline),
            Some(Action::Down)
        );
        assert_eq!(
            lookup(
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Pane::Alerts
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (i, a) in KEYS.iter().enumerate() {
            for b in &KEYS[i + 1..] {
                if a.scope == b.scope {
                    for k in a.keys {
                        assert!(!b.keys.contains(k), "{k:?} bound twice");
                    }
                }
            }
        }
    }

    #[test]
    fn hints_follow_the_table() {
        let h = hints(Pane::Runbook);
        assert_eq!(h[0], ("Space".to_string(), "tick"));
        assert!(h.iter().any(|(k, v)| k == "q" && *v == "quit"));
    }
}
