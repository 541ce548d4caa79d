//! Kubernetes through kube-rs: the user's kubeconfig (or the in-cluster config),
//! a pod watch for the incident's scope, a pod's events and logs, and the three
//! actions the cockpit offers (delete a pod, rollout restart, scale), and the
//! Chaos Mesh faults of a game-day experiment (apply, delete, find leftovers).

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{AsyncBufReadExt, StreamExt, TryStreamExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event as K8sEvent, Pod as K8sPod};
use kube::api::{Api, ListParams, LogParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event as WatchEvent};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

mod actions;
mod chaos;
mod liveness;
mod owner;
mod summary;

pub use actions::{
    Action, Performed, current_replicas, perform, perform_recorded, recorded, replicaset_owner,
};
pub use chaos::{
    CHAOS_GROUP, CHAOS_KINDS, EXPERIMENT_LABEL, FaultRef, MANAGED_BY_LABEL, MANAGER, apply_fault,
    count_pods, delete_fault, label_value, leftover_faults,
};
pub use liveness::Quick as QuickBackoff;
pub use owner::{OwnerSelector, owner_selector};
pub use summary::summarise;

use super::{SourceMsg, SourceTx};
use crate::domain::pod::{Pod, PodChange};

/// Name shown in pane titles.
pub const SOURCE: &str = "kubernetes";

/// `--context` and `-n` as kubectl has them.
#[derive(Debug, Clone, Default)]
pub struct KubeOptions {
    /// Kubeconfig file; default: KUBECONFIG, else ~/.kube/config.
    pub kubeconfig: Option<std::path::PathBuf>,
    /// Kubeconfig context; default: the current one.
    pub context: Option<String>,
    /// Namespace; default: the context's, else `default`.
    /// [`crate::domain::pod::ALL_NAMESPACES`] (`-A`) watches every one.
    pub namespace: Option<String>,
}

/// A connected cluster client with the context and namespace in force.
#[derive(Clone)]
pub struct Kube {
    client: kube::Client,
    /// Context name (or `in-cluster`), for the status line.
    pub context: String,
    /// The namespace used when nothing narrower is known.
    pub namespace: String,
    /// The API server's address without credentials, for errors.
    pub server: String,
    /// How often the watch asks whether the cluster is alive (shorter in
    /// tests).
    pub probe_every: Duration,
}

impl std::fmt::Debug for Kube {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kube")
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .finish()
    }
}

/// Which pods the Pods pane watches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodScope {
    /// Namespace; empty means all namespaces.
    pub namespace: String,
    /// Label selector (`app=catalog,tier!=cache`).
    pub selector: Option<String>,
    /// One pod by name (field selector `metadata.name`).
    pub name: Option<String>,
}

impl Kube {
    /// Reads the kubeconfig (KUBECONFIG or ~/.kube/config), else the in-cluster
    /// config. Only configuration is read here; the cluster is first contacted
    /// by the watch, whose failures the Pods pane shows.
    pub async fn connect(opts: &KubeOptions) -> Result<Kube, String> {
        let kco = KubeConfigOptions {
            context: opts.context.clone(),
            ..KubeConfigOptions::default()
        };
        let loaded = match &opts.kubeconfig {
            Some(path) => Kubeconfig::read_from(path)
                .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?,
            None => Kubeconfig::read()
                .map_err(|e| e.to_string())
                .unwrap_or_default(),
        };
        let current = opts
            .context
            .clone()
            .or_else(|| loaded.current_context.clone())
            .unwrap_or_else(|| "default".into());
        let found = if opts.kubeconfig.is_some() {
            kube::Config::from_custom_kubeconfig(loaded, &kco).await
        } else {
            kube::Config::from_kubeconfig(&kco).await
        };
        let (config, context) = match found {
            Ok(c) => (c, current),
            Err(kubeconfig_err) if opts.context.is_none() && opts.kubeconfig.is_none() => {
                match kube::Config::incluster() {
                    Ok(c) => (c, "in-cluster".to_string()),
                    Err(_) => return Err(format!("no usable kubeconfig: {kubeconfig_err}")),
                }
            }
            Err(e) => return Err(format!("kubeconfig: {e}")),
        };
        let namespace = opts
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let server = {
            let u = &config.cluster_url;
            format!(
                "{}://{}{}",
                u.scheme_str().unwrap_or("https"),
                u.host().unwrap_or_default(),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            )
        };
        let client =
            kube::Client::try_from(config).map_err(|e| format!("kubernetes client: {e}"))?;
        Ok(Kube {
            client,
            context,
            namespace,
            server,
            probe_every: liveness::PROBE_EVERY,
        })
    }

    /// Pods of one namespace: the scope's, else the kubeconfig's own. All
    /// namespaces only when asked for by name ([`ALL_NAMESPACES`]), so a
    /// user whose role covers one namespace is never refused at launch.
    /// The ConfigMaps of `namespace`: where shared incidents live.
    pub(crate) fn configmaps(&self, namespace: &str) -> Api<k8s_openapi::api::core::v1::ConfigMap> {
        Api::namespaced(self.client.clone(), namespace)
    }

    fn pods(&self, namespace: &str) -> Api<K8sPod> {
        use crate::domain::pod::ALL_NAMESPACES;
        let namespace = match namespace {
            "" => self.namespace.as_str(),
            ns => ns,
        };
        match namespace {
            ALL_NAMESPACES => Api::all(self.client.clone()),
            ns => Api::namespaced(self.client.clone(), ns),
        }
    }
}

/// A short, plain-words reason for a kube error.
pub fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => describe_status(s.code, &s.message),
        kube::Error::HyperError(h) => format!("unreachable: {h}"),
        other => {
            let mut text = other.to_string();
            let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(other);
            while let Some(c) = cause {
                text = c.to_string();
                cause = c.source();
            }
            text
        }
    }
}

/// A refusal in plain words, from the HTTP status and the server's message.
pub fn describe_status(code: u16, message: &str) -> String {
    match code {
        403 => format!("forbidden by RBAC: {}", refusal(message)),
        404 => format!("not found: {message}"),
        409 => format!("conflict (changed meanwhile, try again): {message}"),
        401 => "not authorised: the kubeconfig's credentials were refused".to_string(),
        code => format!("HTTP {code}: {message}"),
    }
}

/// What a 403 refused, in short: `list pods in shop` from the server's
/// `... cannot list resource "pods" in API group "" in the namespace "shop"`;
/// the server's own words when they are not in that form.
fn refusal(message: &str) -> String {
    let short = || {
        let (_, rest) = message.split_once(" cannot ")?;
        let (verb, rest) = rest.split_once(" resource \"")?;
        let (resource, rest) = rest.split_once('"')?;
        let (_, rest) = rest.split_once(" in API group \"")?;
        let (group, rest) = rest.split_once('"')?;
        let resource = match group {
            "" => resource.to_string(),
            g => format!("{resource}.{g}"),
        };
        let place = match rest.trim().strip_prefix("in the namespace \"") {
            Some(ns) => ns.trim_end_matches('"').to_string(),
            None => "all namespaces (cluster scope)".to_string(),
        };
        Some(format!("{verb} {resource} in {place}"))
    };
    short().unwrap_or_else(|| message.to_string())
}

fn watcher_reason(e: &watcher::Error) -> String {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => describe(k),
        other => other.to_string(),
    }
}

/// Watches the wanted scope until the receiver is gone; a new scope restarts
/// the watch. Each event is summarised into its row at once (no pod object is
/// kept): the full list is sent after each (re)list, then only the changes,
/// batched at most every `every`, so the work follows the change rate.
pub async fn watch_pods(
    kube: Kube,
    mut scope: watch::Receiver<Option<PodScope>>,
    tx: SourceTx,
    every: Duration,
) {
    // A scope with no namespace is the kubeconfig's own: the same watch.
    let resolved = |s: &PodScope| {
        let mut s = s.clone();
        if s.namespace.is_empty() {
            s.namespace = kube.namespace.clone();
        }
        s
    };
    let connecting = SourceMsg::Connecting {
        feed: super::Feed::Pods,
        source: SOURCE.into(),
        address: kube.server.clone(),
        every: kube.probe_every,
    };
    if tx.send(connecting).await.is_err() {
        return;
    }
    loop {
        let Some(want) = scope.borrow_and_update().as_ref().map(&resolved) else {
            if scope.changed().await.is_err() {
                return;
            }
            continue;
        };
        let mut cfg = watcher::Config::default();
        if let Some(sel) = &want.selector {
            cfg = cfg.labels(sel);
        }
        if let Some(name) = &want.name {
            cfg = cfg.fields(&format!("metadata.name={name}"));
        }
        let stream =
            watcher::watcher(kube.pods(&want.namespace), cfg).backoff(liveness::Quick::default());
        let mut stream = std::pin::pin!(stream);
        let mut batch = Batch::new(every);
        // A probe's answer makes the pane live only once the pods were
        // listed and the watch has not failed lately: a watch that resumes
        // after an outage says nothing, one still failing says so again
        // within its backoff.
        let mut health = liveness::Health::default();
        let mut probe = liveness::Probe::new(kube.clone());
        loop {
            tokio::select! {
                ev = stream.next() => {
                    let Some(ev) = ev else { break };
                    match &ev {
                        Ok(WatchEvent::InitDone) => health.listed(),
                        Err(watcher::Error::WatchError(s)) if s.code == 410 => {}
                        Err(_) => health.failed(),
                        Ok(_) => {}
                    }
                    if let Some(msg) = batch.take(ev) && tx.send(msg).await.is_err() {
                        return;
                    }
                }
                alive = probe.next() => {
                    let msg = match alive {
                        Ok(()) if health.steady() => SourceMsg::Alive { feed: super::Feed::Pods, source: SOURCE.into() },
                        Ok(()) => continue,
                        Err(e) => SourceMsg::Pods { source: SOURCE.into(), result: Err(e) },
                    };
                    if tx.send(msg).await.is_err() {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(batch.due.unwrap_or_else(tokio::time::Instant::now)),
                    if batch.due.is_some() => {
                    if let Some(msg) = batch.flush() && tx.send(msg).await.is_err() {
                        return;
                    }
                }
                changed = scope.changed() => {
                    if changed.is_err() { return; }
                    // Only a scope that differs once resolved restarts the watch.
                    let same = scope.borrow_and_update().as_ref().map(&resolved).as_ref() == Some(&want);
                    if !same {
                        break;
                    }
                }
            }
        }
    }
}

/// Watch events turned into messages: the (re)list whole, later changes
/// coalesced per pod until the batch is due.
struct Batch {
    every: Duration,
    /// Rows of a list in progress.
    fresh: Vec<Pod>,
    /// Changes since the last message, the latest per pod.
    pending: HashMap<(String, String), PodChange>,
    /// When the pending changes go out; none while there are none.
    due: Option<tokio::time::Instant>,
    last_sent: Option<tokio::time::Instant>,
}

impl Batch {
    fn new(every: Duration) -> Batch {
        Batch {
            every,
            fresh: Vec::new(),
            pending: HashMap::new(),
            due: None,
            last_sent: None,
        }
    }

    /// Takes one watch event; a finished list is a message at once.
    fn take(&mut self, ev: Result<WatchEvent<K8sPod>, watcher::Error>) -> Option<SourceMsg> {
        let change = match ev {
            Ok(WatchEvent::Init) => {
                self.fresh.clear();
                return None;
            }
            Ok(WatchEvent::InitApply(p)) => {
                self.fresh.push(summarise(&p, Timestamp::now()));
                return None;
            }
            Ok(WatchEvent::InitDone) => {
                // The list supersedes whatever changes were waiting.
                self.pending.clear();
                self.due = None;
                self.last_sent = Some(tokio::time::Instant::now());
                let list = std::mem::take(&mut self.fresh);
                return Some(SourceMsg::Pods {
                    source: SOURCE.into(),
                    result: Ok(list),
                });
            }
            Ok(WatchEvent::Apply(p)) => {
                PodChange::Upsert(Box::new(summarise(&p, Timestamp::now())))
            }
            Ok(WatchEvent::Delete(p)) => PodChange::Remove {
                namespace: p.metadata.namespace.unwrap_or_default(),
                name: p.metadata.name.unwrap_or_default(),
            },
            // An expired resourceVersion: the watcher lists again, which is
            // no fault to report.
            Err(watcher::Error::WatchError(s)) if s.code == 410 => {
                tracing::debug!("pod watch expired, listing again: {}", s.message);
                return None;
            }
            Err(e) => {
                return Some(SourceMsg::Pods {
                    source: SOURCE.into(),
                    result: Err(watcher_reason(&e)),
                });
            }
        };
        let (ns, name) = change.key();
        self.pending
            .insert((ns.to_string(), name.to_string()), change);
        if self.due.is_none() {
            let now = tokio::time::Instant::now();
            let next = self.last_sent.map_or(now, |t| (t + self.every).max(now));
            self.due = Some(next);
        }
        None
    }

    /// The pending changes, when there are any.
    fn flush(&mut self) -> Option<SourceMsg> {
        self.due = None;
        if self.pending.is_empty() {
            return None;
        }
        self.last_sent = Some(tokio::time::Instant::now());
        let changes = self.pending.drain().map(|(_, c)| c).collect();
        Some(SourceMsg::PodChanges {
            source: SOURCE.into(),
            changes,
        })
    }
}

fn ts(t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> Timestamp {
    t.0
}

/// One line of a pod's recent events, as `kubectl describe` lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct EventLine {
    /// When it last happened.
    pub at: Option<Timestamp>,
    /// `Normal` or `Warning`.
    pub kind: String,
    /// Short reason (`BackOff`, `Pulled`, ...).
    pub reason: String,
    /// What happened.
    pub message: String,
    /// How many times.
    pub count: i32,
}

/// The pod's recent events, oldest first.
pub async fn pod_events(kube: &Kube, namespace: &str, pod: &str) -> Result<Vec<EventLine>, String> {
    let api: Api<K8sEvent> = Api::namespaced(kube.client.clone(), namespace);
    let lp = ListParams::default().fields(&format!("involvedObject.name={pod}"));
    let list = api.list(&lp).await.map_err(|e| describe(&e))?;
    let mut out: Vec<EventLine> = list
        .items
        .into_iter()
        .map(|e| EventLine {
            at: e
                .last_timestamp
                .as_ref()
                .map(ts)
                .or_else(|| e.event_time.as_ref().map(|t| t.0))
                .or_else(|| e.first_timestamp.as_ref().map(ts)),
            kind: e.type_.unwrap_or_default(),
            reason: e.reason.unwrap_or_default(),
            message: e.message.unwrap_or_default(),
            count: e.count.unwrap_or(1),
        })
        .collect();
    out.sort_by_key(|e| e.at);
    Ok(out)
}

/// Streams the last 200 lines of a container's log (and, when `follow`, new
/// lines as they come) as `SourceMsg::PodLog` messages until the receiver or
/// the stream ends.
pub async fn stream_logs(
    kube: Kube,
    pod: PodRef,
    container: Option<String>,
    previous: bool,
    follow: bool,
    tx: SourceTx,
) {
    let api = kube.pods(&pod.namespace);
    let lp = LogParams {
        container,
        follow,
        previous,
        tail_lines: Some(200),
        ..LogParams::default()
    };
    let send = async |chunk: Result<Vec<String>, String>, done: bool| {
        tx.send(SourceMsg::PodLog {
            pod: pod.clone(),
            lines: chunk,
            done,
        })
        .await
        .is_ok()
    };
    let stream = match api.log_stream(&pod.name, &lp).await {
        Ok(s) => s,
        Err(e) => {
            send(Err(describe(&e)), true).await;
            return;
        }
    };
    let mut lines = stream.lines();
    let mut batch = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            line = lines.try_next() => match line {
                Ok(Some(l)) => {
                    batch.push(l);
                    if batch.len() >= 500 && !send(Ok(std::mem::take(&mut batch)), false).await {
                        return;
                    }
                }
                Ok(None) => {
                    send(Ok(batch), true).await;
                    return;
                }
                Err(e) => {
                    if !batch.is_empty() {
                        send(Ok(std::mem::take(&mut batch)), false).await;
                    }
                    send(Err(format!("log stream: {e}")), true).await;
                    return;
                }
            },
            _ = tick.tick() => {
                if !batch.is_empty() && !send(Ok(std::mem::take(&mut batch)), false).await {
                    return;
                }
            }
        }
    }
}

/// A pod by namespace and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodRef {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
}

#[cfg(test)]
mod tests;
