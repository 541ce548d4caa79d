//! The cluster's effects: a pod's details (events and logs), changes to
//! the cluster (audited before they are reported), and the lookups that
//! answer what owns a pod and how many replicas a workload has.

use super::*;

impl Effects {
    /// Performs one of the cluster's effects.
    pub(super) fn cluster(&mut self, effect: Effect) {
        match effect {
            Effect::ClosePodDetails => {
                if let Some(h) = self.details.take() {
                    h.abort();
                }
            }
            Effect::PodDetails {
                pod,
                container,
                previous,
                follow,
            } => {
                if let Some(h) = self.details.take() {
                    h.abort();
                }
                let tx = self.sources.clone();
                match &self.pods {
                    // Sent from a task: the loop that would take them in is
                    // the one running this, and the channel is bounded.
                    PodBackend::None => {
                        tokio::spawn(async move {
                            let _ = tx
                                .send(SourceMsg::PodEvents {
                                    pod,
                                    result: Err("no Kubernetes cluster is configured".into()),
                                })
                                .await;
                        });
                    }
                    PodBackend::Demo(scenario, _) => {
                        let (events, lines) =
                            scenario.pod_details(&pod.name, previous, jiff::Timestamp::now());
                        tokio::spawn(async move {
                            let events = SourceMsg::PodEvents {
                                pod: pod.clone(),
                                result: Ok(events),
                            };
                            if tx.send(events).await.is_ok() {
                                let log = SourceMsg::PodLog {
                                    pod,
                                    lines: Ok(lines),
                                    done: true,
                                };
                                let _ = tx.send(log).await;
                            }
                        });
                    }
                    PodBackend::Cluster(kube, _) => {
                        let kube = kube.clone();
                        self.details = Some(tokio::spawn(async move {
                            let result =
                                kubernetes::pod_events(&kube, &pod.namespace, &pod.name).await;
                            if tx
                                .send(SourceMsg::PodEvents {
                                    pod: pod.clone(),
                                    result,
                                })
                                .await
                                .is_err()
                            {
                                return;
                            }
                            kubernetes::stream_logs(kube, pod, container, previous, follow, tx)
                                .await;
                        }));
                    }
                }
            }
            Effect::Cluster(action) => {
                let tx = self.tx.clone();
                let what = action.describe();
                match &self.pods {
                    PodBackend::Cluster(kube, _) => {
                        let audit = Audit {
                            log: AuditLog::new(&self.data_dir),
                            author: self.author.clone(),
                            incident: self.incident.clone(),
                        };
                        tokio::spawn(cluster_change(kube.clone(), action, audit, tx));
                    }
                    _ => {
                        post(
                            &tx,
                            Msg::ClusterDone {
                                action: what,
                                result: Err("no Kubernetes cluster is configured".into()),
                            },
                        );
                    }
                }
            }
            Effect::ReplicasNow {
                namespace,
                workload,
            } => {
                let tx = self.tx.clone();
                let kube = self.kube();
                tokio::spawn(async move {
                    let result = match kube {
                        Some(k) => kubernetes::current_replicas(&k, &namespace, &workload).await,
                        None => Err("no Kubernetes cluster is configured".into()),
                    };
                    let _ = tx
                        .send(Msg::ReplicasNow {
                            namespace,
                            workload,
                            result,
                        })
                        .await;
                });
            }
            Effect::FindOwner { pod, replicaset } => {
                let tx = self.tx.clone();
                let kube = self.kube();
                tokio::spawn(async move {
                    let result = match kube {
                        Some(k) => {
                            kubernetes::replicaset_owner(&k, &pod.namespace, &replicaset).await
                        }
                        None => Err("no Kubernetes cluster is configured".into()),
                    };
                    let _ = tx.send(Msg::OwnerFound { pod, result }).await;
                });
            }
            Effect::FindOwnerScope(pod) => {
                let (tx, kube) = (self.tx.clone(), self.kube());
                tokio::spawn(async move {
                    let result = match kube {
                        Some(k) => kubernetes::owner_selector(&k, &pod.namespace, &pod.name).await,
                        None => Err("no Kubernetes cluster is configured".into()),
                    };
                    let _ = tx.send(Msg::OwnerScope { pod, result }).await;
                });
            }
            _ => {}
        }
    }
}

/// Where and as whom a cluster change is audited.
pub(super) struct Audit {
    pub(super) log: AuditLog,
    pub(super) author: String,
    pub(super) incident: Option<String>,
}

/// Makes a change, writes its audit record durably, and only then reports
/// it to the loop: a change the cockpit says is done is on disk. A record
/// that could not be written is reported after the change, as an error.
async fn cluster_change(
    kube: Kube,
    action: kubernetes::Action,
    audit: Audit,
    tx: mpsc::Sender<Msg>,
) {
    let done = kubernetes::perform_recorded(&kube, &action).await;
    // A request that could not even be built never reached the cluster.
    let written = match done.request {
        Some(request) => {
            let record = AuditRecord {
                v: crate::journal::audit::AUDIT_VERSION,
                ts: Timestamp::now(),
                author: audit.author,
                host: String::new(),
                context: kube.context.clone(),
                namespace: action.namespace().to_string(),
                action: action.describe(),
                incident: audit.incident,
                request,
                answer: done.answer,
            };
            let log = audit.log;
            tokio::task::spawn_blocking(move || log.append(&record).map_err(|e| e.to_string()))
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
        }
        None => Ok(()),
    };
    let _ = tx
        .send(Msg::ClusterDone {
            action: action.describe(),
            result: done.result,
        })
        .await;
    if let Err(e) = written {
        tracing::error!("audit log not written: {e}");
        let _ = tx.send(Msg::AuditFailed(e)).await;
    }
}
