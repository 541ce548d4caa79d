//! The incident's timeline as people read it: every event at the moment it
//! happened, in the events' total order, and the moment the alert started
//! firing (which the declaration records) as a row of its own.

use jiff::Timestamp;

use super::{Event, EventKind, in_order};

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'e> {
    /// When it happened.
    pub at: Timestamp,
    /// Who did or reported it.
    pub by: &'e str,
    /// What happened, in words.
    pub text: String,
    /// The event behind the row; `None` for the alert's start.
    pub event: Option<&'e Event>,
}

/// Who a row about the alert itself is by.
pub const ALERT_AUTHOR: &str = "alert";

/// The timeline of `events`, whatever the order of the lines.
pub fn rows(events: &[Event]) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = in_order(events)
        .into_iter()
        .map(|e| Row {
            at: e.effective(),
            by: &e.author,
            text: e.describe(),
            event: Some(e),
        })
        .collect();
    // A hand-declared incident has no alert, so no "started firing" row.
    let fired = events.iter().find_map(|e| match &e.kind {
        EventKind::Declared { alert, .. } if !alert.is_manual() => Some(alert),
        _ => None,
    });
    if let Some(alert) = fired {
        let pos = rows.partition_point(|r| r.at <= alert.starts_at);
        rows.insert(
            pos,
            Row {
                at: alert.starts_at,
                by: ALERT_AUTHOR,
                text: format!("Alert {} started firing", alert.name),
                event: None,
            },
        );
    }
    rows
}
