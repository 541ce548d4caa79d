//! Text helpers for panes: sanitising, clipping and wrapping by display width.

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::sanitize;

/// Sanitises outside text for a single row.
pub fn clean(s: &str) -> Cow<'_, str> {
    sanitize::line(s)
}

/// Text a responder typed or a command printed, for a screen others may be
/// watching: secrets masked unless `reveal` (`:reveal` at this terminal).
pub fn masked(s: &str, reveal: bool) -> Cow<'_, str> {
    crate::domain::redact::mask(s, reveal)
}

/// Cuts `s` to `width` columns, ending with `…` when cut.
pub fn clip(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Pads or clips `s` to exactly `width` columns.
pub fn fit(s: &str, width: usize) -> String {
    let c = clip(s, width);
    let pad = width.saturating_sub(c.width());
    format!("{c}{}", " ".repeat(pad))
}

/// Greedy word wrap of styled pieces into lines of at most `width` columns.
/// Continuation lines start with `indent` spaces. Pieces must be sanitised.
pub fn wrap(pieces: Vec<(String, Style)>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(indent + 8);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut cur_w = 0;
    let mut push_word =
        |word: &str, style: Style, cur: &mut Vec<Span<'static>>, cur_w: &mut usize| {
            let ww = word.width();
            if *cur_w + ww > width && *cur_w > indent {
                lines.push(Line::from(std::mem::take(cur)));
                cur.push(Span::raw(" ".repeat(indent)));
                *cur_w = indent;
                let trimmed = word.trim_start();
                cur.push(Span::styled(trimmed.to_string(), style));
                *cur_w += trimmed.width();
            } else {
                cur.push(Span::styled(word.to_string(), style));
                *cur_w += ww;
            }
            // Words longer than a line are hard-broken.
            while *cur_w > width {
                let Some(last) = cur.pop() else { break };
                let content = last.content.to_string();
                let keep = width.saturating_sub(*cur_w - content.width());
                let (a, b) = split_at_width(&content, keep);
                cur.push(Span::styled(a, last.style));
                lines.push(Line::from(std::mem::take(cur)));
                cur.push(Span::raw(" ".repeat(indent)));
                *cur_w = indent + b.width();
                cur.push(Span::styled(b, last.style));
            }
        };
    for (text, style) in pieces {
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if c == ' ' && i > start {
                push_word(&text[start..i], style, &mut cur, &mut cur_w);
                start = i;
            }
        }
        if start < text.len() {
            push_word(&text[start..], style, &mut cur, &mut cur_w);
        }
    }
    if !cur.is_empty() {
        lines.push(Line::from(cur));
    }
    lines
}

/// One line that is never wrapped (a command): `lead`, then the pieces
/// from column `skip` on, cut at `width`; `‹` and `›` say there is more to
/// the left or right.
pub fn scrolled(
    lead: (String, Style),
    pieces: Vec<(String, Style)>,
    width: usize,
    skip: usize,
) -> Line<'static> {
    let room = width.saturating_sub(lead.0.width());
    let total: usize = pieces.iter().map(|(t, _)| t.width()).sum();
    let skip = skip.min(total.saturating_sub(room.saturating_sub(1)));
    let mut spans = vec![Span::styled(lead.0, lead.1)];
    let mut col = 0;
    let mut used = 0;
    let more_right = total > skip + room;
    let left_mark = usize::from(skip > 0);
    let right_mark = usize::from(more_right);
    let budget = room.saturating_sub(left_mark + right_mark);
    if skip > 0 {
        spans.push(Span::styled("‹", super::theme::dim()));
    }
    for (text, style) in pieces {
        let mut out = String::new();
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if col >= skip && used + w <= budget {
                out.push(c);
                used += w;
            }
            col += w;
        }
        if !out.is_empty() {
            spans.push(Span::styled(out, style));
        }
    }
    if more_right {
        spans.push(Span::styled("›", super::theme::dim()));
    }
    Line::from(spans)
}

/// Styled lines wrapped to `width`; a line's continuation keeps the line's
/// own leading indent.
pub fn wrap_lines(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        if text.width() <= width || text.is_empty() {
            out.push(line);
            continue;
        }
        let indent = text.len() - text.trim_start().len();
        let base = line.style;
        let pieces = line
            .spans
            .into_iter()
            .map(|s| (s.content.into_owned(), base.patch(s.style)))
            .collect();
        out.extend(wrap(pieces, width, indent.min(width / 2)));
    }
    out
}

fn split_at_width(s: &str, width: usize) -> (String, String) {
    let mut w = 0;
    for (i, c) in s.char_indices() {
        let cw = c.width().unwrap_or(0);
        if w + cw > width {
            return (s[..i].to_string(), s[i..].to_string());
        }
        w += cw;
    }
    (s.to_string(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn clip_and_fit_by_width() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(clip("日本語テキスト", 5), "日本…");
    }

    #[test]
    fn wraps_words_with_indent() {
        let lines = wrap(vec![("one two three four".into(), Style::new())], 10, 2);
        assert_eq!(plain(&lines), ["one two", "  three", "  four"]);
        let long = wrap(
            vec![("abcdefghijklmnopqrstuvwxyz".into(), Style::new())],
            10,
            0,
        );
        assert!(
            plain(&long).iter().all(|l| l.width() <= 10),
            "{:?}",
            plain(&long)
        );
        assert_eq!(plain(&long).concat(), "abcdefghijklmnopqrstuvwxyz");
    }
}
