//! Reading the experiment file's fields one by one, each problem noted with
//! its line, so a single pass reports everything to fix.

use std::path::Path;
use std::time::Duration;

use serde_yaml::{Mapping, Value};

use super::lines::{key_line, shown};
use super::{BLAST_KEYS, BlastRadius, MAX_NAME_CHARS, Problem};
use crate::domain::selector::Selector;
use crate::domain::time::parse_duration;

/// What a YAML value is, in words, for "must be …, found …" messages.
pub(super) fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A mapping key as written, for messages.
fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "~".into(),
        other => format!("({})", describe(other)),
    }
}

/// What a text field may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// Sentences and queries: line breaks and tabs allowed.
    Prose,
    /// An id or a name: one line, no spaces.
    Word,
    /// Typed by the responder: one line.
    Line,
}

/// Walks the document, noting problems with their lines.
pub(super) struct Reader<'a> {
    pub(super) text: &'a str,
    pub(super) problems: Vec<Problem>,
}

impl Reader<'_> {
    /// The line of the key at `path`; for a key not written, its parent's
    /// line; else line 1.
    fn line(&self, path: &[&str]) -> usize {
        (1..=path.len())
            .rev()
            .find_map(|n| key_line(self.text, &path[..n]))
            .unwrap_or(1)
    }

    pub(super) fn problem(&mut self, path: &[&str], message: impl Into<String>) {
        let line = self.line(path);
        self.problems.push(Problem {
            line,
            message: message.into(),
        });
    }

    /// Each key of `map` not in `known` is a problem (with the nearest known
    /// key as a hint, for typos).
    pub(super) fn unknown_keys(&mut self, map: &Mapping, parents: &[&str], known: &[&str]) {
        for k in map.keys() {
            let key = key_text(k);
            if known.contains(&key.as_str()) {
                continue;
            }
            let hint = known
                .iter()
                .filter(|c| strsim::levenshtein(c, &key) <= 2)
                .min_by_key(|c| strsim::levenshtein(c, &key))
                .map(|c| format!(" (did you mean '{c}'?)"))
                .unwrap_or_default();
            let mut path = parents.to_vec();
            path.push(&key);
            let place = dotted(&path);
            self.problem(
                &path,
                format!(
                    "unknown key '{}'{hint}: a misspelt key would silently drop a bound",
                    shown(&place)
                ),
            );
        }
    }

    /// The value at the last key of `path` in `map`, or a "missing" problem
    /// when `required`. A written `~` counts as missing.
    fn get<'m>(&mut self, map: &'m Mapping, path: &[&str], why: &str) -> Option<&'m Value> {
        let key = path.last().copied().unwrap_or_default();
        match map.get(key) {
            Some(Value::Null) | None => {
                let place = dotted(path);
                self.problem(path, format!("{place} is missing: {why}"));
                None
            }
            Some(v) => Some(v),
        }
    }

    pub(super) fn name(&mut self, top: &Mapping, path: &Path) -> Option<String> {
        if let Some(Value::Null) | None = top.get("name") {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            return match check_text(stem, Shape::Line) {
                Ok(()) if stem.chars().count() <= MAX_NAME_CHARS => Some(stem.to_string()),
                _ => {
                    self.problem(
                        &["name"],
                        format!(
                            "name: the file name '{}' cannot be typed to start it; set name",
                            shown(stem)
                        ),
                    );
                    None
                }
            };
        }
        let name = self.text(top, &["name"], Shape::Line)?;
        if name.chars().count() > MAX_NAME_CHARS {
            self.problem(
                &["name"],
                format!("name: longer than {MAX_NAME_CHARS} characters; the responder types it"),
            );
            return None;
        }
        Some(name)
    }

    /// A required text field, trimmed.
    pub(super) fn text(&mut self, map: &Mapping, path: &[&str], shape: Shape) -> Option<String> {
        let place = dotted(path);
        let v = self.get(map, path, "it is required")?;
        let Value::String(s) = v else {
            self.problem(
                path,
                format!("{place}: must be text, found {} (quote it)", describe(v)),
            );
            return None;
        };
        let s = s.trim();
        match check_text(s, shape) {
            Ok(()) => Some(s.to_string()),
            Err(why) => {
                self.problem(path, format!("{place}: {why}"));
                None
            }
        }
    }

    pub(super) fn flag(&mut self, top: &Mapping, key: &str) -> Option<bool> {
        match top.get(key) {
            None | Some(Value::Null) => Some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(v) => {
                let found = describe(v);
                self.problem(
                    &[key],
                    format!("{key}: must be true or false, found {found}"),
                );
                None
            }
        }
    }

    /// A duration such as `30s`, `5m`, `1h30m`; `default` when absent (or a
    /// "missing" problem when there is none).
    pub(super) fn duration(
        &mut self,
        map: &Mapping,
        path: &[&str],
        default: Option<Duration>,
    ) -> Option<Duration> {
        let key = path.last().copied().unwrap_or_default();
        if let (None | Some(Value::Null), Some(d)) = (map.get(key), default) {
            return Some(d);
        }
        let place = dotted(path);
        let v = self.get(map, path, "it bounds how long the fault may last")?;
        let Value::String(s) = v else {
            self.problem(
                path,
                format!(
                    "{place}: must be a duration such as 30s or 5m, found {}",
                    describe(v)
                ),
            );
            return None;
        };
        match parse_duration(s) {
            Ok(d) => Some(d),
            Err(_) => {
                self.problem(
                    path,
                    format!(
                        "{place}: '{}' is not a duration longer than zero (e.g. 30s, 5m, 1h30m)",
                        shown(s)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn blast_radius(&mut self, top: &Mapping) -> Option<BlastRadius> {
        let v = self.get(
            top,
            &["blast_radius"],
            "the fault needs a namespace, selector, max_pods, max_duration and contexts",
        )?;
        let Value::Mapping(m) = v else {
            let found = describe(v);
            self.problem(
                &["blast_radius"],
                format!("blast_radius: must be a mapping, found {found}"),
            );
            return None;
        };
        self.unknown_keys(m, &["blast_radius"], BLAST_KEYS);
        let namespace = self.namespace(m);
        let selector = self.selector(m);
        let max_pods = self.max_pods(m);
        let max_duration = self.duration(m, &["blast_radius", "max_duration"], None);
        let contexts = self.contexts(m);
        Some(BlastRadius {
            namespace: namespace?,
            selector: selector?,
            max_pods: max_pods?,
            max_duration: max_duration?,
            contexts: contexts?,
        })
    }

    fn namespace(&mut self, m: &Mapping) -> Option<String> {
        let path = ["blast_radius", "namespace"];
        let ns = self.text(m, &path, Shape::Word)?;
        if crate::domain::selector::is_namespace(&ns) {
            Some(ns)
        } else {
            let msg = format!(
                "blast_radius.namespace: '{}' is not a namespace",
                shown(&ns)
            );
            self.problem(&path, msg);
            None
        }
    }

    fn selector(&mut self, m: &Mapping) -> Option<String> {
        let path = ["blast_radius", "selector"];
        let text = self.text(m, &path, Shape::Line)?;
        match Selector::parse(&text) {
            Ok(s) if s.requirements.is_empty() => {
                self.problem(
                    &path,
                    "blast_radius.selector: empty; a fault must be aimed at labelled pods",
                );
                None
            }
            Ok(_) => Some(text),
            Err(e) => {
                self.problem(&path, format!("blast_radius.selector: {}", shown(&e)));
                None
            }
        }
    }

    fn max_pods(&mut self, m: &Mapping) -> Option<u32> {
        let path = ["blast_radius", "max_pods"];
        let v = self.get(m, &path, "it bounds how many pods the fault may touch")?;
        let n = match v {
            Value::Number(n) => n,
            other => {
                let found = describe(other);
                let msg = format!("blast_radius.max_pods: must be a whole number, found {found}");
                self.problem(&path, msg);
                return None;
            }
        };
        let bad = match (n.as_u64(), n.as_i64()) {
            (Some(0), _) | (None, Some(_)) => "must be at least 1".to_string(),
            (Some(big), _) if big > u64::from(u32::MAX) => format!("{big} is too large"),
            (Some(ok), _) => return u32::try_from(ok).ok(),
            (None, None) => format!("{n} is not a whole number"),
        };
        self.problem(&path, format!("blast_radius.max_pods: {bad}"));
        None
    }

    fn contexts(&mut self, m: &Mapping) -> Option<Vec<String>> {
        let path = ["blast_radius", "contexts"];
        let why = "list the kube contexts it may run in";
        let v = self.get(m, &path, why)?;
        let Value::Sequence(items) = v else {
            let found = describe(v);
            let msg = format!("blast_radius.contexts: must be a list, found {found}");
            self.problem(&path, msg);
            return None;
        };
        if items.is_empty() {
            self.problem(&path, format!("blast_radius.contexts: empty; {why}"));
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        let mut bad = false;
        for item in items {
            match item {
                Value::String(s) if check_text(s, Shape::Word).is_ok() && s.trim() == s => {
                    if !out.contains(s) {
                        out.push(s.clone());
                    }
                }
                Value::String(s) => {
                    bad = true;
                    let msg = format!(
                        "blast_radius.contexts: '{}' is not a context name (one word)",
                        shown(s)
                    );
                    self.problem(&path, msg);
                }
                other => {
                    bad = true;
                    let found = describe(other);
                    let msg = format!("blast_radius.contexts: each must be text, found {found}");
                    self.problem(&path, msg);
                }
            }
        }
        (!bad).then_some(out)
    }

    pub(super) fn manifest(&mut self, top: &Mapping) -> Option<serde_json::Value> {
        let v = self.get(
            top,
            &["manifest"],
            "the fault is the Chaos Mesh object written here",
        )?;
        if !matches!(v, Value::Mapping(_)) {
            let found = describe(v);
            let msg = format!("manifest: must be a Kubernetes object (a mapping), found {found}");
            self.problem(&["manifest"], msg);
            return None;
        }
        match serde_json::to_value(v) {
            Ok(json) => {
                // What is sent to the cluster is what the export shows:
                // no control characters hiding in a value.
                if let Some(at) = control_in(&json, "manifest") {
                    self.problem(
                        &["manifest"],
                        format!("{at} holds control characters (an escape sequence?)"),
                    );
                    return None;
                }
                Some(json)
            }
            Err(e) => {
                let msg = format!(
                    "manifest: cannot be sent as JSON: {}",
                    shown(&e.to_string())
                );
                self.problem(&["manifest"], msg);
                None
            }
        }
    }
}

/// The first place in a manifest whose key or text holds a control
/// character (other than a line break or tab), as a dotted path.
fn control_in(v: &serde_json::Value, at: &str) -> Option<String> {
    let bad = |s: &str| s.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    match v {
        serde_json::Value::String(s) if bad(s) => Some(at.to_string()),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| control_in(x, &format!("{at}[{i}]"))),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
            let here = format!("{at}.{}", shown(k));
            if bad(k) {
                Some(here)
            } else {
                control_in(x, &here)
            }
        }),
        _ => None,
    }
}

/// `a.b.c` for messages.
fn dotted(path: &[&str]) -> String {
    path.join(".")
}

/// Whether text fits its shape; why not otherwise.
fn check_text(s: &str, shape: Shape) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err("empty".into());
    }
    let allowed = |c: char| shape == Shape::Prose && (c == '\n' || c == '\t');
    if s.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(match shape {
            Shape::Prose => "holds control characters (escape sequences?)".into(),
            _ => "must be one line without control characters".into(),
        });
    }
    if s.chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err("holds bidirectional overrides, which disguise text".into());
    }
    if shape == Shape::Word && s.chars().any(char::is_whitespace) {
        return Err(format!("'{}' must be one word", shown(s)));
    }
    Ok(())
}
