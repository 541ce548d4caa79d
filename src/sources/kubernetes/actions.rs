//! The three changes the cockpit can make to the cluster — delete a pod,
//! rollout restart, scale — each carried out only after confirmation.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::Pod as K8sPod;
use kube::Resource;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::core::Request;

use super::{Kube, PodRef, describe, describe_status};
use crate::domain::pod::Owner;
use crate::journal::audit::{AuditAnswer, AuditRequest};

/// A change the cockpit can make to the cluster, always after confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Delete one pod; its controller replaces it.
    DeletePod(PodRef),
    /// `kubectl rollout restart`: stamp the pod template so every pod is replaced.
    Restart {
        /// Namespace.
        namespace: String,
        /// The workload.
        workload: Owner,
    },
    /// Set a Deployment's or StatefulSet's replica count.
    Scale {
        /// Namespace.
        namespace: String,
        /// The workload.
        workload: Owner,
        /// The new count.
        replicas: u32,
    },
}

impl Action {
    /// The namespace the change is made in.
    pub fn namespace(&self) -> &str {
        match self {
            Action::DeletePod(p) => &p.namespace,
            Action::Restart { namespace, .. } | Action::Scale { namespace, .. } => namespace,
        }
    }

    /// A few words naming the change, for messages.
    pub fn short(&self) -> String {
        match self {
            Action::DeletePod(p) => format!("delete pod {}/{}", p.namespace, p.name),
            Action::Restart {
                namespace,
                workload,
            } => format!("restart {} {namespace}/{}", workload.kind, workload.name),
            Action::Scale {
                namespace,
                workload,
                replicas,
            } => format!(
                "scale {} {namespace}/{} to {replicas}",
                workload.kind, workload.name
            ),
        }
    }

    /// Exactly what will happen, for the confirmation and the timeline.
    pub fn describe(&self) -> String {
        match self {
            Action::DeletePod(p) => format!(
                "delete pod {}/{} (its controller, if any, starts a replacement)",
                p.namespace, p.name
            ),
            Action::Restart {
                namespace,
                workload,
            } => format!(
                "rollout restart {} {namespace}/{}: every pod is replaced, as with kubectl rollout restart",
                workload.kind, workload.name
            ),
            Action::Scale {
                namespace,
                workload,
                replicas,
            } => format!(
                "scale {} {namespace}/{} to {replicas} replicas",
                workload.kind, workload.name
            ),
        }
    }
}

/// What carrying out a change came to: the result in words, and the
/// request and answer exactly, for the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct Performed {
    /// What the server did, in words, or why it refused.
    pub result: Result<String, String>,
    /// What was sent; absent when the request could not even be built.
    pub request: Option<AuditRequest>,
    /// What came back.
    pub answer: AuditAnswer,
}

/// Performs an action; returns what the server did, in words.
pub async fn perform(kube: &Kube, action: &Action) -> Result<String, String> {
    perform_recorded(kube, action).await.result
}

/// Performs an action and keeps the request and the answer. Success is
/// judged by the HTTP status alone: a 2xx is applied, whatever its body
/// holds; the body is read leniently, only for details.
pub async fn perform_recorded(kube: &Kube, action: &Action) -> Performed {
    let (request, stamp) = match build(action) {
        Ok(b) => b,
        Err(e) => return unsent(e),
    };
    exchange(kube, request, |status, body| {
        if (200..300).contains(&status) {
            Ok(applied(action, body, stamp.as_deref()))
        } else {
            Err(refused(status, body))
        }
    })
    .await
}

/// A change refused before any request went out (it could not be built,
/// or is not one warroom makes): the audit log still keeps why.
pub(super) fn unsent(why: String) -> Performed {
    Performed {
        result: Err(why.clone()),
        request: None,
        answer: AuditAnswer {
            status: None,
            ok: false,
            detail: why,
        },
    }
}

/// Sends a change, keeps the request as recorded, and lets `judge` say
/// from the status and the body what the answer came to: so every change
/// (actions, chaos faults) is recorded the same way.
pub(super) async fn exchange(
    kube: &Kube,
    request: http::Request<Vec<u8>>,
    judge: impl FnOnce(u16, &[u8]) -> Result<String, String>,
) -> Performed {
    let recorded = recorded(&request);
    let (status, body) = match send(kube, request).await {
        Ok(answer) => answer,
        Err(e) => {
            return Performed {
                result: Err(e.clone()),
                request: Some(recorded),
                answer: AuditAnswer {
                    status: None,
                    ok: false,
                    detail: e,
                },
            };
        }
    };
    let result = judge(status, &body);
    let (ok, detail) = match &result {
        Ok(done) => (true, done.clone()),
        Err(why) => (false, why.clone()),
    };
    Performed {
        result,
        request: Some(recorded),
        answer: AuditAnswer {
            status: Some(status),
            ok,
            detail,
        },
    }
}

/// The request for an action, and the restart stamp when there is one.
fn build(action: &Action) -> Result<(http::Request<Vec<u8>>, Option<String>), String> {
    let pp = PatchParams::default();
    let bad = |e: kube::core::request::Error| format!("cannot build the request: {e}");
    match action {
        Action::DeletePod(p) => {
            let r = Request::new(K8sPod::url_path(&(), Some(&p.namespace)));
            Ok((
                r.delete(&p.name, &DeleteParams::default()).map_err(bad)?,
                None,
            ))
        }
        Action::Restart {
            namespace,
            workload,
        } => {
            let at = Timestamp::now().to_string();
            let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {
                "kubectl.kubernetes.io/restartedAt": at
            }}}}});
            let r = workload_request(&workload.kind, namespace)
                .ok_or_else(|| format!("a {} cannot be rollout-restarted", workload.kind))?;
            Ok((
                r.patch(&workload.name, &pp, &Patch::Merge(&patch))
                    .map_err(bad)?,
                Some(at),
            ))
        }
        Action::Scale {
            namespace,
            workload,
            replicas,
        } => {
            let patch = serde_json::json!({"spec": {"replicas": replicas}});
            let r = scalable(&workload.kind, namespace)
                .ok_or_else(|| format!("a {} cannot be scaled from here", workload.kind))?;
            Ok((
                r.patch_subresource("scale", &workload.name, &pp, &Patch::Merge(&patch))
                    .map_err(bad)?,
                None,
            ))
        }
    }
}

fn workload_request(kind: &str, namespace: &str) -> Option<Request> {
    let path = match kind {
        "Deployment" => Deployment::url_path(&(), Some(namespace)),
        "StatefulSet" => StatefulSet::url_path(&(), Some(namespace)),
        "DaemonSet" => DaemonSet::url_path(&(), Some(namespace)),
        _ => return None,
    };
    Some(Request::new(path))
}

/// Only Deployments and StatefulSets have a scale here.
fn scalable(kind: &str, namespace: &str) -> Option<Request> {
    matches!(kind, "Deployment" | "StatefulSet")
        .then(|| workload_request(kind, namespace))
        .flatten()
}

/// The request as the audit log keeps it: method, path and query, body.
/// Headers (the bearer token) and the URI's authority (which may hold
/// user:password) are never taken.
pub fn recorded(request: &http::Request<Vec<u8>>) -> AuditRequest {
    let uri = request.uri();
    let path = match uri.query().filter(|q| !q.is_empty()) {
        Some(q) => format!("{}?{q}", uri.path()),
        None => uri.path().to_string(),
    };
    AuditRequest::new(request.method().as_str(), &path, request.body())
}

/// Sends a request through the client (with its credentials) and returns
/// the status and the body, whatever they are.
pub(super) async fn send(
    kube: &Kube,
    request: http::Request<Vec<u8>>,
) -> Result<(u16, Vec<u8>), String> {
    let response = kube
        .client
        .send(request.map(kube::client::Body::from))
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect_bytes()
        .await
        .map(|b| b.to_vec())
        // The status is the answer; a body cut short only loses details.
        .unwrap_or_default();
    Ok((status, body))
}

/// What an applied change did, in words; the body adds what it shows.
fn applied(action: &Action, body: &[u8], stamp: Option<&str>) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    match action {
        Action::DeletePod(p) => format!("pod {}/{} deleted", p.namespace, p.name),
        Action::Restart {
            namespace,
            workload,
        } => format!(
            "{} {namespace}/{} restarted (restartedAt {})",
            workload.kind,
            workload.name,
            stamp.unwrap_or_default()
        ),
        Action::Scale {
            namespace,
            workload,
            replicas,
        } => {
            let said = value["spec"]["replicas"].as_u64();
            match said {
                Some(n) if n != u64::from(*replicas) => format!(
                    "{} {namespace}/{} scaled to {replicas} (the server answers {n} replicas)",
                    workload.kind, workload.name
                ),
                _ => format!(
                    "{} {namespace}/{} scaled to {replicas}",
                    workload.kind, workload.name
                ),
            }
        }
    }
}

/// Why the server refused, from its status and (leniently) its Status body.
pub(super) fn refused(status: u16, body: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let message = value["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            text.trim().chars().take(200).collect()
        });
    describe_status(status, &message)
}

/// The replica count a Deployment or StatefulSet has now, from its scale.
pub async fn current_replicas(
    kube: &Kube,
    namespace: &str,
    workload: &Owner,
) -> Result<u32, String> {
    let request = scalable(&workload.kind, namespace)
        .ok_or_else(|| format!("a {} has no scale", workload.kind))?
        .get_subresource("scale", &workload.name)
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let (status, body) = send(kube, request).await?;
    if !(200..300).contains(&status) {
        return Err(refused(status, &body));
    }
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let replicas = value["spec"]["replicas"]
        .as_u64()
        .or_else(|| value["status"]["replicas"].as_u64())
        .and_then(|n| u32::try_from(n).ok());
    // A scale with no replicas set is the API's default of one.
    Ok(replicas.unwrap_or(1))
}

/// The workload that owns a ReplicaSet, asked of the API: for a pod whose
/// labels do not say (no `pod-template-hash`).
pub async fn replicaset_owner(
    kube: &Kube,
    namespace: &str,
    name: &str,
) -> Result<Option<Owner>, String> {
    let rs = Api::<ReplicaSet>::namespaced(kube.client.clone(), namespace)
        .get(name)
        .await
        .map_err(|e| describe(&e))?;
    Ok(rs
        .metadata
        .owner_references
        .unwrap_or_default()
        .into_iter()
        .find(|o| o.controller == Some(true))
        .map(|o| Owner {
            kind: o.kind,
            name: o.name,
        }))
}
