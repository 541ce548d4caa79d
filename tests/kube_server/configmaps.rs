//! ConfigMaps as the API server keeps them, for sharing incidents through
//! the cluster: create (409 AlreadyExists for a name taken), get, delete,
//! list by label selector with a resourceVersion, and watch (ADDED and
//! DELETED, BOOKMARKs, 410 Gone below the kept history), all under RBAC.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::BufReader;
use tokio::net::TcpStream;
use tokio::sync::broadcast;

use super::{Cluster, Request, matches, status, watch};

fn not_found(name: &str) -> (u16, Value) {
    (
        404,
        status(404, "NotFound", &format!("configmaps \"{name}\" not found")),
    )
}

/// The answer to a ConfigMap request; `None` for any other path.
pub(super) async fn route(
    s: &mut BufReader<TcpStream>,
    state: &Arc<Mutex<Cluster>>,
    events: &broadcast::Sender<(String, Value)>,
    frozen: &tokio::sync::watch::Receiver<bool>,
    req: &Request,
    segs: &[&str],
) -> std::io::Result<Option<(u16, Value)>> {
    let q = &req.query;
    let (ns, name) = match segs {
        ["api", "v1", "configmaps"] => (None, None),
        ["api", "v1", "namespaces", ns, "configmaps"] => (Some(*ns), None),
        ["api", "v1", "namespaces", ns, "configmaps", name] => (Some(*ns), Some(*name)),
        _ => return Ok(None),
    };
    let answer = match (req.method.as_str(), ns, name) {
        ("GET", ns, None) if q.get("watch").is_some_and(|w| w == "true" || w == "1") => {
            watch::watch(s, state, events, frozen, ns, q, "ConfigMap").await?;
            (0, Value::Null)
        }
        ("GET", ns, None) => {
            let c = state.lock().unwrap();
            let items: Vec<Value> = c
                .configmaps
                .values()
                .filter(|o| matches(o, ns, q))
                .cloned()
                .collect();
            (
                200,
                json!({"kind": "ConfigMapList", "apiVersion": "v1",
                       "metadata": {"resourceVersion": c.rv.to_string()}, "items": items}),
            )
        }
        ("POST", Some(ns), None) => create(state, events, req, ns),
        ("GET", Some(ns), Some(name)) => {
            match state
                .lock()
                .unwrap()
                .configmaps
                .get(&(ns.to_string(), name.to_string()))
            {
                Some(o) => (200, o.clone()),
                None => not_found(name),
            }
        }
        ("DELETE", Some(ns), Some(name)) => {
            let mut c = state.lock().unwrap();
            match c.configmaps.remove(&(ns.to_string(), name.to_string())) {
                Some(o) => {
                    c.changes
                        .push(("DELETE".into(), req.path.clone(), req.body.clone()));
                    (200, watch::publish(&mut c, events, "DELETED", o))
                }
                None => not_found(name),
            }
        }
        _ => (
            405,
            status(405, "MethodNotAllowed", "the method is not allowed"),
        ),
    };
    Ok(Some(answer))
}

fn create(
    state: &Arc<Mutex<Cluster>>,
    events: &broadcast::Sender<(String, Value)>,
    req: &Request,
    ns: &str,
) -> (u16, Value) {
    let body = &req.body;
    if body["kind"].as_str().is_some_and(|k| k != "ConfigMap") {
        return (400, status(400, "BadRequest", "the kind is not ConfigMap"));
    }
    if body["metadata"]["namespace"]
        .as_str()
        .is_some_and(|n| n != ns)
    {
        return (
            400,
            status(
                400,
                "BadRequest",
                "the namespace of the provided object does not match the namespace sent on the request",
            ),
        );
    }
    let Some(name) = body["metadata"]["name"].as_str().map(str::to_string) else {
        return (
            400,
            status(400, "BadRequest", "metadata.name: Required value"),
        );
    };
    // As a real server: a name (DNS subdomain) of at most 253 characters.
    let valid = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !valid {
        return (
            422,
            status(
                422,
                "Invalid",
                &format!("ConfigMap \"{name}\" is invalid: metadata.name"),
            ),
        );
    }
    // As a real server: a request of at most 3 MiB, and a ConfigMap's
    // data of at most 1 MiB (keys and values).
    if body.to_string().len() > 3 * 1024 * 1024 {
        return (
            413,
            status(
                413,
                "RequestEntityTooLarge",
                "Request entity too large: limit is 3145728",
            ),
        );
    }
    let data: usize = body["data"]
        .as_object()
        .map(|d| {
            d.iter()
                .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
                .sum()
        })
        .unwrap_or(0);
    if data > 1024 * 1024 {
        return (
            422,
            status(
                422,
                "Invalid",
                &format!(
                    "ConfigMap \"{name}\" is invalid: []: Too long: must have at most 1048576 bytes"
                ),
            ),
        );
    }
    let mut c = state.lock().unwrap();
    let key = (ns.to_string(), name.clone());
    if c.configmaps.contains_key(&key) {
        return (
            409,
            status(
                409,
                "AlreadyExists",
                &format!("configmaps \"{name}\" already exists"),
            ),
        );
    }
    let mut obj = body.clone();
    obj["apiVersion"] = json!("v1");
    obj["kind"] = json!("ConfigMap");
    obj["metadata"]["namespace"] = json!(ns);
    obj["metadata"]["uid"] = json!(format!("uid-cm-{}-{ns}-{name}", c.rv + 1));
    obj["metadata"]["creationTimestamp"] = json!(
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    );
    c.changes
        .push(("POST".into(), req.path.clone(), req.body.clone()));
    let obj = watch::publish(&mut c, events, "ADDED", obj);
    c.configmaps.insert(key, obj.clone());
    (201, obj)
}

/// How many ConfigMaps the server holds, for tests.
pub fn count(c: &Cluster) -> usize {
    c.configmaps.len()
}

/// The ConfigMaps' data by name, for tests.
pub fn data(c: &Cluster) -> BTreeMap<String, Value> {
    c.configmaps
        .iter()
        .map(|((_, n), o)| (n.clone(), o["data"].clone()))
        .collect()
}
