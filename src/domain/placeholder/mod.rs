//! `$VAR`, `${VAR}` and `{{ $labels.x }}` placeholders in runbook text, filled from
//! an alert's labels. Unresolved ones are kept and flagged, never blanked, so a
//! responder never runs a command with a silently missing argument.
//!
//! This is the one filler: [`segments`] splits text for drawing, [`fill`]
//! produces the filled text plus what stops it being used as it stands, judged
//! by what it is for ([`Use`]). It reads nothing but its arguments; the names
//! of the environment variables a shell would see are passed in.

use std::collections::BTreeMap;

use crate::domain::shell::{Context, contexts};

/// A piece of text after filling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg<'a> {
    /// Literal text from the runbook.
    Text(&'a str),
    /// A placeholder replaced by the label value.
    Filled(String),
    /// A placeholder with no matching label, kept verbatim.
    Missing(&'a str),
}

/// A placeholder occurrence: its byte range and the label name it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// Byte offset of the first character of the placeholder.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// Label name it asks for.
    pub name: &'a str,
}

/// Finds every placeholder in `text`, in order.
pub fn scan(text: &str) -> Vec<Placeholder<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("{{") {
            if let Some(close) = text[i + 2..].find("}}") {
                let end = i + 2 + close + 2;
                let inner = text[i + 2..i + 2 + close].trim();
                let name = inner
                    .strip_prefix("$labels.")
                    .or_else(|| inner.strip_prefix(".Labels."))
                    .filter(|n| is_ident(n));
                if let Some(name) = name {
                    out.push(Placeholder {
                        start: i,
                        end,
                        name,
                    });
                }
                i = end;
                continue;
            }
        } else if bytes[i] == b'$' {
            if text[i + 1..].starts_with('{') {
                if let Some(close) = text[i + 2..].find('}') {
                    let name = &text[i + 2..i + 2 + close];
                    if is_ident(name) {
                        let end = i + 2 + close + 1;
                        out.push(Placeholder {
                            start: i,
                            end,
                            name,
                        });
                        i = end;
                        continue;
                    }
                }
            } else {
                let rest = &text[i + 1..];
                let len = rest
                    .char_indices()
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
                    .map_or(rest.len(), |(n, _)| n);
                let name = &rest[..len];
                if is_ident(name) {
                    out.push(Placeholder {
                        start: i,
                        end: i + 1 + len,
                        name,
                    });
                    i += 1 + len;
                    continue;
                }
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Looks a placeholder name up: exact label first, then the lower-cased name so
/// `$NAMESPACE` finds the `namespace` label.
pub fn lookup<'l>(labels: &'l BTreeMap<String, String>, name: &str) -> Option<&'l str> {
    labels
        .get(name)
        .or_else(|| labels.get(&name.to_ascii_lowercase()))
        .map(String::as_str)
}

/// Splits `text` into literal, filled and missing segments.
pub fn segments<'a>(text: &'a str, labels: &BTreeMap<String, String>) -> Vec<Seg<'a>> {
    let mut segs = Vec::new();
    let mut last = 0;
    for p in scan(text) {
        if p.start > last {
            segs.push(Seg::Text(&text[last..p.start]));
        }
        match lookup(labels, p.name) {
            Some(v) => segs.push(Seg::Filled(v.to_string())),
            None => segs.push(Seg::Missing(&text[p.start..p.end])),
        }
        last = p.end;
    }
    if last < text.len() {
        segs.push(Seg::Text(&text[last..]));
    }
    segs
}

/// `text` with known placeholders replaced and unknown ones left as written.
pub fn fill_string(text: &str, labels: &BTreeMap<String, String>) -> String {
    fill(text, labels, Use::Text).text
}

/// What filled text is for, which decides how values are written into it
/// and what stops it being used as is.
#[derive(Clone, Copy)]
pub enum Use<'e> {
    /// Shown or recorded: values as they are; only unfilled placeholders matter.
    Text,
    /// A label selector or namespace: an unfilled placeholder makes it
    /// wrong, so it is not used at all (the caller checks the syntax).
    Exact,
    /// PromQL sent to Prometheus: a value inside a string literal is escaped
    /// as that literal needs; elsewhere only a plain word (a name, number or
    /// duration) is accepted.
    Query,
    /// A command for `sh -c`: each value is escaped for its quoting context
    /// (bare, single or double quotes), so the shell reads it as one literal
    /// string. Places no escaping protects (here-documents, backticks,
    /// arithmetic, a command another interpreter reads again) take only
    /// plain names; values with hidden control or direction characters are
    /// refused; `<blanks>` to replace by hand block it. A `$name` the
    /// command sets itself (`for p in …`, `p=…`, `read p`), one the cockpit
    /// sets (`WARROOM_*`) or one `env` says the shell has belongs to the
    /// shell and is never filled from a label; one inside single quotes (the
    /// shell never expands it) is not a gap.
    Shell {
        /// Whether the environment the command runs in has this variable.
        env: &'e dyn Fn(&str) -> bool,
    },
}

/// A run of filled text, for drawing it as it will be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text as written.
    Text(String),
    /// A value, as filled in (quoted or escaped where its use needs it).
    Filled(String),
    /// A placeholder nothing fills, as written.
    Missing(String),
}

/// Text after filling, and why it cannot be used as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filled {
    /// The text with every fillable placeholder filled (and escaped).
    pub text: String,
    /// The same text in runs, telling written text from filled values.
    pub pieces: Vec<Piece>,
    /// Placeholders no label fills, as written.
    pub missing: Vec<String>,
    /// Everything that blocks using the text, in words, without repeats.
    pub problems: Vec<String>,
    /// What the responder should know but that blocks nothing: values that
    /// were quoted, values that start with `-`.
    pub notes: Vec<String>,
}

impl Filled {
    /// Adds a run to the text.
    fn push(&mut self, piece: Piece) {
        let s = match &piece {
            Piece::Text(s) | Piece::Filled(s) | Piece::Missing(s) => s,
        };
        if s.is_empty() {
            return;
        }
        self.text.push_str(s);
        self.pieces.push(piece);
    }

    /// Usable as it stands.
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
    }

    /// The filled text when nothing blocks it.
    pub fn ready(self) -> Option<String> {
        self.problems.is_empty().then_some(self.text)
    }
}

fn push_once(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Fills `text` from `labels` for a use; see [`Use`] for how values are
/// written and what is checked.
pub fn fill(text: &str, labels: &BTreeMap<String, String>, how: Use<'_>) -> Filled {
    let mut out = Filled::default();
    let shell = match how {
        Use::Shell { .. } => contexts(text),
        _ => Vec::new(),
    };
    let query = match how {
        Use::Query => promql_contexts(text),
        _ => Vec::new(),
    };
    // A program that may read its arguments as code takes plain names only.
    let known = match how {
        Use::Shell { .. } => {
            // The placeholders themselves (`${v}`, `{{ $labels.v }}`) are
            // what gets filled, not constructs of the command.
            let mut plain = String::new();
            let mut at = 0;
            for p in scan(text) {
                plain.push_str(&text[at..p.start]);
                plain.push('v');
                at = p.end;
            }
            plain.push_str(&text[at..]);
            crate::domain::shell::understood(&plain)
        }
        _ => Ok(()),
    };
    let assigned = match how {
        Use::Shell { .. } => crate::domain::shell::assigned(text),
        _ => Default::default(),
    };
    let mut last = 0;
    for p in scan(text) {
        out.push(Piece::Text(text[last..p.start].to_string()));
        last = p.end;
        let raw = &text[p.start..p.end];
        let shown = |v: &str| format!("{:?}", crate::sanitize::line(v));
        if let Use::Shell { env } = how {
            // After a backslash, `$x` is a literal dollar sign to the shell,
            // and a value would be read differently.
            if escaped(text, p.start)
                && matches!(
                    shell.get(p.start),
                    Some(Context::Bare | Context::Double | Context::Backtick)
                )
            {
                if raw.starts_with('$') {
                    out.push(Piece::Text(raw.to_string()));
                } else {
                    out.push(Piece::Missing(raw.to_string()));
                    push_once(
                        &mut out.problems,
                        format!(
                            "{raw} follows a backslash, which would change how its value is read"
                        ),
                    );
                }
                continue;
            }
            // The shell's own variable (set by the command or present in
            // its environment) stays the shell's: a label of the same name
            // must not replace `$PATH` or `$KUBECONFIG`.
            if shell_sets(&assigned, raw, env) {
                if lookup(labels, p.name).is_some() {
                    push_once(
                        &mut out.notes,
                        format!(
                            "{raw} is left to the shell, which sets it; the alert's label of that name is not used"
                        ),
                    );
                }
                out.push(Piece::Text(raw.to_string()));
                continue;
            }
        }
        let Some(v) = lookup(labels, p.name) else {
            let own = match how {
                Use::Shell { .. } => {
                    shell.get(p.start) == Some(&Context::Single) && raw.starts_with('$')
                }
                Use::Text | Use::Exact | Use::Query => false,
            };
            if own {
                out.push(Piece::Text(raw.to_string()));
            } else {
                out.push(Piece::Missing(raw.to_string()));
                out.missing.push(raw.to_string());
                push_once(&mut out.problems, format!("no alert label fills {raw}"));
            }
            continue;
        };
        match how {
            Use::Text | Use::Exact => out.push(Piece::Filled(v.to_string())),
            Use::Query => match escape_promql(v, query.get(p.start).copied()) {
                Some(e) => out.push(Piece::Filled(e)),
                None => {
                    out.push(Piece::Filled(v.to_string()));
                    push_once(
                        &mut out.problems,
                        format!("{raw} is {}, which is not a plain PromQL word", shown(v)),
                    );
                }
            },
            Use::Shell { .. } => {
                let ctx = shell.get(p.start).copied().unwrap_or(Context::Bare);
                let refused = if let Some(c) = crate::domain::shell::deceptive(v) {
                    Err(format!(
                        "holds the hidden character U+{:04X}, which can make a command run differently from how it reads",
                        u32::from(c)
                    ))
                } else if v.starts_with('-') && starts_word(text, p.start, &shell) {
                    Err("starts with '-', so the program would read it as an option".to_string())
                } else if let (Err(why), false) = (&known, crate::domain::shell::is_inert(v)) {
                    Err(format!(
                        "is not a plain name, and this command {why}; only letters, digits and - _ . : / @ are filled into it"
                    ))
                } else {
                    crate::domain::shell::escape(v, ctx).map_err(str::to_string)
                };
                match refused {
                    Ok(e) => {
                        if e != v {
                            push_once(
                                &mut out.notes,
                                format!(
                                    "{raw} is {}: quoted, so the shell reads it as one literal word",
                                    shown(v)
                                ),
                            );
                        }
                        out.push(Piece::Filled(e));
                    }
                    Err(why) => {
                        out.push(Piece::Missing(raw.to_string()));
                        push_once(
                            &mut out.problems,
                            format!("{raw} is {}: it {why}", shown(v)),
                        );
                    }
                }
            }
        }
    }
    out.push(Piece::Text(text[last..].to_string()));
    if matches!(how, Use::Shell { .. }) {
        // `kubectl -n <my-namespace> get pvc <my-pvc>`: words to replace by
        // hand; the shell would read them as redirections.
        for hole in angle_holes(&out.text) {
            push_once(
                &mut out.problems,
                format!("replace {hole} with a real value"),
            );
        }
    }
    out
}

/// Whether a placeholder at `pos` begins a shell word (perhaps after an
/// opening quote).
fn starts_word(text: &str, pos: usize, ctx: &[Context]) -> bool {
    let before = text[..pos].trim_end_matches(['\'', '"']);
    match before.char_indices().next_back() {
        None => true,
        // A blank inside quotes is part of the word, not its start.
        Some((i, c)) => {
            matches!(ctx.get(i), Some(Context::Bare) | None)
                && (c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | '`'))
        }
    }
}

/// For each byte of a PromQL expression: inside which string literal it is
/// (the opening quote), if any.
fn promql_contexts(query: &str) -> Vec<Option<char>> {
    let mut out = Vec::with_capacity(query.len());
    let mut open: Option<char> = None;
    let mut escaped = false;
    for c in query.chars() {
        let here = open;
        match open {
            Some(_) if escaped => escaped = false,
            Some(q) if c == '\\' && q != '`' => escaped = true,
            Some(q) if c == q => open = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => open = Some(c),
            None => {}
        }
        out.extend(std::iter::repeat_n(here, c.len_utf8()));
    }
    out
}

/// A value written for its place in a PromQL expression; `None` where it
/// cannot be written safely.
fn escape_promql(v: &str, inside: Option<Option<char>>) -> Option<String> {
    match inside.flatten() {
        Some('`') => (!v.contains('`')).then(|| v.to_string()),
        Some(q) => {
            let mut out = String::with_capacity(v.len());
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == q => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            Some(out)
        }
        None => (!v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.')))
        .then(|| v.to_string()),
    }
}

/// `<my-namespace>`-style blanks in a command.
fn angle_holes(command: &str) -> Vec<String> {
    static HOLE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"<[A-Za-z][A-Za-z0-9_.-]*>").ok());
    HOLE.as_ref().map_or_else(Vec::new, |re| {
        re.find_iter(command)
            .map(|m| m.as_str().to_string())
            .collect()
    })
}

/// Whether a `\` right before `pos` escapes it (an odd run of them).
fn escaped(text: &str, pos: usize) -> bool {
    text[..pos]
        .bytes()
        .rev()
        .take_while(|b| *b == b'\\')
        .count()
        % 2
        == 1
}

/// Whether the shell gives the `$var` a value: the command sets it, the
/// shell always does, the cockpit does, or the environment has it.
fn shell_sets(
    assigned: &std::collections::BTreeSet<String>,
    placeholder: &str,
    env: &dyn Fn(&str) -> bool,
) -> bool {
    let Some(name) = placeholder
        .strip_prefix("${")
        .and_then(|n| n.strip_suffix('}'))
        .or_else(|| placeholder.strip_prefix('$'))
    else {
        return false; // `{{ $labels.x }}` is always the alert's
    };
    name.starts_with("WARROOM_")
        || crate::domain::shell::SHELL_VARIABLES.contains(&name)
        || env(name)
        || assigned.contains(name)
}

#[cfg(test)]
mod tests;
