//! The Pods pane's part of the reducer: which pods to watch, the details view,
//! and cluster changes, each behind a confirmation and refused in read-only mode.

use crossterm::event::{KeyCode, KeyEvent};

use super::state::{App, Mode, Pane, PodDetail};
use super::update::Effect;
use crate::domain::placeholder::{Seg, fill};
use crate::domain::pod::{Owner, Pod};
use crate::sources::kubernetes::{Action, PodRef, PodScope};

/// A runbook field with its placeholders filled, or `None` when a placeholder
/// has no label to fill it (a half-filled selector would match nothing).
fn filled(text: &str, labels: &std::collections::BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    for seg in fill(text, labels) {
        match seg {
            Seg::Text(t) => out.push_str(t),
            Seg::Filled(v) => out.push_str(&v),
            Seg::Missing(_) => return None,
        }
    }
    Some(out)
}

impl App {
    /// The pods to watch: `:ns` / `:selector` first, then the runbook's front
    /// matter (placeholders filled from the alert), then the alert's
    /// `namespace` / `pod` labels, then the cluster's default namespace.
    pub fn pod_scope(&self) -> PodScope {
        let labels = self.shown_labels().cloned().unwrap_or_default();
        let rb = self.shown_runbook();
        let rb_ns = rb
            .and_then(|r| r.meta.namespace.as_deref())
            .and_then(|n| filled(n, &labels));
        let rb_sel = rb
            .and_then(|r| r.meta.selector.as_deref())
            .and_then(|s| filled(s, &labels));
        let namespace = self
            .pods
            .namespace_override
            .clone()
            .or(rb_ns)
            .or_else(|| labels.get("namespace").cloned())
            .or_else(|| self.cluster.as_ref().map(|c| c.1.clone()))
            .unwrap_or_default();
        let selector = self.pods.selector_override.clone().or(rb_sel);
        let name = if selector.is_none() && self.pods.namespace_override.is_none() {
            labels.get("pod").cloned()
        } else {
            None
        };
        PodScope {
            namespace,
            selector,
            name,
        }
    }

    /// Pods in scope that pass the `/` filter, unhealthy first.
    pub fn visible_pods(&self) -> Vec<&Pod> {
        let scope = self.pod_scope();
        let words: Vec<String> = self
            .pods
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.pods
            .items
            .iter()
            .filter(|p| scope.namespace.is_empty() || p.namespace == scope.namespace)
            .filter(|p| scope.selector.as_deref().is_none_or(|s| p.matches(s)))
            .filter(|p| scope.name.as_deref().is_none_or(|n| p.name == n))
            .filter(|p| {
                words.iter().all(|w| {
                    p.name.to_lowercase().contains(w)
                        || p.status.to_lowercase().contains(w)
                        || p.node.to_lowercase().contains(w)
                })
            })
            .collect()
    }
}

/// Asks the source for the wanted scope when it changed.
pub(super) fn sync_scope(app: &mut App, fx: &mut Vec<Effect>) {
    let want = Some(app.pod_scope());
    if want != app.pods.requested {
        app.pods.requested = want.clone();
        fx.push(Effect::PodScope(want));
    }
}

/// The pod a command or key is about: the named one (among the listed pods,
/// else in the scope's namespace), or the selected one.
fn target(app: &App, name: Option<&str>) -> Option<(PodRef, Option<Pod>)> {
    match name {
        Some(n) => {
            let found = app
                .visible_pods()
                .into_iter()
                .find(|p| p.name == n)
                .or_else(|| app.pods.items.iter().find(|p| p.name == n))
                .cloned();
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
                Some((*p).clone()),
            )
        }),
    }
}

/// Opens the details view of a pod and starts loading its events and log.
pub(super) fn open_details(app: &mut App, name: Option<&str>, fx: &mut Vec<Effect>) {
    let Some((pod, found)) = target(app, name) else {
        return app.error("no pod selected");
    };
    let container = found.and_then(|p| p.container_names.first().cloned());
    app.pods.detail = Some(PodDetail {
        pod: pod.clone(),
        container: container.clone(),
        follow: true,
        ..PodDetail::default()
    });
    app.mode = Mode::PodDetail;
    fx.push(Effect::PodDetails {
        pod,
        container,
        previous: false,
        follow: true,
    });
}

/// Keys while the details view is up.
pub(super) fn on_detail_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(d) = app.pods.detail.as_mut() else {
        return;
    };
    let len = d.log.len();
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            app.pods.detail = None;
            fx.push(Effect::ClosePodDetails);
            return;
        }
        KeyCode::Char('k') | KeyCode::Up => d.scroll = (d.scroll + 1).min(len),
        KeyCode::Char('j') | KeyCode::Down => d.scroll = d.scroll.saturating_sub(1),
        KeyCode::PageUp => d.scroll = (d.scroll + 20).min(len),
        KeyCode::PageDown => d.scroll = d.scroll.saturating_sub(20),
        KeyCode::Char('g') | KeyCode::Home => d.scroll = len,
        KeyCode::Char('G') | KeyCode::End => d.scroll = 0,
        KeyCode::Char('p' | 'f') => {
            if key.code == KeyCode::Char('p') {
                d.previous = !d.previous;
            } else {
                d.follow = !d.follow;
            }
            // Reload from the tail with the new settings.
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
        _ => {}
    }
    app.mode = Mode::PodDetail;
}

fn refuse_if_read_only(app: &mut App, what: &str) -> bool {
    if app.read_only {
        app.error(format!(
            "read-only: refused to {what}; nothing changed (--read-only)"
        ));
    }
    app.read_only
}

fn ask(app: &mut App, action: Action) {
    if app.cluster.is_none() {
        return app.error(format!(
            "no Kubernetes cluster is configured: cannot {}",
            action.short()
        ));
    }
    if refuse_if_read_only(app, &action.short()) {
        return;
    }
    app.focus = Pane::Pods;
    app.mode = Mode::Confirm(Box::new(action));
}

/// `d` / `:delete [POD]`.
pub(super) fn ask_delete(app: &mut App, name: Option<&str>) {
    match target(app, name) {
        Some((pod, _)) => ask(app, Action::DeletePod(pod)),
        None => app.error("no pod selected"),
    }
}

/// `r` / `:restart [POD]`.
pub(super) fn ask_restart(app: &mut App, name: Option<&str>) {
    let Some((pod, found)) = target(app, name) else {
        return app.error("no pod selected");
    };
    let Some(p) = found else {
        return app.error(format!("pod {} is not in the list", pod.name));
    };
    match p.workload() {
        Some(workload) => ask(
            app,
            Action::Restart {
                namespace: p.namespace.clone(),
                workload,
            },
        ),
        None => app.error(format!(
            "pod {} has no Deployment, StatefulSet or DaemonSet to restart",
            p.name
        )),
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
pub(super) fn ask_scale(app: &mut App, replicas: u32, target_text: Option<&str>) {
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
        Ok((namespace, workload)) => ask(
            app,
            Action::Scale {
                namespace,
                workload,
                replicas,
            },
        ),
        Err(e) => app.error(e),
    }
}

/// `y` carries out the confirmed change; anything else cancels it.
pub(super) fn on_confirm_key(app: &mut App, key: KeyEvent, action: Action, fx: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Char('y' | 'Y') => {
            app.info(format!("{}…", action.short()));
            fx.push(Effect::Cluster(action));
        }
        _ => app.info("cancelled: nothing was changed"),
    }
}
