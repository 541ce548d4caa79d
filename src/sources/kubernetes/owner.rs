//! The workload behind a pod, and the label selector it keeps its pods by:
//! an alert names one pod, but the pane should follow the workload so a
//! replacement shows when that pod is deleted.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::Pod as K8sPod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::Api;

use super::{Kube, describe, replicaset_owner};
use crate::domain::pod::Owner;
use crate::domain::selector::Selector;

/// A pod's workload and the selector its pods are chosen by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerSelector {
    /// The Deployment, StatefulSet, DaemonSet (or bare ReplicaSet).
    pub owner: Owner,
    /// Its `spec.selector` in string form, as `labelSelector` takes it.
    pub selector: String,
}

/// Asks the API for the workload that owns pod `name` and its selector:
/// pod → controller → (a ReplicaSet's own controller) → `spec.selector`.
/// `None` when the pod has no workload owner (a bare pod, a Job's pod).
pub async fn owner_selector(
    kube: &Kube,
    namespace: &str,
    name: &str,
) -> Result<Option<OwnerSelector>, String> {
    let pod = Api::<K8sPod>::namespaced(kube.client.clone(), namespace)
        .get(name)
        .await
        .map_err(|e| describe(&e))?;
    let Some(controller) = pod
        .metadata
        .owner_references
        .unwrap_or_default()
        .into_iter()
        .find(|o| o.controller == Some(true))
    else {
        return Ok(None);
    };
    let owner = match controller.kind.as_str() {
        "ReplicaSet" => replicaset_owner(kube, namespace, &controller.name)
            .await?
            .filter(|o| o.kind == "Deployment")
            .unwrap_or(Owner {
                kind: controller.kind,
                name: controller.name,
            }),
        "StatefulSet" | "DaemonSet" => Owner {
            kind: controller.kind,
            name: controller.name,
        },
        _ => return Ok(None),
    };
    let selector = workload_selector(kube, namespace, &owner).await?;
    Ok(selector.map(|selector| OwnerSelector { owner, selector }))
}

/// The `spec.selector` of a workload, in string form; `None` when it is
/// empty (it would select every pod in the namespace).
async fn workload_selector(
    kube: &Kube,
    namespace: &str,
    owner: &Owner,
) -> Result<Option<String>, String> {
    let client = kube.client.clone();
    let name = owner.name.as_str();
    let found = match owner.kind.as_str() {
        "Deployment" => Api::<Deployment>::namespaced(client, namespace)
            .get(name)
            .await
            .map(|d| d.spec.selector),
        "StatefulSet" => Api::<StatefulSet>::namespaced(client, namespace)
            .get(name)
            .await
            .map(|d| d.spec.selector),
        "DaemonSet" => Api::<DaemonSet>::namespaced(client, namespace)
            .get(name)
            .await
            .map(|d| d.spec.selector),
        _ => Api::<ReplicaSet>::namespaced(client, namespace)
            .get(name)
            .await
            .map(|d| d.spec.selector),
    };
    as_string(&found.map_err(|e| describe(&e))?)
}

/// A structured selector in string form; `None` when it selects everything.
fn as_string(selector: &LabelSelector) -> Result<Option<String>, String> {
    let labels: BTreeMap<String, String> = selector.match_labels.clone().unwrap_or_default();
    let expressions: Vec<(String, String, Vec<String>)> = selector
        .match_expressions
        .iter()
        .flatten()
        .map(|e| {
            (
                e.key.clone(),
                e.operator.clone(),
                e.values.clone().unwrap_or_default(),
            )
        })
        .collect();
    let parsed = Selector::structured(&labels, &expressions)?;
    Ok((!parsed.requirements.is_empty()).then(|| parsed.to_string()))
}
