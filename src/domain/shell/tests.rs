//! The shell lexer, escaping and command reading, on the cases real
//! runbooks and hostile labels produce.

use super::*;

fn at(command: &str, needle: &str) -> Context {
    let pos = command.find(needle).expect("needle");
    contexts(command)[pos]
}

#[test]
fn quoting_contexts() {
    let c = r#"kubectl -n X get pod 'Y' "Z $(echo W) V" `U` $(T) \S"#;
    assert_eq!(at(c, "X"), Context::Bare);
    assert_eq!(at(c, "Y"), Context::Single);
    assert_eq!(at(c, "Z"), Context::Double);
    assert_eq!(
        at(c, "W"),
        Context::Bare,
        "a substitution is bare inside quotes"
    );
    assert_eq!(at(c, "V"), Context::Double);
    assert_eq!(at(c, "U"), Context::Backtick);
    assert_eq!(at(c, "T"), Context::Bare);
    assert_eq!(contexts(c).len(), c.len());
    let c = "echo 'it\"s' \"a 'b' c\" d";
    assert_eq!(at(c, "s'"), Context::Single);
    assert_eq!(at(c, "b'"), Context::Double);
    assert_eq!(at(c, " d"), Context::Bare);
}

#[test]
fn here_documents() {
    let c = "cat <<EOF | sh\nX $Y\nEOF\necho Z\ncat <<'END'\nQ\nEND";
    assert_eq!(at(c, "X"), Context::Heredoc { quoted: false });
    assert_eq!(at(c, "Z"), Context::Bare);
    assert_eq!(at(c, "Q"), Context::Heredoc { quoted: true });
    let c = "cat <<-  \"X\"\n\tbody\n\tX\nafter";
    assert_eq!(at(c, "body"), Context::Heredoc { quoted: true });
    assert_eq!(at(c, "after"), Context::Bare);
}

#[test]
fn escaping_keeps_values_literal() {
    assert_eq!(escape("shop", Context::Bare).as_deref(), Ok("shop"));
    assert_eq!(escape("a;b", Context::Bare).as_deref(), Ok("'a;b'"));
    assert_eq!(escape("it's", Context::Single).as_deref(), Ok(r"it'\''s"));
    assert_eq!(
        escape(r#"$(x) "y" `z` \"#, Context::Double).as_deref(),
        Ok(r#"\$(x) \"y\" \`z\` \\"#)
    );
    assert!(escape("a\nb", Context::Heredoc { quoted: false }).is_err());
    assert!(escape("a\0b", Context::Double).is_err());
    assert_eq!(escape("", Context::Bare).as_deref(), Ok("''"));
}

#[test]
fn comments_arithmetic_backticks_and_ansi_c() {
    let c = "kubectl get pods # don't panic X\necho Y";
    assert_eq!(
        at(c, "X"),
        Context::Comment,
        "an apostrophe in a comment quotes nothing"
    );
    assert_eq!(at(c, "Y"), Context::Bare);
    let c = "echo a#b 'Q'";
    assert_eq!(
        at(c, "Q"),
        Context::Single,
        "# inside a word starts no comment"
    );
    let c = "echo $((1<<2 + X)) Y\nZ";
    assert_eq!(at(c, "X"), Context::Arith);
    assert_eq!(at(c, "Y"), Context::Bare, "a shift is not a here-document");
    assert_eq!(at(c, "Z"), Context::Bare);
    let c = "(( n = (X + 1) )); echo Y";
    assert_eq!(at(c, "X"), Context::Arith);
    assert_eq!(at(c, "Y"), Context::Bare);
    let c = "echo `date X` Y $'a\\'b X2' Z \"$'W'\"";
    assert_eq!(at(c, "X"), Context::Backtick);
    assert_eq!(at(c, "Y"), Context::Bare);
    assert_eq!(
        at(c, "X2"),
        Context::AnsiC,
        "an escaped quote does not end $'…'"
    );
    assert_eq!(at(c, "Z"), Context::Bare);
    assert_eq!(
        at(c, "W"),
        Context::Double,
        "$' means nothing inside double quotes"
    );
    let c = "echo $( (cd /tmp; ls X) ) Y";
    assert_eq!(at(c, "X"), Context::Bare);
    assert_eq!(at(c, "Y"), Context::Bare);
}

#[test]
fn places_escaping_cannot_protect_take_only_plain_values() {
    assert_eq!(escape("shop", Context::Backtick).as_deref(), Ok("shop"));
    assert!(escape("a;b", Context::Backtick).is_err());
    assert!(escape("a'b", Context::AnsiC).is_err());
    assert_eq!(escape("-42", Context::Arith).as_deref(), Ok("-42"));
    assert!(escape("a[$(id)]", Context::Arith).is_err());
    assert!(
        escape("x", Context::Arith).is_err(),
        "a name is read as a variable"
    );
    assert_eq!(
        escape("a;b 'c'", Context::Comment).as_deref(),
        Ok("a;b 'c'")
    );
    assert!(escape("a\nrm -rf ~", Context::Comment).is_err());
    assert!(escape("a b", Context::Heredoc { quoted: true }).is_err());
    assert!(escape("a[$(id)]", Context::Param).is_err());
    assert_eq!(escape("shop", Context::Param).as_deref(), Ok("shop"));
    assert_eq!(
        escape("shop-1", Context::Heredoc { quoted: false }).as_deref(),
        Ok("shop-1")
    );
}

#[test]
fn hidden_characters_are_found() {
    assert_eq!(deceptive("shop"), None);
    assert_eq!(deceptive("a\tb\nc"), None);
    assert_eq!(deceptive("a\x1b[2Jb"), Some('\x1b'));
    assert_eq!(deceptive("evil\u{202e}lmth.exe"), Some('\u{202e}'));
    assert_eq!(deceptive("a\rb"), Some('\r'));
}

#[test]
fn a_hash_inside_a_word_starts_no_comment() {
    // After a substitution, arithmetic, process substitution or an escaped
    // blank, `#` is part of the word: what follows is still a command's.
    for c in [
        "echo $(date +%s)#X",
        "echo $((1+2))#X",
        "cat <(ls)#X",
        "echo a\\ #X",
        "echo \"q\"#X",
    ] {
        assert_ne!(at(c, "X"), Context::Comment, "{c}");
    }
    assert_eq!(at("echo a #X", "X"), Context::Comment);
    assert_eq!(at("(ls) #X", "X"), Context::Comment);
    // A comment inside backticks ends with them.
    let c = "echo `hostname #h` X";
    assert_eq!(at(c, "h`"), Context::Comment);
    assert_eq!(at(c, " X"), Context::Bare);
}

#[test]
fn case_patterns_do_not_end_a_substitution() {
    let c = "echo \"$(case a in a) echo X;; esac) Y\"";
    assert_eq!(at(c, "X"), Context::Bare);
    assert_eq!(at(c, "Y"), Context::Double);
    let c = "case $1 in (x) echo X;; esac; echo Y";
    assert_eq!(at(c, "X"), Context::Bare);
    assert_eq!(at(c, "Y"), Context::Bare);
}

#[test]
fn parameter_expansions_and_old_arithmetic() {
    let c = "echo ${arr[X]} ${x:-Y} $[Z + 1] W";
    assert_eq!(at(c, "X"), Context::Param);
    assert_eq!(at(c, "Y"), Context::Param);
    assert_eq!(at(c, "Z"), Context::Arith);
    assert_eq!(at(c, "W"), Context::Bare);
    let c = "echo \"${x:-'a b'}\" V";
    assert_eq!(at(c, "V"), Context::Bare);
}

#[test]
fn only_commands_of_known_programs_take_any_value() {
    for ok in [
        "kubectl -n shop get pods -l app=catalog",
        "kubectl --context prod -n shop logs deploy/shop --since=10m | grep -i error",
        "kubectl rollout undo deploy/x && kubectl rollout status deploy/x",
        "2>/dev/null curl -s http://x/healthz",
        "X=1 kubectl get pods | sort | uniq -c",
        "for p in a b; do echo $p; done",
    ] {
        assert_eq!(understood(ok), Ok(()), "{ok}");
    }
    for (bad, program) in [
        ("sh -c \"kubectl logs $pod\"", "sh"),
        ("\"bash\" -c 'x'", "bash"),
        ("flock /tmp/l sh -c \"echo $v\"", "flock"),
        ("time -p sh -c \"x\"", "sh"),
        ("2>/dev/null sh -c \"x\"", "sh"),
        ("eval \"$cmd\"", "eval"),
        ("kubectl get pods | awk '{print $1}'", "awk"),
        (
            "kubectl get pods -o name | xargs -n1 kubectl delete",
            "xargs",
        ),
        ("ssh bastion \"systemctl restart $svc\"", "ssh"),
        (
            "kubectl --context prod -n shop exec pod -- sh -c \"x\"",
            "kubectl exec",
        ),
        ("kubectl run x --image=busybox -- sh -c 'x'", "kubectl run"),
        ("docker run img sh -c 'x'", "docker"),
        ("find /var/log -name '*.gz' -exec rm {} +", "find"),
        ("echo $v | sh", "sh"),
        ("printf -v \"$v\" x", "printf"),
        ("[ -v \"$v\" ]", "["),
        ("helm upgrade x chart --set tag=$tag", "helm upgrade"),
        ("tmux new -d \"x\"", "tmux"),
        // A namespace named like a verb is the namespace, not the verb.
        ("kubectl -n logs exec db-0 -- sh -c 'x'", "kubectl exec"),
        // An operator alone takes the next word as its target.
        (">& echo sh -c \"x\"", "sh"),
        ("<> cat sh -c \"x\"", "sh"),
        // Only blanks split words: a no-break space does not.
        ("A=1\u{a0}echo sh -c \"x\"", "sh"),
    ] {
        let why = understood(bad).expect_err(bad);
        assert!(why.contains(&format!("`{program}`")), "{bad}: {why}");
    }
    // Constructs whose quoting is read twice are never trusted with a value.
    for (bad, construct) in [
        ("echo \"$(sh -c \"echo '$v'\")\"", "command substitution"),
        ("echo $(ssh host date)", "command substitution"),
        ("POD=`kubectl get pods -l \"app=$v\" -o name`", "backtick"),
        ("echo \"${x:-'$v'}\"", "parameter expansion"),
        ("echo $((echo \"))\"; sh -c 'x') )", "arithmetic"),
        ("cat <(ls) $v", "process substitution"),
        ("cat <<EOF\n$v\nEOF", "here-document"),
    ] {
        let why = understood(bad).expect_err(bad);
        assert!(why.contains(construct), "{bad}: {why}");
    }
}

#[test]
fn the_variables_a_command_sets_are_its_own() {
    let names = |c: &str| assigned(c).into_iter().collect::<Vec<_>>();
    assert_eq!(names("for p in a b; do echo $p; done"), ["p"]);
    assert_eq!(names("LAG=$(psql -tc 'select 1'); echo ${LAG}"), ["LAG"]);
    assert_eq!(names("read -r -p 'name? ' NAME REST"), ["NAME", "REST"]);
    assert_eq!(names("export A=1 B; local C"), ["A", "B", "C"]);
    assert_eq!(names("let n=1 m+=2; x+=3"), ["m", "n", "x"]);
    assert_eq!(names("(( i = 2 )); echo $(( j++ + k ))"), ["i", "j"]);
    assert!(names("echo $(( a == b * 2 ))").is_empty());
    // An argument that looks like an assignment is not one.
    assert!(names("kubectl get pods -l app=$app").is_empty());
    assert!(names("helm upgrade x --set tag=$tag").is_empty());
}
