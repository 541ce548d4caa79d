//! The `:` command line: typing with the shell's editing keys, Tab
//! completion, and Up/Down through the commands given before.

use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea};

use super::super::command;
use super::super::complete::{self, common_prefix};
use super::super::keys::{Action, LineEdit};
use super::super::msg::{Effect, Fx};
use super::super::next::Next;
use super::super::state::{App, CommandHistory};
use crate::domain::redact::redact;

/// A command being typed.
#[derive(Debug)]
pub struct CommandDraft {
    /// The line, without the `:`.
    pub editor: TextArea<'static>,
    /// Tab completion under way: the candidates shown and the one chosen.
    pub tabbing: Option<Tabbing>,
    /// Walking the history: steps back from the newest line (0: the newest);
    /// `None` while on the line being typed.
    pub walk: Option<usize>,
    /// What was being typed when the walk began, given back past the newest.
    pub draft: String,
}

/// The candidates of one Tab completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tabbing {
    /// Where the completed word starts, in characters.
    pub start: usize,
    /// What the word may become; empty when nothing fits.
    pub candidates: Vec<String>,
    /// The candidate on the line once Tab is pressed again (cycling).
    pub chosen: Option<usize>,
}

impl CommandDraft {
    /// A line starting with `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        CommandDraft {
            editor: line_editor(text, usize::MAX),
            tabbing: None,
            walk: None,
            draft: String::new(),
        }
    }

    /// What has been typed.
    pub fn text(&self) -> String {
        self.editor.lines().join(" ")
    }

    /// Where the cursor is, in characters from the start of the line.
    fn cursor(&self) -> usize {
        self.editor.cursor().1
    }

    /// Puts `text` on the line with the cursor `at` (in characters).
    fn set(&mut self, text: &str, at: usize) {
        self.editor = line_editor(text, at);
    }

    /// Replaces the word from `start` to the cursor with `word`.
    fn put_word(&mut self, start: usize, word: &str) {
        let text = self.text();
        let cur = self.cursor();
        let head: String = text.chars().take(start.min(cur)).collect();
        let tail: String = text.chars().skip(cur).collect();
        let at = head.chars().count() + word.chars().count();
        self.set(&format!("{head}{word}{tail}"), at);
    }
}

/// A one-line editor holding `text`, the cursor `at` characters in (at
/// most at the end).
fn line_editor(text: &str, at: usize) -> TextArea<'static> {
    let mut editor = TextArea::from([text.to_string()]);
    let len = text.chars().count();
    match u16::try_from(at) {
        Ok(col) if at < len => editor.move_cursor(CursorMove::Jump(0, col)),
        _ => {
            // Past what a jump can name (a pasted wall of text): from the end.
            editor.move_cursor(CursorMove::End);
            for _ in at.min(len)..len {
                editor.move_cursor(CursorMove::Back);
            }
        }
    }
    editor
}

/// Keys on the command line.
pub fn on_key(
    d: &mut CommandDraft,
    action: Option<Action>,
    key: KeyEvent,
    app: &mut App,
    fx: &mut Fx,
) -> Next {
    // Anything but Tab ends a completion: the list goes, the text stays.
    if !matches!(
        action,
        Some(Action::Line(LineEdit::Complete | LineEdit::CompleteBack))
    ) {
        d.tabbing = None;
    }
    match action {
        Some(Action::Cancel) => Next::Close,
        Some(Action::Submit) => {
            let line = d.text();
            remember(app, &line, fx);
            match command::parse(&line) {
                Ok(cmd) => match super::super::commands::run(app, cmd, fx) {
                    Next::Stay => Next::Close,
                    other => other,
                },
                Err(e) => {
                    app.error(e);
                    Next::Close
                }
            }
        }
        Some(Action::Line(edit)) => {
            line_edit(d, edit, app);
            Next::Stay
        }
        _ => {
            d.editor.input(key);
            Next::Stay
        }
    }
}

/// Keeps a submitted line for Up and Down, redacted first: what is kept
/// (and written to the history file) never holds a pasted password.
fn remember(app: &mut App, line: &str, fx: &mut Fx) {
    let kept = redact(&CommandHistory::tidy(line));
    if app.history.push(&kept) {
        fx.push(Effect::RememberCommand(kept));
    }
}

/// Completion, history and the shell's editing keys.
fn line_edit(d: &mut CommandDraft, edit: LineEdit, app: &App) {
    let text = d.text();
    let cur = d.cursor();
    let byte = |chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    };
    match edit {
        LineEdit::Complete => tab(d, app, false),
        LineEdit::CompleteBack => tab(d, app, true),
        LineEdit::Older => walk(d, app, true),
        LineEdit::Newer => walk(d, app, false),
        LineEdit::Start => d.editor.move_cursor(CursorMove::Head),
        LineEdit::End => d.editor.move_cursor(CursorMove::End),
        LineEdit::KillToStart => d.set(&text[byte(cur)..], 0),
        LineEdit::KillToEnd => d.set(&text[..byte(cur)], cur),
        LineEdit::DeleteWord => {
            // As the shell's Ctrl-w: spaces before the cursor, then the word
            // back to the previous space.
            let head: Vec<char> = text.chars().take(cur).collect();
            let mut start = head.len();
            while start > 0 && head[start - 1].is_whitespace() {
                start -= 1;
            }
            while start > 0 && !head[start - 1].is_whitespace() {
                start -= 1;
            }
            let kept = format!("{}{}", &text[..byte(start)], &text[byte(cur)..]);
            d.set(&kept, start);
        }
    }
}

/// Tab: one candidate is taken whole (with a space after it); several are
/// listed and their common beginning taken; Tab again puts them on the line
/// one after the other (Shift-Tab backwards).
fn tab(d: &mut CommandDraft, app: &App, back: bool) {
    if let Some(t) = d.tabbing.as_mut().filter(|t| t.candidates.len() > 1) {
        let n = t.candidates.len();
        let next = match (t.chosen, back) {
            (None, false) => 0,
            (None, true) => n - 1,
            (Some(i), false) => (i + 1) % n,
            (Some(i), true) => (i + n - 1) % n,
        };
        t.chosen = Some(next);
        let (start, word) = (t.start, t.candidates[next].clone());
        d.put_word(start, &word);
        return;
    }
    let before: String = d.text().chars().take(d.cursor()).collect();
    let c = complete::complete(app, &before);
    match c.candidates.as_slice() {
        [] => {}
        [only] => {
            let after = d.text().chars().nth(d.cursor());
            let space = if after.is_some_and(char::is_whitespace) {
                ""
            } else {
                " "
            };
            d.put_word(c.start, &format!("{only}{space}"));
            return;
        }
        many => {
            let prefix = common_prefix(many);
            if prefix.chars().count() > c.word.chars().count() {
                d.put_word(c.start, &prefix);
            }
        }
    }
    d.tabbing = Some(Tabbing {
        start: c.start,
        candidates: c.candidates,
        chosen: None,
    });
}

/// Up (`older`) and Down through the history. The line being typed is kept
/// aside when the walk begins and comes back after the newest line.
fn walk(d: &mut CommandDraft, app: &App, older: bool) {
    let n = app.history.len();
    let to = match (d.walk, older) {
        (None, true) if n > 0 => Some(0),
        (Some(i), true) => Some((i + 1).min(n.saturating_sub(1))),
        (Some(0), false) => None,
        (Some(i), false) => Some(i - 1),
        (None, _) => return,
    };
    if d.walk.is_none() {
        d.draft = d.text();
    }
    d.walk = to;
    let text = match to {
        Some(i) => app.history.back(i).unwrap_or_default().to_string(),
        None => std::mem::take(&mut d.draft),
    };
    d.set(&text, usize::MAX);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_lands_where_asked_on_any_length_of_line() {
        assert_eq!(line_editor("abc def", 4).cursor(), (0, 4));
        assert_eq!(line_editor("abc", usize::MAX).cursor(), (0, 3));
        assert_eq!(line_editor("", 0).cursor(), (0, 0));
        let long = "a".repeat(70_000);
        assert_eq!(line_editor(&long, 69_990).cursor(), (0, 69_990));
        assert_eq!(line_editor(&long, 10).cursor(), (0, 10));
    }
}
