//! `{{name}}` templates (the postmortem, status updates), filled in one pass:
//! a value is inserted as it is and never searched for placeholders itself,
//! so a note that says `{{timeline}}` stays those words.

use std::io::{self, Write};

/// A filled template and the placeholders it named that have no value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filled {
    /// The text, known placeholders replaced.
    pub text: String,
    /// Names written as `{{name}}` that no value fills, in order, once each;
    /// they are left in the text as written.
    pub unknown: Vec<String>,
}

/// Whether `name` looks like a placeholder name: letters, digits, `_`.
fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces every `{{name}}` of `template` whose name has a value.
pub fn fill<V: AsRef<str>>(template: &str, values: &[(&str, V)]) -> Filled {
    let mut text = Vec::with_capacity(template.len());
    let unknown = fill_to(template, &mut text, |name, out| {
        match values.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => out.write_all(v.as_ref().as_bytes()).map(|()| true),
            None => Ok(false),
        }
    })
    .unwrap_or_default();
    Filled {
        text: String::from_utf8_lossy(&text).into_owned(),
        unknown,
    }
}

/// [`fill`] written out as it goes: `value` writes the value of a name and
/// says whether it knows it, so a value as large as a 100,000-row timeline
/// is never held whole. Returns the unknown names.
pub fn fill_to<W: Write>(
    template: &str,
    out: &mut W,
    mut value: impl FnMut(&str, &mut W) -> io::Result<bool>,
) -> io::Result<Vec<String>> {
    let mut unknown: Vec<String> = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.write_all(&rest.as_bytes()[..open])?;
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.write_all(&rest.as_bytes()[open..])?;
            return Ok(unknown);
        };
        let name = after[..close].trim();
        if !value(name, out)? {
            if is_name(name) && !unknown.iter().any(|u| u == name) {
                unknown.push(name.to_string());
            }
            out.write_all(&rest.as_bytes()[open..open + 2 + close + 2])?;
        }
        rest = &after[close + 2..];
    }
    out.write_all(rest.as_bytes())?;
    Ok(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_never_filled_again() {
        let f = fill(
            "# {{title}}\n{{notes}}\n{{timeline}}",
            &[
                ("title", "DB down"),
                ("notes", "someone wrote {{timeline}} and {{title}}"),
                ("timeline", "03:00 declared"),
            ],
        );
        assert_eq!(
            f.text,
            "# DB down\nsomeone wrote {{timeline}} and {{title}}\n03:00 declared"
        );
        assert!(f.unknown.is_empty());
    }

    #[test]
    fn unknown_placeholders_are_reported_and_kept() {
        let f = fill(
            "{{ title }} {{nope}} {{nope}} {{ not a name }} {{unclosed",
            &[("title", "x")],
        );
        assert_eq!(f.text, "x {{nope}} {{nope}} {{ not a name }} {{unclosed");
        assert_eq!(f.unknown, ["nope"]);
    }
}
