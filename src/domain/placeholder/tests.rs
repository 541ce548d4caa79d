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
fn hostile_label_values_are_quoted_for_their_context() {
    let labels = [
        ("namespace".to_string(), "shop; rm -rf ~".to_string()),
        ("pod".to_string(), "catalog-7d9f8b6c5-x2k4q".to_string()),
        ("node".to_string(), "$(curl evil)".to_string()),
        ("q".to_string(), "it's \"x\"".to_string()),
    ]
    .into();
    let f = shell("kubectl -n $namespace delete pod $pod", &labels);
    assert_eq!(
        f.text,
        "kubectl -n 'shop; rm -rf ~' delete pod catalog-7d9f8b6c5-x2k4q"
    );
    assert!(f.is_ready(), "{:?}", f.problems);
    assert_eq!(f.notes.len(), 1, "{:?}", f.notes);
    let f = shell("echo \"node {{ $labels.node }}\" 'q=$q'", &labels);
    assert_eq!(f.text, r#"echo "node \$(curl evil)" 'q=it'\''s "x"'"#);
    // Unfilled `$NF` inside single quotes is awk's, not a gap.
    let f = shell("kubectl get pods | awk '{print $NF}'", &BTreeMap::new());
    assert!(f.is_ready(), "{:?}", f.problems);
    // A query goes to Prometheus, never through a shell: string literals
    // are escaped, and a value outside one must be a plain word.
    let f = fill("up{namespace=\"$namespace\", q='$q'}", &labels, Use::Query);
    assert_eq!(f.text, r#"up{namespace="shop; rm -rf ~", q='it\'s "x"'}"#);
    assert!(f.is_ready());
    let f = fill("rate(x[5m]) > $namespace", &labels, Use::Query);
    assert!(!f.is_ready());
    let by = [("by".to_string(), "pod".to_string())].into();
    let f = fill("sum by ($by) (rate(x[5m]))", &by, Use::Query);
    assert!(f.is_ready(), "{:?}", f.problems);
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

#[test]
fn places_quoting_cannot_protect_take_only_plain_values() {
    let hostile: BTreeMap<String, String> =
        [("v".to_string(), "x; touch pwned".to_string())].into();
    let plain: BTreeMap<String, String> = [("v".to_string(), "shop-1".to_string())].into();
    for template in [
        "sh -c \"kubectl logs $v\"",
        "kubectl get pods | awk '/$v/ {print $1}'",
        "ssh bastion \"systemctl status $v\"",
        "echo `kubectl get pod $v`",
        "echo $'pod $v'",
        "echo $(( $v + 1 ))",
        "kubectl exec -i db-0 -- sh <<EOF\nselect $v;\nEOF",
    ] {
        let f = shell(template, &hostile);
        assert!(!f.is_ready(), "{template} took {:?}", f.text);
        assert!(!f.text.contains("x; touch"), "{template}: {}", f.text);
        let f = shell(template, &plain);
        if template.contains("$((") {
            assert!(!f.is_ready(), "a name in arithmetic is read as a variable");
        } else {
            assert!(f.is_ready(), "{template}: {:?}", f.problems);
            assert!(f.text.contains("shop-1"), "{template}: {}", f.text);
        }
    }
    // An option-like value is refused where a second reader would see it.
    let dash: BTreeMap<String, String> =
        [("v".to_string(), "-oProxyCommand=touch".to_string())].into();
    assert!(!shell("ssh $v uptime", &dash).is_ready());
    // A number in arithmetic is fine.
    let n: BTreeMap<String, String> = [("v".to_string(), "12".to_string())].into();
    assert_eq!(
        shell("echo $(( $v * 2 ))", &n).ready().as_deref(),
        Some("echo $(( 12 * 2 ))")
    );
}

#[test]
fn a_comment_apostrophe_does_not_shift_quoting() {
    let l: BTreeMap<String, String> = [("v".to_string(), "a b;c".to_string())].into();
    let f = shell("kubectl get pods # don't panic\nkubectl logs $v", &l);
    assert_eq!(
        f.text,
        "kubectl get pods # don't panic\nkubectl logs 'a b;c'"
    );
    let f = shell("echo $((1<<2)) $v", &l);
    assert!(
        f.problems.iter().any(|p| p.contains("arithmetic")),
        "arithmetic is read twice, so only plain names go in: {:?}",
        f.problems
    );
    let f = shell(
        "echo hi # about $v",
        &[("v".to_string(), "x\nrm -rf ~".to_string())].into(),
    );
    assert!(!f.is_ready(), "a line break would end the comment");
}

#[test]
fn hidden_characters_are_refused() {
    for v in ["shop\x1b]0;owned\x07", "shop\u{202e}1-pod", "a\rb"] {
        let l: BTreeMap<String, String> = [("v".to_string(), v.to_string())].into();
        let f = shell("kubectl logs '$v'", &l);
        assert!(!f.is_ready(), "{v:?}");
        assert!(
            f.problems[0].contains("hidden character"),
            "{:?}",
            f.problems
        );
    }
}

#[test]
fn the_shells_own_variables_are_never_taken_from_labels() {
    let l: BTreeMap<String, String> = [
        ("p".to_string(), "label-p".to_string()),
        ("kubeconfig".to_string(), "/tmp/evil".to_string()),
    ]
    .into();
    let f = shell("for p in a b; do echo $p; done", &l);
    assert_eq!(f.text, "for p in a b; do echo $p; done");
    assert!(
        f.notes.iter().any(|n| n.contains("left to the shell")),
        "{:?}",
        f.notes
    );
    let has = |n: &str| n == "KUBECONFIG";
    let f = fill(
        "kubectl --kubeconfig $KUBECONFIG get pods",
        &l,
        Use::Shell { env: &has },
    );
    assert_eq!(f.text, "kubectl --kubeconfig $KUBECONFIG get pods");
    // `{{ $labels.x }}` always means the alert's label.
    let f = fill(
        "echo {{ $labels.kubeconfig }}",
        &l,
        Use::Shell { env: &has },
    );
    assert_eq!(f.text, "echo /tmp/evil");
}
