//! What a key or command leads to next: stay, close the dialog, or open one.
//! Handlers say *which* dialog with the facts it needs ([`Open`]); only the
//! modal layer turns that into a dialog with its own draft state, so no
//! handler can drop or half-build one.

use std::time::Duration;

use super::state::Pane;
use crate::domain::incident::{Audience, Purpose, StepAt};
use crate::sources::kubernetes::Action as ClusterAction;

/// After a key: what happens to the modal layer.
#[derive(Debug)]
pub enum Next {
    /// Keep what is open (a dialog stays up, or no dialog stays none).
    Stay,
    /// Close the dialog that is up.
    Close,
    /// Open this dialog (replacing the one that is up, if any).
    Open(Open),
}

impl From<Open> for Next {
    fn from(o: Open) -> Self {
        Next::Open(o)
    }
}

/// A dialog to open, with the facts it starts from.
#[derive(Debug)]
pub enum Open {
    /// The help overlay.
    Help,
    /// The note editor.
    Note,
    /// The note editor, holding a note that was not saved before.
    NoteWith(String),
    /// The `:` command line, prefilled with this text.
    CommandLine(String),
    /// The `/` filter of a list pane (Alerts or Pods).
    Filter(Pane),
    /// A cluster change waiting for y.
    ClusterConfirm(ClusterAction),
    /// The selected pod's events and log.
    PodDetail,
    /// The Incident panel.
    IncidentPanel,
    /// The list of status updates.
    Updates,
    /// A chaos experiment's pre-flight checklist, waiting for its name.
    Gameday,
    /// Resolving waits for y or n.
    ConfirmResolve,
    /// Marking the incident mitigated waits for y or n.
    ConfirmMitigate,
    /// A timeline entry in full (the row, counted from the oldest).
    TimelineEntry(usize),
    /// Unticking a step a teammate ticked waits for y or n.
    ConfirmUntick(Box<UntickAsk>),
    /// The status update editor, prefilled for this audience.
    StatusUpdate(Audience),
    /// The action item form.
    ActionForm,
    /// Quitting waits for y or n.
    ConfirmQuit,
    /// Which of a step's commands to run.
    PickCommand {
        /// The step's id.
        step: String,
        /// Where its progress is recorded.
        at: StepAt,
        /// Its commands, placeholders filled where labels allow.
        options: Vec<String>,
        /// They are PromQL queries, not shell commands.
        query: bool,
    },
    /// A command about to run, waiting for the responder's go.
    ConfirmRun(Box<RunPlan>),
    /// A step whose required steps are not done.
    Gate(GatePlan),
    /// Which of a step's branches to follow.
    PickBranch {
        /// The step they are written in.
        from: String,
        /// Label as written and target step id.
        options: Vec<(String, String)>,
    },
    /// The output panel of the latest command.
    Output,
}

/// What a step action is for once its gate and confirmations pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepIntent {
    /// Run one of its commands, its verify check or its rollback.
    Run(Purpose),
    /// Tick it done.
    Tick,
}

/// A command ready for confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    /// The step it belongs to.
    pub step: String,
    /// Where its progress is recorded.
    pub at: StepAt,
    /// The step's command, its verify check or its rollback.
    pub purpose: Purpose,
    /// The command as written, placeholders and all: what `e` edits.
    pub template: String,
    /// The command with placeholders filled and quoted: exactly what runs.
    pub command: String,
    /// Why it cannot run as it stands (placeholders no label fills, blanks
    /// to replace); running waits until they are edited out.
    pub missing: Vec<String>,
    /// What the responder should know before running it (quoted values,
    /// values that look like options).
    pub notes: Vec<String>,
    /// For a dangerous step: what may be typed to confirm (step id, resource).
    pub danger: Option<Vec<String>>,
    /// Whether the step changes things.
    pub mutating: bool,
    /// How long it may run.
    pub timeout: Duration,
    /// The shell it runs in.
    pub shell: String,
}

/// A tick that may be taken back only after asking: another responder's
/// record of what they did.
#[derive(Debug, Clone, PartialEq)]
pub struct UntickAsk {
    /// Where the tick is recorded.
    pub at: StepAt,
    /// The step's number and text, for the question.
    pub label: String,
    /// Who ticked it.
    pub by: String,
    /// When they ticked it.
    pub when: jiff::Timestamp,
}

/// A closed gate.
#[derive(Debug, Clone, PartialEq)]
pub struct GatePlan {
    /// The step.
    pub step: String,
    /// Where its progress is recorded.
    pub at: StepAt,
    /// Required steps not done yet.
    pub missing: Vec<String>,
    /// What was asked of the step.
    pub intent: StepIntent,
}
