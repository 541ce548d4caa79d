//! `warroom lint` on chaos experiment files: what the cockpit's pre-flight
//! can check without a cluster or Prometheus — the file itself, the fault
//! against its blast radius, and the runbook it exercises — so CI can gate
//! experiments as it gates runbooks.

use std::path::{Path, PathBuf};

use crate::domain::exercise::Experiment;
use crate::domain::lint::{Diagnostic, Level};
use crate::domain::runbook::Library;

/// The experiment files under `roots`: `.yaml`/`.yml` files named directly,
/// and those found in folders (recursively, hidden ones skipped) that have a
/// top-level `hypothesis:` key.
pub fn find(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        if root.is_file() {
            if is_yaml(root) {
                out.push(root.clone());
            }
        } else {
            walk(root, &mut out, 0);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a file is YAML by its name.
pub fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 16 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let hidden = e.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&path, out, depth + 1),
            Ok(t) if t.is_file() && is_yaml(&path) => {
                let text = crate::bounded::read_to_string(&path, crate::bounded::DOCUMENT_BYTES)
                    .unwrap_or_default();
                if text.lines().any(|l| l.starts_with("hypothesis:")) {
                    out.push(path);
                }
            }
            _ => {}
        }
    }
}

/// Every finding for one experiment file.
pub fn lint(path: &Path, library: &Library) -> Vec<Diagnostic> {
    let diag = |line: usize, level: Level, message: String| Diagnostic {
        path: path.to_path_buf(),
        line: line.max(1),
        level,
        message,
    };
    let text = match crate::bounded::read_to_string(path, crate::bounded::DOCUMENT_BYTES) {
        Ok(t) => t,
        Err(e) => return vec![diag(1, Level::Error, format!("cannot read it: {e}"))],
    };
    let exp = match Experiment::parse(&text, path) {
        Ok(e) => e,
        Err(problems) => {
            return problems
                .into_iter()
                .map(|p| diag(p.line, Level::Error, p.message))
                .collect();
        }
    };
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.starts_with(&format!("{key}:")))
            .map_or(1, |i| i + 1)
    };
    let mut out = Vec::new();
    if library.get(&exp.runbook).is_none() {
        out.push(diag(
            line_of("runbook"),
            Level::Error,
            format!(
                "runbook {} is not in the runbook folders checked",
                exp.runbook
            ),
        ));
    }
    // The pod count depends on the cluster: without one, a mode that
    // needs it is a warning here and checked for real at the pre-flight.
    for c in exp.check_bounds(None).into_iter().filter(|c| !c.ok) {
        let needs_cluster = c.detail.contains("cannot count");
        out.push(diag(
            line_of("manifest"),
            if needs_cluster {
                Level::Warning
            } else {
                Level::Error
            },
            format!("{}: {}", c.label, c.detail),
        ));
    }
    out
}
