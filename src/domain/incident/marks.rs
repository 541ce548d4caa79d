//! What the fold keeps of commands, status updates, action items and
//! silences: each as recorded, with who and when.

use jiff::Timestamp;

use super::{Audience, Mark, Purpose, RunOutcome};

/// A command run for a step, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMark {
    /// Who started it and when.
    pub mark: Mark,
    /// The step's command, its verify check or its rollback.
    pub purpose: Purpose,
    /// The command as run.
    pub command: String,
    /// The runbook's own command, when the responder edited it first.
    pub original: Option<String>,
    /// How it ended; `None` while it runs.
    pub outcome: Option<RunOutcome>,
    /// How long it ran.
    pub duration_ms: u64,
}

/// A status update as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateMark {
    /// Who sent it and when.
    pub mark: Mark,
    /// Who it was for.
    pub audience: Audience,
    /// The text.
    pub text: String,
}

/// An action item as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionMark {
    /// Who added it and when.
    pub mark: Mark,
    /// What to do.
    pub text: String,
    /// Who will do it.
    pub owner: Option<String>,
    /// By when.
    pub due: Option<jiff::civil::Date>,
    /// Tracker reference.
    pub ticket: Option<String>,
}

/// A silence this incident created.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceMark {
    /// Who created it and when.
    pub created: Mark,
    /// Name of the muted alert.
    pub alert: String,
    /// Fingerprint of the muted alert.
    pub fingerprint: String,
    /// When it ends by itself.
    pub until: Timestamp,
    /// Set when a responder expired it early.
    pub expired: Option<Mark>,
}

impl SilenceMark {
    /// Still muting at `now`.
    pub fn active(&self, now: Timestamp) -> bool {
        self.expired.is_none() && self.until > now
    }
}
