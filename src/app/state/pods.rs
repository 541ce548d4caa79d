//! The Pods pane and the details view of one pod.

use std::collections::VecDeque;

use super::pod_store::{PodStore, ViewSpec};
use super::source::SourceStatus;
use crate::domain::pod::{Pod, PodChange};
use crate::sources::kubernetes::{EventLine, OwnerSelector, PodRef, PodScope};

/// The pods list; unhealthy pods first.
#[derive(Debug, Default)]
pub struct PodsState {
    /// Every pod the source reported, and the view the pane shows.
    pub store: PodStore,
    /// Row of the selected pod among the visible ones.
    pub cursor: usize,
    /// `/` filter: every word must appear in the name, status or node.
    pub filter: String,
    /// `:ns NAME` — a namespace chosen by hand, over the automatic one.
    pub namespace_override: Option<String>,
    /// `:selector SEL` — a label selector chosen by hand.
    pub selector_override: Option<String>,
    /// The scope last asked of the source.
    pub requested: Option<PodScope>,
    /// The open details view, if any.
    pub detail: Option<PodDetail>,
    /// Health of the pod source.
    pub status: SourceStatus,
    /// The replica count of the workload a scale dialog is about, as the
    /// API answered, so the dialog shows `3 → 5`.
    pub replicas_now: Option<ReplicasNow>,
    /// The workload behind the alert's pod, asked of the API so the pane
    /// follows the workload (and shows a replacement) rather than one name.
    pub owner_scope: Option<OwnerLookup>,
}

/// An alert's pod and what the API said about its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerLookup {
    /// The pod the alert names.
    pub pod: PodRef,
    /// Its workload and selector, `Ok(None)` when it has none, why the
    /// lookup failed, or `None` while asking.
    pub answer: Option<Result<Option<OwnerSelector>, String>>,
}

/// A workload's current replica count, asked for a scale dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicasNow {
    /// Namespace.
    pub namespace: String,
    /// The workload.
    pub workload: crate::domain::pod::Owner,
    /// The count, why it could not be had, or `None` while asking.
    pub answer: Option<Result<u32, String>>,
}

/// Lines of log kept for a details view; older ones are dropped.
pub const LOG_LINES_KEPT: usize = 5000;

/// One pod's details: recent events and its log.
#[derive(Debug, Default)]
pub struct PodDetail {
    /// The pod.
    pub pod: PodRef,
    /// Container whose log is shown.
    pub container: Option<String>,
    /// Showing the previous (crashed) run's log.
    pub previous: bool,
    /// New lines are streamed in.
    pub follow: bool,
    /// Recent events, or why they could not be read; `None` while loading.
    pub events: Option<Result<Vec<EventLine>, String>>,
    /// The log, oldest first, at most [`LOG_LINES_KEPT`] lines.
    pub log: VecDeque<String>,
    /// Why the log stream failed, if it did.
    pub log_error: Option<String>,
    /// The stream has ended.
    pub log_done: bool,
    /// Lines scrolled up from the newest; 0 follows the tail.
    pub scroll: usize,
}

impl PodsState {
    /// A fresh list replaces every pod; the cursor stays on its pod.
    pub fn replace(&mut self, pods: Vec<Pod>) {
        let selected = self.store.key_at(self.cursor);
        self.store.replace(pods);
        self.follow(selected);
    }

    /// Changes patch the list in place; the cursor stays on its pod.
    pub fn apply(&mut self, changes: Vec<PodChange>) {
        let selected = self.store.key_at(self.cursor);
        self.store.apply(changes);
        self.follow(selected);
    }

    /// Shows `spec`; a different one rebuilds the view once.
    pub fn set_view(&mut self, spec: &ViewSpec) {
        self.store.set_view(spec);
        self.cursor = self.cursor.min(self.store.shown().saturating_sub(1));
    }

    fn follow(&mut self, selected: Option<(String, String)>) {
        let at = selected.and_then(|(ns, name)| self.store.position(&ns, &name));
        self.cursor = at.unwrap_or(self.cursor.min(self.store.shown().saturating_sub(1)));
    }
}
