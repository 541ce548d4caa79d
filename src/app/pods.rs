//! The Pods pane's part of the reducer: which pods to watch, the details view,
//! and cluster changes, each behind a confirmation and refused in read-only
//! mode. Confirmations are asked for through [`Next`].

use super::msg::{Effect, Fx, record};
use super::next::{Next, Open};
use super::scroll::{Nav, from_bottom};
use super::state::{App, LOG_LINES_KEPT, OwnerLookup, Pane, PodDetail, ReplicasNow};
use crate::domain::incident::EventKind;
use crate::domain::pod::{Owner, Pod, PodChange};
use crate::sources::SourceMsg;
use crate::sources::kubernetes::{Action, PodRef};

/// Asks the source for the wanted scope when it changed, and keeps the
/// pane's view on the scope and filter in force (rebuilt only when they
/// change).
pub fn sync_scope(app: &mut App, fx: &mut Fx) {
    // An alert's pod: ask once which workload owns it, so the scope can
    // follow the workload; its name is the scope until the answer comes.
    if let Some(pod) = app.alert_pod().filter(|_| app.cluster.is_some())
        && app.pods.owner_scope.as_ref().is_none_or(|l| l.pod != pod)
    {
        app.pods.owner_scope = Some(OwnerLookup {
            pod: pod.clone(),
            answer: None,
        });
        fx.push(Effect::FindOwnerScope(pod));
    }
    let spec = app.pod_view_spec();
    app.pods.set_view(&spec);
    let want = Some(spec.scope);
    if want != app.pods.requested {
        app.pods.requested = want.clone();
        fx.push(Effect::PodScope(want));
    }
}

/// The API's answer about the workload behind an alert's pod; an answer
/// for a pod no longer asked about is dropped.
pub fn on_owner_scope(
    app: &mut App,
    pod: PodRef,
    result: Result<Option<crate::sources::kubernetes::OwnerSelector>, String>,
) {
    if let Some(lookup) = app.pods.owner_scope.as_mut().filter(|l| l.pod == pod) {
        lookup.answer = Some(result);
    }
}

/// A fresh list of pods, or why it could not be had.
pub fn on_pods(app: &mut App, source: &str, result: Result<Vec<Pod>, String>) {
    match result {
        Ok(items) => {
            app.pods.replace(items);
            app.pods.status.ok(source, app.now);
        }
        Err(e) => app.pods.status.failed(source, e),
    }
}

/// Pods that came, changed or went since the last list: patched in place.
pub fn on_pod_changes(app: &mut App, source: &str, changes: Vec<PodChange>) {
    app.pods.apply(changes);
    app.pods.status.ok(source, app.now);
}

/// Events and log lines for the open details view; others are stale.
pub fn on_details(app: &mut App, msg: SourceMsg) {
    match msg {
        SourceMsg::PodEvents { pod, result } => {
            if let Some(d) = app.pods.detail.as_mut().filter(|d| d.pod == pod) {
                d.events = Some(result);
            }
        }
        SourceMsg::PodLog { pod, lines, done } => {
            if let Some(d) = app.pods.detail.as_mut().filter(|d| d.pod == pod) {
                match lines {
                    Ok(lines) => {
                        let added = lines.len();
                        d.log.extend(lines);
                        let excess = d.log.len().saturating_sub(LOG_LINES_KEPT);
                        d.log.drain(..excess);
                        if d.scroll > 0 {
                            d.scroll += added;
                        }
                    }
                    Err(e) => d.log_error = Some(e),
                }
                d.log_done |= done;
            }
        }
        _ => {}
    }
}

/// The pod a command or key is about: the named one (among the listed pods,
/// else in the scope's namespace), or the selected one.
fn target(app: &App, name: Option<&str>) -> Option<(PodRef, Option<Pod>)> {
    match name {
        Some(n) => {
            let found = app
                .visible_pods()
                .iter()
                .find(|p| p.name == n)
                .map(|p| Pod::clone(p))
                .or_else(|| app.pods.store.iter().find(|p| p.name == n).cloned());
            let namespace = found
                .as_ref()
                .map(|p| p.namespace.clone())
                .unwrap_or_else(|| app.pod_scope().namespace);
            Some((
                PodRef {
                    namespace,
                    name: n.to_string(),
                },
                found,
            ))
        }
        None => app.visible_pods().get(app.pods.cursor).map(|p| {
            (
                PodRef {
                    namespace: p.namespace.clone(),
                    name: p.name.clone(),
                },
                Some(Pod::clone(p)),
            )
        }),
    }
}

/// Opens the details view of a pod and starts loading its events and log.
pub fn open_details(app: &mut App, name: Option<&str>, fx: &mut Fx) -> Next {
    let Some((pod, found)) = target(app, name) else {
        app.error("no pod selected");
        return Next::Stay;
    };
    let container = found.and_then(|p| p.container_names.first().cloned());
    app.pods.detail = Some(PodDetail {
        pod: pod.clone(),
        container: container.clone(),
        follow: true,
        ..PodDetail::default()
    });
    fx.push(Effect::PodDetails {
        pod,
        container,
        previous: false,
        follow: true,
    });
    Open::PodDetail.into()
}

/// Closes the details view and stops its log stream.
pub fn close_details(app: &mut App, fx: &mut Fx) {
    app.pods.detail = None;
    fx.push(Effect::ClosePodDetails);
}

/// Scrolls the details view's log.
pub fn scroll_details(app: &mut App, nav: Nav) {
    if let Some(d) = app.pods.detail.as_mut() {
        d.scroll = from_bottom(d.scroll, nav, d.log.len());
    }
}

/// `p` or `f` in the details view: reload the log from the tail with the
/// previous run's log or following switched.
pub fn toggle_details(app: &mut App, previous: bool, fx: &mut Fx) {
    let Some(d) = app.pods.detail.as_mut() else {
        return;
    };
    if previous {
        d.previous = !d.previous;
    } else {
        d.follow = !d.follow;
    }
    d.log.clear();
    d.log_error = None;
    d.log_done = false;
    d.scroll = 0;
    fx.push(Effect::PodDetails {
        pod: d.pod.clone(),
        container: d.container.clone(),
        previous: d.previous,
        follow: d.follow,
    });
}

fn refuse_if_read_only(app: &mut App, what: &str) -> bool {
    if app.settings.read_only {
        app.error(format!(
            "read-only: refused to {what}; nothing changed (--read-only)"
        ));
    }
    app.settings.read_only
}

fn ask(app: &mut App, action: Action) -> Next {
    if app.cluster.is_none() {
        app.error(format!(
            "no Kubernetes cluster is configured: cannot {}",
            action.short()
        ));
        return Next::Stay;
    }
    if refuse_if_read_only(app, &action.short()) {
        return Next::Stay;
    }
    app.focus = Pane::Pods;
    Open::ClusterConfirm(action).into()
}

/// `d` / `:delete [POD]`.
pub fn ask_delete(app: &mut App, name: Option<&str>) -> Next {
    // As with a restart: only a pod the list shows is offered for deletion.
    match target(app, name) {
        Some((pod, Some(_))) => ask(app, Action::DeletePod(pod)),
        Some((pod, None)) => {
            app.error(format!("pod {} is not in the list", pod.name));
            Next::Stay
        }
        None => {
            app.error("no pod selected");
            Next::Stay
        }
    }
}

/// `r` / `:restart [POD]`. A pod whose labels do not name its Deployment
/// (a ReplicaSet without `pod-template-hash`) has its owner asked of the
/// API; the confirmation opens on the answer.
pub fn ask_restart(app: &mut App, name: Option<&str>, fx: &mut Fx) -> Next {
    let Some((pod, found)) = target(app, name) else {
        app.error("no pod selected");
        return Next::Stay;
    };
    let Some(p) = found else {
        app.error(format!("pod {} is not in the list", pod.name));
        return Next::Stay;
    };
    match (p.workload(), &p.owner) {
        (Some(workload), _) => ask(
            app,
            Action::Restart {
                namespace: p.namespace.clone(),
                workload,
            },
        ),
        (None, Some(owner)) if owner.kind == "ReplicaSet" && app.cluster.is_some() => {
            if refuse_if_read_only(app, &format!("restart pod {}'s workload", p.name)) {
                return Next::Stay;
            }
            app.info(format!(
                "asking the API which workload owns ReplicaSet {}…",
                owner.name
            ));
            fx.push(Effect::FindOwner {
                pod,
                replicaset: owner.name.clone(),
            });
            Next::Stay
        }
        (None, _) => {
            app.error(format!(
                "pod {} has no Deployment, StatefulSet or DaemonSet to restart",
                p.name
            ));
            Next::Stay
        }
    }
}

/// The API named (or not) the workload owning a pod's ReplicaSet.
pub fn on_owner_found(app: &mut App, pod: PodRef, result: Result<Option<Owner>, String>) -> Next {
    match result {
        Ok(Some(workload))
            if matches!(
                workload.kind.as_str(),
                "Deployment" | "StatefulSet" | "DaemonSet"
            ) =>
        {
            ask(
                app,
                Action::Restart {
                    namespace: pod.namespace,
                    workload,
                },
            )
        }
        Ok(Some(other)) => {
            app.error(format!(
                "pod {}'s ReplicaSet is owned by {} {}, which cannot be rollout-restarted",
                pod.name, other.kind, other.name
            ));
            Next::Stay
        }
        Ok(None) => {
            app.error(format!(
                "pod {}'s ReplicaSet has no Deployment (the API says so): nothing to restart; delete the pod instead",
                pod.name
            ));
            Next::Stay
        }
        Err(e) => {
            app.error(format!(
                "could not ask which workload owns pod {}: {e}",
                pod.name
            ));
            Next::Stay
        }
    }
}

/// Parses `deploy/NAME`, `sts/NAME` or a bare Deployment name.
fn workload(text: &str) -> Result<Owner, String> {
    let (kind, name) = match text.split_once('/') {
        Some((k, n)) => (k.to_ascii_lowercase(), n),
        None => ("deployment".to_string(), text),
    };
    let kind = match kind.as_str() {
        "deploy" | "deployment" | "deployments" => "Deployment",
        "sts" | "statefulset" | "statefulsets" => "StatefulSet",
        other => {
            return Err(format!(
                "cannot scale a {other}: use deploy/NAME or sts/NAME"
            ));
        }
    };
    if name.is_empty() {
        return Err("which workload? e.g. :scale 6 deploy/catalog".into());
    }
    Ok(Owner {
        kind: kind.into(),
        name: name.to_string(),
    })
}

/// `:scale N [WORKLOAD]`.
pub fn ask_scale(app: &mut App, replicas: u32, target_text: Option<&str>, fx: &mut Fx) -> Next {
    let selected = target(app, None).and_then(|(_, p)| p);
    let result = match target_text {
        Some(t) => workload(t).map(|w| {
            let ns = selected
                .as_ref()
                .map(|p| p.namespace.clone())
                .unwrap_or_else(|| app.pod_scope().namespace);
            (ns, w)
        }),
        None => selected
            .as_ref()
            .and_then(|p| p.workload().map(|w| (p.namespace.clone(), w)))
            .filter(|(_, w)| w.kind != "DaemonSet")
            .ok_or_else(|| {
                "select a pod of a Deployment or StatefulSet, or name one: :scale 6 deploy/catalog"
                    .to_string()
            }),
    };
    match result {
        Ok((namespace, workload)) => {
            let next = ask(
                app,
                Action::Scale {
                    namespace: namespace.clone(),
                    workload: workload.clone(),
                    replicas,
                },
            );
            if !matches!(next, Next::Stay) {
                // The dialog shows `3 → 5` once the API answers.
                app.pods.replicas_now = Some(ReplicasNow {
                    namespace: namespace.clone(),
                    workload: workload.clone(),
                    answer: None,
                });
                fx.push(Effect::ReplicasNow {
                    namespace,
                    workload,
                });
            }
            next
        }
        Err(e) => {
            app.error(e);
            Next::Stay
        }
    }
}

/// The API's answer to how many replicas the workload of a scale dialog has.
pub fn on_replicas_now(
    app: &mut App,
    namespace: &str,
    workload: &Owner,
    result: Result<u32, String>,
) {
    if let Some(r) = app
        .pods
        .replicas_now
        .as_mut()
        .filter(|r| r.namespace == namespace && &r.workload == workload)
    {
        r.answer = Some(result);
    }
}

/// `y` on a cluster change: carry it out.
pub fn perform(app: &mut App, action: Action, fx: &mut Fx) {
    app.info(format!("{}…", action.short()));
    fx.push(Effect::Cluster(action));
}

/// What the API server did with a change: shown, and recorded when an
/// incident is open.
pub fn on_done(app: &mut App, action: String, result: Result<String, String>, fx: &mut Fx) {
    let (ok, outcome) = match result {
        Ok(done) => {
            app.info(done.clone());
            (true, done)
        }
        Err(e) => {
            app.error(format!("{action}: refused: {e}"));
            (false, e)
        }
    };
    if app.incident_state().is_some() {
        record(
            app,
            EventKind::ClusterAction {
                action,
                ok,
                outcome,
            },
            fx,
        );
    }
}
