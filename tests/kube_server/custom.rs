//! Custom resources, as the API server serves them once their CRDs are
//! installed: Chaos Mesh's five fault kinds (`chaos-mesh.org/v1alpha1`), in
//! discovery and as objects — create, server-side apply, get, delete, list
//! (one namespace or all, with a label selector). `Cluster.chaos_mesh`
//! false is a cluster without Chaos Mesh: the group is neither listed nor
//! served.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::rbac::{self, Attributes};
use super::{Cluster, KubeServer, Request, matches, merge, status};

/// Chaos Mesh's API group.
pub const GROUP: &str = "chaos-mesh.org";
/// The only version served.
pub const VERSION: &str = "v1alpha1";
/// (plural, kind) of every kind served.
pub const RESOURCES: [(&str, &str); 5] = [
    ("podchaos", "PodChaos"),
    ("networkchaos", "NetworkChaos"),
    ("stresschaos", "StressChaos"),
    ("dnschaos", "DNSChaos"),
    ("httpchaos", "HTTPChaos"),
];

/// Key of a custom object: (plural, namespace, name).
pub type Key = (String, String, String);

fn group_version() -> String {
    format!("{GROUP}/{VERSION}")
}

fn kind_of(plural: &str) -> Option<&'static str> {
    RESOURCES
        .iter()
        .find(|(p, _)| *p == plural)
        .map(|(_, k)| *k)
}

/// The group as `/apis` lists it.
pub fn api_group() -> Value {
    let gv = json!({"groupVersion": group_version(), "version": VERSION});
    json!({"name": GROUP, "versions": [gv.clone()], "preferredVersion": gv})
}

/// `/apis/chaos-mesh.org/v1alpha1`.
pub fn resource_list() -> Value {
    let resources: Vec<Value> = RESOURCES
        .iter()
        .map(|(plural, kind)| {
            json!({"name": plural, "singularName": plural, "namespaced": true, "kind": kind,
                   "verbs": ["create", "delete", "get", "list", "patch", "watch"],
                   "categories": ["all", "chaos-mesh"]})
        })
        .collect();
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version(),
           "resources": resources})
}

fn not_found() -> (u16, Value) {
    (
        404,
        status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    )
}

fn bad(message: &str) -> (u16, Value) {
    (400, status(400, "BadRequest", message))
}

/// The answer to a request under `/apis/chaos-mesh.org`; `None` for any
/// other path.
pub(super) fn route(
    state: &Arc<Mutex<Cluster>>,
    req: &Request,
    segs: &[&str],
) -> Option<(u16, Value)> {
    let rest = match segs {
        ["apis", GROUP, rest @ ..] => rest,
        _ => return None,
    };
    let mut c = state.lock().unwrap();
    if !c.chaos_mesh {
        return Some(not_found());
    }
    let q = &req.query;
    let answer = match (req.method.as_str(), rest) {
        ("GET", []) => (
            200,
            json!({"kind": "APIGroup", "apiVersion": "v1", "name": GROUP,
                   "versions": api_group()["versions"], "preferredVersion": api_group()["preferredVersion"]}),
        ),
        ("GET", [VERSION]) => (200, resource_list()),
        ("GET", [VERSION, plural]) => list(&c, plural, None, q),
        ("GET", [VERSION, "namespaces", ns, plural]) => list(&c, plural, Some(ns), q),
        ("POST", [VERSION, "namespaces", ns, plural]) => create(&mut c, req, ns, plural),
        (method, [VERSION, "namespaces", ns, plural, name]) if kind_of(plural).is_some() => {
            let key = (
                (*plural).to_string(),
                (*ns).to_string(),
                (*name).to_string(),
            );
            match method {
                "GET" => match c.custom.get(&key) {
                    Some(o) => (200, o.clone()),
                    None => missing(&key),
                },
                "DELETE" => match c.custom.remove(&key) {
                    Some(o) => {
                        c.changes
                            .push(("DELETE".into(), req.path.clone(), req.body.clone()));
                        c.rv += 1;
                        (200, o)
                    }
                    None => missing(&key),
                },
                "PATCH" => patch(&mut c, req, key),
                _ => (
                    405,
                    status(405, "MethodNotAllowed", "the method is not allowed"),
                ),
            }
        }
        _ => not_found(),
    };
    Some(answer)
}

fn missing((plural, _, name): &Key) -> (u16, Value) {
    (
        404,
        status(
            404,
            "NotFound",
            &format!("{plural}.{GROUP} \"{name}\" not found"),
        ),
    )
}

fn list(c: &Cluster, plural: &str, ns: Option<&str>, q: &BTreeMap<String, String>) -> (u16, Value) {
    let Some(kind) = kind_of(plural) else {
        return not_found();
    };
    if q.get("watch").is_some_and(|w| w == "true" || w == "1") {
        return (
            405,
            status(
                405,
                "MethodNotAllowed",
                "the test server does not watch custom resources",
            ),
        );
    }
    let items: Vec<Value> = c
        .custom
        .iter()
        .filter(|((p, _, _), o)| p == plural && matches(o, ns, q))
        .map(|(_, o)| o.clone())
        .collect();
    (
        200,
        json!({"kind": format!("{kind}List"), "apiVersion": group_version(),
               "metadata": {"resourceVersion": c.rv.to_string()}, "items": items}),
    )
}

/// Checks a body against the request's path: the kind for the plural, the
/// namespace and the name (when the body says them).
fn consistent(body: &Value, kind: &str, ns: &str, name: Option<&str>) -> Result<(), (u16, Value)> {
    if !body.is_object() {
        return Err(bad("the body is not an object"));
    }
    if body["kind"].as_str().is_some_and(|k| k != kind) {
        return Err(bad(&format!(
            "the kind of the object ({}) does not match the resource ({kind})",
            body["kind"]
        )));
    }
    if body["apiVersion"]
        .as_str()
        .is_some_and(|v| v != group_version())
    {
        return Err(bad(&format!(
            "the apiVersion of the object ({}) is not {}",
            body["apiVersion"],
            group_version()
        )));
    }
    if body["metadata"]["namespace"]
        .as_str()
        .is_some_and(|n| n != ns)
    {
        return Err(bad(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if let Some(name) = name
        && body["metadata"]["name"].as_str().is_some_and(|n| n != name)
    {
        return Err(bad(
            "the name of the object does not match the name on the URL",
        ));
    }
    Ok(())
}

/// A new object as the server keeps it: its identity stamped by the server.
fn stamped(c: &mut Cluster, mut obj: Value, kind: &str, ns: &str, name: &str) -> Value {
    c.rv += 1;
    obj["apiVersion"] = json!(group_version());
    obj["kind"] = json!(kind);
    let meta = &mut obj["metadata"];
    meta["name"] = json!(name);
    meta["namespace"] = json!(ns);
    meta["uid"] = json!(format!("uid-{}-{ns}-{name}", c.rv));
    meta["resourceVersion"] = json!(c.rv.to_string());
    meta["creationTimestamp"] = json!(
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    );
    meta["generation"] = json!(1);
    obj
}

fn create(c: &mut Cluster, req: &Request, ns: &str, plural: &str) -> (u16, Value) {
    let Some(kind) = kind_of(plural) else {
        return not_found();
    };
    if let Err(e) = consistent(&req.body, kind, ns, None) {
        return e;
    }
    let Some(name) = req.body["metadata"]["name"].as_str().map(str::to_string) else {
        return bad("metadata.name: Required value: name or generateName is required");
    };
    let key = (plural.to_string(), ns.to_string(), name.clone());
    if c.custom.contains_key(&key) {
        return (
            409,
            status(
                409,
                "AlreadyExists",
                &format!("{plural}.{GROUP} \"{name}\" already exists"),
            ),
        );
    }
    let obj = stamped(c, req.body.clone(), kind, ns, &name);
    c.custom.insert(key, obj.clone());
    c.changes
        .push(("POST".into(), req.path.clone(), req.body.clone()));
    (201, obj)
}

/// Server-side apply (create when missing, else merge) or a JSON merge
/// patch; other patch types are refused as a real server refuses them for
/// custom resources.
fn patch(c: &mut Cluster, req: &Request, key: Key) -> (u16, Value) {
    let (plural, ns, name) = &key;
    let kind = kind_of(plural).unwrap_or_default();
    let apply = req.content_type.starts_with("application/apply-patch");
    if !apply && !req.content_type.starts_with("application/merge-patch+json") {
        return (
            415,
            status(
                415,
                "UnsupportedMediaType",
                &format!(
                    "the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/apply-patch+yaml (got {:?})",
                    req.content_type
                ),
            ),
        );
    }
    if let Err(e) = consistent(&req.body, kind, ns, Some(name)) {
        return e;
    }
    if apply {
        if req.query.get("fieldManager").is_none_or(|m| m.is_empty()) {
            return bad("PATCH requests for apply must have fieldManager set");
        }
        if req.body["apiVersion"].is_null() || req.body["kind"].is_null() {
            return bad("apiVersion and kind must be set in an apply patch");
        }
    }
    let Some(old) = c.custom.get(&key).cloned() else {
        if !apply {
            return missing(&key);
        }
        // An apply that creates needs `create` too, as on a real server.
        let a = Attributes {
            verb: "create".into(),
            group: GROUP.into(),
            resource: plural.clone(),
            namespace: Some(ns.clone()),
            name: Some(name.clone()),
        };
        if !c.rbac.allows(&a) {
            return rbac::forbidden(&a);
        }
        let obj = stamped(c, req.body.clone(), kind, ns, name);
        c.custom.insert(key.clone(), obj.clone());
        c.changes
            .push(("PATCH".into(), req.path.clone(), req.body.clone()));
        return (201, obj);
    };
    let mut new = old.clone();
    merge(&mut new, req.body.clone());
    // What the server stamped is its own.
    for field in ["uid", "resourceVersion", "creationTimestamp", "generation"] {
        new["metadata"][field] = old["metadata"][field].clone();
    }
    if new != old {
        c.rv += 1;
        new["metadata"]["resourceVersion"] = json!(c.rv.to_string());
        if new["spec"] != old["spec"] {
            let generation = old["metadata"]["generation"].as_i64().unwrap_or(1);
            new["metadata"]["generation"] = json!(generation + 1);
        }
        c.custom.insert(key, new.clone());
    }
    c.changes
        .push(("PATCH".into(), req.path.clone(), req.body.clone()));
    (200, new)
}

impl KubeServer {
    /// Installs or removes Chaos Mesh (its CRDs): removed, the group is
    /// neither listed nor served. Installed by default.
    pub fn set_chaos_mesh(&self, installed: bool) {
        self.state.lock().unwrap().chaos_mesh = installed;
    }

    /// Every custom object the server holds, by plural, namespace, name.
    pub fn custom_objects(&self) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .custom
            .values()
            .cloned()
            .collect()
    }

    /// One custom object, when the server holds it.
    pub fn custom(&self, plural: &str, ns: &str, name: &str) -> Option<Value> {
        let key = (plural.to_string(), ns.to_string(), name.to_string());
        self.state.lock().unwrap().custom.get(&key).cloned()
    }

    /// Adds a custom object as someone else would have (not a change made
    /// through the API): its plural from its kind.
    pub fn put_custom(&self, obj: Value) {
        let kind = obj["kind"].as_str().unwrap_or_default();
        let (plural, kind) = RESOURCES
            .iter()
            .find(|(_, k)| *k == kind)
            .copied()
            .unwrap_or_else(|| panic!("not a custom kind the server knows: {kind}"));
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut c = self.state.lock().unwrap();
        let obj = stamped(&mut c, obj, kind, &ns, &name);
        c.custom.insert((plural.to_string(), ns, name), obj);
    }
}
