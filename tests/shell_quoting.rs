//! Label values never reach the shell as code: commands filled from hostile
//! labels are run for real through `/bin/sh`, and what the command received
//! is compared with the values, argument by argument.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use warroom::domain::placeholder::{Filled, Use, fill};

/// Values an attacker would put in an alert's labels.
const HOSTILE: &[&str] = &[
    "shop;touch pwned-semicolon",
    "$(touch pwned-subst)",
    "`touch pwned-backtick`",
    "x | touch pwned-pipe",
    "x && touch pwned-and",
    "line1\ntouch pwned-newline",
    "it's",
    "say \"hi\"",
    "'; touch pwned-single; '",
    "\"; touch pwned-double; \"",
    "*",
    "-rf",
    "--kubeconfig=/etc/passwd",
    "${HOME}",
    "\\",
    "a b  c",
    "",
    "~root",
    "$(touch pwned-a)`touch pwned-b`\"'",
];

fn labels(v: &str) -> BTreeMap<String, String> {
    [("v".to_string(), v.to_string())].into()
}

fn shell_fill(template: &str, labels: &BTreeMap<String, String>) -> Filled {
    fill(template, labels, Use::Shell { env: &|_| false })
}

/// Runs `command` with `/bin/sh -c` in `dir`; returns stdout.
fn sh(command: &str, dir: &Path) -> String {
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("run /bin/sh");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Each argument the command received, one `<…>` per argument.
fn args_of(values: &[&str]) -> String {
    values.iter().map(|v| format!("<{v}>\n")).collect()
}

#[test]
fn hostile_values_arrive_as_exactly_one_literal_argument_in_every_context() {
    let dir = tempfile::tempdir().expect("tmp");
    // A file for a glob to find, if a value were ever read as one.
    std::fs::write(dir.path().join("a-file"), "").expect("write");
    for v in HOSTILE {
        let cases: [(&str, String); 5] = [
            ("printf '<%s>\\n' $v", args_of(&[v])),
            ("printf '<%s>\\n' ${v} end", args_of(&[v, "end"])),
            (
                "printf '<%s>\\n' \"before $v after\"",
                args_of(&[&format!("before {v} after")]),
            ),
            (
                "printf '<%s>\\n' 'before $v after'",
                args_of(&[&format!("before {v} after")]),
            ),
            (
                "printf '<%s>\\n' pre/{{ $labels.v }}/post",
                args_of(&[&format!("pre/{v}/post")]),
            ),
        ];
        for (n, (template, want)) in cases.into_iter().enumerate() {
            let filled = shell_fill(template, &labels(v));
            if v.starts_with('-') && n < 2 {
                // A whole word that starts with '-' would be an option.
                assert!(!filled.is_ready(), "{template} with {v:?} filled");
                continue;
            }
            assert!(
                filled.is_ready(),
                "{template} with {v:?}: {:?}",
                filled.problems
            );
            let got = sh(&filled.text, dir.path());
            assert_eq!(got, want, "{template} with {v:?} ran as {}", filled.text);
        }
    }
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["a-file"], "a value ran as code");
}

#[test]
fn here_documents_take_plain_values_and_refuse_the_rest() {
    // What a here-document holds is read again by whatever consumes it (a
    // shell, a database client, kubectl apply), so only plain names go in.
    let dir = tempfile::tempdir().expect("tmp");
    for v in HOSTILE.iter().chain(&["shop-1", "catalog-7d9f8b6c5-x2k4q"]) {
        let filled = shell_fill("cat <<EOF | sh\necho value: $v\nEOF", &labels(v));
        if !warroom::domain::shell::is_plain(v) || v.starts_with('-') {
            assert!(!filled.is_ready(), "{v:?} went into a here-document");
            continue;
        }
        assert!(filled.is_ready(), "{v:?}: {:?}", filled.problems);
        assert_eq!(sh(&filled.text, dir.path()), format!("value: {v}\n"));
    }
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn commands_read_twice_comments_and_arithmetic_run_nothing_from_a_label() {
    let dir = tempfile::tempdir().expect("tmp");
    let templates = [
        "sh -c \"printf '<%s>\\n' $v\"",
        "eval \"printf '<%s>\\n' $v\"",
        "printf '%s\\n' a | awk '{print \"$v\"}'",
        "printf '%s\\n' a | xargs printf '<%s>\\n' $v",
        "echo `printf '<%s>' $v`",
        "echo $'<$v>'",
        "echo $(( $v + 1 ))",
        "echo it's # don't fret $v\necho done",
    ];
    for v in HOSTILE {
        for template in templates {
            let filled = shell_fill(template, &labels(v));
            if let Some(command) = filled.ready() {
                sh(&command, dir.path());
            }
        }
    }
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "a value ran as code: {left:?}");
    // And the plain case still works, through the second reader too.
    let filled = shell_fill(templates[0], &labels("shop-1"));
    assert_eq!(
        sh(&filled.ready().expect("plain"), dir.path()),
        "<shop-1>\n"
    );
    // A comment's apostrophe quotes nothing: the value after it is quoted.
    let filled = shell_fill("echo # don't\nprintf '<%s>\\n' $v", &labels("a;b"));
    assert_eq!(sh(&filled.ready().expect("fills"), dir.path()), "\n<a;b>\n");
}

#[test]
fn values_that_look_like_options_are_pointed_out() {
    // At the start of a word a value would be read as an option: refused.
    let f = shell_fill("kubectl delete pod $v", &labels("--all"));
    assert!(!f.is_ready());
    assert!(
        f.problems.iter().any(|n| n.contains("option")),
        "{:?}",
        f.problems
    );
    let f = shell_fill("kubectl delete pod pod-$v", &labels("--all"));
    assert!(f.is_ready(), "{:?}", f.problems);
    assert!(
        !f.notes.iter().any(|n| n.contains("option")),
        "{:?}",
        f.notes
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any label value: the filled command lexes to as many words as it
    /// does with a plain value, and the filled word is exactly the value.
    #[test]
    fn any_value_is_one_word_and_itself(v in "[^\u{0}]{0,40}") {
        let template = "kubectl -n $v get pod x-{{ $labels.v }}-y \"q $v\"";
        let plain = shell_fill(template, &labels("plain"));
        let hostile = shell_fill(template, &labels(&v));
        if warroom::domain::shell::deceptive(&v).is_some() {
            // Hidden controls could make the line read differently.
            prop_assert!(!hostile.is_ready());
            return Ok(());
        }
        if v.starts_with('-') {
            // `-n $v`: a whole word that starts with '-' would be an option.
            prop_assert!(!hostile.is_ready());
            prop_assert!(hostile.problems.iter().any(|p| p.contains("option")));
            return Ok(());
        }
        prop_assert!(hostile.is_ready(), "{:?}", hostile.problems);
        let plain_words = shlex::split(&plain.text).expect("plain lexes");
        let words = shlex::split(&hostile.text).expect("filled lexes");
        prop_assert_eq!(words.len(), plain_words.len());
        prop_assert_eq!(&words[2], &v);
        prop_assert_eq!(&words[5], &format!("x-{v}-y"));
        prop_assert_eq!(&words[6], &format!("q {v}"));
    }
}

/// Commands found to break out of earlier versions' quoting: `#` glued to a
/// word, a comment in backticks, a backslash before `$`, `case` inside a
/// substitution, programs that run a second shell, bash arithmetic and
/// parameter expansions. Run through dash and, when present, bash.
#[test]
fn lexer_corner_cases_found_in_review_run_nothing_from_a_label() {
    let dir = tempfile::tempdir().expect("tmp");
    let templates = [
        "echo $(date +%s)#$v",
        "echo $((1+2))#$v",
        "cat <(true)#$v",
        "echo a\\ #$v",
        "echo `hostname #h` $v",
        "echo \\$v",
        "echo \\${v}",
        "echo \"\\$v\"",
        "echo \"$(case a in a) echo $v;; esac)\"",
        "flock /tmp/warroom-test-lock sh -c \"echo $v\"",
        "time -p sh -c \"echo $v\"",
        "2>/dev/null sh -c \"echo $v\"",
        "\"sh\" -c \"echo $v\"",
        "echo $[ $v ]",
        "echo ${arr[$v]}",
        "x=abc; echo ${x:$v:1}",
        "printf -v \"$v\" x",
        "[ -v \"$v\" ]",
        "echo $(( $(echo $v) ))",
    ];
    let payloads = [
        "x;touch pwned-1;#",
        "x; touch pwned-2",
        ";touch pwned-3;#",
        "\"; touch pwned-4; #",
        "a[$(touch pwned-5)]",
        "$(touch pwned-6)",
        "`touch pwned-7`",
    ];
    let shells: Vec<&str> = ["/bin/sh", "/bin/bash"]
        .into_iter()
        .filter(|s| Path::new(s).exists())
        .collect();
    for template in templates {
        for v in payloads {
            let filled = shell_fill(template, &labels(v));
            let Some(command) = filled.ready() else {
                continue;
            };
            for shell in &shells {
                Command::new(shell)
                    .arg("-c")
                    .arg(&command)
                    .current_dir(dir.path())
                    .env_clear()
                    .env("PATH", "/usr/bin:/bin")
                    .output()
                    .expect("run the shell");
            }
        }
    }
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "a value ran as code: {left:?}");
}

/// The variables the shell owns are never replaced by labels, and a label
/// that looks like an argument's assignment still fills.
#[test]
fn the_shells_variables_and_arguments_are_told_apart() {
    let l: BTreeMap<String, String> = [
        ("app".to_string(), "catalog".to_string()),
        ("hostname".to_string(), "evil".to_string()),
        ("name".to_string(), "x".to_string()),
    ]
    .into();
    let f = shell_fill("kubectl get pods -l app=$app", &l);
    assert_eq!(f.text, "kubectl get pods -l app=catalog");
    let f = shell_fill("echo $HOSTNAME", &l);
    assert_eq!(f.text, "echo $HOSTNAME");
    let f = shell_fill("read -r NAME; echo $name $NAME", &l);
    assert_eq!(f.text, "read -r NAME; echo x $NAME");
}
