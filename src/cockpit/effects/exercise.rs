//! The exercises' effects: their Prometheus queries, reading an experiment
//! file, counting the pods a fault would touch, and the fault's life on the
//! cluster (applied, deleted, found after a crash), every change audited
//! before it is reported. A fault still in when the cockpit leaves (quit,
//! SIGTERM, SIGHUP) is deleted on the way out.

use std::sync::{Arc, Mutex};

use super::*;
use crate::app::exercise::Ask;
use crate::domain::incident::{Event, EventKind, Outcome};
use crate::sources::kubernetes::{FaultRef, Performed};

/// The faults this cockpit applied and has not seen deleted.
pub(super) type FaultsIn = Arc<Mutex<Vec<FaultRef>>>;

fn lock(f: &FaultsIn) -> std::sync::MutexGuard<'_, Vec<FaultRef>> {
    f.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Effects {
    /// Performs one of the exercises' effects.
    pub(super) fn exercise(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::ExerciseQuery { ask, query } => {
                let prom = self.prometheus.clone();
                let demo = match &self.pods {
                    PodBackend::Demo(_, faults) => Some(faults.clone()),
                    _ => None,
                };
                tokio::spawn(async move {
                    let now = Timestamp::now();
                    let result = match (prom, demo) {
                        (Some(p), _) => p.instant(&query).await.map_err(|e| e.to_string()),
                        (None, Some(faults)) => Ok(demo_answer(&faults, ask, now)),
                        (None, None) => Err("no Prometheus is configured".to_string()),
                    };
                    let _ = tx
                        .send(Msg::ExerciseAnswer {
                            ask,
                            at: Timestamp::now(),
                            result,
                        })
                        .await;
                });
            }
            Effect::LoadExperiment(path) => {
                tokio::task::spawn_blocking(move || {
                    let result = crate::domain::exercise::Experiment::load(&path);
                    let _ = tx.blocking_send(Msg::ExperimentLoaded(result));
                });
            }
            Effect::CountPods {
                namespace,
                selector,
            } => {
                let kube = self.kube();
                let demo = match &self.pods {
                    PodBackend::Demo(s, faults) => Some((*s, faults.clone())),
                    _ => None,
                };
                tokio::spawn(async move {
                    let result = match (kube, demo) {
                        (Some(k), _) => kubernetes::count_pods(&k, &namespace, &selector).await,
                        (None, Some((s, faults))) => {
                            let now = Timestamp::now();
                            let mut pods = s.episode(now).pods(now);
                            faults.shape_pods(&mut pods, now);
                            let sel = crate::domain::selector::Selector::parse(&selector);
                            Ok(pods
                                .iter()
                                .filter(|p| p.namespace == namespace)
                                .filter(|p| sel.as_ref().is_ok_and(|s| s.matches(&p.labels)))
                                .count())
                        }
                        (None, None) => Err("no Kubernetes cluster is configured".into()),
                    };
                    let _ = tx.send(Msg::PodsCounted(result)).await;
                });
            }
            Effect::ApplyFault { manifest, run } => {
                let what = format!(
                    "apply {} {}",
                    manifest
                        .get("kind")
                        .and_then(|k| k.as_str())
                        .unwrap_or("fault"),
                    manifest
                        .pointer("/metadata/name")
                        .and_then(|k| k.as_str())
                        .unwrap_or("")
                );
                let faults_in = self.faults_in.clone();
                match &self.pods {
                    PodBackend::Cluster(kube, _) => {
                        let (kube, audit) = (kube.clone(), self.audit());
                        tokio::spawn(async move {
                            let (done, fault) =
                                kubernetes::apply_fault(&kube, &manifest, &run).await;
                            if let Some(f) = &fault {
                                lock(&faults_in).push(f.clone());
                            }
                            let ns = fault
                                .as_ref()
                                .map(|f| f.namespace.clone())
                                .unwrap_or_default();
                            let written = audited(&kube, audit, &what, &ns, done.clone()).await;
                            let result = match (done.result, fault) {
                                (Ok(_), Some(f)) => Ok(f),
                                (Ok(s), None) => Err(s),
                                (Err(e), _) => Err(e),
                            };
                            let _ = tx.send(Msg::FaultApplied { what, result }).await;
                            report_audit(&tx, written).await;
                        });
                    }
                    PodBackend::Demo(_, faults) => {
                        let result = faults.apply(&manifest, &run, Timestamp::now());
                        if let Ok(f) = &result {
                            lock(&faults_in).push(f.clone());
                        }
                        post(&tx, Msg::FaultApplied { what, result });
                    }
                    PodBackend::None => post(
                        &tx,
                        Msg::FaultApplied {
                            what,
                            result: Err("no Kubernetes cluster is configured".into()),
                        },
                    ),
                }
            }
            Effect::DeleteFault(fault) => {
                let what = format!("delete {}", fault.describe());
                let faults_in = self.faults_in.clone();
                match &self.pods {
                    PodBackend::Cluster(kube, _) => {
                        let (kube, audit) = (kube.clone(), self.audit());
                        tokio::spawn(async move {
                            let done = kubernetes::delete_fault(&kube, &fault).await;
                            if done.result.is_ok() {
                                lock(&faults_in).retain(|f| *f != fault);
                            }
                            let written =
                                audited(&kube, audit, &what, &fault.namespace, done.clone()).await;
                            let _ = tx
                                .send(Msg::FaultDeleted {
                                    what,
                                    result: done.result,
                                })
                                .await;
                            report_audit(&tx, written).await;
                        });
                    }
                    PodBackend::Demo(_, faults) => {
                        let result = Ok(faults.delete(&fault));
                        lock(&faults_in).retain(|f| *f != fault);
                        post(&tx, Msg::FaultDeleted { what, result });
                    }
                    PodBackend::None => post(
                        &tx,
                        Msg::FaultDeleted {
                            what,
                            result: Err("no Kubernetes cluster is configured".into()),
                        },
                    ),
                }
            }
            Effect::FindLeftovers => match &self.pods {
                PodBackend::Cluster(kube, _) => {
                    let kube = kube.clone();
                    tokio::spawn(async move {
                        let result = kubernetes::leftover_faults(&kube).await;
                        let _ = tx.send(Msg::Leftovers(result)).await;
                    });
                }
                PodBackend::Demo(_, faults) => post(&tx, Msg::Leftovers(Ok(faults.present()))),
                PodBackend::None => {}
            },
            _ => {}
        }
    }

    fn audit(&self) -> cluster::Audit {
        cluster::Audit {
            log: AuditLog::new(&self.data_dir),
            author: self.author.clone(),
            incident: self.incident.clone(),
        }
    }

    /// Deletes every fault this cockpit applied that is still in, on the
    /// way out (quit, SIGTERM, SIGHUP): audited, and written to the
    /// game-day's journal with its end. Bounded, so leaving never hangs.
    pub async fn remove_faults(&mut self) {
        let faults: Vec<FaultRef> = std::mem::take(&mut *lock(&self.faults_in));
        if faults.is_empty() {
            return;
        }
        for fault in faults {
            let what = format!("delete {} (the cockpit is leaving)", fault.describe());
            let (ok, outcome) = match &self.pods {
                PodBackend::Cluster(kube, _) => {
                    let kube = kube.clone();
                    let gone = tokio::time::timeout(
                        Duration::from_secs(5),
                        kubernetes::delete_fault(&kube, &fault),
                    )
                    .await;
                    match gone {
                        Ok(done) => {
                            let result = done.result.clone();
                            let _ =
                                audited(&kube, self.audit(), &what, &fault.namespace, done).await;
                            (result.is_ok(), result.unwrap_or_else(|e| e))
                        }
                        Err(_) => (
                            false,
                            "no answer within 5s: the fault ends by its own duration".into(),
                        ),
                    }
                }
                PodBackend::Demo(_, faults) => (true, faults.delete(&fault)),
                PodBackend::None => continue,
            };
            tracing::info!(ok, "{what}: {outcome}");
            if let Some(id) = self.incident.clone() {
                let store = self.store.clone();
                let author = self.author.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    let now = crate::domain::time::to_millis(Timestamp::now());
                    let action = Event::new(
                        now,
                        author.clone(),
                        EventKind::ClusterAction {
                            action: what,
                            ok,
                            outcome,
                        },
                    );
                    let ended = Event::new(
                        now,
                        author,
                        EventKind::ExperimentEnded {
                            outcome: Outcome::Stopped,
                            why: "the cockpit left during the window; its fault was deleted".into(),
                            evidence: None,
                            series: Vec::new(),
                        },
                    )
                    .as_fact(&id, "ended");
                    let _ = store.append(&id, &action);
                    let _ = store.append(&id, &ended);
                })
                .await;
            }
        }
    }
}

/// The demo's answers: the simulated abort metric; steady states empty; a
/// drill's recovered query answers once the simulated standby carries
/// traffic, and its RPO query says three seconds.
fn demo_answer(
    faults: &crate::sources::demo::chaos::Faults,
    ask: Ask,
    now: Timestamp,
) -> Vec<(String, f64)> {
    match ask {
        Ask::Abort => faults.abort_answer(now),
        Ask::SteadyBefore | Ask::SteadyAfter | Ask::AbortBefore => Vec::new(),
        Ask::Recovered => faults.recovered_answer(now),
        Ask::Rpo => vec![(String::new(), 3.0)],
    }
}

/// Writes a change's audit record durably (when a request was sent).
async fn audited(
    kube: &Kube,
    audit: cluster::Audit,
    what: &str,
    namespace: &str,
    done: Performed,
) -> Result<(), String> {
    let Some(request) = done.request else {
        return Ok(());
    };
    let record = AuditRecord {
        v: crate::journal::audit::AUDIT_VERSION,
        ts: Timestamp::now(),
        author: audit.author,
        host: String::new(),
        context: kube.context.clone(),
        namespace: namespace.to_string(),
        action: what.to_string(),
        incident: audit.incident,
        request,
        answer: done.answer,
    };
    let log = audit.log;
    tokio::task::spawn_blocking(move || log.append(&record).map_err(|e| e.to_string()))
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
}

async fn report_audit(tx: &mpsc::Sender<Msg>, written: Result<(), String>) {
    if let Err(e) = written {
        tracing::error!("audit log not written: {e}");
        let _ = tx.send(Msg::AuditFailed(e)).await;
    }
}
