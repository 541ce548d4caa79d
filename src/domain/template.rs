//! `{{name}}` templates (the postmortem, status updates), filled in one pass:
//! a value is inserted as it is and never searched for placeholders itself,
//! so a note that says `{{timeline}}` stays those words.

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
    let mut out = Filled {
        text: String::with_capacity(template.len()),
        unknown: Vec::new(),
    };
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.text.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.text.push_str(&rest[open..]);
            return out;
        };
        let name = after[..close].trim();
        match values.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => out.text.push_str(v.as_ref()),
            None => {
                if is_name(name) && !out.unknown.iter().any(|u| u == name) {
                    out.unknown.push(name.to_string());
                }
                out.text.push_str(&rest[open..open + 2 + close + 2]);
            }
        }
        rest = &after[close + 2..];
    }
    out.text.push_str(rest);
    out
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
