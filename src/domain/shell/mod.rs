//! What a POSIX shell makes of a command line, as far as filling it with
//! label values needs: the quoting context of each position ([`contexts`]),
//! the escaping that makes a value one literal string there ([`escape`]),
//! whether every program the line runs takes its arguments as data
//! ([`understood`]), and the variables the line sets itself ([`assigned`]).
//! Label values come from outside; filled this way, none of them can become
//! shell code.

mod commands;
mod lex;
#[cfg(test)]
mod tests;

pub use commands::{SHELL_VARIABLES, assigned, understood};
pub use lex::{Context, contexts};

/// Characters that mean only themselves anywhere, to any program: letters,
/// digits and `- _ . : / @`. Names, namespaces, hosts and ports are made
/// of these; a value that is not may only go where quoting protects it.
/// Not an option (`-…`), not a way up a path (`..`), and no address but a
/// web one (`file:///…` would read a local file).
pub fn is_inert(v: &str) -> bool {
    !v.is_empty()
        && !v.starts_with('-')
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '@'))
        && !v.split('/').any(|part| part == "..")
        && (!v.contains("://") || v.starts_with("http://") || v.starts_with("https://"))
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
        Context::Backtick | Context::AnsiC if is_inert(value) => value.to_string(),
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
        Context::Heredoc { .. } if is_inert(value) => value.to_string(),
        Context::Heredoc { .. } => {
            return Err(
                "sits in a here-document, which the program reading it parses again; only plain names are filled there",
            );
        }
        Context::Param if is_inert(value) => value.to_string(),
        Context::Param => {
            return Err("sits inside ${ … }, where only a plain name is safe");
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
            || matches!(
                c,
                '\u{200b}'..='\u{200f}'
                    | '\u{061c}'
                    | '\u{2028}'..='\u{202e}'
                    | '\u{2060}'..='\u{2069}'
                    | '\u{feff}'
            )
    })
}
