//! The shape of the code, checked: the reducer's modules depend on each other
//! in one direction only, and no source file grows into a god-file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `app/<module>[/…].rs` → the module's name, and whether the file is a
/// child of that module's folder (where `super::` means the module itself).
fn node(app: &Path, file: &Path) -> (String, bool) {
    let rel = file.strip_prefix(app).expect("under app");
    let mut parts = rel.iter().map(|p| p.to_string_lossy().into_owned());
    let first = parts.next().unwrap_or_default();
    let rest: Vec<String> = parts.collect();
    let name = first.trim_end_matches(".rs").to_string();
    let child = !rest.is_empty() && rest.last().map(String::as_str) != Some("mod.rs");
    (name, child)
}

/// The app modules a file refers to.
fn refers_to(text: &str, own: &str, child: bool) -> BTreeSet<String> {
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    // Comments may name any module; only code depends on one.
    let text: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.as_str();
    let mut out = BTreeSet::new();
    // `{a, b::c}` after a path names each first word.
    let group = |rest: &str| -> Vec<String> {
        rest.strip_prefix('{')
            .and_then(|r| r.split_once('}'))
            .map(|(inner, _)| inner.split(',').map(|p| word(p.trim())).collect())
            .unwrap_or_default()
    };
    for (i, _) in text.match_indices("crate::app::") {
        let rest = &text[i + "crate::app::".len()..];
        out.insert(word(rest));
        out.extend(group(rest));
    }
    for (i, _) in text.match_indices("super::") {
        // Only the first `super::` of a path counts.
        if text[..i].ends_with("super::") {
            continue;
        }
        let rest = &text[i + "super::".len()..];
        if let Some(r) = rest.strip_prefix("super::") {
            out.insert(word(r));
            out.extend(group(r));
        } else if child {
            out.insert(own.to_string());
        } else {
            out.insert(word(rest));
            out.extend(group(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != own && m != "super");
    out
}

#[test]
fn the_reducer_modules_form_no_cycle() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut files = Vec::new();
    rust_files(&app, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| node(&app, f).0).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let (name, child) = node(&app, f);
        // Tests may look anywhere.
        if f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read");
        let code = text
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or(&text);
        let deps = refers_to(code, &name, child);
        graph
            .entry(name)
            .or_default()
            .extend(deps.into_iter().filter(|d| modules.contains(d)));
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(n) {
            return;
        }
        if let Some(pos) = path.iter().position(|p| p == n) {
            let mut cycle = path[pos..].to_vec();
            cycle.push(n.to_string());
            panic!("app modules import each other: {}", cycle.join(" → "));
        }
        path.push(n.to_string());
        for d in graph.get(n).into_iter().flatten() {
            visit(d, graph, path, done);
        }
        path.pop();
        done.insert(n.to_string());
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        visit(n, &graph, &mut Vec::new(), &mut done);
    }
    // The layers hold: state knows no handler, handlers no dialog.
    assert!(
        graph["state"]
            .iter()
            .all(|d| ["scroll"].contains(&d.as_str())),
        "{:?}",
        graph["state"]
    );
    for handler in ["alerts", "pods", "incident", "steps", "runbooks", "sources"] {
        assert!(
            !graph[handler].contains("modal") && !graph[handler].contains("update"),
            "{handler} reaches up: {:?}",
            graph[handler]
        );
    }
}

#[test]
fn no_source_file_is_a_god_file() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let code = text
            .split("\n#[cfg(test)]\nmod tests {")
            .next()
            .unwrap_or(&text)
            .lines()
            .count();
        assert!(
            code <= 620,
            "{} has {code} lines of code: split it by concern",
            f.display()
        );
    }
}

#[test]
fn the_cycle_check_can_fail() {
    // `a` refers to `b` and `b` back to `a`: the reader sees both edges.
    let a = refers_to("use super::b::X;", "a", false);
    let b = refers_to("use crate::app::a::Y;", "b", false);
    assert!(a.contains("b") && b.contains("a"));
    // In a dialog's file, `super::` is its own folder and `super::super::` the app.
    let child = refers_to("use super::Next; use super::super::steps;", "modal", true);
    assert_eq!(child.into_iter().collect::<Vec<_>>(), ["steps"]);
    // Grouped imports count each name.
    let grouped = refers_to("use super::{steps, modal::Mode};", "x", false);
    assert_eq!(grouped.into_iter().collect::<Vec<_>>(), ["modal", "steps"]);
}
