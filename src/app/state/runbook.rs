//! The runbook library in use and the Runbook pane: which runbook is shown,
//! the step cursor, verify queries, and the latest command run.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use crate::domain::incident::{Purpose, RunOutcome};
use crate::domain::runbook::Library;

/// The runbooks known to this cockpit and what is known about them.
#[derive(Debug, Default)]
pub struct Runbooks {
    /// Every runbook found at start, kept up to date by hot reload.
    pub library: Library,
    /// When each runbook was last exercised and its past drills, from the
    /// data dir: the STALE banner and drill scores use it.
    pub history: crate::domain::exercise::History,
    /// Runbook files whose latest edit could not be loaded, and why; the
    /// library keeps their last good version.
    pub reload_errors: BTreeMap<PathBuf, String>,
}

/// The Runbook pane.
#[derive(Debug, Default)]
pub struct RunbookPane {
    /// Selected step, as an index into the shown runbook's steps.
    pub cursor: usize,
    /// A runbook chosen with `:runbook` while no incident is open, for the
    /// alert (fingerprint) selected at the time.
    pub preview: Option<(Option<String>, String)>,
    /// Which of the incident's attached runbooks this terminal shows (`[`
    /// and `]`); `None` follows the one in force.
    pub shown: Option<String>,
    /// `<details>` bodies folded to their summary (steps in them stay).
    pub fold_details: bool,
    /// `verify_query` checks of the shown runbook's steps.
    pub checks: BTreeMap<crate::domain::incident::StepAt, QueryCheck>,
    /// Which part of the document is in view.
    pub view: DocView,
    /// How the pane was last laid out, as the loop measured it.
    pub layout: PaneLayout,
    /// Columns commands are scrolled to the left: they are drawn on one
    /// line each, never broken inside a word, so copying one from the
    /// screen gives the command.
    pub hscroll: usize,
}

/// Which part of the runbook the pane shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocView {
    /// Whatever keeps the selected step in view (after j/k).
    #[default]
    Follow,
    /// From this row of the document (after PgUp/PgDn/g/G).
    Top(usize),
}

/// The Runbook pane as drawn: rows of the document, rows in view, and the
/// first row shown. Measured by the loop from the same layout the pane is
/// drawn with, so paging moves by what is on screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaneLayout {
    /// Rows the whole document takes.
    pub rows: usize,
    /// Rows in view.
    pub height: usize,
    /// The first row shown.
    pub top: usize,
}

impl RunbookPane {
    /// Puts the cursor on a step, the view following it.
    pub fn select(&mut self, step: usize) {
        self.cursor = step;
        self.view = DocView::Follow;
    }

    /// Scrolls the document, from where it is shown now.
    pub fn scroll(&mut self, nav: crate::app::scroll::Nav) {
        use crate::app::scroll::{Nav, PAGE};
        let l = self.layout;
        let last = l.rows.saturating_sub(l.height.max(1));
        let now = match self.view {
            DocView::Top(t) => t.min(last),
            DocView::Follow => l.top,
        };
        let to = match nav {
            Nav::Up => now.saturating_sub(1),
            Nav::Down => now + 1,
            Nav::PageUp => now.saturating_sub(PAGE),
            Nav::PageDown => now + PAGE,
            Nav::Top => 0,
            Nav::Bottom => last,
        };
        self.view = DocView::Top(if l.rows == 0 { to } else { to.min(last) });
    }
}

/// The state of one step's `verify_query` as this cockpit last saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryCheck {
    /// The query asked (placeholders filled).
    pub query: String,
    /// When it was last asked.
    pub asked: Option<Timestamp>,
    /// A request is on its way.
    pub in_flight: bool,
    /// Series returned, or why it failed.
    pub result: Option<Result<usize, String>>,
}

/// Lines of command output kept on screen; older ones are dropped.
pub const OUTPUT_LINES_KEPT: usize = 5000;

/// Runbook commands: the latest one, for the output panel.
#[derive(Debug)]
pub struct Runs {
    /// The latest command, running or finished.
    pub latest: Option<RunView>,
    /// Id of the next command run.
    pub next_id: u64,
}

impl Default for Runs {
    fn default() -> Self {
        Runs {
            latest: None,
            next_id: 1,
        }
    }
}

impl Runs {
    /// Whether a command is running now.
    pub fn running(&self) -> bool {
        self.latest.as_ref().is_some_and(|r| r.outcome.is_none())
    }
}

/// The latest runbook command, running or finished, for the output panel.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    /// Matches reports from the runner.
    pub id: u64,
    /// The step it belongs to.
    pub step: String,
    /// Where its progress is recorded.
    pub at: crate::domain::incident::StepAt,
    /// The runbook's own command, when the responder edited it.
    pub original: Option<String>,
    /// The step's command, its verify check or its rollback.
    pub purpose: Purpose,
    /// The command as run.
    pub command: String,
    /// When it started.
    pub started: Timestamp,
    /// The newest output lines, at most [`OUTPUT_LINES_KEPT`].
    pub lines: VecDeque<String>,
    /// Lines dropped from the front to keep the bound.
    pub dropped: usize,
    /// How it ended and how long it took; `None` while it runs.
    pub outcome: Option<(RunOutcome, Duration)>,
    /// Lines scrolled up from the newest; 0 follows the output.
    pub scroll: usize,
}
