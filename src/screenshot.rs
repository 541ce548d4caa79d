//! Renders a ratatui buffer as an SVG image with its colours, so the README's
//! screenshots come from the real rendering rather than being drawn by hand.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const CELL_W: f64 = 8.4;
const CELL_H: f64 = 17.0;
const BACKGROUND: &str = "#16161e";
const FOREGROUND: &str = "#d4d4d4";

fn hex(c: Color, fg: bool) -> Option<String> {
    let named = |s: &str| Some(s.to_string());
    match c {
        Color::Reset => fg.then(|| FOREGROUND.to_string()),
        Color::Black => named("#1e1e1e"),
        Color::Red => named("#e05561"),
        Color::Green => named("#8cc265"),
        Color::Yellow => named("#d18f52"),
        Color::Blue => named("#4aa5f0"),
        Color::Magenta => named("#c162de"),
        Color::Cyan => named("#42b3c2"),
        Color::Gray => named("#c0c0c0"),
        Color::DarkGray => named("#6b7280"),
        Color::LightRed => named("#ff7a85"),
        Color::LightGreen => named("#a5e075"),
        Color::LightYellow => named("#f0c674"),
        Color::LightBlue => named("#7cc4ff"),
        Color::LightMagenta => named("#de8ef0"),
        Color::LightCyan => named("#6fdfe8"),
        Color::White => named("#ffffff"),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => Some(format!("#{0:02x}{0:02x}{0:02x}", i)),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One SVG document for the whole buffer.
pub fn svg(buf: &Buffer) -> String {
    let area = buf.area;
    let (w, h) = (area.width as f64 * CELL_W, area.height as f64 * CELL_H);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="{BACKGROUND}"/>"#
    );
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let key = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < area.width {
                let c = &buf[(area.x + x, area.y + y)];
                if (c.fg, c.bg, c.modifier) != key {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let (px, py) = (start as f64 * CELL_W, y as f64 * CELL_H);
            let run_w = (x - start) as f64 * CELL_W;
            let reversed = key.2.contains(Modifier::REVERSED);
            let (fg, bg) = if reversed {
                (key.1, key.0)
            } else {
                (key.0, key.1)
            };
            if let Some(bg) = hex(bg, false) {
                let _ = writeln!(
                    out,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{run_w:.1}" height="{CELL_H}" fill="{bg}"/>"#
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let fill = hex(fg, true).unwrap_or_else(|| FOREGROUND.to_string());
            let mut attrs = String::new();
            if key.2.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if key.2.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            let _ = writeln!(
                out,
                r#"<text x="{px:.1}" y="{:.1}" fill="{fill}" textLength="{run_w:.1}" lengthAdjust="spacing" xml:space="preserve"{attrs}>{}</text>"#,
                py + CELL_H * 0.78,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn colours_and_escaping() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        buf.set_string(0, 0, "a<b", Style::new().fg(Color::Red).bg(Color::Blue));
        let s = svg(&buf);
        assert!(s.contains("a&lt;b"), "{s}");
        assert!(s.contains(r##"fill="#e05561""##));
        assert!(
            s.contains(r##"<rect x="0.0" y="0.0" width="25.2" height="17" fill="#4aa5f0"/>"##),
            "{s}"
        );
        assert!(s.ends_with("</svg>\n"));
    }
}
