//! Tab completion on the `:` line: what the word before the cursor could
//! be, from what the cockpit already knows (its command table, runbook
//! library, pods, alerts and incident). It never asks a server: a name the
//! cockpit has not seen is typed out.

use std::collections::BTreeSet;

use super::command::{COMMANDS, canonical};
use super::state::App;
use crate::domain::incident::Role;

/// What Tab may put in place of the word before the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Where the word starts, in characters from the start of the line.
    pub start: usize,
    /// The word as typed so far.
    pub word: String,
    /// What it may become, sorted; empty when nothing fits.
    pub candidates: Vec<String>,
}

/// The completions of the last word of `before` (the line up to the cursor).
pub fn complete(app: &App, before: &str) -> Completion {
    let start_byte = before
        .char_indices()
        .rfind(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start_byte..];
    let words: Vec<&str> = before[..start_byte].split_whitespace().collect();
    let all = match words.split_first() {
        None => COMMANDS.iter().map(|c| c.0.to_string()).collect(),
        Some((cmd, args)) => canonical(cmd.trim_start_matches(':'))
            .map(|c| arguments(app, c, args.len()))
            .unwrap_or_default(),
    };
    let lower = word.to_lowercase();
    let mut seen = BTreeSet::new();
    let mut candidates: Vec<String> = all
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&lower))
        // Names come from outside (files, servers): one that would put a
        // control character on the line is not offered.
        .filter(|c| !c.chars().any(char::is_control))
        .filter(|c| seen.insert(c.to_lowercase()))
        .collect();
    candidates.sort_by_key(|c| c.to_lowercase());
    Completion {
        start: before[..start_byte].chars().count(),
        word: word.to_string(),
        candidates,
    }
}

/// What argument `n` (0-based) of command `cmd` may be.
fn arguments(app: &App, cmd: &str, n: usize) -> Vec<String> {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
    match (cmd, n) {
        ("sev", 0) => words(&["P0", "P1", "P2"]),
        // Words after a title's first may be its severity.
        ("declare", n) if n > 0 => words(&["P0", "P1", "P2"]),
        ("role", 0) => words(&["ic", "comms", "ops", "scribe"]),
        ("role", 1) => people(app),
        ("range", 0) => words(&["15m", "1h", "6h"]),
        ("runbook", 0) => runbooks(app),
        ("logs" | "delete" | "restart", 0) => {
            app.pods.store.iter().map(|p| p.name.clone()).collect()
        }
        ("ns", 0) => namespaces(app),
        ("unsilence", 0) => app
            .incident_state()
            .map(|i| i.silences.keys().cloned().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Runbook ids, and file names where they differ.
fn runbooks(app: &App) -> Vec<String> {
    app.runbooks
        .library
        .runbooks
        .iter()
        .flat_map(|r| {
            let stem = r
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|s| !s.eq_ignore_ascii_case(&r.id))
                .map(str::to_string);
            std::iter::once(r.id.clone()).chain(stem)
        })
        .collect()
}

/// Namespaces seen: the pods', the alerts' `namespace` labels, the
/// cluster's default and the one chosen by hand.
fn namespaces(app: &App) -> Vec<String> {
    let pods = app.pods.store.iter().map(|p| p.namespace.clone());
    let alerts = app
        .alerts
        .items()
        .iter()
        .filter_map(|a| a.labels.get("namespace").cloned());
    let cluster = app.cluster.iter().map(|(_, ns)| ns.clone());
    let chosen = app.pods.namespace_override.iter().cloned();
    pods.chain(alerts)
        .chain(cluster)
        .chain(chosen)
        .filter(|n| crate::domain::selector::is_namespace(n))
        .collect()
}

/// People who may take a role: this responder, those on call, and those
/// already working the incident or holding a role in it.
fn people(app: &App) -> Vec<String> {
    let oc = &app.settings.oncall;
    let mut out = vec![app.settings.author.clone()];
    out.extend(oc.primary.iter().chain(oc.secondary.iter()).cloned());
    if let Some(inc) = app.incident_state() {
        out.extend(inc.responders.iter().cloned());
        out.extend(
            [Role::Ic, Role::Comms, Role::Ops, Role::Scribe]
                .iter()
                .filter_map(|r| inc.roles.get(r).map(|(name, _)| name.clone())),
        );
    }
    out.retain(|n| !n.is_empty());
    out
}

/// The longest beginning every candidate shares (ignoring case), written as
/// the first candidate writes it.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return String::new();
    };
    let mut len = first.chars().count();
    for c in &candidates[1..] {
        len = first
            .chars()
            .zip(c.chars())
            .take(len)
            .take_while(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
            .count();
    }
    first.chars().take(len).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_prefix_ignores_case() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&c(&["resolve", "restart"])), "res");
        assert_eq!(
            common_prefix(&c(&["TargetDown", "targetdownx"])),
            "TargetDown"
        );
        assert_eq!(common_prefix(&c(&["ack"])), "ack");
        assert_eq!(common_prefix(&c(&["a", "b"])), "");
        assert_eq!(common_prefix(&[]), "");
    }
}
