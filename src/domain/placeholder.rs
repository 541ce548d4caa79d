//! `$VAR`, `${VAR}` and `{{ $labels.x }}` placeholders in runbook text, filled from
//! an alert's labels. Unresolved ones are kept and flagged, never blanked, so a
//! responder never runs a command with a silently missing argument.
//!
//! This is the one filler: [`segments`] splits text for drawing, [`fill`]
//! produces the filled text plus what stops it being used as it stands, judged
//! by what it is for ([`Use`]). It reads nothing but its arguments; the names
//! of the environment variables a shell would see are passed in.

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

/// What filled text is for, which decides what stops it being used as is.
#[derive(Clone, Copy)]
pub enum Use<'e> {
    /// Shown or recorded: only unfilled placeholders matter.
    Text,
    /// A label selector, namespace or query: an unfilled placeholder makes it
    /// wrong, so it is not used at all.
    Exact,
    /// A command for `sh -c`: label values the shell would interpret and
    /// `<blanks>` to replace by hand block it too. A `$name` the command sets
    /// itself (`for p in …`, `p=…`, `read p`), one the cockpit sets
    /// (`WARROOM_*`), or one `env` says the shell has is the shell's own
    /// variable, not a gap.
    Shell {
        /// Whether the environment the command runs in has this variable.
        env: &'e dyn Fn(&str) -> bool,
    },
}

/// Text after filling, and why it cannot be used as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filled {
    /// The text with every fillable placeholder filled.
    pub text: String,
    /// Placeholders no label fills, as written.
    pub missing: Vec<String>,
    /// Everything that blocks using the text, in words, without repeats.
    pub problems: Vec<String>,
}

impl Filled {
    /// Usable as it stands.
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty()
    }

    /// The filled text when nothing blocks it.
    pub fn ready(self) -> Option<String> {
        self.problems.is_empty().then_some(self.text)
    }
}

/// Fills `text` from `labels` for a use; see [`Use`] for what is checked.
pub fn fill(text: &str, labels: &BTreeMap<String, String>, how: Use<'_>) -> Filled {
    let mut out = Filled::default();
    let note = |problems: &mut Vec<String>, p: String| {
        if !problems.contains(&p) {
            problems.push(p);
        }
    };
    let placeholders = scan(text);
    let mut next = placeholders.iter();
    for seg in segments(text, labels) {
        match seg {
            Seg::Text(t) => out.text.push_str(t),
            Seg::Filled(v) => {
                let raw = next
                    .find(|p| lookup(labels, p.name).is_some())
                    .map_or("a placeholder", |p| &text[p.start..p.end]);
                if matches!(how, Use::Shell { .. }) && !shell_safe(&v) {
                    note(
                        &mut out.problems,
                        format!(
                            "{raw} is {:?}, which the shell would interpret",
                            crate::sanitize::line(&v)
                        ),
                    );
                }
                out.text.push_str(&v);
            }
            Seg::Missing(m) => {
                out.text.push_str(m);
                let own = match how {
                    Use::Shell { env } => shell_sets(text, m, env),
                    Use::Text | Use::Exact => false,
                };
                if !own {
                    out.missing.push(m.to_string());
                    note(&mut out.problems, format!("no alert label fills {m}"));
                }
            }
        }
    }
    if matches!(how, Use::Shell { .. }) {
        // `kubectl -n <my-namespace> get pvc <my-pvc>`: words to replace by
        // hand; the shell would read them as redirections.
        for hole in angle_holes(&out.text) {
            note(
                &mut out.problems,
                format!("replace {hole} with a real value"),
            );
        }
    }
    out
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

/// Label values that are plain words to a shell: names, numbers, paths,
/// versions, selectors.
fn shell_safe(v: &str) -> bool {
    !v.is_empty()
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_' | '.' | ':' | '/' | '=' | '@' | '%' | '+' | ',' | '~' | '^'
                )
        })
}

/// Whether the shell gives the `$var` a value: the command sets it, the
/// cockpit sets it, or the environment has it.
fn shell_sets(command: &str, placeholder: &str, env: &dyn Fn(&str) -> bool) -> bool {
    let Some(name) = placeholder
        .strip_prefix("${")
        .and_then(|n| n.strip_suffix('}'))
        .or_else(|| placeholder.strip_prefix('$'))
    else {
        return false; // `{{ $labels.x }}` is always the alert's
    };
    if name.starts_with("WARROOM_") || env(name) {
        return true;
    }
    let words: Vec<&str> = command
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == '&' || c == '|')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        (matches!(w[0], "for" | "read" | "select") && w[1] == name)
            || (w[0] == "read" && w[1].starts_with('-'))
    }) || words.iter().any(|w| {
        w.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('='))
            || w.strip_prefix("export ")
                .is_some_and(|r| r.starts_with(name))
    })
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
        let segs = segments("deploy/$DEPLOYMENT in $namespace", &l);
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

    fn shell(text: &str, labels: &BTreeMap<String, String>) -> Filled {
        fill(text, labels, Use::Shell { env: &|_| false })
    }

    #[test]
    fn shell_variables_set_by_the_command_or_environment_are_not_gaps() {
        let labels = BTreeMap::new();
        let f = shell(
            "for p in $(kubectl get pods -o name); do echo $p; done",
            &labels,
        );
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let f = shell("LAG=$(psql -tc 'select 1'); echo ${LAG}", &labels);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let f = shell("kubectl -n $NAMESPACE get pods", &labels);
        assert_eq!(f.problems, ["no alert label fills $NAMESPACE"]);
        assert_eq!(f.missing, ["$NAMESPACE"]);
        // The environment is passed in, never read: the same call gives the
        // same answer whatever the test's own shell has set.
        let has_ns = |n: &str| n == "NAMESPACE";
        let f = fill(
            "kubectl -n $NAMESPACE get pods",
            &labels,
            Use::Shell { env: &has_ns },
        );
        assert!(f.is_ready(), "{:?}", f.problems);
        let f = fill("kubectl -n $NAMESPACE get pods", &labels, Use::Exact);
        assert_eq!(f.ready(), None);
    }

    #[test]
    fn hostile_label_values_never_reach_the_shell_unnoticed() {
        let labels = [
            ("namespace".to_string(), "shop; rm -rf ~".to_string()),
            ("pod".to_string(), "catalog-7d9f8b6c5-x2k4q".to_string()),
            ("node".to_string(), "$(curl evil)".to_string()),
        ]
        .into();
        let f = shell("kubectl -n $namespace delete pod $pod", &labels);
        assert_eq!(
            f.text,
            "kubectl -n shop; rm -rf ~ delete pod catalog-7d9f8b6c5-x2k4q"
        );
        assert_eq!(
            f.problems,
            ["$namespace is \"shop; rm -rf ~\", which the shell would interpret"]
        );
        let f = shell("kubectl cordon {{ $labels.node }}", &labels);
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        // A query goes to Prometheus as a parameter, never through a shell.
        let f = fill("up{namespace=\"$namespace\"}", &labels, Use::Exact);
        assert!(f.is_ready());
    }

    #[test]
    fn angle_bracket_blanks_must_be_filled_by_hand() {
        let f = shell(
            "kubectl -n <my-namespace> get pvc <my-pvc> 2>&1 | cat <<EOF",
            &BTreeMap::new(),
        );
        assert_eq!(
            f.problems,
            [
                "replace <my-namespace> with a real value",
                "replace <my-pvc> with a real value"
            ]
        );
    }

    #[test]
    fn placeholders_without_labels_are_listed() {
        let labels = [("namespace".to_string(), "shop".to_string())].into();
        let f = shell(
            "kubectl -n $NAMESPACE delete pod {{ $labels.pod }}",
            &labels,
        );
        assert_eq!(f.text, "kubectl -n shop delete pod {{ $labels.pod }}");
        assert_eq!(f.problems, ["no alert label fills {{ $labels.pod }}"]);
    }
}
