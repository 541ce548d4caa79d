//! Kubernetes through kube-rs: the user's kubeconfig (or the in-cluster config),
//! a pod watch for the incident's scope, a pod's events and logs, and the three
//! actions the cockpit offers (delete a pod, rollout restart, scale).

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::{AsyncBufReadExt, StreamExt, TryStreamExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    ContainerStatus, Event as K8sEvent, Pod as K8sPod, PodCondition, PodStatus,
};
use kube::api::{Api, ListParams, LogParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event as WatchEvent};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

mod actions;

pub use actions::{
    Action, Performed, current_replicas, perform, perform_recorded, recorded, replicaset_owner,
};

use super::SourceMsg;
use crate::domain::pod::{Owner, Pod};

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
        let client =
            kube::Client::try_from(config).map_err(|e| format!("kubernetes client: {e}"))?;
        Ok(Kube {
            client,
            context,
            namespace,
        })
    }

    /// Pods of one namespace: the scope's, else the kubeconfig's own. All
    /// namespaces only when asked for by name ([`ALL_NAMESPACES`]), so a
    /// user whose role covers one namespace is never refused at launch.
    fn pods(&self, namespace: &str) -> Api<K8sPod> {
        use crate::domain::pod::ALL_NAMESPACES;
        match namespace {
            ALL_NAMESPACES => Api::all(self.client.clone()),
            "" => Api::namespaced(self.client.clone(), &self.namespace),
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
        403 => format!("forbidden by RBAC: {message}"),
        404 => format!("not found: {message}"),
        409 => format!("conflict (changed meanwhile, try again): {message}"),
        401 => "not authorised: the kubeconfig's credentials were refused".to_string(),
        code => format!("HTTP {code}: {message}"),
    }
}

fn watcher_reason(e: &watcher::Error) -> String {
    match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => describe(k),
        other => other.to_string(),
    }
}

/// Watches the wanted scope and reports the complete pod list, at most every
/// `every`, until the receiver is gone. A new scope restarts the watch.
pub async fn watch_pods(
    kube: Kube,
    mut scope: watch::Receiver<Option<PodScope>>,
    tx: mpsc::UnboundedSender<SourceMsg>,
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
        let stream = watcher::watcher(kube.pods(&want.namespace), cfg).default_backoff();
        let mut stream = std::pin::pin!(stream);
        let mut pods: BTreeMap<(String, String), K8sPod> = BTreeMap::new();
        let mut fresh: BTreeMap<(String, String), K8sPod> = BTreeMap::new();
        let mut dirty = false;
        let mut ready = false;
        let mut flush = tokio::time::interval(every);
        loop {
            tokio::select! {
                ev = stream.next() => match ev {
                    Some(Ok(WatchEvent::Init)) => fresh.clear(),
                    Some(Ok(WatchEvent::InitApply(p))) => { fresh.insert(key(&p), p); }
                    Some(Ok(WatchEvent::InitDone)) => {
                        pods = std::mem::take(&mut fresh);
                        ready = true;
                        dirty = true;
                    }
                    Some(Ok(WatchEvent::Apply(p))) => { pods.insert(key(&p), p); dirty = true; }
                    Some(Ok(WatchEvent::Delete(p))) => { pods.remove(&key(&p)); dirty = true; }
                    Some(Err(e)) => {
                        let msg = SourceMsg::Pods { source: SOURCE.into(), result: Err(watcher_reason(&e)) };
                        if tx.send(msg).is_err() { return; }
                    }
                    None => break,
                },
                _ = flush.tick() => {
                    if dirty && ready {
                        dirty = false;
                        let now = Timestamp::now();
                        let list = pods.values().map(|p| summarise(p, now)).collect();
                        if tx.send(SourceMsg::Pods { source: SOURCE.into(), result: Ok(list) }).is_err() {
                            return;
                        }
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

fn key(p: &K8sPod) -> (String, String) {
    (
        p.metadata.namespace.clone().unwrap_or_default(),
        p.metadata.name.clone().unwrap_or_default(),
    )
}

fn ts(t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> Timestamp {
    t.0
}

/// Summarises a pod the way `kubectl get pods` does: READY counts ready
/// running containers, STATUS follows kubectl's precedence (init containers,
/// then container waiting/terminated reasons, then deletion), RESTARTS sums the
/// containers' counts.
pub fn summarise(p: &K8sPod, now: Timestamp) -> Pod {
    let spec = p.spec.as_ref();
    let status = p.status.clone().unwrap_or_default();
    let containers = spec.map_or(0, |s| s.containers.len()) as u32;
    let (reason, ready, restarts, last_restart) = derive_status(p, &status);
    let last_exit = last_exit(&status);
    let owner = p
        .metadata
        .owner_references
        .as_ref()
        .and_then(|o| o.iter().find(|r| r.controller == Some(true)).or(o.first()))
        .map(|r| Owner {
            kind: r.kind.clone(),
            name: r.name.clone(),
        });
    Pod {
        namespace: p.metadata.namespace.clone().unwrap_or_default(),
        name: p.metadata.name.clone().unwrap_or_default(),
        labels: p.metadata.labels.clone().unwrap_or_default(),
        ready,
        containers,
        status: reason,
        restarts,
        created_at: p.metadata.creation_timestamp.as_ref().map_or(now, ts),
        node: spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
        container_names: spec
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default(),
        owner,
        last_restart,
        last_exit,
    }
}

/// How the most recently finished earlier run of any container ended: its
/// reason (OOMKilled, Error) and exit code, as `kubectl describe` shows
/// under "Last State".
fn last_exit(status: &PodStatus) -> Option<String> {
    status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
        .filter_map(|c| c.last_state.as_ref()?.terminated.as_ref())
        .max_by_key(|t| t.finished_at.as_ref().map(ts))
        .map(|t| {
            let reason = t
                .reason
                .as_deref()
                .filter(|r| !r.is_empty())
                .unwrap_or("Terminated");
            match t.signal.filter(|s| *s != 0) {
                Some(sig) => format!("{reason}, exit {} (signal {sig})", t.exit_code),
                None => format!("{reason}, exit {}", t.exit_code),
            }
        })
}

fn derive_status(p: &K8sPod, status: &PodStatus) -> (String, u32, u32, Option<Timestamp>) {
    let mut reason = status.phase.clone().unwrap_or_else(|| "Unknown".into());
    if let Some(r) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        reason = r.clone();
    }
    let init_total = p
        .spec
        .as_ref()
        .and_then(|s| s.init_containers.as_ref())
        .map_or(0, Vec::len);
    let mut restarts = 0u32;
    let mut last_restart: Option<Timestamp> = None;
    let mut note_restart = |c: &ContainerStatus| {
        let finished = c
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
            .map(ts);
        if let Some(f) = finished {
            last_restart = Some(last_restart.map_or(f, |l| l.max(f)));
        }
        c.restart_count.max(0) as u32
    };
    let mut initializing = false;
    for (i, c) in status.init_container_statuses.iter().flatten().enumerate() {
        restarts += note_restart(c);
        let state = c.state.as_ref();
        let term = state.and_then(|s| s.terminated.as_ref());
        let wait = state.and_then(|s| s.waiting.as_ref());
        match (term, wait) {
            (Some(t), _) if t.exit_code == 0 => continue,
            (Some(t), _) => {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("Init:{r}"),
                    None => match t.signal.filter(|s| *s != 0) {
                        Some(sig) => format!("Init:Signal:{sig}"),
                        None => format!("Init:ExitCode:{}", t.exit_code),
                    },
                };
            }
            (None, Some(w))
                if w.reason
                    .as_deref()
                    .is_some_and(|r| !r.is_empty() && r != "PodInitializing") =>
            {
                reason = format!("Init:{}", w.reason.as_deref().unwrap_or_default());
            }
            _ => reason = format!("Init:{i}/{init_total}"),
        }
        initializing = true;
        break;
    }
    let mut ready = 0u32;
    if !initializing {
        restarts = 0;
        let mut has_running = false;
        for c in status.container_statuses.iter().flatten().rev() {
            restarts += note_restart(c);
            let state = c.state.as_ref();
            let wait = state.and_then(|s| s.waiting.as_ref());
            let term = state.and_then(|s| s.terminated.as_ref());
            if let Some(r) = wait
                .and_then(|w| w.reason.as_ref())
                .filter(|r| !r.is_empty())
            {
                reason = r.clone();
            } else if let Some(t) = term {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None => match t.signal.filter(|s| *s != 0) {
                        Some(sig) => format!("Signal:{sig}"),
                        None => format!("ExitCode:{}", t.exit_code),
                    },
                };
            } else if c.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = status
                .conditions
                .iter()
                .flatten()
                .any(|c: &PodCondition| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.into();
        }
    }
    if p.metadata.deletion_timestamp.is_some() {
        reason = if status.reason.as_deref() == Some("NodeLost") {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    (reason, ready, restarts, last_restart)
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
    tx: mpsc::UnboundedSender<SourceMsg>,
) {
    let api = kube.pods(&pod.namespace);
    let lp = LogParams {
        container,
        follow,
        previous,
        tail_lines: Some(200),
        ..LogParams::default()
    };
    let send = |chunk: Result<Vec<String>, String>, done: bool| {
        tx.send(SourceMsg::PodLog {
            pod: pod.clone(),
            lines: chunk,
            done,
        })
        .is_ok()
    };
    let stream = match api.log_stream(&pod.name, &lp).await {
        Ok(s) => s,
        Err(e) => {
            send(Err(describe(&e)), true);
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
                    if batch.len() >= 500 && !send(Ok(std::mem::take(&mut batch)), false) {
                        return;
                    }
                }
                Ok(None) => {
                    send(Ok(batch), true);
                    return;
                }
                Err(e) => {
                    if !batch.is_empty() {
                        send(Ok(std::mem::take(&mut batch)), false);
                    }
                    send(Err(format!("log stream: {e}")), true);
                    return;
                }
            },
            _ = tick.tick() => {
                if !batch.is_empty() && !send(Ok(std::mem::take(&mut batch)), false) {
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
