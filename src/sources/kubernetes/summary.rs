//! A pod summarised as `kubectl get pods` prints it: the compact row the
//! cockpit keeps instead of the whole object.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod as K8sPod, PodCondition, PodStatus};

use crate::domain::pod::{Owner, Pod};

fn ts(t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> Timestamp {
    t.0
}

/// Summarises a pod the way `kubectl get pods` does: READY counts ready
/// running containers, STATUS follows kubectl's precedence (init containers,
/// then container waiting/terminated reasons, then deletion), RESTARTS sums the
/// containers' counts.
pub fn summarise(p: &K8sPod, now: Timestamp) -> Pod {
    let spec = p.spec.as_ref();
    let empty = PodStatus::default();
    let status = p.status.as_ref().unwrap_or(&empty);
    let containers = spec.map_or(0, |s| s.containers.len()) as u32;
    let (reason, ready, restarts, last_restart) = derive_status(p, status);
    let last_exit = last_exit(status);
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
