//! What a POSIX shell makes of a command line, as far as filling it needs:
//! the quoting context of each position (bare, in single quotes, in double
//! quotes, in a here-document), and the escaping that makes a value one
//! literal string in that context. Label values come from outside; filled
//! this way, none of them can become shell code.

/// How the shell reads the text at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Outside quotes (also inside `$( … )` and backticks).
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Bare,
    Single,
    Double,
    /// `$(` … `)`: bare inside, whatever is around it.
    Subst,
    /// `` ` `` … `` ` ``.
    Backtick,
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
        let ctx = match state {
            State::Single => Context::Single,
            State::Double => Context::Double,
            State::Bare | State::Subst | State::Backtick => Context::Bare,
        };
        let mut step = 1;
        match (state, c) {
            (State::Single, b'\'') => {
                stack.pop();
            }
            (State::Single, _) => {}
            (_, b'\\') => step = 2,
            (State::Double, b'"') => {
                stack.pop();
            }
            (_, b'$') if bytes.get(i + 1) == Some(&b'(') => {
                stack.push(State::Subst);
                step = 2;
            }
            (State::Backtick, b'`') => {
                stack.pop();
            }
            (_, b'`') => stack.push(State::Backtick),
            (State::Double, _) => {}
            (State::Subst, b')') => {
                stack.pop();
            }
            (_, b'\'') => stack.push(State::Single),
            (_, b'"') => stack.push(State::Double),
            (_, b'<') if bytes.get(i + 1) == Some(&b'<') && bytes.get(i + 2) != Some(&b'<') => {
                let (delim, quoted, strip, len) = heredoc_word(&command[i + 2..]);
                if !delim.is_empty() {
                    pending.push((delim, quoted, strip));
                }
                step = 2 + len;
            }
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
        Context::Bare if is_plain(value) => value.to_string(),
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
        Context::Heredoc { .. } if value.contains(['\n', '\r']) => {
            return Err("holds a line break, which would end the here-document early");
        }
        Context::Heredoc { quoted: true } => value.to_string(),
        Context::Heredoc { quoted: false } => {
            let mut out = String::with_capacity(value.len());
            for c in value.chars() {
                if matches!(c, '\\' | '$' | '`') {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
    };
    Ok(done)
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
        assert_eq!(at(c, "U"), Context::Bare);
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
}
