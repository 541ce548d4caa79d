//! Removes secrets from text that leaves the cockpit or reaches a shared
//! screen: exports, status-update drafts, silence comments, and the notes,
//! commands, output and updates the cockpit draws (unless `:reveal` is on at
//! that terminal). Passwords, tokens and keys in commands and notes,
//! credentials in URLs, PEM blocks, YAML secret blocks and well-known token
//! shapes are replaced by a marker, so the reader knows something was there.
//! Redacting twice changes nothing more.

mod rules;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What replaces a secret.
pub const MARK: &str = "[REDACTED]";

/// The compiled patterns (a test checks that every one compiles).
static RULES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    rules::patterns()
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
});

/// All the patterns at once: one pass over a text says which could apply,
/// so the common text with no secret costs one scan, not one per pattern.
static ANY: LazyLock<Option<regex::RegexSet>> =
    LazyLock::new(|| regex::RegexSet::new(rules::patterns()).ok());

/// One match rewritten: the whole of it, only its value, or nothing when
/// what it found is not a secret after all.
fn replace(c: &Captures<'_>) -> String {
    let Some(all) = c.get(0) else {
        return String::new();
    };
    let whole = all.as_str();
    let span = |m: regex::Match<'_>| {
        let (a, b) = (m.start() - all.start(), m.end() - all.start());
        format!("{}{MARK}{}", &whole[..a], &whole[b..])
    };
    if let (Some(k), Some(s)) = (c.name("k"), c.name("s")) {
        if !rules::secret_key(k.as_str(), s.as_str()) {
            return whole.to_string();
        }
        // `Token: see the wiki` is prose; `token: 9f8e7d6c5b4a` is not.
        let prose_like = s.as_str().contains(':')
            && !s.as_str().contains('=')
            && !k.as_str().contains(['_', '-', '.'])
            && !rules::strong(k.as_str())
            && c.name("v")
                .is_some_and(|v| v.as_str().len() < 8 || !rules::credential_like(v.as_str()));
        if prose_like {
            return whole.to_string();
        }
    }
    if let Some(b) = c.name("b") {
        return if rules::credential_like(b.as_str()) {
            span(b)
        } else {
            whole.to_string()
        };
    }
    match c.name("v") {
        Some(v) if rules::benign(v.as_str()) => whole.to_string(),
        Some(v) => span(v),
        None if whole.starts_with("-----BEGIN") => "[REDACTED PEM BLOCK]".to_string(),
        None => MARK.to_string(),
    }
}

/// The text with every secret the rules recognise replaced by [`MARK`].
pub fn redact(text: &str) -> String {
    let mut out = yaml_blocks(text);
    // Rules that match nowhere in the text are skipped; a replacement only
    // inserts markers, which no rule takes for a new secret.
    let candidates = match ANY.as_ref() {
        // Most text holds no secret: one quick look says so.
        Some(set) if !set.is_match(&out) => return out,
        Some(set) => set.matches(&out).into_iter().collect::<Vec<_>>(),
        None => (0..RULES.len()).collect(),
    };
    for i in candidates {
        let Some(re) = RULES.get(i) else { continue };
        if re.is_match(&out) {
            out = re.replace_all(&out, replace).into_owned();
        }
    }
    out
}

/// YAML block values under a secret key (`password: |` and the indented
/// lines after it) become one marker line.
fn yaml_blocks(text: &str) -> String {
    static HEAD: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?i)^(?P<i>[ \t]*){}\s*:\s*[|>][-+0-9]*\s*$",
            rules::key()
        ))
        .ok()
    });
    let Some(head) = HEAD.as_ref() else {
        return text.to_string();
    };
    if !text.contains(':') || !text.contains(['|', '>']) {
        return text.to_string();
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_string());
        i += 1;
        let Some(c) = head.captures(line) else {
            continue;
        };
        if !c
            .name("k")
            .is_some_and(|k| rules::secret_key(k.as_str(), ":"))
        {
            continue;
        }
        let indent = c.name("i").map_or(0, |m| m.as_str().len());
        let inner = |l: &str| l.trim().is_empty() || l.len() - l.trim_start().len() > indent;
        let start = i;
        while i < lines.len() && inner(lines[i]) {
            i += 1;
        }
        // Blank lines at the end belong to what follows.
        let mut end = i;
        while end > start && lines[end - 1].trim().is_empty() {
            end -= 1;
        }
        if end > start {
            let pad = &lines[start][..lines[start].len() - lines[start].trim_start().len()];
            out.push(format!("{pad}{MARK}"));
            out.extend(lines[end..i].iter().map(|l| l.to_string()));
        }
    }
    out.join("\n")
}

/// Text for a shared screen: control characters and escape sequences
/// removed first (so colour codes cannot split a secret from its key), then
/// redacted, unless this terminal asked to see secrets (`:reveal`).
pub fn mask(text: &str, reveal: bool) -> Cow<'_, str> {
    if reveal {
        return Cow::Borrowed(text);
    }
    let plain = crate::sanitize::multiline(text);
    let r = redact(&plain);
    if r == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(r)
    }
}
