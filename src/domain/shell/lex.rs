//! Where each byte of a command line stands for a POSIX shell (and bash):
//! outside quotes, in single or double quotes, in a substitution, a
//! here-document, a comment, a parameter expansion or arithmetic. Only as
//! much of the grammar as deciding how a value must be written needs.

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
    /// Inside `$(( … ))`, `(( … ))` or `$[ … ]`: the text is evaluated as
    /// arithmetic, and bash runs substitutions hidden in array subscripts.
    Arith,
    /// Inside `${ … }`, where `}`, `:`, `#`, `%` and subscripts mean
    /// something.
    Param,
    /// After `#` at the start of a word, up to the end of the line.
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Bare,
    Single,
    Double,
    /// `$(` … `)` (or `<(` … `)`): a command, whatever is around it;
    /// `true` when its output is read again as arithmetic or inside
    /// `${ … }`, so what goes into it must be a number.
    Subst(bool),
    /// `(` … `)` in a command: a subshell or group.
    Group,
    /// `` ` `` … `` ` ``.
    Backtick,
    /// `$'` … `'`.
    AnsiC,
    /// `$((` … `))`, with the depth of parentheses opened inside.
    Arith(u32),
    /// `$[` … `]`.
    ArithOld,
    /// `${` … `}`, with the depth of braces opened inside.
    Param(u32),
    /// `case` … `esac`, where `)` ends a pattern, not a substitution.
    Case,
    /// `#` … end of line (or the closing backtick around it).
    Comment,
}

impl State {
    /// Where a command is being read: words, operators, redirections.
    fn is_command(self) -> bool {
        matches!(
            self,
            State::Bare | State::Subst(_) | State::Group | State::Backtick | State::Case
        )
    }

    fn context(self) -> Context {
        match self {
            State::Single => Context::Single,
            State::Double => Context::Double,
            State::Backtick => Context::Backtick,
            State::AnsiC => Context::AnsiC,
            State::Arith(_) | State::ArithOld | State::Subst(true) => Context::Arith,
            State::Param(_) => Context::Param,
            State::Comment => Context::Comment,
            State::Bare | State::Subst(false) | State::Group | State::Case => Context::Bare,
        }
    }
}

/// Whether a substitution opened now has its output read again (inside
/// arithmetic or a parameter expansion).
fn rereads(stack: &[State]) -> bool {
    stack.iter().any(|s| {
        matches!(
            s,
            State::Arith(_) | State::ArithOld | State::Param(_) | State::Subst(true)
        )
    })
}

/// Whether `word` starts at `i` and ends there as a word (`case`, `esac`).
fn keyword_at(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    bytes[i..].starts_with(word)
        && bytes
            .get(i + word.len())
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n' | b';' | b')' | b'&' | b'|'))
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
    // Whether the next byte starts a word (so `#` would start a comment).
    let mut boundary = true;
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
            boundary = true;
            if done {
                heredoc = (!pending.is_empty()).then(|| pending.remove(0));
            }
            continue;
        }
        let state = *stack.last().unwrap_or(&State::Bare);
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let mut ctx = state.context();
        let mut step = 1;
        let mut starts_word = false;
        let below = stack.len().checked_sub(2).map(|n| stack[n]);
        match (state, c) {
            (State::Comment, b'\n') => {
                stack.pop();
                // The line break belongs to the command around the comment:
                // here-documents announced before it open now.
                ctx = Context::Bare;
                if !pending.is_empty() {
                    heredoc = Some(pending.remove(0));
                }
                starts_word = true;
            }
            // A comment inside backticks ends where they do.
            (State::Comment, b'`') if below == Some(State::Backtick) => {
                stack.pop();
                stack.pop();
                ctx = Context::Backtick;
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
                ctx = Context::Arith;
            }
            (_, b'$') if next == Some(b'(') => {
                stack.push(State::Subst(rereads(&stack)));
                step = 2;
                starts_word = true;
            }
            // `${` keeps the context around it: a `${name}` placeholder
            // is replaced whole, and is written for where it stands.
            (_, b'$') if next == Some(b'{') => {
                stack.push(State::Param(0));
                step = 2;
            }
            (_, b'$') if next == Some(b'[') => {
                stack.push(State::ArithOld);
                step = 2;
                ctx = Context::Arith;
            }
            (State::Backtick, b'`') => {
                stack.pop();
            }
            (_, b'`') => {
                stack.push(State::Backtick);
                starts_word = true;
            }
            (State::Double, _) => {}
            (State::Param(d), b'{') => {
                stack.pop();
                stack.push(State::Param(d + 1));
            }
            (State::Param(0), b'}') => {
                stack.pop();
            }
            (State::Param(d), b'}') => {
                stack.pop();
                stack.push(State::Param(d - 1));
            }
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
            (State::ArithOld, b']') => {
                stack.pop();
            }
            (State::ArithOld, _) => {}
            (_, b'$') if next == Some(b'\'') => {
                stack.push(State::AnsiC);
                step = 2;
            }
            (s, b'#') if s.is_command() && boundary => stack.push(State::Comment),
            (s, b'c') if s.is_command() && boundary && keyword_at(bytes, i, b"case") => {
                stack.push(State::Case);
                step = 4;
            }
            (State::Case, b'e') if boundary && keyword_at(bytes, i, b"esac") => {
                stack.pop();
                step = 4;
            }
            (s, b'(') if s.is_command() && boundary && next == Some(b'(') => {
                stack.push(State::Arith(0));
                step = 2;
                ctx = Context::Arith;
            }
            (s, b'<' | b'>') if s.is_command() && next == Some(b'(') => {
                // Process substitution: a command of its own.
                stack.push(State::Subst(rereads(&stack)));
                step = 2;
                starts_word = true;
            }
            (s, b'(') if s.is_command() => {
                stack.push(State::Group);
                starts_word = true;
            }
            (State::Group, b')') => {
                stack.pop();
                starts_word = true;
            }
            (State::Subst(_), b')') => {
                stack.pop();
            }
            // A `case` pattern ends here; a command follows.
            (State::Case, b')') => starts_word = true,
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
                starts_word = true;
            }
            (s, b'<') if s.is_command() && next == Some(b'<') => {
                step = 3;
                starts_word = true;
            }
            (_, b'\n') => {
                if !pending.is_empty() {
                    heredoc = Some(pending.remove(0));
                }
                starts_word = true;
            }
            (s, b' ' | b'\t' | b';' | b'|' | b'&' | b'<' | b'>') if s.is_command() => {
                starts_word = true;
            }
            _ => {}
        }
        let step = step.min(bytes.len() - i);
        out.extend(std::iter::repeat_n(ctx, step));
        i += step;
        boundary = starts_word;
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
