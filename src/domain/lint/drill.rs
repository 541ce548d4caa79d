//! Drill runbooks: their targets must read, a drill needs a moment of
//! injection, and targets relaxed since the previous drill are reported —
//! a drill that passes because its targets were loosened has proved nothing.

use super::{Diagnostic, Level};
use crate::domain::exercise::History;
use crate::domain::runbook::Runbook;

/// Checks a runbook's `drill:` targets and `inject:` steps against each
/// other and against the previous drill `history` knows of.
pub(super) fn drill(rb: &Runbook, history: &History, out: &mut Vec<Diagnostic>) {
    let line = rb.front_lines.get("drill").copied().unwrap_or(1);
    let diag = |line: usize, level: Level, message: String| Diagnostic {
        path: rb.path.clone(),
        line,
        level,
        message,
    };
    let injecting: Vec<usize> = rb
        .steps()
        .filter(|(_, s)| s.injects())
        .map(|(_, s)| s.line)
        .collect();
    let Some(targets) = rb.drill_targets() else {
        for l in injecting {
            out.push(diag(
                l,
                Level::Warning,
                "inject: only means something in a drill runbook (front matter drill: {rto: …, rpo: …})"
                    .into(),
            ));
        }
        return;
    };
    let targets = match targets {
        Ok(t) => t,
        Err(problems) => {
            out.extend(problems.into_iter().map(|p| diag(line, Level::Error, p)));
            return;
        }
    };
    match injecting.len() {
        0 => out.push(diag(
            line,
            Level::Warning,
            "drill runbook with no step marked inject: true: the RTO clock starts only with :inject"
                .into(),
        )),
        1 => {}
        _ => out.push(diag(
            injecting[1],
            Level::Warning,
            "a second step marked inject: true: only the first one taken starts the RTO clock"
                .into(),
        )),
    }
    if let Some(prev) = history.previous_drill(&rb.id, "")
        && let Some(before) = &prev.targets
    {
        for change in targets.relaxed_since(before) {
            out.push(diag(
                line,
                Level::Warning,
                format!(
                    "drill targets relaxed since the previous drill ({}, {}): {change}",
                    prev.id,
                    prev.at.strftime("%Y-%m-%d")
                ),
            ));
        }
    }
}
