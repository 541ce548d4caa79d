//! How the screen looks on this terminal: a palette for a dark or light
//! background or none at all, whether only ASCII can be shown, and how many
//! colours the terminal takes. Worked out once at start from the environment
//! (`NO_COLOR`, `COLORFGBG`, `TERM`, `COLORTERM`, the locale) and the
//! `--theme` / `--ascii` flags or config, so the rest of the program asks no
//! terminal questions.

use serde::Deserialize;

/// The colours styles are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Palette {
    /// Colours readable on a dark background.
    #[default]
    Dark,
    /// Colours readable on a light background.
    Light,
    /// No colour: emphasis by bold, underline and reverse video only.
    Mono,
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Depth {
    /// 24-bit colour.
    #[default]
    True,
    /// The 256-colour palette.
    Ansi256,
    /// The 16 basic colours.
    Ansi16,
}

/// Everything about drawing that depends on the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Look {
    /// The palette.
    pub palette: Palette,
    /// Only ASCII: box drawing, braille, icons and ellipses are replaced.
    pub ascii: bool,
    /// The colour depth colours are reduced to.
    pub depth: Depth,
}

/// What the user asked for, overriding detection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    /// `--theme` or `theme:` in the config.
    pub palette: Option<Palette>,
    /// `--ascii` or `ascii: true` in the config.
    pub ascii: Option<bool>,
}

/// Terminal types that show neither colour nor anything beyond ASCII.
fn limited(term: &str) -> bool {
    term.is_empty()
        || term == "dumb"
        || term.starts_with("vt")
        || term == "ansi"
        || term == "cons25"
}

impl Look {
    /// The look for a terminal described by `env` (a lookup of environment
    /// variables), with the user's wishes applied; `NO_COLOR` always wins
    /// over colour.
    pub fn detect(env: impl Fn(&str) -> Option<String>, wanted: Wanted) -> Look {
        let var = |k: &str| env(k).unwrap_or_default();
        let term = var("TERM");
        let limited = limited(&term);
        let palette = if !var("NO_COLOR").is_empty() || (limited && wanted.palette.is_none()) {
            Palette::Mono
        } else if let Some(p) = wanted.palette {
            p
        } else if light_background(&var("COLORFGBG")) {
            Palette::Light
        } else {
            Palette::Dark
        };
        // The locale in force is the first of these that is set.
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .map(|k| var(k))
            .find(|v| !v.is_empty())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let utf8 = locale.contains("utf-8") || locale.contains("utf8");
        let ascii = wanted.ascii.unwrap_or(limited || !utf8);
        let colorterm = var("COLORTERM").to_ascii_lowercase();
        let depth = if colorterm == "truecolor" || colorterm == "24bit" {
            Depth::True
        } else if term.contains("256color") {
            Depth::Ansi256
        } else {
            Depth::Ansi16
        };
        Look {
            palette,
            ascii,
            depth,
        }
    }

    /// The look for the terminal this process runs in.
    pub fn of_this_terminal(wanted: Wanted) -> Look {
        Look::detect(|k| std::env::var(k).ok(), wanted)
    }
}

/// Whether `COLORFGBG` ("foreground;background", as rxvt, Konsole and
/// others set it) says the background is light: white or light grey.
fn light_background(colorfgbg: &str) -> bool {
    colorfgbg
        .rsplit(';')
        .next()
        .and_then(|bg| bg.parse::<u8>().ok())
        .is_some_and(|bg| bg == 7 || (9..=15).contains(&bg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(vars: &[(&str, &str)], wanted: Wanted) -> Look {
        let map: std::collections::HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Look::detect(|k| map.get(k).cloned(), wanted)
    }

    const MODERN: &[(&str, &str)] = &[
        ("TERM", "xterm-256color"),
        ("LANG", "en_GB.UTF-8"),
        ("COLORTERM", "truecolor"),
    ];

    #[test]
    fn a_modern_terminal_is_dark_unicode_and_truecolor() {
        let l = look(MODERN, Wanted::default());
        assert_eq!(l.palette, Palette::Dark);
        assert!(!l.ascii);
        assert_eq!(l.depth, Depth::True);
    }

    #[test]
    fn light_backgrounds_no_color_and_wishes() {
        let mut vars = MODERN.to_vec();
        vars.push(("COLORFGBG", "0;15"));
        assert_eq!(look(&vars, Wanted::default()).palette, Palette::Light);
        vars.push(("NO_COLOR", "1"));
        let wanted = Wanted {
            palette: Some(Palette::Dark),
            ascii: None,
        };
        assert_eq!(look(&vars, wanted).palette, Palette::Mono, "NO_COLOR wins");
        let dark_bg = [
            ("TERM", "xterm"),
            ("LANG", "C.UTF-8"),
            ("COLORFGBG", "15;0"),
        ];
        assert_eq!(look(&dark_bg, Wanted::default()).palette, Palette::Dark);
        assert_eq!(look(&dark_bg, Wanted::default()).depth, Depth::Ansi16);
    }

    #[test]
    fn limited_terminals_and_non_utf8_locales_get_ascii() {
        let vt = look(
            &[("TERM", "vt100"), ("LANG", "en_US.UTF-8")],
            Wanted::default(),
        );
        assert!(vt.ascii);
        assert_eq!(vt.palette, Palette::Mono);
        let c = look(
            &[("TERM", "xterm-256color"), ("LANG", "C")],
            Wanted::default(),
        );
        assert!(c.ascii);
        assert_eq!(c.palette, Palette::Dark);
        // LC_ALL overrides LANG.
        let all = look(
            &[
                ("TERM", "xterm"),
                ("LANG", "en_US.UTF-8"),
                ("LC_ALL", "POSIX"),
            ],
            Wanted::default(),
        );
        assert!(all.ascii);
        let asked = Wanted {
            palette: None,
            ascii: Some(true),
        };
        assert!(look(MODERN, asked).ascii);
    }
}
