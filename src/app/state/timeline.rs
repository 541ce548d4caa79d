//! The Timeline pane's rows, one model for the pane, its cursor and the
//! entry view: every event in the record's order, and the moment the alert
//! started firing as a row of its own.

use jiff::Timestamp;

use super::App;
use crate::domain::incident::Event;

/// One row of the timeline.
#[derive(Debug, Clone, Copy)]
pub enum TimelineRow<'a> {
    /// The incident's alert started firing (what the declaration records).
    Fired {
        /// When.
        at: Timestamp,
        /// The alert's name.
        alert: &'a str,
    },
    /// An event of the journal.
    Event(&'a Event),
    /// A second declaration of the incident (hosts that each declared it
    /// before they met through the cluster): the first one stands.
    Again(&'a Event),
}

impl TimelineRow<'_> {
    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            TimelineRow::Fired { at, .. } => *at,
            TimelineRow::Event(e) | TimelineRow::Again(e) => e.effective(),
        }
    }

    /// Who did or reported it.
    pub fn by(&self) -> &str {
        match self {
            TimelineRow::Fired { .. } => crate::domain::incident::timeline::ALERT_AUTHOR,
            TimelineRow::Event(e) | TimelineRow::Again(e) => &e.author,
        }
    }

    /// What happened, in full, for the entry view and copying.
    pub fn text(&self) -> String {
        match self {
            TimelineRow::Fired { alert, .. } => format!("Alert {alert} started firing"),
            TimelineRow::Event(e) => e.describe(),
            TimelineRow::Again(e) => crate::domain::incident::declared_again(e),
        }
    }

    /// What happened, for one row of the pane: the outcome of a command
    /// before the command, so a cut row still shows how it ended.
    pub fn headline(&self) -> String {
        match self {
            TimelineRow::Fired { .. } | TimelineRow::Again(_) => self.text(),
            TimelineRow::Event(e) => e.kind.headline(),
        }
    }
}

impl App {
    /// Where the alert's start goes among the events, when an incident is
    /// open.
    fn fired_at(&self) -> Option<(usize, Timestamp, &str)> {
        let inc = self.incident_state().filter(|i| !i.alert.is_manual())?;
        let events = &self.incident.as_ref()?.events;
        let pos = events.partition_point(|e| e.effective() <= inc.alert.starts_at);
        Some((pos, inc.alert.starts_at, inc.alert.name.as_str()))
    }

    /// How many rows the timeline has.
    pub fn timeline_len(&self) -> usize {
        let events = self.incident.as_ref().map_or(0, |i| i.events.len());
        events + usize::from(self.fired_at().is_some())
    }

    /// Row `i`, counted from the oldest.
    pub fn timeline_row(&self, i: usize) -> Option<TimelineRow<'_>> {
        let events = &self.incident.as_ref()?.events;
        match self.fired_at() {
            Some((pos, at, alert)) if i == pos => Some(TimelineRow::Fired { at, alert }),
            Some((pos, ..)) if i > pos => events.get(i - 1).map(|e| self.row_of(e)),
            _ => events.get(i).map(|e| self.row_of(e)),
        }
    }

    /// An event's row: a declaration after the first is one made again.
    fn row_of<'a>(&'a self, e: &'a Event) -> TimelineRow<'a> {
        let first = self.incident.as_ref().and_then(|i| {
            i.events
                .iter()
                .find(|x| matches!(x.kind, crate::domain::incident::EventKind::Declared { .. }))
        });
        match (&e.kind, first) {
            (crate::domain::incident::EventKind::Declared { .. }, Some(f)) if f.id != e.id => {
                TimelineRow::Again(e)
            }
            _ => TimelineRow::Event(e),
        }
    }

    /// The row `back` rows before the newest.
    pub fn timeline_back(&self, back: usize) -> Option<usize> {
        let len = self.timeline_len();
        (len > 0).then(|| len - 1 - back.min(len - 1))
    }

    /// The row the Timeline pane's cursor is on.
    pub fn timeline_selected(&self) -> Option<usize> {
        self.timeline_back(self.timeline_scroll)
    }
}
