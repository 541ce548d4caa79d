//! Chaos Mesh faults through the Kubernetes API (no kubectl): an
//! experiment's fault is applied (server-side apply, field manager
//! `warroom`), deleted when the experiment ends, and found again after a
//! crash by the labels warroom puts on everything it applies. Every apply and
//! delete is recorded as a [`Performed`], like the cockpit's other changes.

use kube::Resource;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersion, GroupVersionKind, Request};
use kube::discovery::{self, ApiCapabilities, Scope};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::actions::{exchange, refused, unsent};
use super::{Kube, Performed, describe};
use crate::journal::audit::AuditAnswer;

/// The label holding the experiment run a fault belongs to, so faults left
/// by a crashed run can be found and removed.
pub const EXPERIMENT_LABEL: &str = "warroom.dev/experiment";

/// The standard label saying warroom applied the object (and may remove it).
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// The value of [`MANAGED_BY_LABEL`] and the server-side apply field manager.
pub const MANAGER: &str = "warroom";

/// Chaos Mesh's API group: the only one whose objects warroom applies.
pub const CHAOS_GROUP: &str = "chaos-mesh.org";

/// The Chaos Mesh kinds an experiment may inject. Schedules and Workflows
/// are left out on purpose: they spawn faults of their own, which a run
/// could not track or end.
pub const CHAOS_KINDS: [&str; 5] = [
    "PodChaos",
    "NetworkChaos",
    "StressChaos",
    "DNSChaos",
    "HTTPChaos",
];

/// The version warroom looks in for faults left behind.
const CHAOS_VERSION: &str = "v1alpha1";

/// A fault warroom applied: enough to delete it later, and to say which
/// experiment run it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRef {
    /// `chaos-mesh.org/v1alpha1`.
    pub api_version: String,
    /// `PodChaos`, `NetworkChaos`, ...
    pub kind: String,
    /// Namespace of the chaos object (not necessarily of its targets).
    pub namespace: String,
    /// The chaos object's name.
    pub name: String,
    /// The run it belongs to: the value of [`EXPERIMENT_LABEL`].
    pub run: String,
}

impl FaultRef {
    /// The fault in a few words for messages: `PodChaos shop/kill-one-checkout`.
    pub fn describe(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// A label-safe form of a run id, so any id can be a label value: the id
/// itself when it is one (≤ 63 characters of `[A-Za-z0-9._-]`, starting
/// and ending alphanumeric), else its safe characters cut short plus a
/// hash of the whole id, so two different ids stay apart.
pub fn label_value(id: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let edges_ok = id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id.ends_with(|c: char| c.is_ascii_alphanumeric());
    if id.len() <= 63 && edges_ok && id.chars().all(safe) {
        return id.to_string();
    }
    let cleaned: String = id
        .chars()
        .map(|c| if safe(c) { c } else { '-' })
        .take(52)
        .collect();
    let stem = cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let hash = format!("{:010x}", fnv1a(id.as_bytes()) & 0xff_ffff_ffff);
    match stem {
        "" => hash,
        stem => format!("{stem}-{hash}"),
    }
}

/// FNV-1a: a hash that stays the same across builds and platforms, so a
/// run's label is the same after a restart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What a manifest names, once it is known to be a fault warroom applies.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    gvk: GroupVersionKind,
    namespace: String,
    name: String,
}

/// The group, version and kind of `api_version` + `kind`, when they are
/// one of the Chaos Mesh faults; why not otherwise.
fn chaos_gvk(api_version: &str, kind: &str) -> Result<GroupVersionKind, String> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if group != CHAOS_GROUP || version.is_empty() {
        return Err(format!(
            "refused: {api_version} {kind} is not a Chaos Mesh fault (only {CHAOS_GROUP} objects are applied)"
        ));
    }
    if !CHAOS_KINDS.contains(&kind) {
        return Err(format!(
            "refused: {api_version} {kind} is not a fault warroom applies (only {})",
            CHAOS_KINDS.join(", ")
        ));
    }
    Ok(GroupVersionKind::gvk(group, version, kind))
}

/// Checks a manifest: a Chaos Mesh fault of a known kind, with a name and
/// a namespace.
fn target(manifest: &Value) -> Result<Target, String> {
    if !manifest.is_object() {
        return Err("refused: the fault's manifest is not an object".into());
    }
    let api_version = manifest["apiVersion"].as_str().unwrap_or_default();
    let kind = manifest["kind"].as_str().unwrap_or_default();
    let gvk = chaos_gvk(api_version, kind)?;
    let text = |field: &str| {
        manifest["metadata"][field]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let name = text("name").ok_or_else(|| format!("refused: the {kind} has no metadata.name"))?;
    let namespace = text("namespace")
        .ok_or_else(|| format!("refused: the {kind} {name} has no metadata.namespace"))?;
    Ok(Target {
        gvk,
        namespace,
        name,
    })
}

/// The manifest as it is applied: warroom's two labels added to those it
/// has, and what only the server sets taken out (a manifest saved with
/// `kubectl get -o yaml` carries them, and an apply with them is refused or
/// checked against a stale version).
fn prepared(manifest: &Value, run: &str) -> Value {
    let mut out = manifest.clone();
    if let Some(map) = out.as_object_mut() {
        map.remove("status");
    }
    match out["metadata"].as_object_mut() {
        Some(meta) => {
            for field in [
                "resourceVersion",
                "uid",
                "creationTimestamp",
                "managedFields",
                "generation",
            ] {
                meta.remove(field);
            }
        }
        None => out["metadata"] = Value::Object(serde_json::Map::new()),
    }
    if !out["metadata"]["labels"].is_object() {
        out["metadata"]["labels"] = Value::Object(serde_json::Map::new());
    }
    out["metadata"]["labels"][MANAGED_BY_LABEL] = Value::String(MANAGER.into());
    out["metadata"]["labels"][EXPERIMENT_LABEL] = Value::String(run.into());
    out
}

/// The resource serving a fault's kind, asked of the cluster; a clear
/// reason when Chaos Mesh is not installed. `Ok(None)` when not served.
async fn served(kube: &Kube, gvk: &GroupVersionKind) -> Result<Option<ApiResource>, String> {
    match discovery::pinned_kind(&kube.client, gvk).await {
        Ok((ar, caps)) => Ok(namespaced(ar, &caps)),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
        Err(kube::Error::Discovery(_)) => Ok(None),
        Err(e) => Err(format!(
            "cannot discover {}/{} {}: {}",
            gvk.group,
            gvk.version,
            gvk.kind,
            describe(&e)
        )),
    }
}

/// Only namespaced kinds are faults (Chaos Mesh's are); anything else a
/// cluster serves under that name is not what warroom means.
fn namespaced(ar: ApiResource, caps: &ApiCapabilities) -> Option<ApiResource> {
    matches!(caps.scope, Scope::Namespaced).then_some(ar)
}

fn not_served(gvk: &GroupVersionKind) -> String {
    format!(
        "{}/{} {} is not served by this cluster: is Chaos Mesh installed?",
        gvk.group, gvk.version, gvk.kind
    )
}

/// Applies a fault (server-side apply, field manager `warroom`, no force)
/// into its manifest's namespace, labelled with the run
/// ([`label_value`] of `run`) and as managed by warroom. Anything but a
/// Chaos Mesh fault is refused before any request is sent. The fault's
/// reference comes back when the server applied it.
pub async fn apply_fault(
    kube: &Kube,
    manifest: &Value,
    run: &str,
) -> (Performed, Option<FaultRef>) {
    let target = match target(manifest) {
        Ok(t) => t,
        Err(e) => return (unsent(e), None),
    };
    let ar = match served(kube, &target.gvk).await {
        Ok(Some(ar)) => ar,
        Ok(None) => return (unsent(not_served(&target.gvk)), None),
        Err(e) => return (unsent(e), None),
    };
    let run = label_value(run);
    let body = prepared(manifest, &run);
    let fault = FaultRef {
        api_version: ar.api_version.clone(),
        kind: ar.kind.clone(),
        namespace: target.namespace.clone(),
        name: target.name.clone(),
        run,
    };
    let request = Request::new(DynamicObject::url_path(&ar, Some(&target.namespace)))
        .patch(
            &target.name,
            &PatchParams::apply(MANAGER),
            &Patch::Apply(&body),
        )
        .map_err(|e| format!("cannot build the request: {e}"));
    let request = match request {
        Ok(r) => r,
        Err(e) => return (unsent(e), None),
    };
    let done = exchange(kube, request, |status, body| match status {
        201 => Ok(format!("{} created", fault.describe())),
        200..300 => Ok(format!("{} applied", fault.describe())),
        _ => Err(refused(status, body)),
    })
    .await;
    let applied = done.result.is_ok().then_some(fault);
    (done, applied)
}

/// Deletes a fault warroom applied. One that is no longer there counts as
/// deleted ("already gone"): the fault ended, someone removed it, or Chaos
/// Mesh itself was uninstalled.
pub async fn delete_fault(kube: &Kube, fault: &FaultRef) -> Performed {
    let gvk = match chaos_gvk(&fault.api_version, &fault.kind) {
        Ok(g) => g,
        Err(e) => return unsent(e),
    };
    let ar = match served(kube, &gvk).await {
        Ok(Some(ar)) => ar,
        Ok(None) => {
            let gone = format!(
                "{}: already gone ({} is no longer served)",
                fault.describe(),
                fault.kind
            );
            return Performed {
                result: Ok(gone.clone()),
                request: None,
                answer: AuditAnswer {
                    status: None,
                    ok: true,
                    detail: gone,
                },
            };
        }
        Err(e) => return unsent(e),
    };
    let request = Request::new(DynamicObject::url_path(&ar, Some(&fault.namespace)))
        .delete(&fault.name, &DeleteParams::default())
        .map_err(|e| format!("cannot build the request: {e}"));
    let request = match request {
        Ok(r) => r,
        Err(e) => return unsent(e),
    };
    exchange(kube, request, |status, body| match status {
        200..300 => Ok(format!("{} deleted", fault.describe())),
        404 => Ok(format!("{}: already gone", fault.describe())),
        _ => Err(refused(status, body)),
    })
    .await
}

/// Every fault warroom applied that is still in the cluster, in all
/// namespaces: what a crashed run left behind, to offer a clean-up at
/// start. Kinds the cluster does not serve are skipped; with no Chaos Mesh
/// at all there is nothing left.
pub async fn leftover_faults(kube: &Kube) -> Result<Vec<FaultRef>, String> {
    let gv = GroupVersion::gv(CHAOS_GROUP, CHAOS_VERSION);
    let group = match discovery::pinned_group(&kube.client, &gv).await {
        Ok(g) => g,
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(Vec::new()),
        Err(e) => {
            return Err(format!(
                "cannot discover {CHAOS_GROUP}/{CHAOS_VERSION}: {}",
                describe(&e)
            ));
        }
    };
    let resources = group.versioned_resources(CHAOS_VERSION);
    // Everything warroom applied for an experiment.
    let selector = format!("{MANAGED_BY_LABEL}={MANAGER},{EXPERIMENT_LABEL}");
    let lp = ListParams::default().labels(&selector);
    let mut out = Vec::new();
    for kind in CHAOS_KINDS {
        let Some(ar) = resources
            .iter()
            .filter(|(ar, _)| ar.kind == kind)
            .find_map(|(ar, caps)| namespaced(ar.clone(), caps))
        else {
            continue;
        };
        let api: Api<DynamicObject> = Api::all_with(kube.client.clone(), &ar);
        let list = api
            .list(&lp)
            .await
            .map_err(|e| format!("cannot list {}: {}", ar.plural, describe(&e)))?;
        out.extend(list.items.into_iter().map(|o| {
            FaultRef {
                api_version: ar.api_version.clone(),
                kind: ar.kind.clone(),
                namespace: o.metadata.namespace.unwrap_or_default(),
                name: o.metadata.name.unwrap_or_default(),
                run: o
                    .metadata
                    .labels
                    .and_then(|mut l| l.remove(EXPERIMENT_LABEL))
                    .unwrap_or_default(),
            }
        }));
    }
    Ok(out)
}

/// How many pods in `namespace` match `selector` now: a game-day's
/// pre-flight needs it to bound `all` and percentage modes.
pub async fn count_pods(kube: &Kube, namespace: &str, selector: &str) -> Result<usize, String> {
    let api: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::namespaced(kube.client.clone(), namespace);
    let lp = kube::api::ListParams::default().labels(selector);
    api.list_metadata(&lp)
        .await
        .map(|l| l.items.len())
        .map_err(|e| format!("listing pods {selector} in {namespace}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid(v: &str) -> bool {
        v.len() <= 63
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    }

    #[test]
    fn a_label_safe_id_is_kept_as_it_is() {
        for id in ["run-7", "2026.11.21_kill-checkout", "A", &"a".repeat(63)] {
            assert_eq!(label_value(id), id);
        }
    }

    #[test]
    fn an_unsafe_or_long_id_is_hashed_into_a_valid_value() {
        let ids = [
            "2026-11-21T01:02:03Z kill checkout",
            "-leading-dash",
            "trailing.",
            "",
            "ünïcode run",
            "///",
            &"x".repeat(64),
            &format!("{}:{}", "y".repeat(200), "z"),
        ];
        for id in ids {
            let v = label_value(id);
            assert!(valid(&v), "{id:?} gave {v:?}");
            assert!(!v.is_empty(), "{id:?}");
            assert_eq!(v, label_value(id), "stable for {id:?}");
        }
        assert!(label_value("run 1").starts_with("run-1-"));
        // Ids that clean up alike stay apart.
        assert_ne!(label_value("run 1"), label_value("run:1"));
        assert_ne!(label_value(&"x".repeat(64)), label_value(&"x".repeat(65)));
    }

    fn fault(kind: &str) -> Value {
        json!({"apiVersion": "chaos-mesh.org/v1alpha1", "kind": kind,
               "metadata": {"name": "kill-one", "namespace": "shop"},
               "spec": {"action": "pod-kill", "mode": "one"}})
    }

    #[test]
    fn only_chaos_mesh_faults_are_accepted() {
        for kind in CHAOS_KINDS {
            let t = target(&fault(kind)).expect("a fault");
            assert_eq!(t.gvk.kind, kind);
            assert_eq!(t.gvk.group, CHAOS_GROUP);
            assert_eq!(
                (t.namespace.as_str(), t.name.as_str()),
                ("shop", "kill-one")
            );
        }
        for kind in ["Schedule", "Workflow", "PhysicalMachineChaos", ""] {
            let e = target(&fault(kind)).expect_err("not a fault");
            assert!(e.starts_with("refused"), "{e}");
        }
        let mut deploy = fault("Deployment");
        deploy["apiVersion"] = json!("apps/v1");
        assert!(
            target(&deploy)
                .expect_err("a Deployment")
                .contains("not a Chaos Mesh fault")
        );
        let mut fake = fault("PodChaos");
        fake["apiVersion"] = json!("chaos-mesh.org.evil.example/v1alpha1");
        assert!(target(&fake).is_err());
        fake["apiVersion"] = json!("chaos-mesh.org");
        assert!(target(&fake).is_err());
        assert!(target(&json!("PodChaos")).is_err());
    }

    #[test]
    fn a_fault_needs_a_name_and_a_namespace() {
        let mut f = fault("PodChaos");
        f["metadata"] = json!({"name": "kill-one"});
        let e = target(&f).expect_err("no namespace");
        assert!(e.contains("metadata.namespace"), "{e}");
        f["metadata"] = json!({"namespace": "shop"});
        let e = target(&f).expect_err("no name");
        assert!(e.contains("metadata.name"), "{e}");
    }

    #[test]
    fn labels_are_added_to_those_the_manifest_has() {
        let mut f = fault("PodChaos");
        f["metadata"]["labels"] = json!({"team": "shop", EXPERIMENT_LABEL: "stale"});
        let out = prepared(&f, "run-7");
        assert_eq!(
            out["metadata"]["labels"],
            json!({"team": "shop", MANAGED_BY_LABEL: "warroom", EXPERIMENT_LABEL: "run-7"})
        );
        assert_eq!(out["metadata"]["name"], "kill-one");
        assert_eq!(out["spec"], f["spec"]);
        let bare = prepared(&json!({"kind": "PodChaos"}), "r");
        assert_eq!(bare["metadata"]["labels"][MANAGED_BY_LABEL], "warroom");
    }

    #[test]
    fn what_only_the_server_sets_is_not_applied() {
        let mut f = fault("PodChaos");
        f["metadata"]["resourceVersion"] = json!("41");
        f["metadata"]["uid"] = json!("u-1");
        f["metadata"]["managedFields"] = json!([{"manager": "kubectl"}]);
        f["status"] = json!({"experiment": {"phase": "Running"}});
        let out = prepared(&f, "r");
        assert!(out.get("status").is_none());
        let meta = out["metadata"].as_object().expect("metadata");
        let mut keys: Vec<&str> = meta.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["labels", "name", "namespace"]);
    }

    #[test]
    fn a_fault_describes_itself() {
        let f = FaultRef {
            api_version: "chaos-mesh.org/v1alpha1".into(),
            kind: "PodChaos".into(),
            namespace: "shop".into(),
            name: "kill-one-checkout".into(),
            run: "r".into(),
        };
        assert_eq!(f.describe(), "PodChaos shop/kill-one-checkout");
    }
}
