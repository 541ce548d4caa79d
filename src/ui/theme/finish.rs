//! The last pass over a drawn frame, for terminals that cannot show all of
//! it: colours reduced to what the terminal takes (or removed), and every
//! character beyond ASCII replaced by its nearest ASCII look-alike. Done on
//! the finished buffer, so no pane can forget it.

use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::style::Color;
use unicode_width::UnicodeWidthStr;

use crate::look::{Depth, Look, Palette};

/// Applies `look` to a drawn buffer.
pub fn apply(look: Look, buf: &mut Buffer) {
    let plain = look.palette == Palette::Mono;
    if !plain && look.depth == Depth::True && !look.ascii {
        return;
    }
    for cell in buf.content.iter_mut() {
        if plain {
            cell.fg = Color::Reset;
            cell.bg = Color::Reset;
        } else {
            cell.fg = reduce(cell.fg, look.depth);
            cell.bg = reduce(cell.bg, look.depth);
        }
        // A hyperlink's cell holds its escape sequence; its text is the
        // link's address, which is ASCII already.
        if !look.ascii || cell.symbol().starts_with('\u{1b}') {
            continue;
        }
        if matches!(cell.diff_option, CellDiffOption::Skip) {
            continue;
        }
        let sym = cell.symbol();
        if sym.is_ascii() {
            continue;
        }
        let wide = sym.width() > 1;
        let mut c = sym.chars();
        let repl = match (c.next(), c.next()) {
            (Some(ch), None) => ascii(ch),
            _ => '?',
        };
        cell.set_char(repl);
        if wide {
            // The cell after a wide character was blank; it stays so.
            cell.diff_option = CellDiffOption::None;
        }
    }
}

/// The ASCII character that looks most like `c`.
pub fn ascii(c: char) -> char {
    match c {
        '─' | '━' | '═' | '╌' | '┄' | '—' | '–' | '‒' | '−' => '-',
        '│' | '┃' | '║' | '╎' | '┆' | '▏' | '▎' | '▍' | '▌' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' | '┏' | '┓'
        | '┗' | '┛' | '╔' | '╗' | '╚' | '╝' => '+',
        '\u{2800}' => ' ',
        '\u{2801}'..='\u{28FF}' => '*',
        '·' | '•' | '∙' => '.',
        '…' => '~',
        '→' | '↪' | '▶' | '▸' | '›' | '»' => '>',
        '←' | '↺' | '◀' | '‹' | '«' => '<',
        '▲' | '▴' | '↑' => '^',
        '▼' | '▾' | '↓' => 'v',
        '●' | '◆' | '★' => '*',
        '○' | '◌' | '◯' => 'o',
        '✔' | '✓' => '+',
        '✖' | '✗' | '×' => 'x',
        '⚑' | '⚠' | '❗' => '!',
        '✎' => 'n',
        '✉' => 'u',
        '≡' => '=',
        '⇄' => '%',
        '☺' => '@',
        '⎈' => '#',
        '☇' => 'z',
        '◷' => 'o',
        '▣' => '#',
        '▁' | '▂' | '▃' => '_',
        '▄' | '▅' => '=',
        '▆' | '▇' => '#',
        '⌕' => '?',
        '█' | '▓' | '▒' | '░' | '■' => '#',
        '“' | '”' | '„' => '"',
        '‘' | '’' | '‚' => '\'',
        c if c.is_ascii() => c,
        _ => '?',
    }
}

/// A colour the terminal can show at `depth`.
fn reduce(c: Color, depth: Depth) -> Color {
    let Color::Rgb(r, g, b) = c else {
        return c;
    };
    match depth {
        Depth::True => c,
        Depth::Ansi256 => {
            let step = |v: u8| (u16::from(v) * 5 / 255) as u8;
            Color::Indexed(16 + 36 * step(r) + 6 * step(g) + step(b))
        }
        Depth::Ansi16 => {
            // Dark and light greys, else the basic hue the channels lean to.
            let (hi, lo) = (r.max(g).max(b), r.min(g).min(b));
            if hi - lo < 40 {
                return match hi {
                    0..=63 => Color::Black,
                    64..=159 => Color::DarkGray,
                    160..=223 => Color::Gray,
                    _ => Color::White,
                };
            }
            let on = |v: u8| v > hi / 2;
            match (on(r), on(g), on(b)) {
                (true, false, false) => Color::Red,
                (false, true, false) => Color::Green,
                (false, false, true) => Color::Blue,
                (true, true, false) => Color::Yellow,
                (true, false, true) => Color::Magenta,
                (false, true, true) => Color::Cyan,
                _ => Color::Gray,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn ascii_mode_leaves_nothing_beyond_ascii() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "┌─⣿⠀…·●日本", Style::new().fg(Color::Rgb(40, 50, 70)));
        let look = Look {
            palette: Palette::Dark,
            ascii: true,
            depth: Depth::Ansi16,
        };
        apply(look, &mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol().to_string()).collect();
        assert!(text.is_ascii(), "{text:?}");
        assert!(text.starts_with("+-* ~.*? ? "), "{text:?}");
        assert!(buf.content.iter().all(|c| !matches!(c.fg, Color::Rgb(..))));
    }

    #[test]
    fn mono_removes_every_colour_and_keeps_emphasis() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 1));
        let st = Style::new()
            .fg(Color::Red)
            .bg(Color::Blue)
            .add_modifier(ratatui::style::Modifier::REVERSED);
        buf.set_string(0, 0, "abc", st);
        let look = Look {
            palette: Palette::Mono,
            ascii: false,
            depth: Depth::True,
        };
        apply(look, &mut buf);
        for c in &buf.content {
            assert_eq!((c.fg, c.bg), (Color::Reset, Color::Reset));
            assert!(c.modifier.contains(ratatui::style::Modifier::REVERSED));
        }
    }

    #[test]
    fn colours_are_reduced_to_the_terminal_depth() {
        assert_eq!(reduce(Color::Rgb(30, 30, 40), Depth::Ansi16), Color::Black);
        assert_eq!(reduce(Color::Rgb(200, 20, 20), Depth::Ansi16), Color::Red);
        assert!(matches!(
            reduce(Color::Rgb(30, 30, 40), Depth::Ansi256),
            Color::Indexed(_)
        ));
        assert_eq!(reduce(Color::Cyan, Depth::Ansi16), Color::Cyan);
    }
}
