//! Strips control characters and terminal escape sequences from text that came from
//! outside (alerts, pods, runbooks, notes), so nothing foreign can drive the terminal.

use std::borrow::Cow;

/// Returns `s` safe to draw on one line: escape sequences and control characters are
/// removed, and line breaks and tabs become spaces.
pub fn line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// Like [`line`] but keeps line breaks, for multi-line text such as notes.
pub fn multiline(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

fn is_clean(c: char, keep_newlines: bool) -> bool {
    if keep_newlines && c == '\n' {
        return true;
    }
    !(c.is_control() || is_bidi_control(c))
}

/// Bidirectional overrides can make text display in a different order than it is
/// stored, which is a classic way to disguise a command.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if s.chars().all(|c| is_clean(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 control sequence introducer and string introducers.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\r' if !keep_newlines && chars.peek() != Some(&'\n') => out.push(' '),
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            c if is_clean(c, keep_newlines) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-byte sequences with an intermediate byte, e.g. ESC ( B.
        Some(' '..='/') => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in '@'..='~'.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
        if !(' '..='?').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/APC/PM/SOS strings end at BEL or ST (ESC \ or U+009C).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(line("catalog-7d9f p99 > 500ms"), Cow::Borrowed(_)));
    }

    #[test]
    fn strips_csi_colour_and_cursor_moves() {
        assert_eq!(line("\u{1b}[31mred\u{1b}[0m \u{1b}[2J\u{1b}[Hx"), "red x");
    }

    #[test]
    fn strips_osc_title_and_hyperlinks() {
        assert_eq!(line("a\u{1b}]0;pwned\u{7}b"), "ab");
        assert_eq!(
            line("\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\"),
            "click"
        );
    }

    #[test]
    fn strips_c1_controls_bidi_and_bell() {
        assert_eq!(line("x\u{9b}31my\u{7}z"), "xyz");
        assert_eq!(line("rm \u{202E}fdp.exe"), "rm fdp.exe");
    }

    #[test]
    fn line_flattens_breaks_multiline_keeps_them() {
        assert_eq!(line("a\nb\tc\r\nd"), "a b c d");
        assert_eq!(multiline("a\r\nb\n\u{1b}[1mc"), "a\nb\nc");
    }

    #[test]
    fn unterminated_sequences_do_not_swallow_forever_or_panic() {
        assert_eq!(line("ok\u{1b}["), "ok");
        assert_eq!(line("ok\u{1b}]title"), "ok");
        assert_eq!(line("\u{1b}"), "");
    }
}
