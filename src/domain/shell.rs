//! What a POSIX shell makes of a command line, as far as filling it needs:
//! the quoting context of each position (bare, in single or double quotes,
//! in a here-document, in a comment, or somewhere a value cannot be made
//! safe: backticks, `$'…'`, arithmetic), the escaping that makes a value one
//! literal string in that context, and whether the command hands text to a
//! second interpreter that would read it again. Label values come from
//! outside; filled this way, none of them can become shell code.

/// How the shell reads the text at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Outside quotes (also inside `$( … )`).
    Bare,
    /// Inside `'…'`: nothing is special but the closing quote.
    Single,
    /// Inside `"…"`: `$`, `` ` ``, `\` and `"` are special.
    Double,
    /// In a here-document's body; `quoted` when its delimiter was quoted
    /// (`<<'EOF'`), so nothing in it is expanded.
    Heredoc {
        /// The delimiter was quoted.
        quoted: bool,
    },
    /// Inside old-style `` `…` `` substitution, where backslashes are read
    /// once more before the inner command is parsed.
    Backtick,
    /// Inside `$'…'`, where backslash sequences are decoded.
    AnsiC,
    /// Inside `$(( … ))` or `(( … ))`: the text is evaluated as arithmetic,
    /// and bash runs substitutions hidden in array subscripts.
    Arith,
    /// After `#` at the start of a word, up to the end of the line.
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Bare,
    Single,
    Double,
    /// `$(` … `)`: a command, whatever is around it.
    Subst,
    /// `(` … `)` in a command: a subshell or group.
    Group,
    /// `` ` `` … `` ` ``.
    Backtick,
    /// `$'` … `'`.
    AnsiC,
    /// `$((` … `))`, with the depth of parentheses opened inside.
    Arith(u32),
    /// `#` … end of line.
    Comment,
}

impl State {
    /// Where a command is being read: words, operators, redirections.
    fn is_command(self) -> bool {
        matches!(
            self,
            State::Bare | State::Subst | State::Group | State::Backtick
        )
    }
}

/// Whether the byte before `i` ends a word, so `#` at `i` starts a comment.
fn word_start(bytes: &[u8], i: usize) -> bool {
    i == 0
        || matches!(
            bytes[i - 1],
            b' ' | b'\t' | b'\n' | b';' | b'|' | b'&' | b'(' | b')' | b'<' | b'>'
        )
}

/// The context of every byte of `command`, in order. Unterminated quotes
/// extend to the end (the shell would refuse the command anyway).
pub fn contexts(command: &str) -> Vec<Context> {
    let bytes = command.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut stack = vec![State::Bare];
    // Here-documents announced on the current line, opened at its end.
    let mut pending: Vec<(String, bool, bool)> = Vec::new();
    let mut heredoc: Option<(String, bool, bool)> = None;
    let mut i = 0;
    while i < bytes.len() {
        if let Some((delim, quoted, strip_tabs)) = heredoc.clone() {
            // Whole lines until the delimiter line.
            let end = command[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            let line = command[i..end].trim_end_matches('\n');
            let line = if strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            let done = line == delim;
            let ctx = if done {
                Context::Bare
            } else {
                Context::Heredoc { quoted }
            };
            out.extend(std::iter::repeat_n(ctx, end - i));
            i = end;
            if done {
                heredoc = (!pending.is_empty()).then(|| pending.remove(0));
            }
            continue;
        }
        let state = *stack.last().unwrap_or(&State::Bare);
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let ctx = match state {
            State::Single => Context::Single,
            State::Double => Context::Double,
            State::Backtick => Context::Backtick,
            State::AnsiC => Context::AnsiC,
            State::Arith(_) => Context::Arith,
            State::Comment => Context::Comment,
            State::Bare | State::Subst | State::Group => Context::Bare,
        };
        let mut step = 1;
        match (state, c) {
            (State::Comment, b'\n') => {
                stack.pop();
                // The line break itself is read as a command's; opening
                // any here-document announced before the comment.
                if !pending.is_empty() {
                    heredoc = Some(pending.remove(0));
                }
            }
            (State::Comment, _) => {}
            (State::Single, b'\'') | (State::AnsiC, b'\'') => {
                stack.pop();
            }
            (State::Single, _) => {}
            (_, b'\\') => step = 2,
            (State::AnsiC, _) => {}
            (State::Double, b'"') => {
                stack.pop();
            }
            (_, b'$') if next == Some(b'(') && bytes.get(i + 2) == Some(&b'(') => {
                stack.push(State::Arith(0));
                step = 3;
            }
            (_, b'$') if next == Some(b'(') => {
                stack.push(State::Subst);
                step = 2;
            }
            (State::Backtick, b'`') => {
                stack.pop();
            }
            (_, b'`') => stack.push(State::Backtick),
            (State::Double, _) => {}
            (State::Arith(d), b'(') => {
                stack.pop();
                stack.push(State::Arith(d + 1));
            }
            (State::Arith(0), b')') if next == Some(b')') => {
                stack.pop();
                step = 2;
            }
            (State::Arith(d), b')') => {
                stack.pop();
                stack.push(State::Arith(d.saturating_sub(1)));
            }
            (State::Arith(_), _) => {}
            (_, b'$') if next == Some(b'\'') => {
                stack.push(State::AnsiC);
                step = 2;
            }
            (_, b'#') if word_start(bytes, i) => stack.push(State::Comment),
            (_, b'(') if next == Some(b'(') && word_start(bytes, i) => {
                stack.push(State::Arith(0));
                step = 2;
            }
            (_, b'(') => stack.push(State::Group),
            (State::Subst | State::Group, b')') => {
                stack.pop();
            }
            (_, b'\'') => stack.push(State::Single),
            (_, b'"') => stack.push(State::Double),
            (s, b'<')
                if s.is_command() && next == Some(b'<') && bytes.get(i + 2) != Some(&b'<') =>
            {
                let (delim, quoted, strip, len) = heredoc_word(&command[i + 2..]);
                if !delim.is_empty() {
                    pending.push((delim, quoted, strip));
                }
                step = 2 + len;
            }
            (s, b'<') if s.is_command() && next == Some(b'<') => step = 3,
            (_, b'\n') if !pending.is_empty() => {
                heredoc = Some(pending.remove(0));
            }
            _ => {}
        }
        let step = step.min(bytes.len() - i);
        out.extend(std::iter::repeat_n(ctx, step));
        i += step;
    }
    out
}

/// After `<<`: the delimiter, whether it was quoted, whether `<<-` strips
/// leading tabs, and how many bytes were read.
fn heredoc_word(rest: &str) -> (String, bool, bool, usize) {
    let mut len = 0;
    let strip = rest.starts_with('-');
    if strip {
        len += 1;
    }
    let spaces = rest[len..].len() - rest[len..].trim_start_matches([' ', '\t']).len();
    len += spaces;
    let word: String = rest[len..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !";|&<>()".contains(*c))
        .collect();
    let quoted = word.contains(['\'', '"', '\\']);
    let delim: String = word
        .chars()
        .filter(|c| !['\'', '"', '\\'].contains(c))
        .collect();
    (delim, quoted, strip, len + word.len())
}

/// Characters a bare word may hold without quotes and mean only themselves.
pub fn is_plain(v: &str) -> bool {
    !v.is_empty()
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_' | '.' | ':' | '/' | '=' | '@' | '%' | '+' | ',' | '^'
                )
        })
}

/// `value` written so that, at a position of `context`, the shell reads it
/// as exactly these characters and nothing else; or why no escaping can (a
/// NUL byte never reaches a program; a line break in a here-document could
/// end it early).
pub fn escape(value: &str, context: Context) -> Result<String, &'static str> {
    if value.contains('\0') {
        return Err("holds a NUL byte, which no command can be given");
    }
    let done = match context {
        Context::Bare | Context::Backtick | Context::AnsiC if is_plain(value) => value.to_string(),
        Context::Backtick => {
            return Err("sits inside backticks, where quotes are read twice; write $( … ) instead");
        }
        Context::AnsiC => {
            return Err("sits inside $'…', where backslashes are decoded");
        }
        Context::Arith => {
            let digits = value.strip_prefix('-').unwrap_or(value);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err("sits in arithmetic, where only a whole number is safe");
            }
            value.to_string()
        }
        Context::Comment if value.contains('\n') => {
            return Err("holds a line break, which would end the comment and start a command");
        }
        Context::Comment => value.to_string(),
        Context::Bare => shlex::try_quote(value)
            .map_err(|_| "cannot be quoted")?
            .into_owned(),
        Context::Single => value.replace('\'', r"'\''"),
        Context::Double => {
            let mut out = String::with_capacity(value.len());
            for c in value.chars() {
                if matches!(c, '\\' | '"' | '$' | '`') {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
        Context::Heredoc { .. } if is_plain(value) => value.to_string(),
        Context::Heredoc { .. } => {
            return Err(
                "sits in a here-document, which the program reading it parses again; only plain names are filled there",
            );
        }
    };
    Ok(done)
}

/// Characters that change how a line looks without being visible as
/// themselves: terminal controls and bidirectional overrides. A command
/// holding one may run something other than what the responder read.
pub fn deceptive(value: &str) -> Option<char> {
    value.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// The simple commands of a command line, each as its words with quotes
/// removed; comments, here-document bodies and arithmetic are left out.
fn simple_commands(command: &str) -> Vec<Vec<String>> {
    let ctx = contexts(command);
    let mut all = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for (i, c) in command.char_indices() {
        let here = ctx.get(i).copied().unwrap_or(Context::Bare);
        let command_level = matches!(here, Context::Bare | Context::Backtick);
        let ends_word = command_level && c.is_whitespace();
        let ends_command = command_level && matches!(c, ';' | '|' | '&' | '(' | ')' | '\n' | '`');
        if ends_word || ends_command {
            if !word.is_empty() && word != "$" {
                words.push(std::mem::take(&mut word));
            }
            word.clear();
            if ends_command && !words.is_empty() {
                all.push(std::mem::take(&mut words));
            }
            continue;
        }
        match here {
            Context::Comment | Context::Heredoc { .. } | Context::Arith => {}
            _ if command_level && matches!(c, '\'' | '"' | '\\') => {}
            _ => word.push(c),
        }
    }
    if !word.is_empty() && word != "$" {
        words.push(word);
    }
    if !words.is_empty() {
        all.push(words);
    }
    all
}

/// The words of a simple command that may name the program it runs: the
/// first after assignments and keywords, and any word after a program that
/// runs another (`sudo`, `env`, `timeout`, …).
fn program_words(words: &[String]) -> Vec<&str> {
    const KEYWORDS: &[&str] = &[
        "if", "then", "do", "else", "elif", "while", "until", "!", "{", "time",
    ];
    const PREFIXES: &[&str] = &[
        "sudo", "doas", "env", "exec", "nice", "nohup", "timeout", "command", "builtin", "stdbuf",
        "ionice", "chroot", "setsid", "runuser", "chpst", "unbuffer",
    ];
    let mut out = Vec::new();
    let mut rest = words.iter().map(String::as_str).skip_while(|w| {
        KEYWORDS.contains(w)
            || w.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    });
    if let Some(first) = rest.next() {
        let name = first.rsplit('/').next().unwrap_or(first);
        out.push(name);
        if PREFIXES.contains(&name) {
            out.extend(rest.map(|w| w.rsplit('/').next().unwrap_or(w)));
        }
    }
    out
}

/// Programs that read an argument or their input as code once more: a
/// second shell, `eval`, a script interpreter, a remote shell, `xargs`,
/// `find -exec`, a database client. Quoting for this shell does not protect
/// a value from that second reading, so such commands take only plain
/// values. Returns the word that gave it away.
pub fn reparser(command: &str) -> Option<String> {
    const READERS: &[&str] = &[
        "eval",
        "source",
        ".",
        "xargs",
        "parallel",
        "ssh",
        "su",
        "watch",
        "trap",
        "let",
        "declare",
        "typeset",
        "[[",
        "awk",
        "gawk",
        "mawk",
        "nawk",
        "sed",
        "perl",
        "ruby",
        "node",
        "nodejs",
        "python",
        "python2",
        "python3",
        "php",
        "lua",
        "psql",
        "mysql",
        "mariadb",
        "sqlite3",
        "redis-cli",
        "mongo",
        "mongosh",
        "cqlsh",
        "sh",
        "bash",
        "dash",
        "zsh",
        "ksh",
        "ash",
        "busybox",
        "fish",
    ];
    const EXECS: &[&str] = &["kubectl", "oc", "docker", "podman", "crictl", "nerdctl"];
    for words in simple_commands(command) {
        let programs = program_words(&words);
        for name in &programs {
            if READERS.contains(name) || name.starts_with("python3.") {
                return Some((*name).to_string());
            }
        }
        if let Some(name) = programs.first() {
            let after: Vec<&str> = words
                .iter()
                .map(String::as_str)
                .skip_while(|w| !w.ends_with(name))
                .skip(1)
                .collect();
            if EXECS.contains(name) && after.iter().take(3).any(|w| *w == "exec") {
                return Some(format!("{name} exec"));
            }
            let exec = after
                .iter()
                .find(|w| matches!(**w, "-exec" | "-execdir" | "-ok" | "-okdir"));
            if let (true, Some(w)) = (*name == "find", exec) {
                return Some((*w).to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            escape("shop-1", Context::Heredoc { quoted: false }).as_deref(),
            Ok("shop-1")
        );
    }

    #[test]
    fn second_readers_are_recognised() {
        for (command, word) in [
            ("sh -c \"kubectl logs $pod\"", "sh"),
            ("/bin/bash -lc 'x'", "bash"),
            ("eval \"$cmd\"", "eval"),
            ("kubectl get pods | awk '{print $1}'", "awk"),
            (
                "kubectl get pods -o name | xargs -n1 kubectl delete",
                "xargs",
            ),
            ("ssh bastion \"systemctl restart $svc\"", "ssh"),
            (
                "kubectl -n x exec -it db-0 -- cat /etc/hosts",
                "kubectl exec",
            ),
            ("find /var/log -name '*.gz' -exec rm {} +", "-exec"),
            ("python3 -c 'print(1)'", "python3"),
            (". ./env.sh && run", "."),
            ("cat <<EOF | sh\necho hi\nEOF", "sh"),
            ("psql -h db -c 'select 1'", "psql"),
            ("sed -i 's/a/b/' f", "sed"),
            ("sudo -u postgres psql -c 'select 1'", "psql"),
            ("X=1 timeout 5 bash script.sh", "bash"),
            ("echo $(eval \"$x\")", "eval"),
        ] {
            assert_eq!(reparser(command).as_deref(), Some(word), "{command}");
        }
        for command in [
            "kubectl -n shop get pods -l app=catalog",
            "kubectl logs deploy/shop --since=10m",
            "curl -s http://x/healthz",
            "ls . && cat ./sh",
        ] {
            assert_eq!(reparser(command), None, "{command}");
        }
    }

    #[test]
    fn hidden_characters_are_found() {
        assert_eq!(deceptive("shop"), None);
        assert_eq!(deceptive("a\tb\nc"), None);
        assert_eq!(deceptive("a\x1b[2Jb"), Some('\x1b'));
        assert_eq!(deceptive("evil\u{202e}lmth.exe"), Some('\u{202e}'));
        assert_eq!(deceptive("a\rb"), Some('\r'));
    }
}
