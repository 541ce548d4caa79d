use super::lines::key_line;
use super::*;

const VALID: &str = "\
name: checkout-pod-kill
hypothesis: Killing one checkout pod keeps errors under 1%.
runbook: pod-crash-loop
blast_radius:
  namespace: shop
  selector: app=checkout
  max_pods: 1
  max_duration: 1m
  contexts: [demo, kind-warroom]
abort: sum(rate(errors[1m])) > 0.01
steady_state: sum(rate(errors[1m])) > 0.01
window: 2m
poll: 10s
manifest:
  apiVersion: chaos-mesh.org/v1alpha1
  kind: PodChaos
  metadata:
    name: kill
    namespace: shop
  spec:
    mode: one
    duration: 30s
";

fn path() -> &'static Path {
    Path::new("exp/checkout-pod-kill.yaml")
}

fn problems(text: &str) -> Vec<Problem> {
    Experiment::parse(text, path()).expect_err("accepted")
}

/// The only problem, as `line: message`.
fn one(text: &str) -> (usize, String) {
    let p = problems(text);
    assert_eq!(p.len(), 1, "{p:?}");
    (p[0].line, p[0].message.clone())
}

/// `text` without the line that starts with `prefix` and the lines nested
/// under it.
fn drop_key(text: &str, prefix: &str) -> String {
    let mut out = Vec::new();
    let mut under: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(i) = under {
            if indent > i {
                continue;
            }
            under = None;
        }
        if line.starts_with(prefix) {
            under = Some(indent);
            continue;
        }
        out.push(line);
    }
    out.join("\n") + "\n"
}

fn line_of(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .map(|i| i + 1)
        .expect("prefix in text")
}

#[test]
fn a_valid_file_parses() {
    let e = Experiment::parse(VALID, path()).expect("valid");
    assert_eq!(e.name, "checkout-pod-kill");
    assert_eq!(
        e.hypothesis,
        "Killing one checkout pod keeps errors under 1%."
    );
    assert_eq!(e.runbook, "pod-crash-loop");
    assert_eq!(
        e.blast_radius,
        BlastRadius {
            namespace: "shop".into(),
            selector: "app=checkout".into(),
            max_pods: 1,
            max_duration: Duration::from_secs(60),
            contexts: vec!["demo".into(), "kind-warroom".into()],
        }
    );
    assert!(!e.allow_production);
    assert_eq!(e.window, Duration::from_secs(120));
    assert_eq!(e.poll, Duration::from_secs(10));
    assert_eq!(e.abort, "sum(rate(errors[1m])) > 0.01");
    assert_eq!(e.source, path());
    assert_eq!(e.manifest["metadata"]["name"], "kill");
    assert_eq!(e.fault_kind(), "PodChaos");
    assert_eq!(e.fault_name(), Some("kill"));
    assert_eq!(e.fault_duration(), Some(Duration::from_secs(30)));
}

#[test]
fn defaults_name_window_poll_and_production() {
    let text = drop_key(&drop_key(&drop_key(VALID, "name:"), "window:"), "poll:");
    let e = Experiment::parse(&text, path()).expect("valid");
    assert_eq!(e.name, "checkout-pod-kill", "the file's stem");
    assert_eq!(e.window, DEFAULT_WINDOW);
    assert_eq!(e.poll, DEFAULT_POLL);
    let e = Experiment::parse(&format!("{VALID}allow_production: true\n"), path()).expect("ok");
    assert!(e.allow_production);
}

#[test]
fn every_required_key_missing_reports_its_own_problem_with_a_line() {
    for key in [
        "hypothesis",
        "runbook",
        "blast_radius",
        "abort",
        "steady_state",
        "manifest",
    ] {
        let (line, msg) = one(&drop_key(VALID, &format!("{key}:")));
        assert_eq!(line, 1, "{key}: a top-level key's parent is the file");
        assert!(msg.starts_with(&format!("{key} is missing")), "{msg}");
    }
    let parent = line_of(VALID, "blast_radius:");
    for key in [
        "namespace",
        "selector",
        "max_pods",
        "max_duration",
        "contexts",
    ] {
        let (line, msg) = one(&drop_key(VALID, &format!("  {key}:")));
        assert_eq!(line, parent, "{key}: reported at blast_radius");
        assert!(
            msg.starts_with(&format!("blast_radius.{key} is missing")),
            "{msg}"
        );
    }
}

#[test]
fn all_problems_are_collected_and_sorted() {
    let text = "name: x\nwindw: 5m\nblast_radius:\n  max_pods: 0\n";
    let p = problems(text);
    let lines: Vec<usize> = p.iter().map(|p| p.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    // hypothesis, runbook, abort, steady_state, manifest; the typo; four
    // missing bounds; max_pods 0.
    assert_eq!(p.len(), 11, "{p:#?}");
    assert!(p.iter().any(|p| p.line == 2 && p.message.contains("windw")));
    assert!(
        p.iter()
            .any(|p| p.line == 4 && p.message.contains("at least 1"))
    );
}

#[test]
fn unknown_keys_with_their_line_and_a_hint() {
    let text = VALID.replace("window: 2m", "windw: 2m");
    let (line, msg) = one(&text);
    assert_eq!(line, line_of(&text, "windw:"));
    assert!(
        msg.contains("unknown key 'windw' (did you mean 'window'?)"),
        "{msg}"
    );
    let text = VALID.replace("  max_pods: 1\n", "  max_pods: 1\n  max_pod: 2\n");
    let (line, msg) = one(&text);
    assert_eq!(line, line_of(&text, "  max_pod:"));
    assert!(msg.contains("'blast_radius.max_pod'"), "{msg}");
    // A key that is not text, and one far from any known key.
    let p = problems(&format!("{VALID}1: x\nfrobnicate: y\n"));
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[1].message.contains("'frobnicate':"), "{}", p[1].message);
}

#[test]
fn yaml_syntax_errors_carry_their_line() {
    let text = VALID.replace("runbook: pod-crash-loop", "runbook: [pod-crash-loop");
    let (line, msg) = one(&text);
    assert!(msg.starts_with("not valid YAML"), "{msg}");
    assert!(!msg.contains(" at line "), "{msg}");
    assert!((3..=5).contains(&line), "line {line}: {msg}");
    let (line, _) = one("hypothesis: a\n  runbook: b\n : :\n");
    assert!(line >= 2, "{line}");
    // At the end of the file, the last line (libyaml points past it).
    assert_eq!(one("{{{{").0, 1);
    let (line, msg) = one("a: 1\na: 2\n");
    assert_eq!(line, 2, "{msg}");
    let text = VALID.replace("  max_pods: 1\n", "  max_pods: 1\n  max_pods: 5\n");
    let (line, msg) = one(&text);
    assert!(msg.contains("duplicate entry"), "{msg}");
    assert_eq!(line, 8, "{msg}");
    let (_, msg) = one("a: \"\\e[31m\n");
    assert!(!msg.contains('\u{1b}'), "{msg}");
}

#[test]
fn bad_values_are_refused_at_their_line() {
    for (from, to, says) in [
        ("max_pods: 1", "max_pods: 0", "at least 1"),
        ("max_pods: 1", "max_pods: -3", "at least 1"),
        ("max_pods: 1", "max_pods: 99999999999", "too large"),
        (
            "max_pods: 1",
            "max_pods: 99999999999999999999999",
            "integer",
        ),
        ("max_pods: 1", "max_pods: 1.5", "whole number"),
        ("max_pods: 1", "max_pods: \"3\"", "whole number, found text"),
        ("max_duration: 1m", "max_duration: 0s", "longer than zero"),
        ("max_duration: 1m", "max_duration: 60", "found a number"),
        ("window: 2m", "window: 0s", "not a duration"),
        ("window: 2m", "window: soon", "not a duration"),
        ("poll: 10s", "poll: 5m", "more than once a window"),
        ("namespace: shop", "namespace: Shop", "not a namespace"),
        ("selector: app=checkout", "selector: \"\"", "empty"),
        (
            "selector: app=checkout",
            "selector: \"app in (a\"",
            "unclosed",
        ),
        ("selector: app=checkout", "selector: \",\"", "must be aimed"),
        ("contexts: [demo, kind-warroom]", "contexts: []", "empty"),
        (
            "contexts: [demo, kind-warroom]",
            "contexts: demo",
            "must be a list",
        ),
        (
            "contexts: [demo, kind-warroom]",
            "contexts: [demo, 3]",
            "must be text",
        ),
        (
            "contexts: [demo, kind-warroom]",
            "contexts: [\"a b\"]",
            "not a context",
        ),
        ("runbook: pod-crash-loop", "runbook: pod crash", "one word"),
        ("runbook: pod-crash-loop", "runbook: 42", "found a number"),
        (
            "hypothesis: Killing",
            "hypothesis: \"\"\nx_: Killing",
            "hypothesis: empty",
        ),
        ("abort: sum", "abort: \"  \"\nx_: sum", "abort: empty"),
        ("name: checkout-pod-kill", "name: true", "found true/false"),
        (
            "window: 2m",
            "window: 2m\nallow_production: \"yes\"",
            "true or false",
        ),
        (
            "steady_state: sum",
            "steady_state: [sum]\nx_: sum",
            "found a list",
        ),
    ] {
        let text = VALID.replace(from, to);
        assert_ne!(text, VALID, "{from}");
        let p = problems(&text);
        let hit = p.iter().find(|p| p.message.contains(says));
        assert!(hit.is_some(), "{to}: no problem says '{says}': {p:?}");
        let hit = hit.expect("found above");
        // The key is on the last line written that is not filler (`x_`).
        let last = to.lines().rfind(|l| !l.starts_with("x_"));
        let key = last.and_then(|l| l.split(':').next()).unwrap_or_default();
        let want = text
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{key}:")))
            .map(|i| i + 1);
        assert_eq!(Some(hit.line), want, "{to}: {p:?}");
    }
}

#[test]
fn the_manifest_must_be_an_object() {
    let text = drop_key(VALID, "manifest:") + "manifest: [a, b]\n";
    let (line, msg) = one(&text);
    assert_eq!(line, line_of(&text, "manifest:"));
    assert!(msg.contains("found a list"), "{msg}");
}

#[test]
fn hostile_names_are_refused_and_hostile_data_kept_as_data() {
    for name in [
        "\"a\\nb\"",
        "\"\\e[31mred\"",
        "\"a\\u202Eb\"",
        "\"   \"",
        &"x".repeat(81),
    ] {
        let text = VALID.replace("name: checkout-pod-kill", &format!("name: {name}"));
        let (line, msg) = one(&text);
        assert_eq!(line, 1, "{name}");
        assert!(!msg.contains('\u{1b}') && !msg.contains('\n'), "{msg:?}");
    }
    // A hypothesis may span lines but not carry escape sequences.
    let text = VALID.replace("hypothesis: Killing", "hypothesis: \"\\e]52;c;x\\aKilling");
    let (_, msg) = one(&text.replace("1%.", "1%.\""));
    assert!(msg.contains("control characters"), "{msg}");
    // Inside the manifest, an escape is refused too: what is sent to the
    // cluster must be what the export shows, and an export strips them.
    let text = VALID.replace("name: kill", "name: \"k\\e[2Jill\"");
    let (_, msg) = one(&text);
    assert!(
        msg.contains("manifest.metadata.name holds control characters"),
        "{msg}"
    );
    // An unknown key with an escape is named with the escape shown, inert.
    let (_, msg) = one(&format!("{VALID}\"w\\e[31m\": 1\n"));
    assert!(msg.contains("w\\u{1b}[31m"), "{msg}");
    // A stem that cannot be typed needs a name.
    let text = drop_key(VALID, "name:");
    let p = Experiment::parse(&text, Path::new("exp/ .yaml")).expect_err("stem");
    assert!(p[0].message.contains("set name"), "{p:?}");
}

#[test]
fn odd_files_never_panic() {
    let huge = format!("max_pods: {}\n", "9".repeat(5000));
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    for text in [
        "",
        "# only a comment\n",
        "~",
        "- a\n- b\n",
        "42",
        "just text",
        "---\na: 1\n---\nb: 2\n",
        "\t\tname: x",
        "name: &a [*a]",
        "\u{0}\u{1}\u{2}",
        "{{{{",
        "blast_radius: 7\nmanifest: {}\n",
        "blast_radius:\n  max_pods: 1e400\n",
        "window: 0s\npoll: 0s\n",
        "a: !!binary aGVsbG8=\n",
        "manifest: !Tag {a: 1}\n",
        "manifest:\n  ? [a, b]\n  : c\n",
        huge.as_str(),
        deep.as_str(),
        "name: \u{202E}evil\n",
    ] {
        let p = problems(text);
        assert!(!p.is_empty(), "{text:?}");
        assert!(p.iter().all(|p| p.line >= 1), "{text:?}: {p:?}");
    }
}

#[test]
fn problems_print_with_the_path() {
    let p = problems(&drop_key(VALID, "runbook:"));
    assert_eq!(
        p[0].to_string(),
        "line 1: runbook is missing: it is required"
    );
    assert_eq!(
        report(path(), &p),
        "exp/checkout-pod-kill.yaml:1: runbook is missing: it is required"
    );
}

#[test]
fn load_reads_the_file_or_says_why_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("drill.yaml");
    std::fs::write(&file, drop_key(VALID, "name:")).expect("write");
    let e = Experiment::load(&file).expect("loads");
    assert_eq!(e.name, "drill");
    assert_eq!(e.source, file);
    std::fs::write(&file, "hypothesis: x\nwindw: 1m\n").expect("write");
    let err = Experiment::load(&file).expect_err("bad");
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() > 2, "{err}");
    let prefix = format!("{}:", file.display());
    assert!(lines.iter().all(|l| l.starts_with(&prefix)), "{err}");
    assert!(err.contains(":2: unknown key 'windw'"), "{err}");
    let missing = dir.path().join("none.yaml");
    assert!(Experiment::load(&missing).is_err());
}

#[test]
fn key_lines_follow_nesting() {
    let text = "\
# comment: not a key
a:
  b: 1
  note: |
    c: not a key
    d: nor this
  c: 2
  list:
    - x: 1
      y: 2
\"q k\": 3
e: {f: 1}
c: 4
";
    assert_eq!(key_line(text, &["a"]), Some(2));
    assert_eq!(key_line(text, &["a", "b"]), Some(3));
    assert_eq!(key_line(text, &["a", "c"]), Some(7));
    assert_eq!(key_line(text, &["c"]), Some(13));
    assert_eq!(key_line(text, &["a", "list", "y"]), Some(10));
    assert_eq!(key_line(text, &["q k"]), Some(11));
    // Limits: flow mappings are not read, and nothing is not found.
    assert_eq!(key_line(text, &["e", "f"]), None);
    assert_eq!(key_line(text, &["a", "d"]), None);
    assert_eq!(key_line(text, &[]), None);
    assert_eq!(key_line("url: http://x:80\n", &["url"]), Some(1));
    assert_eq!(key_line("a:b: c\n", &["a:b"]), Some(1));
}
