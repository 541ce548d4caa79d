//! The three changes the cockpit can make to the cluster — delete a pod,
//! rollout restart, scale — each carried out only after confirmation.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use kube::api::{Api, DeleteParams, Patch, PatchParams};

use super::{Kube, PodRef, describe};
use crate::domain::pod::Owner;

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

/// Performs an action; returns what the server did, in words.
pub async fn perform(kube: &Kube, action: &Action) -> Result<String, String> {
    let pp = PatchParams::default();
    match action {
        Action::DeletePod(p) => {
            kube.pods(&p.namespace)
                .delete(&p.name, &DeleteParams::default())
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!("pod {}/{} deleted", p.namespace, p.name))
        }
        Action::Restart {
            namespace,
            workload,
        } => {
            let at = Timestamp::now().to_string();
            let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {
                "kubectl.kubernetes.io/restartedAt": at
            }}}}});
            let client = kube.client.clone();
            let result = match workload.kind.as_str() {
                "Deployment" => Api::<Deployment>::namespaced(client, namespace)
                    .patch(&workload.name, &pp, &Patch::Merge(&patch))
                    .await
                    .map(|_| ()),
                "StatefulSet" => Api::<StatefulSet>::namespaced(client, namespace)
                    .patch(&workload.name, &pp, &Patch::Merge(&patch))
                    .await
                    .map(|_| ()),
                "DaemonSet" => Api::<DaemonSet>::namespaced(client, namespace)
                    .patch(&workload.name, &pp, &Patch::Merge(&patch))
                    .await
                    .map(|_| ()),
                other => return Err(format!("a {other} cannot be rollout-restarted")),
            };
            result.map_err(|e| describe(&e))?;
            Ok(format!(
                "{} {namespace}/{} restarted (restartedAt {at})",
                workload.kind, workload.name
            ))
        }
        Action::Scale {
            namespace,
            workload,
            replicas,
        } => {
            let patch = serde_json::json!({"spec": {"replicas": replicas}});
            let client = kube.client.clone();
            let result = match workload.kind.as_str() {
                "Deployment" => Api::<Deployment>::namespaced(client, namespace)
                    .patch_scale(&workload.name, &pp, &Patch::Merge(&patch))
                    .await
                    .map(|_| ()),
                "StatefulSet" => Api::<StatefulSet>::namespaced(client, namespace)
                    .patch_scale(&workload.name, &pp, &Patch::Merge(&patch))
                    .await
                    .map(|_| ()),
                other => return Err(format!("a {other} cannot be scaled from here")),
            };
            result.map_err(|e| describe(&e))?;
            Ok(format!(
                "{} {namespace}/{} scaled to {replicas}",
                workload.kind, workload.name
            ))
        }
    }
}
