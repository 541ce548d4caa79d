//! `$VAR`, `${VAR}` and `{{ $labels.x }}` placeholders in runbook text, filled from
//! an alert's labels. Unresolved ones are kept and flagged, never blanked, so a
//! responder never runs a command with a silently missing argument.

use std::collections::BTreeMap;

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
pub fn fill<'a>(text: &'a str, labels: &BTreeMap<String, String>) -> Vec<Seg<'a>> {
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
    fill(text, labels)
        .into_iter()
        .map(|s| match s {
            Seg::Text(t) | Seg::Missing(t) => t.to_string(),
            Seg::Filled(v) => v,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> BTreeMap<String, String> {
        [
            ("namespace", "shop"),
            ("pod", "catalog-1"),
            ("service", "catalog"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn fills_all_syntaxes() {
        let l = labels();
        assert_eq!(
            fill_string(
                "kubectl -n $NAMESPACE logs ${pod} # {{ $labels.service }}",
                &l
            ),
            "kubectl -n shop logs catalog-1 # catalog"
        );
        assert_eq!(
            fill_string("{{$labels.pod}} {{ .Labels.namespace }}", &l),
            "catalog-1 shop"
        );
    }

    #[test]
    fn unresolved_are_kept_and_flagged() {
        let l = labels();
        let segs = fill("deploy/$DEPLOYMENT in $namespace", &l);
        assert_eq!(
            segs,
            vec![
                Seg::Text("deploy/"),
                Seg::Missing("$DEPLOYMENT"),
                Seg::Text(" in "),
                Seg::Filled("shop".into()),
            ]
        );
        assert_eq!(fill_string("{{ $labels.nope }}", &l), "{{ $labels.nope }}");
    }

    #[test]
    fn ignores_non_placeholders() {
        let l = labels();
        assert!(scan("costs $5, $(date), $ alone, {{ template }}").is_empty());
        assert_eq!(fill_string("héllo $ wörld", &l), "héllo $ wörld");
        assert_eq!(
            scan("a {{ $labels.x }} $Y")
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>(),
            ["x", "Y"]
        );
    }
}
