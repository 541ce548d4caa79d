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
        } else if matches!(c, ';' | '|' | '&' | '\n') {
            flush(&mut word, &mut words);
            if !words.is_empty() {
                all.push(std::mem::take(&mut words));
            }
        } else if c.is_whitespace() {
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

/// Whether `w` assigns a variable (`NAME=value`).
fn assignment(w: &str) -> Option<&str> {
    let (name, _) = w.split_once('=')?;
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
            let bare = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
            i += if matches!(bare, ">" | ">>" | "<" | ">|") {
                2
            } else {
                1
            };
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

/// Every `kubectl` verb, to find the one a command uses.
const KUBECTL_VERBS: &[&str] = &[
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
    "exec",
    "run",
    "debug",
    "attach",
    "cp",
    "apply",
    "create",
    "patch",
    "replace",
    "edit",
    "port-forward",
    "proxy",
    "set",
    "expose",
    "autoscale",
    "taint",
    "plugin",
    "kustomize",
    "diff",
];

/// `systemctl` and `helm` verbs that only read.
const SYSTEMCTL_DATA_VERBS: &[&str] = &["status", "show", "is-active", "is-failed", "list-units"];
const HELM_DATA_VERBS: &[&str] = &["status", "history", "list", "ls", "get"];

/// Whether every program `command` runs takes its arguments as data; when
/// not, the first one that may read them as code.
pub fn understood(command: &str) -> Result<(), String> {
    for words in simple_commands(command) {
        let Some((name, args)) = program(&words) else {
            continue;
        };
        if matches!(name, "for" | "select" | "case" | "in" | "esac") {
            continue; // the words of a loop or `case` head are data
        }
        let verb = |known: &[&str]| {
            args.iter()
                .map(String::as_str)
                .find(|a| known.contains(a))
                .map(str::to_string)
        };
        let ok = match name {
            "kubectl" | "oc" => {
                verb(KUBECTL_VERBS).is_some_and(|v| KUBECTL_DATA_VERBS.contains(&v.as_str()))
            }
            "systemctl" => verb(SYSTEMCTL_DATA_VERBS).is_some(),
            "helm" => {
                verb(HELM_DATA_VERBS).is_some() && !args.iter().any(|a| a.starts_with("--set"))
            }
            "printf" => !args.iter().any(|a| a == "-v"),
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
                "kubectl" | "oc" | "systemctl" | "helm" => match verb(KUBECTL_VERBS) {
                    Some(v) => format!("{name} {v}"),
                    None => name.to_string(),
                },
                _ => name.to_string(),
            };
            return Err(shown);
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
            _ => {}
        }
    }
    out
}
