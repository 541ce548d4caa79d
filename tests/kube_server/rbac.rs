//! RBAC as the API server applies it: each request is a verb on a resource
//! (with its subresource) in an API group and a namespace; a denial is a
//! `403` with the Status body a real server sends.

use serde_json::{Value, json};

use super::status;

/// The user every request is made as (the kubeconfig's).
pub const USER: &str = "tester";

/// One rule of a Role, bound in a namespace (`None`: a ClusterRole bound
/// cluster-wide). `*` matches anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub namespace: Option<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
}

/// Who may do what. With no rules everything is allowed (the default);
/// `denied` refuses a verb in a namespace whatever the rules say.
#[derive(Debug, Clone, Default)]
pub struct Rbac {
    /// `Some`: only what a rule allows.
    pub rules: Option<Vec<Rule>>,
    /// (namespace, verb) refused; namespace `""` is the cluster scope.
    pub denied: Vec<(String, String)>,
}

/// What a request asks to do, as RBAC sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    /// `pods`, or with a subresource `pods/log`.
    pub resource: String,
    /// `None`: at the cluster scope.
    pub namespace: Option<String>,
    pub name: Option<String>,
}

/// The rules of a Role (or ClusterRole) manifest, bound in `namespace`.
pub fn rules_of_role(role: &Value, namespace: Option<&str>) -> Vec<Rule> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    role["rules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| Rule {
                    namespace: namespace.map(str::to_string),
                    api_groups: strings(&r["apiGroups"]),
                    resources: strings(&r["resources"]),
                    verbs: strings(&r["verbs"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The attributes of a request; `None` for discovery and other
/// non-resource paths, which every user may read.
pub fn attributes(method: &str, segs: &[&str], watch: bool) -> Option<Attributes> {
    let (group, rest) = match segs {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", group, _version, rest @ ..] => (*group, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(ns.to_string()), rest),
        _ => (None, rest),
    };
    let (resource, name, sub) = match rest {
        [res] => (*res, None, None),
        [res, name] => (*res, Some(name.to_string()), None),
        [res, name, sub] => (*res, Some(name.to_string()), Some(*sub)),
        _ => return None,
    };
    let verb = match (method, &name) {
        ("GET", None) if watch => "watch",
        ("GET", None) => "list",
        ("GET", Some(_)) => "get",
        ("DELETE", None) => "deletecollection",
        ("DELETE", Some(_)) => "delete",
        ("PATCH", _) => "patch",
        ("PUT", _) => "update",
        ("POST", _) => "create",
        _ => return None,
    };
    Some(Attributes {
        verb: verb.to_string(),
        group: group.to_string(),
        resource: match sub {
            Some(sub) => format!("{resource}/{sub}"),
            None => resource.to_string(),
        },
        namespace,
        name,
    })
}

fn any(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == "*" || x == want)
}

impl Rbac {
    /// Whether the request is allowed.
    pub fn allows(&self, a: &Attributes) -> bool {
        let ns = a.namespace.as_deref().unwrap_or("");
        if self.denied.iter().any(|(n, v)| n == ns && v == &a.verb) {
            return false;
        }
        let Some(rules) = &self.rules else {
            return true;
        };
        rules.iter().any(|r| {
            // A namespaced binding covers requests in its namespace only.
            r.namespace
                .as_deref()
                .is_none_or(|n| a.namespace.as_deref() == Some(n))
                && any(&r.api_groups, &a.group)
                && any(&r.resources, &a.resource)
                && any(&r.verbs, &a.verb)
        })
    }
}

/// The `403` a real API server sends for a refused request.
pub fn forbidden(a: &Attributes) -> (u16, Value) {
    let kind = a.resource.split('/').next().unwrap_or_default();
    let what = match (&a.group[..], &a.name) {
        ("", None) => kind.to_string(),
        ("", Some(n)) => format!("{kind} \"{n}\""),
        (g, None) => format!("{kind}.{g}"),
        (g, Some(n)) => format!("{kind}.{g} \"{n}\""),
    };
    let place = match &a.namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    let message = format!(
        "{what} is forbidden: User \"{USER}\" cannot {} resource \"{}\" in API group \"{}\" {place}",
        a.verb, a.resource, a.group
    );
    let mut body = status(403, "Forbidden", &message);
    body["details"] =
        json!({"name": a.name.clone().unwrap_or_default(), "group": a.group, "kind": kind});
    (403, body)
}
