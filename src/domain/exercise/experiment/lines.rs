//! Where a key is written in the experiment file, so a semantic problem (a
//! missing field, a value out of bounds) points at a line the way a YAML
//! syntax error does. serde_yaml keeps no positions for parsed values, so the
//! text is scanned.
//!
//! Good enough, not a YAML parser. It follows block mappings by indentation
//! (list items `- key: v` count as two columns deeper) and skips comments and
//! the lines of block scalars (`|`, `>`). It does not see keys written in
//! flow style (`{a: 1}`), complex keys (`? k`), merge keys, keys inside
//! multi-line quoted or plain scalars (a continuation line that looks like
//! `word: x` may be taken for a key), or tab indentation. When it finds
//! nothing, the caller falls back to the parent's line, then line 1.

/// The 1-based line of the key at `path` (outermost first), if it is found.
pub(super) fn key_line(text: &str, path: &[&str]) -> Option<usize> {
    if path.is_empty() {
        return None;
    }
    let mut stack: Vec<(usize, String)> = Vec::new();
    // The indentation of a block scalar's key: deeper lines are its text.
    let mut block: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let body = raw.trim_start_matches(' ');
        let mut indent = raw.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some(b) = block {
            if indent > b {
                continue;
            }
            block = None;
        }
        let mut body = body;
        while let Some(rest) = body.strip_prefix('-') {
            if !(rest.is_empty() || rest.starts_with(' ')) {
                break;
            }
            let trimmed = rest.trim_start_matches(' ');
            indent += 1 + rest.len() - trimmed.len();
            body = trimmed;
        }
        let Some((key, rest)) = split_key(body) else {
            continue;
        };
        while stack.last().is_some_and(|(d, _)| *d >= indent) {
            stack.pop();
        }
        let value = rest.split(" #").next().unwrap_or_default().trim();
        if value.starts_with(['|', '>']) {
            block = Some(indent);
        }
        stack.push((indent, key));
        if stack.len() == path.len() && stack.iter().zip(path).all(|((_, k), p)| k == p) {
            return Some(i + 1);
        }
    }
    None
}

/// The 1-based line where `key` is written for the second time, at any
/// nesting: where serde_yaml's "duplicate entry" error (which has no
/// position) most likely is. Wrong when the same key also appears in
/// another mapping earlier in the file.
pub(super) fn second_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let body = l.trim_start_matches([' ', '-']);
            split_key(body).is_some_and(|(k, _)| k == key)
        })
        .nth(1)
        .map(|(i, _)| i + 1)
}

/// `key: rest` → the key (unquoted) and what follows the colon.
fn split_key(body: &str) -> Option<(String, &str)> {
    for quote in ['"', '\''] {
        if let Some(inner) = body.strip_prefix(quote) {
            let end = inner.find(quote)?;
            let rest = inner[end + 1..].trim_start_matches(' ').strip_prefix(':')?;
            return (rest.is_empty() || rest.starts_with([' ', '\t']))
                .then(|| (inner[..end].to_string(), rest));
        }
    }
    if body.starts_with(['{', '[', '&', '*', '!', '?', '|', '>', '%', '@', '`']) {
        return None;
    }
    let mut from = 0;
    while let Some(pos) = body[from..].find(':') {
        let at = from + pos;
        let rest = &body[at + 1..];
        if rest.is_empty() || rest.starts_with([' ', '\t']) {
            let key = body[..at].trim_end();
            return (!key.is_empty() && !key.contains(" #")).then(|| (key.to_string(), rest));
        }
        from = at + 1;
    }
    None
}

/// Text from the file as it may appear inside a message: control characters
/// (escape sequences, line breaks) are written as escapes, and long text is
/// cut, so a hostile value can neither drive the terminal nor flood it.
pub(super) fn shown(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => inert(&text[..cut]) + "…",
        None => inert(text),
    }
}

/// `text` with control characters (escape sequences, line breaks) and
/// bidirectional overrides written as escapes, whole.
pub(super) fn inert(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
