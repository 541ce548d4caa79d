//! The demo's chaos: faults "applied" to the simulated cluster, so a
//! game-day (and a drill's queries) can be tried with no cluster and no
//! Prometheus. A pod-kill takes one simulated pod down and a replacement
//! comes up; a network delay of 200 ms or more drives the simulated p99
//! latency over its abort threshold after ten seconds, so the experiment
//! that is too aggressive aborts, as it would in a real cluster.

use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use serde_json::Value;

use crate::domain::pod::Pod;
use crate::sources::kubernetes::FaultRef;

/// One fault in the simulated cluster.
#[derive(Debug, Clone)]
struct Applied {
    fault: FaultRef,
    manifest: Value,
    at: Timestamp,
}

/// The faults in the simulated cluster, shared by the demo's pod source and
/// the cockpit's effects.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Applied>>>, Arc<Mutex<Option<Timestamp>>>);

/// Seconds the simulated standby region takes to carry traffic after a
/// drill first asks whether it does.
const FAILOVER_SECS: i64 = 45;

/// Seconds a network delay takes to push the simulated p99 over the line.
const DELAY_BITES_AFTER: i64 = 10;

impl Faults {
    fn with<T>(&self, f: impl FnOnce(&mut Vec<Applied>) -> T) -> T {
        let mut g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut g)
    }

    /// Applies a fault (replacing one of the same name).
    pub fn apply(&self, manifest: &Value, run: &str, now: Timestamp) -> Result<FaultRef, String> {
        let text = |p: &str| {
            manifest
                .pointer(p)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (Some(kind), Some(name)) = (text("/kind"), text("/metadata/name")) else {
            return Err("the fault needs a kind and metadata.name".into());
        };
        let fault = FaultRef {
            api_version: text("/apiVersion").unwrap_or_default(),
            kind,
            namespace: text("/metadata/namespace").unwrap_or_else(|| "shop".into()),
            name,
            run: crate::sources::kubernetes::label_value(run),
        };
        self.with(|v| {
            v.retain(|a| a.fault.name != fault.name || a.fault.namespace != fault.namespace);
            v.push(Applied {
                fault: fault.clone(),
                manifest: manifest.clone(),
                at: now,
            });
        });
        Ok(fault)
    }

    /// Deletes a fault; one already gone is fine.
    pub fn delete(&self, fault: &FaultRef) -> String {
        let had = self.with(|v| {
            let n = v.len();
            v.retain(|a| a.fault.name != fault.name || a.fault.namespace != fault.namespace);
            n != v.len()
        });
        if had {
            format!("{} deleted", fault.describe())
        } else {
            format!("{}: already gone", fault.describe())
        }
    }

    /// The simulated answer to a drill's recovered query: traffic on the
    /// standby region, [`FAILOVER_SECS`] after the drill first asks.
    pub fn recovered_answer(&self, now: Timestamp) -> Vec<(String, f64)> {
        let mut first = self
            .1
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let since = *first.get_or_insert(now);
        if now.duration_since(since).as_secs() >= FAILOVER_SECS {
            vec![("{region=\"standby\"}".into(), 1.0)]
        } else {
            Vec::new()
        }
    }

    /// Faults still in (after a crash, in a real cluster).
    pub fn present(&self) -> Vec<FaultRef> {
        self.with(|v| v.iter().map(|a| a.fault.clone()).collect())
    }

    /// The simulated answer to a game-day's abort query: the p99 latency
    /// once a delay of 200 ms or more has been in for ten seconds.
    pub fn abort_answer(&self, now: Timestamp) -> Vec<(String, f64)> {
        self.with(|v| {
            v.iter()
                .filter(|a| a.fault.kind == "NetworkChaos")
                .filter(|a| now.duration_since(a.at).as_secs() >= DELAY_BITES_AFTER)
                .filter_map(|a| {
                    let latency = a
                        .manifest
                        .pointer("/spec/delay/latency")
                        .and_then(Value::as_str)
                        .and_then(|l| l.strip_suffix("ms"))
                        .and_then(|l| l.parse::<f64>().ok())?;
                    (latency >= 200.0).then(|| {
                        (
                            "{service=\"checkout\"}".to_string(),
                            0.25 + latency / 1000.0,
                        )
                    })
                })
                .collect()
        })
    }

    /// Pods as the faults leave them: a pod-kill takes the first pod its
    /// selector matches down for a moment and a replacement comes up.
    pub fn shape_pods(&self, pods: &mut [Pod], now: Timestamp) {
        let kills: Vec<Applied> = self.with(|v| {
            v.iter()
                .filter(|a| a.fault.kind == "PodChaos")
                .cloned()
                .collect()
        });
        for a in kills {
            let wanted = a
                .manifest
                .pointer("/spec/selector/labelSelectors")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let Some(i) = pods.iter().position(|p| {
                wanted
                    .iter()
                    .all(|(k, v)| p.labels.get(k).map(String::as_str) == v.as_str())
            }) else {
                continue;
            };
            let secs = now.duration_since(a.at).as_secs();
            let victim = &mut pods[i];
            if secs < 5 {
                victim.status = "Terminating".into();
                victim.ready = 0;
            } else {
                // The replacement: a new name, young, ready once started.
                let base = victim
                    .name
                    .rsplit_once('-')
                    .map_or(victim.name.clone(), |(b, _)| b.to_string());
                victim.name = format!("{base}-chaos{}", a.at.as_second() % 1000);
                victim.created_at = a.at;
                victim.restarts = 0;
                victim.last_exit = None;
                if secs < 15 {
                    victim.status = "ContainerCreating".into();
                    victim.ready = 0;
                } else {
                    victim.status = "Running".into();
                    victim.ready = victim.containers;
                }
            }
        }
    }
}
