//! The alerts list, kept sorted; the selection follows the alert, not the row.

use std::collections::{HashMap, HashSet};

use super::source::SourceStatus;
use crate::app::scroll::{Nav, from_top};
use crate::domain::alert::{self, Alert};

/// The Alerts pane. The shown rows (`view`) and the cursor are derived from
/// the items, filter and toggles, so they are kept behind methods that
/// rebuild them together.
#[derive(Debug, Default)]
pub struct AlertsState {
    /// Sorted most urgent first.
    items: Vec<Alert>,
    /// Indices into `items` that are shown, in display order (filtered, and
    /// grouped by name when grouping is on).
    view: Vec<usize>,
    /// Position of the selected alert in `view`.
    cursor: usize,
    /// Fingerprint of the selected alert, so the selection survives re-sorting.
    selected: Option<String>,
    /// `/` filter: every word must appear in the name, summary or a label.
    filter: String,
    /// Matchers from `warroom open` (a page's link): only alerts they
    /// select are shown until Esc.
    query: Option<crate::domain::open::AlertQuery>,
    /// Leave silenced and inhibited alerts out of the list.
    hide_suppressed: bool,
    /// Group rows under one header per alert name.
    grouped: bool,
    /// Alerts the user has seen in the list; others are marked new.
    seen: HashSet<String>,
    /// Health of the alert source.
    pub status: SourceStatus,
}

impl AlertsState {
    /// Every active alert, most urgent first.
    pub fn items(&self) -> &[Alert] {
        &self.items
    }

    /// Indices into [`AlertsState::items`] of the rows shown, in order.
    pub fn view(&self) -> &[usize] {
        &self.view
    }

    /// Position of the selection among the shown rows.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The matchers `warroom open` was given, while they narrow the list.
    pub fn query(&self) -> Option<&crate::domain::open::AlertQuery> {
        self.query.as_ref()
    }

    /// Shows only the alerts `query` selects (`None`: all again).
    pub fn set_query(&mut self, query: Option<crate::domain::open::AlertQuery>) {
        self.query = query;
        self.refresh();
    }

    /// The `/` filter in force.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Whether silenced and inhibited alerts are left out.
    pub fn hides_suppressed(&self) -> bool {
        self.hide_suppressed
    }

    /// Whether rows are grouped by alert name.
    pub fn is_grouped(&self) -> bool {
        self.grouped
    }

    /// The alert under the cursor.
    pub fn selected(&self) -> Option<&Alert> {
        self.view.get(self.cursor).and_then(|i| self.items.get(*i))
    }

    /// Whether an alert arrived since the user last looked at the list.
    pub fn is_new(&self, a: &Alert) -> bool {
        !self.seen.contains(&a.fingerprint)
    }

    /// Alerts not yet seen.
    pub fn new_count(&self) -> usize {
        self.items.iter().filter(|a| self.is_new(a)).count()
    }

    /// Replaces the alerts with a fresh answer from the source. The first
    /// answer is the baseline: what fires at start-up is not news.
    pub fn set_items(&mut self, mut items: Vec<Alert>) {
        items.sort_by(alert::compare);
        let first = self.status.last_ok.is_none();
        self.items = items;
        if first {
            self.mark_seen();
        }
        self.refresh();
    }

    /// Sets the `/` filter.
    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.refresh();
    }

    /// Hides or shows silenced and inhibited alerts; returns whether hidden.
    pub fn toggle_suppressed(&mut self) -> bool {
        self.hide_suppressed = !self.hide_suppressed;
        self.refresh();
        self.hide_suppressed
    }

    /// Groups rows by name or lists them one by one; returns whether grouped.
    pub fn toggle_grouped(&mut self) -> bool {
        self.grouped = !self.grouped;
        self.refresh();
        self.grouped
    }

    /// Moves the selection.
    pub fn navigate(&mut self, nav: Nav) {
        self.cursor = from_top(self.cursor, nav, self.view.len());
        self.selected = self.selected().map(|a| a.fingerprint.clone());
    }

    /// Selects the alert shown at position `pos` (a click on its row).
    pub fn select_at(&mut self, pos: usize) {
        if pos < self.view.len() {
            self.cursor = pos;
            self.selected = self.selected().map(|a| a.fingerprint.clone());
        }
    }

    /// Selects the alert with this fingerprint if it is shown.
    pub fn select(&mut self, fingerprint: &str) -> bool {
        match self
            .view
            .iter()
            .position(|i| self.items[*i].fingerprint == fingerprint)
        {
            Some(pos) => {
                self.cursor = pos;
                self.selected = Some(fingerprint.to_string());
                true
            }
            None => false,
        }
    }

    /// Marks every listed alert as seen.
    pub fn mark_seen(&mut self) {
        self.seen = self.items.iter().map(|a| a.fingerprint.clone()).collect();
    }

    /// Rebuilds the shown rows after the items, filter or toggles changed,
    /// keeping the selected alert selected when it is still shown.
    fn refresh(&mut self) {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let shown = |a: &Alert| {
            (!self.hide_suppressed || !a.state.is_suppressed())
                && words.iter().all(|w| matches_word(a, w))
                && self.query.as_ref().is_none_or(|q| q.matches(a))
        };
        let mut view: Vec<usize> = (0..self.items.len())
            .filter(|i| shown(&self.items[*i]))
            .collect();
        if self.grouped {
            // Groups in the order of their most urgent member; members keep
            // their order inside the group.
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (pos, i) in view.iter().enumerate() {
                first.entry(self.items[*i].name()).or_insert(pos);
            }
            view.sort_by_key(|i| first.get(self.items[*i].name()).copied().unwrap_or(0));
        }
        self.view = view;
        let found = self.selected.as_ref().and_then(|fp| {
            self.view
                .iter()
                .position(|i| self.items[*i].fingerprint == *fp)
        });
        self.cursor = found
            .unwrap_or(self.cursor)
            .min(self.view.len().saturating_sub(1));
        self.selected = self.selected().map(|a| a.fingerprint.clone());
    }
}

/// Case-insensitive match of one filter word against what a responder would
/// search for: name, summary, state, and `key=value` labels.
fn matches_word(a: &Alert, w: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(w);
    has(a.name())
        || has(a.summary())
        || has(a.state.as_str())
        || a.labels.iter().any(|(k, v)| has(&format!("{k}={v}")))
}
