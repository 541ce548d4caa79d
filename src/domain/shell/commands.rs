//! What a command line runs: its simple commands, the program each starts,
//! the variables it sets itself, and whether every program in it is one
//! known to take its arguments as data. A program that reads an argument as
//! code again (a second shell, `eval`, `ssh`, `xargs`, an interpreter, a
//! database client, `kubectl exec`) undoes any quoting, so a value that is
//! not a plain name may only go into commands made of known programs.

use std::collections::BTreeSet;

use super::lex::{Context, contexts};

/// The simple commands of a command line, each as its words with quotes
/// and backslashes removed; comments, here-document bodies, arithmetic and
/// parameter expansions are left out.
pub(super) fn simple_commands(command: &str) -> Vec<Vec<String>> {
    let ctx = contexts(command);
    let mut all = Vec::new();
    // The command being read, and those it is nested in (`$( … )`, `( … )`,
    // backticks): a substitution's words are a command of their own, and
    // the outer command goes on after it.
    let mut outer: Vec<(Vec<String>, String)> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        let w: String = word
            .chars()
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect();
        if !w.is_empty() && w != "$" && w != "<" && w != ">" {
            words.push(w);
        }
        word.clear();
    };
    for (i, c) in command.char_indices() {
        let here = ctx.get(i).copied().unwrap_or(Context::Bare);
        let command_level = matches!(here, Context::Bare | Context::Backtick);
        if !command_level {
            if !matches!(
                here,
                Context::Comment | Context::Heredoc { .. } | Context::Arith
            ) {
                word.push(c);
            }
            continue;
        }
        let opens = c == '(' || (c == '`' && here == Context::Bare);
        let closes = c == ')' || (c == '`' && here == Context::Backtick);
        if opens {
            // The word so far (`x=$`) stays with the outer command.
            flush(&mut word, &mut words);
            outer.push((std::mem::take(&mut words), String::new()));
        } else if closes {
            flush(&mut word, &mut words);
            if !words.is_empty() {
                all.push(std::mem::take(&mut words));
            }
            if let Some((w, _)) = outer.pop() {
                words = w;
            }
        } else if c == '&' && (word.ends_with(['<', '>']) || command[i + 1..].starts_with('>')) {
            // Part of a redirection (`>&`, `2>&1`, `&>log`), not a separator.
            word.push(c);
        } else if matches!(c, ';' | '|' | '&' | '\n') {
            flush(&mut word, &mut words);
            if !words.is_empty() {
                all.push(std::mem::take(&mut words));
            }
        } else if matches!(c, ' ' | '\t' | '\r') {
            // The shell splits words on blanks only, never on other spaces.
            flush(&mut word, &mut words);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut words);
    if !words.is_empty() {
        all.push(words);
    }
    for (w, _) in outer.into_iter().rev() {
        if !w.is_empty() {
            all.push(w);
        }
    }
    all
}

/// Shell words that come before the program a simple command runs.
const KEYWORDS: &[&str] = &[
    "if", "then", "do", "else", "elif", "while", "until", "!", "{", "}", "time", "fi", "done",
];

/// Whether `w` is a redirection (`2>/dev/null`, `>out`, `<in`, `&>log`).
fn is_redirection(w: &str) -> bool {
    let rest = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    rest.starts_with(['<', '>'])
}

/// Whether `w` assigns a variable (`NAME=value`, `NAME+=value`).
fn assignment(w: &str) -> Option<&str> {
    let (name, _) = w.split_once('=')?;
    let name = name.strip_suffix('+').unwrap_or(name);
    let mut chars = name.chars();
    (chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some(name)
}

/// A simple command's program (its last path part) and the words after it.
pub(super) fn program(words: &[String]) -> Option<(&str, &[String])> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if KEYWORDS.contains(&w) || assignment(w).is_some() {
            i += 1;
        } else if is_redirection(w) {
            // `>` alone takes the next word as its target.
            let bare = w.chars().all(|c| c.is_ascii_digit() || "<>&|-".contains(c));
            i += if bare { 2 } else { 1 };
        } else if words.get(i.wrapping_sub(1)).is_some_and(|p| p == "time") && w.starts_with('-') {
            i += 1;
        } else {
            let name = w.rsplit('/').next().unwrap_or(w);
            return Some((name, &words[i + 1..]));
        }
    }
    None
}

/// Programs that take their arguments as data, never as code.
const DATA_PROGRAMS: &[&str] = &[
    "echo",
    "cat",
    "head",
    "tail",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "date",
    "dig",
    "nslookup",
    "host",
    "ping",
    "traceroute",
    "tracepath",
    "getent",
    "ss",
    "netstat",
    "ls",
    "df",
    "du",
    "stat",
    "journalctl",
    "dmesg",
    "curl",
    "wget",
    "jq",
    "promtool",
    "amtool",
    "true",
    "false",
    "sleep",
    "column",
    "diff",
    "basename",
    "dirname",
];

/// `kubectl` (and `oc`) verbs that take names and selectors as data.
const KUBECTL_DATA_VERBS: &[&str] = &[
    "get",
    "describe",
    "logs",
    "top",
    "explain",
    "events",
    "api-resources",
    "api-versions",
    "version",
    "cluster-info",
    "auth",
    "rollout",
    "scale",
    "delete",
    "cordon",
    "uncordon",
    "drain",
    "label",
    "annotate",
    "wait",
    "config",
    "certificate",
];

/// `systemctl` and `helm` verbs that only read.
const SYSTEMCTL_DATA_VERBS: &[&str] = &["status", "show", "is-active", "is-failed", "list-units"];
const HELM_DATA_VERBS: &[&str] = &["status", "history", "list", "ls", "get"];

/// `kubectl` options that take the next word as their value.
const KUBECTL_VALUED: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--cluster",
    "--user",
    "--kubeconfig",
    "-l",
    "--selector",
    "-c",
    "--container",
    "-o",
    "--output",
    "-f",
    "--filename",
    "--field-selector",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--request-timeout",
    "-L",
    "--label-columns",
    "--sort-by",
    "--template",
    "--since",
    "--tail",
    "--timeout",
    "--replicas",
    "-p",
    "--type",
];

/// The verb of a `kubectl` command: its first word that is not an option
/// or an option's value (`kubectl -n logs exec …` is `exec`, in namespace
/// `logs`).
fn kubectl_verb(args: &[String]) -> Option<&str> {
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if KUBECTL_VALUED.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            return Some(a);
        }
    }
    None
}

/// Constructs whose quoting warroom does not follow all the way: a value
/// near them may be read again, so only plain names are filled.
const CONSTRUCTS: &[(&str, &str)] = &[
    ("$((", "has arithmetic"),
    ("$(", "has a command substitution ($( … ))"),
    ("`", "has a backtick substitution"),
    ("<(", "has a process substitution"),
    (">(", "has a process substitution"),
    ("((", "has arithmetic"),
    ("$[", "has arithmetic"),
    ("${", "has a parameter expansion (${ … })"),
    ("<<", "has a here-document"),
];

/// Whether every value may go into `command` quoted: every program it runs
/// takes its arguments as data, and it has none of the constructs whose
/// quoting is read twice. When not, why, in words.
pub fn understood(command: &str) -> Result<(), String> {
    if let Some((_, why)) = CONSTRUCTS.iter().find(|(c, _)| command.contains(c)) {
        return Err((*why).to_string());
    }
    for words in simple_commands(command) {
        let Some((name, args)) = program(&words) else {
            continue;
        };
        if matches!(name, "for" | "select" | "in") {
            continue; // the words of a loop head are data
        }
        let verb = |known: &[&str]| {
            args.iter()
                .map(String::as_str)
                .find(|a| known.contains(a))
                .map(str::to_string)
        };
        let ok = match name {
            "kubectl" | "oc" => kubectl_verb(args).is_some_and(|v| KUBECTL_DATA_VERBS.contains(&v)),
            "systemctl" => verb(SYSTEMCTL_DATA_VERBS).is_some(),
            "helm" => {
                verb(HELM_DATA_VERBS).is_some() && !args.iter().any(|a| a.starts_with("--set"))
            }
            "printf" => !args.iter().any(|a| a.starts_with("-v")),
            "find" => !args.iter().any(|a| {
                matches!(
                    a.as_str(),
                    "-exec" | "-execdir" | "-ok" | "-okdir" | "-delete"
                )
            }),
            other => DATA_PROGRAMS.contains(&other),
        };
        if !ok {
            let shown = match name {
                "kubectl" | "oc" => match kubectl_verb(args) {
                    Some(v) => format!("{name} {v}"),
                    None => name.to_string(),
                },
                "systemctl" | "helm" => match args.iter().find(|a| !a.starts_with('-')) {
                    Some(v) => format!("{name} {v}"),
                    None => name.to_string(),
                },
                _ => name.to_string(),
            };
            return Err(format!(
                "runs `{shown}`, which warroom does not know to take its arguments only as data"
            ));
        }
    }
    Ok(())
}

/// Variables every shell (or bash) sets itself: `$HOSTNAME` is the
/// machine's, never an alert's `hostname` label.
pub const SHELL_VARIABLES: &[&str] = &[
    "HOME",
    "PATH",
    "PWD",
    "OLDPWD",
    "USER",
    "LOGNAME",
    "SHELL",
    "HOSTNAME",
    "UID",
    "EUID",
    "PPID",
    "RANDOM",
    "REPLY",
    "SECONDS",
    "LINENO",
    "IFS",
    "OPTARG",
    "OPTIND",
    "BASHPID",
    "BASH_VERSION",
    "HOSTTYPE",
    "OSTYPE",
    "MACHTYPE",
    "TERM",
    "LANG",
    "TMPDIR",
    "PS1",
    "PS2",
    "PS4",
    "EPOCHSECONDS",
    "EPOCHREALTIME",
    "SRANDOM",
    "BASH_SOURCE",
    "FUNCNAME",
    "PIPESTATUS",
    "GROUPS",
    "SHLVL",
    "BASH_REMATCH",
    "COLUMNS",
    "LINES",
];

/// Names the command gives a value itself: assignments before a program
/// (`LAG=$(…)`), `export`/`local`/`readonly`/`declare` names, `for`
/// and `select` loop variables, and the names `read`, `getopts` and
/// `mapfile` fill.
pub fn assigned(command: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for words in simple_commands(command) {
        for pair in words.windows(2) {
            if matches!(pair[0].as_str(), "for" | "select") {
                out.insert(pair[1].clone());
            }
        }
        for w in &words {
            match assignment(w) {
                Some(name) => {
                    out.insert(name.to_string());
                }
                None if KEYWORDS.contains(&w.as_str()) || is_redirection(w) => {}
                None => break,
            }
        }
        let Some((name, args)) = program(&words) else {
            continue;
        };
        match name {
            "export" | "local" | "readonly" | "declare" | "typeset" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    let n = assignment(a).unwrap_or(a);
                    out.insert(n.to_string());
                }
            }
            "read" | "mapfile" | "readarray" => {
                // Options that take a value; `read -a NAME` names an array.
                let valued: &[&str] = if name == "read" {
                    &["-p", "-d", "-n", "-N", "-t", "-u", "-i"]
                } else {
                    &["-d", "-n", "-O", "-s", "-u", "-C", "-c"]
                };
                let mut skip = false;
                for a in args {
                    if skip {
                        skip = false;
                    } else if valued.contains(&a.as_str()) {
                        skip = true;
                    } else if !a.starts_with('-') {
                        out.insert(a.clone());
                    }
                }
            }
            "getopts" => {
                if let Some(n) = args.get(1) {
                    out.insert(n.clone());
                }
            }
            "let" => {
                for a in args {
                    out.extend(arithmetic_assigned(a));
                }
            }
            _ => {}
        }
    }
    // `(( n = 2 ))`, `$(( n++ ))`: arithmetic assigns too.
    let ctx = contexts(command);
    let mut run = String::new();
    for (i, c) in command.char_indices() {
        if ctx.get(i) == Some(&Context::Arith) {
            run.push(c);
        } else if !run.is_empty() {
            out.extend(arithmetic_assigned(&run));
            run.clear();
        }
    }
    out.extend(arithmetic_assigned(&run));
    out
}

/// Names an arithmetic expression assigns (`x=1`, `x += 2`, `x++`, `--x`),
/// not those it only reads (`x == 1`, `x * 2`).
fn arithmetic_assigned(expr: &str) -> Vec<String> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_alphabetic() || b[i] == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let name = &expr[start..i];
        let before = expr[..start].trim_end();
        let after = expr[i..].trim_start();
        let assigns = (after.starts_with('=') && !after.starts_with("=="))
            || [
                "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "++", "--",
            ]
            .iter()
            .any(|op| after.starts_with(op))
            || before.ends_with("++")
            || before.ends_with("--");
        if assigns && !before.ends_with('$') {
            out.push(name.to_string());
        }
    }
    out
}
