//! What an incident refers to, frozen when it is recorded: the alert, the
//! runbook's checklist, roles and audiences.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::alert::Alert;
use crate::domain::runbook::Runbook;
use crate::domain::time::millis_serde;

/// Incident roles, as incident command assigns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Incident commander: runs the response.
    Ic,
    /// Communications: writes the status updates.
    Comms,
    /// Operations: hands on the systems.
    Ops,
    /// Scribe: keeps the timeline.
    Scribe,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 4] = [Role::Ic, Role::Comms, Role::Ops, Role::Scribe];

    /// Short name as typed in `:role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ic => "ic",
            Role::Comms => "comms",
            Role::Ops => "ops",
            Role::Scribe => "scribe",
        }
    }

    /// Title for panes and exports.
    pub fn title(self) -> &'static str {
        match self {
            Role::Ic => "Incident commander",
            Role::Comms => "Communications",
            Role::Ops => "Operations",
            Role::Scribe => "Scribe",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ic" | "commander" => Ok(Role::Ic),
            "comms" | "communications" => Ok(Role::Comms),
            "ops" | "operations" => Ok(Role::Ops),
            "scribe" => Ok(Role::Scribe),
            other => Err(format!(
                "unknown role '{other}': use ic, comms, ops or scribe"
            )),
        }
    }
}

/// Who a status update is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Colleagues and stakeholders inside the company.
    Internal,
    /// Customers (status page).
    External,
}

impl Audience {
    /// Lower-case word.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Internal => "internal",
            Audience::External => "external",
        }
    }
}

/// The alert an incident was declared for, frozen at declaration time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRef {
    /// The alert's name.
    pub name: String,
    /// Identity used to find the open incident for the same alert.
    pub fingerprint: String,
    /// All labels, to fill runbook placeholders when the incident is reopened.
    pub labels: BTreeMap<String, String>,
    /// The alert's summary annotation.
    pub summary: String,
    #[serde(with = "millis_serde")]
    /// When the alert started firing, the detection time.
    pub starts_at: Timestamp,
}

impl AlertRef {
    /// The empty alert of an incident declared by hand (`:declare`): no
    /// name, labels or summary, and it "starts" when declared. Its
    /// fingerprint is the title's, so two responders declaring the same
    /// title at once join one incident, as with an alert.
    pub fn manual(title: &str, at: Timestamp) -> Self {
        AlertRef {
            name: String::new(),
            fingerprint: format!("manual:{}", super::slug(title)),
            labels: BTreeMap::new(),
            summary: String::new(),
            starts_at: at,
        }
    }

    /// An exercise's reference: what it exercises stands where an alert
    /// would, under a fingerprint (`drill:regional-failover`) that makes a
    /// second start of the same exercise join the one running.
    pub fn exercise(kind: &str, name: &str, at: Timestamp) -> Self {
        AlertRef {
            name: String::new(),
            fingerprint: format!("{kind}:{name}"),
            labels: BTreeMap::new(),
            summary: name.to_string(),
            starts_at: at,
        }
    }

    /// The alert's name, or for a hand-declared incident or an exercise
    /// the words standing for it.
    pub fn name_or_title(&self) -> String {
        if self.name.is_empty() {
            self.summary.clone()
        } else {
            self.name.clone()
        }
    }

    /// Whether the incident was declared by hand, with no alert.
    pub fn is_manual(&self) -> bool {
        self.name.is_empty()
    }

    /// Freezes what matters of an alert.
    pub fn from_alert(a: &Alert) -> Self {
        AlertRef {
            name: a.name().to_string(),
            fingerprint: a.fingerprint.clone(),
            labels: a.labels.clone(),
            summary: a.summary().to_string(),
            starts_at: a.starts_at,
        }
    }
}

/// The runbook's checklist as it was when the incident was declared, so the
/// export lists steps not done even if the file changes later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunbookRef {
    /// Runbook id.
    pub id: String,
    /// Runbook title.
    pub title: String,
    /// Which version of the file it was (absent in older journals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Every step, in order.
    pub steps: Vec<StepRef>,
}

/// One step of a [`RunbookRef`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRef {
    /// Step id (`check-1`, ...).
    pub id: String,
    /// Stable key (absent in journals from before keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Section heading.
    pub section: String,
    /// Step text.
    pub text: String,
}

impl RunbookRef {
    /// Freezes a runbook's checklist as it is shown for an alert with
    /// `labels`: step texts with their placeholders filled (unfilled ones
    /// kept as written).
    pub fn from_runbook(rb: &Runbook, labels: &BTreeMap<String, String>) -> Self {
        RunbookRef {
            id: rb.id.clone(),
            title: rb.title.clone(),
            version: Some(rb.version.clone()),
            steps: rb
                .steps()
                .map(|(sec, st)| StepRef {
                    id: st.id.clone(),
                    key: Some(st.key.clone()),
                    section: sec.heading.clone(),
                    text: crate::domain::placeholder::fill_string(&st.text, labels),
                })
                .collect(),
        }
    }
}
