//! The text work behind reading a runbook: which format it is in, Hugo
//! shortcodes, unclosed fences, what a code block is for, terminal
//! transcripts, HTML fragments and keys.

use super::{CodeRole, Dialect, FrontMatter};

/// warroom's own format when the front matter uses its keys or a heading is
/// one of its five sections; another team's otherwise.
pub(super) fn dialect(meta: &FrontMatter, body: &str) -> Dialect {
    let own_keys = !meta.alerts.is_empty()
        || meta.id.is_some()
        || meta.namespace.is_some()
        || meta.selector.is_some()
        || meta.query.is_some()
        || meta.threshold.is_some()
        || meta.last_exercised.is_some()
        || !meta.labels.is_empty()
        || meta.shell.is_some();
    let mut in_fence = false;
    let own_heading = body.lines().any(|l| {
        let t = l.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        }
        !in_fence
            && t.strip_prefix("## ").is_some_and(|h| {
                matches!(
                    h.trim().to_ascii_lowercase().as_str(),
                    "alert" | "check" | "diagnose" | "mitigate" | "postmortem"
                )
            })
    });
    if own_keys || own_heading {
        Dialect::Warroom
    } else {
        Dialect::Foreign
    }
}

/// Hugo and Docsy shortcodes as plain markdown: `{{< ref "X.md" >}}` becomes
/// the path, `{{< details "T" >}}` a `<details>` block, `{{< alert >}}` and
/// unknown ones their content. Line breaks are kept, so lines still count.
pub(super) fn without_shortcodes(body: &str) -> String {
    static SHORTCODE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\{\{[<%]\s*(/?)\s*([A-Za-z][\w-]*)\s*([^}]*?)\s*[%>]\}\}"#).ok()
    });
    let Some(re) = SHORTCODE.as_ref() else {
        return body.to_string();
    };
    if !body.contains("{{<") && !body.contains("{{%") {
        return body.to_string();
    }
    re.replace_all(body, |c: &regex::Captures<'_>| {
        let closing = !c[1].is_empty();
        let name = c[2].to_ascii_lowercase();
        let arg = c[3].trim().trim_matches(['"', '\'']).to_string();
        match (name.as_str(), closing) {
            ("ref" | "relref", false) => arg,
            ("details", false) => format!("<details><summary>{arg}</summary>"),
            ("details", true) => "</details>".to_string(),
            _ => String::new(),
        }
    })
    .into_owned()
}

/// The opening line of a fence that is never closed, if any.
pub(super) fn unclosed_fence(body: &str, first_line: usize) -> Option<usize> {
    let mut open: Option<(char, usize, usize)> = None;
    for (i, line) in body.lines().enumerate() {
        let t = line.trim_start();
        let fence = |ch: char| t.chars().take_while(|c| *c == ch).count();
        match open {
            None => {
                for ch in ['`', '~'] {
                    let n = fence(ch);
                    if n >= 3 {
                        open = Some((ch, n, first_line + i));
                        break;
                    }
                }
            }
            Some((ch, n, _)) => {
                if fence(ch) >= n && t.trim_end().chars().all(|c| c == ch) {
                    open = None;
                }
            }
        }
    }
    open.map(|(_, _, line)| line)
}

/// The role a fenced block's language gives it.
pub(super) fn code_role(lang: &str) -> CodeRole {
    match lang.split_whitespace().next().unwrap_or("") {
        "promql" | "prometheus" | "metricsql" => CodeRole::Query,
        "yaml" | "yml" | "json" | "text" | "txt" | "plaintext" | "output" | "log" | "none"
        | "toml" | "ini" | "xml" | "diff" | "go" | "python" | "hcl" | "sql" | "csv" => {
            CodeRole::Example
        }
        _ => CodeRole::Command,
    }
}

/// What a fenced block gives a step: shell commands (a transcript's `$`
/// lines, else the script), PromQL queries, or an example to show.
pub(super) fn runnable_parts(lang: &str, code: &str) -> (Vec<String>, Vec<String>, String) {
    match code_role(lang) {
        CodeRole::Example => (Vec::new(), Vec::new(), code.trim_end().to_string()),
        CodeRole::Query => {
            let q = code.trim().to_string();
            (
                Vec::new(),
                if q.is_empty() { vec![] } else { vec![q] },
                String::new(),
            )
        }
        CodeRole::Command => {
            // A terminal transcript (`$ cmd` then its output): the `$` lines
            // are the commands, the rest is an example of what they print.
            let (commands, example) = match prompt_commands(code) {
                Some((cmds, output)) => (cmds, output),
                None => (vec![join_continuations(code)], String::new()),
            };
            let commands = commands.into_iter().filter(|c| !c.is_empty()).collect();
            (commands, Vec::new(), example)
        }
    }
}

/// A link to another document of the tree (not a web address or an anchor).
pub(super) fn is_relative_doc(dest: &str) -> bool {
    !dest.is_empty()
        && !dest.starts_with('#')
        && !dest.contains("://")
        && !dest.starts_with("mailto:")
        && !dest.starts_with("tel:")
        && !dest.starts_with('/')
}

/// Words of a heading or step for a stable key: lower case, dashes, short.
pub(super) fn slug(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out = String::new();
    for w in words {
        if out.len() + w.len() > 48 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    if out.is_empty() { "step".into() } else { out }
}

/// The words of an HTML fragment: tags and comments dropped, entities for
/// the common characters decoded, whitespace collapsed.
pub(super) fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_comment = false;
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if in_comment {
            if rest.starts_with("-->") {
                in_comment = false;
                i += 3;
                continue;
            }
        } else if rest.starts_with("<!--") {
            in_comment = true;
            i += 4;
            continue;
        } else if rest.starts_with('<') {
            in_tag = true;
            out.push(' ');
        } else if rest.starts_with('>') && in_tag {
            in_tag = false;
        } else if !in_tag && let Some(c) = rest.chars().next() {
            out.push(c);
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Inline code is a command when it has words to run: `kubectl get pods` is,
/// `5xx`, `namespace` and a lone `{{ $labels.issuer }}` are not.
pub(super) fn looks_like_command(code: &str) -> bool {
    let code = code.trim();
    let lone_placeholder = matches!(
        crate::domain::placeholder::scan(code).as_slice(),
        [p] if p.start == 0 && p.end == code.len()
    );
    code.contains(char::is_whitespace) && !lone_placeholder
}

/// Reads a terminal transcript: lines starting with a `$ ` prompt (and their
/// `\` continuations) are commands, the others their output. `None` when the
/// block has no prompt, so it is a script as written.
pub(super) fn prompt_commands(code: &str) -> Option<(Vec<String>, String)> {
    if !code.lines().any(|l| l.trim_start().starts_with("$ ")) {
        return None;
    }
    let mut commands: Vec<String> = Vec::new();
    let mut output: Vec<&str> = Vec::new();
    let mut continued = false;
    for l in code.lines() {
        let t = l.trim_start();
        if let Some(cmd) = t.strip_prefix("$ ") {
            commands.push(cmd.to_string());
        } else if continued && let Some(last) = commands.last_mut() {
            last.push('\n');
            last.push_str(l);
        } else if !t.is_empty() {
            output.push(l);
        }
        continued = t.trim_end().ends_with('\\');
    }
    let commands = commands.iter().map(|c| join_continuations(c)).collect();
    Some((commands, output.join("\n")))
}

/// Joins shell lines ending with `\` so a wrapped command stays one command.
pub(super) fn join_continuations(code: &str) -> String {
    let mut out = String::new();
    let mut continued = false;
    for line in code.trim_end().lines() {
        let piece = if continued { line.trim_start() } else { line };
        let (piece, cont) = match piece.trim_end().strip_suffix('\\') {
            Some(p) => (p.trim_end(), true),
            None => (piece.trim_end(), false),
        };
        if !out.is_empty() {
            out.push(if continued { ' ' } else { '\n' });
        }
        out.push_str(piece);
        continued = cont;
    }
    out.trim().to_string()
}
