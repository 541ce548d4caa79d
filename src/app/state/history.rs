//! The command lines this Unix user submitted, oldest first, as Up and Down
//! on the `:` line walk them. The cockpit loads them at start and saves each
//! new one; here they are only kept in memory, bounded.

use std::collections::VecDeque;

/// How many command lines are kept, in memory and in the history file.
pub const HISTORY_KEPT: usize = 500;

/// The longest command line kept: a pasted wall of text is not worth
/// recalling, and the file stays small enough to read at every start.
pub const HISTORY_LINE_CHARS: usize = 1000;

/// Submitted command lines, already redacted, the newest last.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CommandHistory {
    lines: VecDeque<String>,
}

impl CommandHistory {
    /// Every kept line, oldest first.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.lines.iter().map(String::as_str)
    }

    /// How many lines are kept.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether nothing was submitted yet.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The line `back` steps from the newest (0: the newest).
    pub fn back(&self, back: usize) -> Option<&str> {
        let i = self.lines.len().checked_sub(back + 1)?;
        self.lines.get(i).map(String::as_str)
    }

    /// Adds a line as the newest; an empty line, or the same as the newest,
    /// adds nothing. Returns whether it was added.
    pub fn push(&mut self, line: &str) -> bool {
        let line = Self::tidy(line);
        if line.is_empty() || self.lines.back() == Some(&line) {
            return false;
        }
        self.lines.push_back(line);
        let excess = self.lines.len().saturating_sub(HISTORY_KEPT);
        self.lines.drain(..excess);
        true
    }

    /// Lines read from the history file at start go before anything typed
    /// while they were being read.
    pub fn loaded(&mut self, older: Vec<String>) {
        let typed = std::mem::take(&mut self.lines);
        for l in older.iter().chain(typed.iter()) {
            self.push(l);
        }
    }

    /// One line, its ends trimmed, control characters (line breaks among
    /// them) as spaces and at most [`HISTORY_LINE_CHARS`] long: one line of
    /// the file.
    pub fn tidy(line: &str) -> String {
        line.trim()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(HISTORY_LINE_CHARS)
            .collect()
    }
}
