//! Pods as the Pods pane shows them, whatever source produced them.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The scope namespace that means every namespace (`:ns all`): asked for
/// by name only, since it needs a cluster-wide role.
pub const ALL_NAMESPACES: &str = "*";

/// The workload that owns a pod, for rollout restarts and scaling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// `ReplicaSet`, `StatefulSet`, `DaemonSet`, `Job`, ...
    pub kind: String,
    /// The owner's name.
    pub name: String,
}

/// A pod summarised the way `kubectl get pods` prints it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    /// Namespace the pod runs in.
    pub namespace: String,
    /// Pod name as kubectl prints it.
    pub name: String,
    /// Labels, for selector matching.
    pub labels: BTreeMap<String, String>,
    /// Containers ready.
    pub ready: u32,
    /// Containers in the pod.
    pub containers: u32,
    /// Status as kubectl derives it: Running, CrashLoopBackOff, Pending, ...
    pub status: String,
    /// Restarts summed over containers, as kubectl shows them.
    pub restarts: u32,
    /// Creation time; the age column is computed from it when drawn.
    pub created_at: Timestamp,
    /// Node the pod is scheduled on.
    pub node: String,
    /// Container names in spec order; logs are read from the first.
    #[serde(default)]
    pub container_names: Vec<String>,
    /// The controller that owns the pod, if any.
    #[serde(default)]
    pub owner: Option<Owner>,
    /// When a container last restarted, shown as "5 (2m ago)" like kubectl.
    #[serde(default)]
    pub last_restart: Option<Timestamp>,
    /// How the most recent earlier run of a container ended
    /// (`OOMKilled, exit 137`): what a crash loop's status hides.
    #[serde(default)]
    pub last_exit: Option<String>,
}

/// One change to the pods in scope, as a watch reports it: sent in small
/// batches so the cockpit's work follows the change rate, not the pod count.
#[derive(Debug, Clone, PartialEq)]
pub enum PodChange {
    /// A pod appeared or changed: its new summary replaces the old one.
    Upsert(Box<Pod>),
    /// A pod is gone.
    Remove {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

impl PodChange {
    /// The (namespace, name) the change is about.
    pub fn key(&self) -> (&str, &str) {
        match self {
            PodChange::Upsert(p) => (&p.namespace, &p.name),
            PodChange::Remove { namespace, name } => (namespace, name),
        }
    }
}

impl Pod {
    /// The workload a rollout restart or scale acts on: a ReplicaSet's
    /// Deployment (its name minus the `pod-template-hash` suffix), or the
    /// StatefulSet / DaemonSet itself.
    pub fn workload(&self) -> Option<Owner> {
        let owner = self.owner.as_ref()?;
        match owner.kind.as_str() {
            "ReplicaSet" => {
                let hash = self.labels.get("pod-template-hash")?;
                let name = owner.name.strip_suffix(&format!("-{hash}"))?;
                Some(Owner {
                    kind: "Deployment".into(),
                    name: name.to_string(),
                })
            }
            "StatefulSet" | "DaemonSet" | "Deployment" => Some(owner.clone()),
            _ => None,
        }
    }

    /// Healthy pods are Running with every container ready, or Completed.
    pub fn is_healthy(&self) -> bool {
        (self.status == "Running" && self.ready == self.containers) || self.status == "Completed"
    }

    /// Whether the pod's labels meet a label selector.
    pub fn matches(&self, selector: &super::selector::Selector) -> bool {
        selector.matches(&self.labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_matching() {
        let pod = Pod {
            namespace: "shop".into(),
            name: "catalog-1".into(),
            labels: [("app".to_string(), "catalog".to_string())].into(),
            ready: 1,
            containers: 1,
            status: "Running".into(),
            restarts: 0,
            created_at: Timestamp::UNIX_EPOCH,
            node: "n1".into(),
            ..Pod::default()
        };
        let m =
            |s: &str| pod.matches(&crate::domain::selector::Selector::parse(s).expect("selector"));
        assert!(m("app=catalog"));
        assert!(m("app==catalog"));
        assert!(m(""));
        assert!(m("app"));
        assert!(m("app in (catalog,search)"));
        assert!(!m("app=checkout"));
        assert!(!m("app!=catalog"));
        assert!(pod.is_healthy());
    }
}
