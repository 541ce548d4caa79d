//! A game-day as this cockpit runs it: the experiment, where it stands, the
//! fault applied and the abort query's answers. Plain data with the pure
//! checks the pre-flight shows; the reducer is `app::gameday`.

use jiff::{SignedDuration, Timestamp};

use crate::domain::exercise::{Check, ContextVerdict, Experiment};
use crate::domain::incident::exercise::Sample;
use crate::sources::kubernetes::FaultRef;

/// Where a game-day stands in this cockpit.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The pre-flight checklist is up; nothing is applied.
    Preflight,
    /// The name was typed; the game-day is being declared.
    Declaring,
    /// The fault is being applied.
    Applying,
    /// The fault is in; the abort query is polled until the window ends.
    Running,
    /// The window ended; waiting for the steady-state check.
    Judging,
    /// Over (or refused before anything was applied).
    Done,
}

/// One game-day as this cockpit runs it.
#[derive(Debug, Clone)]
pub struct GamedayRun {
    /// The experiment as loaded.
    pub experiment: Experiment,
    /// The kube context it would run in, and what the file says of it.
    pub context: String,
    /// See [`ContextVerdict`].
    pub verdict: ContextVerdict,
    /// The steady-state query's answer before starting.
    pub steady: Option<Result<usize, String>>,
    /// The abort query's answer before starting: a query that cannot be
    /// answered would leave the fault unwatched.
    pub abort_probe: Option<Result<usize, String>>,
    /// Whether the runbook it exercises is in the library.
    pub runbook_found: bool,
    /// Pods the selector matches now.
    pub pods: Option<Result<usize, String>>,
    /// Where it stands.
    pub phase: Phase,
    /// The fault applied, once applied.
    pub fault: Option<FaultRef>,
    /// The abort query's answers so far.
    pub samples: Vec<Sample>,
    /// When the abort query is asked next.
    pub next_poll: Option<Timestamp>,
    /// Failed abort polls in a row.
    pub blind: u32,
    /// When the fault went in (the window's start, as this cockpit saw it).
    pub started: Option<Timestamp>,
}

impl GamedayRun {
    /// The window's end, once the fault is in.
    pub fn ends(&self) -> Option<Timestamp> {
        let ms = i64::try_from(self.experiment.window.as_millis()).unwrap_or(i64::MAX);
        self.started?
            .checked_add(SignedDuration::from_millis(ms))
            .ok()
    }

    /// The pre-flight checklist as it stands: context, steady state, the
    /// blast radius, and whether the cockpit may change the cluster.
    pub fn checks(&self, read_only: bool, cluster: bool) -> Vec<Check> {
        let check = |label: &str, ok: bool, detail: String| Check {
            label: label.into(),
            ok,
            detail,
        };
        let mut v = vec![match &self.verdict {
            ContextVerdict::Allowed => {
                check("Context", true, format!("{} is listed", self.context))
            }
            ContextVerdict::NotListed => check(
                "Context",
                false,
                format!(
                    "{} is not one of the experiment's contexts ({})",
                    self.context,
                    self.experiment.blast_radius.contexts.join(", ")
                ),
            ),
            ContextVerdict::Production { needs_typed } => check(
                "Context",
                true,
                format!("{needs_typed} is PRODUCTION: allowed by the file; type its name too"),
            ),
            ContextVerdict::RefusedProduction => check(
                "Context",
                false,
                format!(
                    "{} is a production context and the file does not allow_production",
                    self.context
                ),
            ),
        }];
        v.push(match &self.steady {
            None => check("Steady state", false, "asking Prometheus…".into()),
            Some(Ok(0)) => check(
                "Steady state",
                true,
                "the steady-state query is empty".into(),
            ),
            Some(Ok(n)) => check(
                "Steady state",
                false,
                format!("the steady-state query returns {n} series: the system is not steady"),
            ),
            Some(Err(e)) => check("Steady state", false, format!("could not ask: {e}")),
        });
        v.push(match &self.abort_probe {
            None => check("Abort query", false, "asking Prometheus…".into()),
            Some(Ok(0)) => check("Abort query", true, "answers, and is empty now".into()),
            Some(Ok(n)) => check(
                "Abort query",
                false,
                format!("already returns {n} series: the experiment would abort at once"),
            ),
            Some(Err(e)) => check(
                "Abort query",
                false,
                format!("cannot be answered ({e}): the fault would go unwatched"),
            ),
        });
        v.push(if self.runbook_found {
            check(
                "Runbook",
                true,
                format!("{} is in the library", self.experiment.runbook),
            )
        } else {
            check(
                "Runbook",
                false,
                format!(
                    "no runbook {} in the library: the game-day would exercise nothing",
                    self.experiment.runbook
                ),
            )
        });
        let matching = self.pods.as_ref().and_then(|p| p.as_ref().ok().copied());
        v.extend(self.experiment.check_bounds(matching));
        if let Some(Err(e)) = &self.pods {
            v.push(check(
                "Pods matched",
                false,
                format!("could not count them: {e}"),
            ));
        }
        v.push(if !cluster {
            check(
                "Cluster",
                false,
                "no Kubernetes cluster is configured".into(),
            )
        } else if read_only {
            check(
                "Cluster",
                false,
                "the cockpit is --read-only: nothing may be applied".into(),
            )
        } else {
            check("Cluster", true, "changes allowed".into())
        });
        v
    }

    /// Whether its fault may be in the cluster now.
    pub fn fault_in(&self) -> bool {
        matches!(
            self.phase,
            Phase::Applying | Phase::Running | Phase::Judging
        )
    }

    /// What must be typed to start: the name, and a production context's name.
    pub fn answer(&self) -> String {
        match &self.verdict {
            ContextVerdict::Production { needs_typed } => {
                format!("{needs_typed}/{}", self.experiment.name)
            }
            _ => self.experiment.name.clone(),
        }
    }
}
