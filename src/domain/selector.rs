//! Kubernetes label selectors: the whole string grammar (`a=b`, `a==b`,
//! `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, comma-separated) and a
//! workload's structured selector (`matchLabels` plus `matchExpressions`),
//! matched against a pod's labels the way the API server does.

use std::collections::BTreeMap;
use std::fmt;

/// One requirement on one label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key=value` / `key==value`: the label exists with this value.
    Equals(String, String),
    /// `key!=value`: the label is absent or has another value.
    NotEquals(String, String),
    /// `key in (a,b)`: the label exists with one of the values.
    In(String, Vec<String>),
    /// `key notin (a,b)`: the label is absent or has none of the values.
    NotIn(String, Vec<String>),
    /// `key`: the label exists.
    Exists(String),
    /// `!key`: the label does not exist.
    DoesNotExist(String),
}

impl Requirement {
    /// Whether `labels` meet it.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let get = |k: &str| labels.get(k).map(String::as_str);
        match self {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|l| vs.iter().all(|v| v != l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        }
    }
}

/// A selector: every requirement must hold. The empty selector selects all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    /// The requirements, in the order written.
    pub requirements: Vec<Requirement>,
}

impl Selector {
    /// Parses the string form, as `kubectl -l` takes it.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for term in split_terms(text)? {
            requirements.push(requirement(&term)?);
        }
        Ok(Selector { requirements })
    }

    /// A workload's structured selector: `matchLabels` and
    /// `matchExpressions` as `(key, operator, values)` with the operators
    /// `In`, `NotIn`, `Exists` and `DoesNotExist`.
    pub fn structured(
        match_labels: &BTreeMap<String, String>,
        expressions: &[(String, String, Vec<String>)],
    ) -> Result<Selector, String> {
        let mut requirements: Vec<Requirement> = match_labels
            .iter()
            .map(|(k, v)| Requirement::Equals(k.clone(), v.clone()))
            .collect();
        for (key, op, values) in expressions {
            requirements.push(match op.as_str() {
                "In" => Requirement::In(key.clone(), values.clone()),
                "NotIn" => Requirement::NotIn(key.clone(), values.clone()),
                "Exists" => Requirement::Exists(key.clone()),
                "DoesNotExist" => Requirement::DoesNotExist(key.clone()),
                other => return Err(format!("unknown selector operator '{other}' on {key}")),
            });
        }
        Ok(Selector { requirements })
    }

    /// Whether `labels` meet every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

impl fmt::Display for Selector {
    /// The string form, which the API server takes as `labelSelector`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let terms: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r {
                Requirement::Equals(k, v) => format!("{k}={v}"),
                Requirement::NotEquals(k, v) => format!("{k}!={v}"),
                Requirement::In(k, vs) => format!("{k} in ({})", vs.join(",")),
                Requirement::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
                Requirement::Exists(k) => k.clone(),
                Requirement::DoesNotExist(k) => format!("!{k}"),
            })
            .collect();
        f.write_str(&terms.join(","))
    }
}

/// A namespace name as Kubernetes allows it (an RFC 1123 label): at most 63
/// lowercase letters, digits and `-`, starting and ending alphanumeric.
pub fn is_namespace(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A pod or workload name as Kubernetes allows it (an RFC 1123 subdomain):
/// dot-separated labels, at most 253 characters.
pub fn is_object_name(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_namespace)
}

/// Splits at the commas that separate requirements (not those inside a set).
fn split_terms(text: &str) -> Result<Vec<String>, String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("unbalanced ')' in selector '{text}'"))?;
                current.push(c);
            }
            ',' if depth == 0 => terms.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if depth > 0 {
        return Err(format!("unclosed '(' in selector '{text}'"));
    }
    terms.push(current);
    Ok(terms
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect())
}

/// A label key or value as Kubernetes allows them (a prefix `a.b/` on keys).
fn valid(word: &str, key: bool) -> bool {
    let (prefix, name) = match word.split_once('/') {
        Some((p, n)) if key => (Some(p), n),
        _ => (None, word),
    };
    let name_ok = name.len() <= 63
        && (name.is_empty() && !key
            || name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                && name.ends_with(|c: char| c.is_ascii_alphanumeric()));
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c))
    });
    name_ok && prefix_ok
}

fn key(word: &str) -> Result<String, String> {
    let word = word.trim();
    if valid(word, true) {
        Ok(word.to_string())
    } else {
        Err(format!("'{word}' is not a label key"))
    }
}

fn value(word: &str) -> Result<String, String> {
    let word = word.trim();
    if valid(word, false) {
        Ok(word.to_string())
    } else {
        Err(format!("'{word}' is not a label value"))
    }
}

/// `(a, b, c)` → the values.
fn set(text: &str) -> Result<Vec<String>, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("expected a set like (a,b), found '{}'", text.trim()))?;
    let values = inner.split(',').map(value).collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() || values.iter().all(String::is_empty) {
        return Err("a set needs at least one value".into());
    }
    Ok(values)
}

fn requirement(term: &str) -> Result<Requirement, String> {
    if let Some(k) = term.strip_prefix('!') {
        return Ok(Requirement::DoesNotExist(key(k)?));
    }
    if let Some((k, v)) = term.split_once("!=") {
        return Ok(Requirement::NotEquals(key(k)?, value(v)?));
    }
    if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
        return Ok(Requirement::Equals(key(k)?, value(v)?));
    }
    let mut words = term.splitn(2, char::is_whitespace);
    let k = words.next().unwrap_or_default();
    let rest = words.next().unwrap_or_default().trim_start();
    if rest.is_empty() {
        return Ok(Requirement::Exists(key(k)?));
    }
    if let Some(s) = rest.strip_prefix("notin") {
        return Ok(Requirement::NotIn(key(k)?, set(s)?));
    }
    if let Some(s) = rest.strip_prefix("in") {
        return Ok(Requirement::In(key(k)?, set(s)?));
    }
    Err(format!(
        "cannot read '{term}': use key=value, key!=value, key in (a,b), key notin (a,b), key or !key"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel(text: &str) -> Selector {
        Selector::parse(text).expect("selector")
    }

    #[test]
    fn the_whole_string_grammar() {
        let catalog = labels(&[("app", "catalog"), ("tier", "web")]);
        let search = labels(&[("app", "search")]);
        let none = labels(&[]);
        for (text, on_catalog, on_search, on_none) in [
            ("", true, true, true),
            ("app=catalog", true, false, false),
            ("app==catalog", true, false, false),
            ("app!=catalog", false, true, true),
            ("app in (catalog,search)", true, true, false),
            ("app in ( catalog , search )", true, true, false),
            ("app notin (catalog)", false, true, true),
            ("tier", true, false, false),
            ("!tier", false, true, true),
            ("app in (catalog,search),tier", true, false, false),
            ("app in (catalog,search), !tier", false, true, false),
            ("app.kubernetes.io/name notin (x)", true, true, true),
        ] {
            let s = sel(text);
            assert_eq!(s.matches(&catalog), on_catalog, "{text} on catalog");
            assert_eq!(s.matches(&search), on_search, "{text} on search");
            assert_eq!(s.matches(&none), on_none, "{text} on no labels");
        }
    }

    #[test]
    fn kubernetes_names() {
        for good in ["shop", "a", "payments-eu-1", &"x".repeat(63)] {
            assert!(is_namespace(good), "{good}");
        }
        for bad in [
            "",
            "Shop",
            "bad_ns!",
            "-x",
            "x-",
            "a.b",
            &"x".repeat(64),
            "ns;rm -rf /",
        ] {
            assert!(!is_namespace(bad), "{bad}");
        }
        assert!(is_object_name("catalog-7d9f8b6c5-x2k4q"));
        assert!(is_object_name("web.v2"));
        assert!(!is_object_name("evil$(touch y)"));
    }

    #[test]
    fn bad_selectors_say_why() {
        for bad in [
            "app in (a,b",
            "app in a,b)",
            "app in ()",
            "app wat (a)",
            "a b=c",
            "=x",
            "app=$(rm)",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn structured_selectors_and_the_string_form_agree() {
        let s = Selector::structured(
            &[("app".to_string(), "catalog".to_string())].into(),
            &[
                (
                    "tier".to_string(),
                    "In".to_string(),
                    vec!["web".into(), "api".into()],
                ),
                ("canary".to_string(), "DoesNotExist".to_string(), vec![]),
            ],
        )
        .expect("structured");
        assert_eq!(s.to_string(), "app=catalog,tier in (web,api),!canary");
        assert_eq!(Selector::parse(&s.to_string()), Ok(s.clone()));
        assert!(s.matches(&labels(&[("app", "catalog"), ("tier", "api")])));
        assert!(!s.matches(&labels(&[
            ("app", "catalog"),
            ("tier", "api"),
            ("canary", "1")
        ])));
        assert!(
            Selector::structured(&BTreeMap::new(), &[("a".into(), "Near".into(), vec![])]).is_err()
        );
    }
}
