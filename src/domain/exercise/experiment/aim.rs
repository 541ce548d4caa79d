//! Whether a Chaos Mesh selector stays inside the blast radius: in its
//! namespace, aimed at labelled pods, and never wider than the bound
//! selector. What counts as proof is written in the `bounds` module's doc.

use serde_json::{Map, Value};

use super::shown;
use crate::domain::selector::{Requirement, Selector};

/// The selector keys Chaos Mesh reads; any other is refused, since a
/// misspelt one would be dropped by the cluster and widen the aim.
const SELECTOR_KEYS: &[&str] = &[
    "namespaces",
    "labelSelectors",
    "expressionSelectors",
    "annotationSelectors",
    "fieldSelectors",
    "podPhaseSelectors",
    "nodeSelectors",
    "nodes",
    "pods",
];

/// Selectors that only narrow (ANDed with the labels), written as
/// key → value mappings.
const NARROWING_MAPS: &[&str] = &["annotationSelectors", "fieldSelectors", "nodeSelectors"];
/// Selectors that only narrow, written as lists of text.
const NARROWING_LISTS: &[&str] = &["podPhaseSelectors", "nodes"];

/// Checks the selector `sel` (written at `at`) against namespace `ns` and,
/// when given, the `bound` selector; describes what it aims at, or says why
/// it is refused.
pub(super) fn aim(
    sel: Option<&Value>,
    at: &str,
    ns: &str,
    bound: Option<&Selector>,
) -> Result<String, String> {
    let Some(m) = sel.and_then(Value::as_object) else {
        return Err(format!(
            "{at} is missing: the fault must be aimed at labelled pods"
        ));
    };
    if let Some(k) = m.keys().find(|k| !SELECTOR_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "{at}.{} is not a selector warroom knows: refused, as it cannot prove it narrows",
            shown(k)
        ));
    }
    pods(m, at, ns)?;
    match m.get("namespaces") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for n in list {
                if n.as_str() != Some(ns) {
                    return Err(format!(
                        "{at}.namespaces includes {}, outside the blast radius namespace '{ns}'",
                        shown(&n.to_string())
                    ));
                }
            }
        }
        Some(_) => return Err(format!("{at}.namespaces must be a list")),
    }
    let mut requirements = labels(m, at)?;
    requirements.extend(expressions(m, at)?);
    let mut extra = Vec::new();
    for key in NARROWING_MAPS {
        match m.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::Object(o)) if o.values().all(Value::is_string) => extra.push(*key),
            Some(_) => return Err(format!("{at}.{key} must map keys to text")),
        }
    }
    for key in NARROWING_LISTS {
        match m.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => extra.push(*key),
            Some(_) => return Err(format!("{at}.{key} must be a list of text")),
        }
    }
    let written = Selector { requirements };
    if written.requirements.is_empty() {
        return Err(format!(
            "{at} has no labelSelectors or expressionSelectors: it would select every pod in '{ns}'"
        ));
    }
    let shown_sel = shown(&written.to_string());
    let mut out = format!("{shown_sel} in {ns}");
    if let Some(bound) = bound {
        let missing: Vec<String> = bound
            .requirements
            .iter()
            .filter(|b| !written.requirements.iter().any(|w| implies(w, b)))
            .map(|b| {
                Selector {
                    requirements: vec![b.clone()],
                }
                .to_string()
            })
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "{at} '{shown_sel}' is wider than the bound '{bound}': nothing in it requires {}",
                missing.join(", ")
            ));
        }
        out.push_str(&format!(", within {bound}"));
    }
    if !extra.is_empty() {
        out.push_str(&format!(", narrowed by {}", extra.join(", ")));
    }
    Ok(out)
}

/// `pods` lists pods by name; when it is set Chaos Mesh ignores every other
/// selector, so nothing proves the named pods carry the bound's labels. An
/// empty list is not set.
fn pods(m: &Map<String, Value>, at: &str, ns: &str) -> Result<(), String> {
    let lists = match m.get("pods") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(o)) if o.values().all(|v| v.as_array().is_some_and(Vec::is_empty)) => {
            return Ok(());
        }
        Some(Value::Object(o)) => o,
        Some(_) => return Err(format!("{at}.pods must map namespaces to pod names")),
    };
    if let Some(other) = lists.keys().find(|k| *k != ns) {
        return Err(format!(
            "{at}.pods names pods in namespace '{}', outside the blast radius namespace '{ns}'",
            shown(other)
        ));
    }
    Err(format!(
        "{at}.pods names pods, and Chaos Mesh then ignores every other selector: warroom \
         cannot prove they carry the bound's labels; aim with labelSelectors"
    ))
}

/// `labelSelectors` as equality requirements.
fn labels(m: &Map<String, Value>, at: &str) -> Result<Vec<Requirement>, String> {
    match m.get("labelSelectors") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| match v {
                Value::String(v) => Ok(Requirement::Equals(k.clone(), v.clone())),
                other => Err(format!(
                    "{at}.labelSelectors.{} must be text, found {}",
                    shown(k),
                    shown(&other.to_string())
                )),
            })
            .collect(),
        Some(_) => Err(format!("{at}.labelSelectors must map label keys to values")),
    }
}

/// `expressionSelectors` (`key`, `operator`, `values`) as requirements.
fn expressions(m: &Map<String, Value>, at: &str) -> Result<Vec<Requirement>, String> {
    let list = match m.get("expressionSelectors") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(format!("{at}.expressionSelectors must be a list")),
    };
    let bad = || format!("{at}.expressionSelectors: each needs key, operator and text values");
    let mut parsed = Vec::new();
    for e in list {
        let e = e.as_object().ok_or_else(bad)?;
        if e.keys()
            .any(|k| !["key", "operator", "values"].contains(&k.as_str()))
        {
            return Err(bad());
        }
        let key = e.get("key").and_then(Value::as_str).ok_or_else(bad)?;
        let op = e.get("operator").and_then(Value::as_str).ok_or_else(bad)?;
        let values = match e.get("values") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(vs)) => vs
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(bad()),
        };
        if matches!(op, "In" | "NotIn") && values.is_empty() {
            return Err(format!("{at}.expressionSelectors: {op} needs values"));
        }
        parsed.push((key.to_string(), op.to_string(), values));
    }
    Selector::structured(&Default::default(), &parsed)
        .map(|s| s.requirements)
        .map_err(|e| format!("{at}.expressionSelectors: {}", shown(&e)))
}

/// Whether every pod meeting `w` (written in the manifest) meets `b` (the
/// bound).
pub(super) fn implies(w: &Requirement, b: &Requirement) -> bool {
    use Requirement::{DoesNotExist, Equals, Exists, In, NotEquals, NotIn};
    let same = |k: &String, l: &String| k == l;
    match (w, b) {
        (Equals(k, v), Equals(l, u)) => same(k, l) && v == u,
        (In(k, vs), Equals(l, u)) => same(k, l) && vs.iter().all(|v| v == u),
        (Equals(k, v), In(l, us)) => same(k, l) && us.contains(v),
        (In(k, vs), In(l, us)) => same(k, l) && vs.iter().all(|v| us.contains(v)),
        (Equals(k, _) | In(k, _) | Exists(k), Exists(l)) => same(k, l),
        (Equals(k, v), NotEquals(l, u)) => same(k, l) && v != u,
        (In(k, vs), NotEquals(l, u)) => same(k, l) && !vs.contains(u),
        (NotEquals(k, v), NotEquals(l, u)) => same(k, l) && v == u,
        (NotIn(k, vs), NotEquals(l, u)) => same(k, l) && vs.contains(u),
        (Equals(k, v), NotIn(l, us)) => same(k, l) && !us.contains(v),
        (In(k, vs), NotIn(l, us)) => same(k, l) && vs.iter().all(|v| !us.contains(v)),
        (NotIn(k, vs), NotIn(l, us)) => same(k, l) && us.iter().all(|u| vs.contains(u)),
        (DoesNotExist(k), NotEquals(l, _) | NotIn(l, _) | DoesNotExist(l)) => same(k, l),
        _ => false,
    }
}
