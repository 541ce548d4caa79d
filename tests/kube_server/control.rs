//! What a test does to the server, beyond its pods: churn, freeze and thaw,
//! kill and restart on the same port, RBAC, bookmarks and compaction.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use super::rbac::{Rule, rules_of_role};
use super::{Cluster, KubeServer, serve, upsert_pod};

/// Accepts connections until killed; every task is kept so `kill` can end it.
pub(super) fn accept(
    listener: TcpListener,
    state: Arc<Mutex<Cluster>>,
    events: broadcast::Sender<(String, Value)>,
    frozen: tokio::sync::watch::Receiver<bool>,
    tasks: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
) {
    let all = tasks.clone();
    let handle = tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let (st, ev, fr) = (state.clone(), events.clone(), frozen.clone());
            let conn = tokio::spawn(async move {
                let _ = serve(sock, st, ev, fr).await;
            });
            let mut t = all.lock().unwrap();
            t.retain(|h| !h.is_finished());
            t.push(conn.abort_handle());
        }
    });
    tasks.lock().unwrap().push(handle.abort_handle());
}

impl KubeServer {
    /// Ends the server as a crash would: the port is closed and every
    /// connection (watches included) is dropped. What it held is kept for
    /// [`KubeServer::restart`].
    pub fn kill(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    /// Serves again on the same port, with the same pods.
    pub async fn restart(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot listen on port {} again: {e}", self.port),
            }
        };
        accept(
            listener,
            self.state.clone(),
            self.events.clone(),
            self.frozen.subscribe(),
            self.tasks.clone(),
        );
    }

    /// Stops answering and streaming, as a SIGSTOPped server does:
    /// connections stay open, requests wait.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Answers and streams again, starting with what waited.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    /// Changes `per_sec` pods a second, round-robin (restarts go up, the
    /// pod flips between running and crash-looping), until the handle is
    /// aborted.
    pub fn churn(&self, per_sec: f64) -> tokio::task::JoinHandle<()> {
        let (state, events) = (self.state.clone(), self.events.clone());
        let every = Duration::from_secs_f64(1.0 / per_sec.max(0.001));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            let mut after: Option<(String, String)> = None;
            loop {
                tick.tick().await;
                let mut c = state.lock().unwrap();
                let next = match &after {
                    Some(k) => c
                        .pods
                        .range::<(String, String), _>((
                            std::ops::Bound::Excluded(k),
                            std::ops::Bound::Unbounded,
                        ))
                        .next(),
                    None => None,
                }
                .or_else(|| c.pods.iter().next())
                .map(|(k, p)| (k.clone(), p.clone()));
                let Some((key, mut pod)) = next else { continue };
                after = Some(key);
                let cs = &mut pod["status"]["containerStatuses"][0];
                let restarts = cs["restartCount"].as_i64().unwrap_or(0) + 1;
                cs["restartCount"] = json!(restarts);
                let crashing = restarts % 2 == 1;
                cs["ready"] = json!(!crashing);
                cs["state"] = if crashing {
                    json!({"waiting": {"reason": "CrashLoopBackOff"}})
                } else {
                    json!({"running": {"startedAt": "2026-11-21T01:00:05Z"}})
                };
                upsert_pod(&mut c, &events, pod);
            }
        })
    }

    /// Refuses `verb` (list, watch, get, patch, delete, ...) on every
    /// resource in `namespace` (`""`: at the cluster scope).
    pub fn deny(&self, namespace: &str, verb: &str) {
        let mut c = self.state.lock().unwrap();
        c.rbac
            .denied
            .push((namespace.to_string(), verb.to_string()));
    }

    /// Takes back every `deny` (an administrator granting the Role).
    pub fn allow_again(&self) {
        self.state.lock().unwrap().rbac.denied.clear();
    }

    /// From now on only what the rules allow is allowed.
    pub fn allow_only(&self, rules: Vec<Rule>) {
        self.state.lock().unwrap().rbac.rules = Some(rules);
    }

    /// Binds a Role manifest in `namespace` (RBAC on from now on).
    pub fn bind_role(&self, role: &Value, namespace: &str) {
        let mut c = self.state.lock().unwrap();
        let rules = rules_of_role(role, Some(namespace));
        c.rbac.rules.get_or_insert_with(Vec::new).extend(rules);
    }

    /// How often watches that ask for them get a BOOKMARK.
    pub fn bookmark_every(&self, every: Duration) {
        self.state.lock().unwrap().bookmark_every = Some(every);
    }

    /// Forgets every change so far: a watch from an older resourceVersion
    /// is `410 Gone`, and the client must list again.
    pub fn compact(&self) {
        let mut c = self.state.lock().unwrap();
        c.history.clear();
        c.compacted = c.rv;
    }

    /// Loses every ConfigMap and the history, as a cluster rebuilt from
    /// nothing would (a watch resuming is then told 410 Gone).
    pub fn lose_configmaps(&self) {
        let mut c = self.state.lock().unwrap();
        c.configmaps.clear();
        c.history.clear();
        c.compacted = c.rv;
    }

    /// Loses every ConfigMap but keeps its history, so a watch resumes
    /// without being told to list again (as a server restored under the
    /// same resourceVersions might): only asking finds them gone.
    pub fn lose_configmaps_quietly(&self) {
        self.state.lock().unwrap().configmaps.clear();
    }

    /// BOOKMARK events sent so far.
    pub fn bookmarks_sent(&self) -> usize {
        self.state.lock().unwrap().bookmarks_sent
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.state.lock().unwrap().rv
    }
}
