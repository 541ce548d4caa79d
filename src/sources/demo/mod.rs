//! The embedded demo incident: a deterministic simulation of a bad night in a
//! `shop` namespace, served through the same messages a live source sends.
//!
//! Everything is a pure function of the scenario start `t0` and the current time,
//! so tests can render any moment of the story exactly.

pub mod chaos;

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use super::kubernetes::EventLine;
use super::{MetricRequest, SourceMsg};
use crate::domain::alert::Alert;
use crate::domain::metric::{MetricData, Series};
use crate::domain::pod::{Owner, Pod};
use crate::domain::time::utc_clock;

/// The story repeats every 20 minutes, so a demo left running stays alive.
pub const PERIOD_SECS: i64 = 1200;

/// Name shown as the source in pane titles.
pub const SOURCE: &str = "demo";

/// One simulated incident, anchored at `t0` (the moment the demo starts).
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// The moment the story starts; alerts already firing began before it.
    pub t0: Timestamp,
}

struct AlertSpec {
    name: &'static str,
    severity: &'static str,
    /// Seconds relative to t0; negative means already firing at start.
    from: i64,
    until: Option<i64>,
    labels: &'static [(&'static str, &'static str)],
    summary: &'static str,
    description: &'static str,
}

const ALERTS: &[AlertSpec] = &[
    AlertSpec {
        name: "CatalogP99Latency",
        severity: "critical",
        from: -420,
        until: Some(960),
        labels: &[
            ("namespace", "shop"),
            ("service", "catalog"),
            ("job", "catalog"),
            ("team", "storefront"),
        ],
        summary: "catalog p99 latency is above 500ms",
        description: "99th percentile latency of the catalog API has been above 500ms for 5 minutes.",
    },
    AlertSpec {
        name: "CheckoutErrorBudgetBurn",
        severity: "critical",
        from: -180,
        until: Some(480),
        labels: &[
            ("namespace", "shop"),
            ("service", "checkout"),
            ("slo", "checkout-availability"),
            ("team", "payments"),
        ],
        summary: "checkout is burning its error budget 14x too fast",
        description: "5xx ratio over 1h and 5m windows exceeds 14.4x the SLO burn rate.",
    },
    AlertSpec {
        name: "KubePodCrashLooping",
        severity: "warning",
        from: -300,
        until: Some(600),
        labels: &[
            ("namespace", "shop"),
            ("pod", "catalog-7d9f8b6c5-x2k4q"),
            ("container", "catalog"),
            ("deployment", "catalog"),
        ],
        summary: "pod shop/catalog-7d9f8b6c5-x2k4q is crash looping",
        description: "Container catalog restarted more than 3 times in 10 minutes.",
    },
    AlertSpec {
        name: "CertificateExpiringSoon",
        severity: "info",
        from: -10_800,
        until: None,
        labels: &[
            ("namespace", "ingress"),
            ("certificate", "shop-tls"),
            ("issuer", "letsencrypt-prod"),
        ],
        summary: "certificate ingress/shop-tls expires in less than 14 days",
        description: "cert-manager has not renewed shop-tls; renewal normally happens 30 days ahead.",
    },
    AlertSpec {
        name: "QueueBacklogGrowing",
        severity: "warning",
        from: 90,
        until: Some(420),
        labels: &[
            ("namespace", "shop"),
            ("queue", "orders"),
            ("consumer", "orders-consumer"),
            ("team", "payments"),
        ],
        summary: "orders queue backlog above 10k messages and growing",
        description: "Ready messages in the orders queue grew for 5 minutes; consumers are falling behind.",
    },
    AlertSpec {
        name: "KubeDeploymentReplicasMismatch",
        severity: "warning",
        from: 150,
        until: Some(660),
        labels: &[
            ("namespace", "shop"),
            ("deployment", "catalog"),
            ("team", "storefront"),
        ],
        summary: "deployment shop/catalog has unavailable replicas",
        description: "Deployment catalog has not matched its desired replicas for 2 minutes.",
    },
];

impl Scenario {
    /// A story starting at `t0`.
    pub fn new(t0: Timestamp) -> Self {
        Scenario { t0 }
    }

    /// The repetition of the story that `now` falls in.
    pub fn episode(&self, now: Timestamp) -> Scenario {
        let n = self.elapsed(now).max(0) / PERIOD_SECS;
        Scenario::new(self.at(n * PERIOD_SECS))
    }

    fn at(&self, secs: i64) -> Timestamp {
        self.t0
            .checked_add(SignedDuration::from_secs(secs))
            .unwrap_or(self.t0)
    }

    fn elapsed(&self, now: Timestamp) -> i64 {
        now.duration_since(self.t0).as_secs()
    }

    /// Alerts firing at `now`.
    pub fn alerts(&self, now: Timestamp) -> Vec<Alert> {
        let t = self.elapsed(now);
        ALERTS
            .iter()
            .filter(|a| a.from <= t && a.until.is_none_or(|u| t < u))
            .map(|a| {
                let mut labels: BTreeMap<String, String> = a
                    .labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                labels.insert("alertname".into(), a.name.into());
                labels.insert("severity".into(), a.severity.into());
                let annotations = [("summary", a.summary), ("description", a.description)]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                Alert {
                    fingerprint: Alert::fingerprint_of(&labels),
                    labels,
                    annotations,
                    starts_at: self.at(a.from),
                    ..Alert::default()
                }
            })
            .collect()
    }

    /// Recent events and log lines for a demo pod, as a cluster would give
    /// them: the crash-looping replica backs off and logs its failing start.
    pub fn pod_details(
        &self,
        pod: &str,
        previous: bool,
        now: Timestamp,
    ) -> (Vec<EventLine>, Vec<String>) {
        let pod_now = self.pods(now).into_iter().find(|p| p.name == pod);
        let crashing = pod_now
            .as_ref()
            .is_some_and(|p| p.status == "CrashLoopBackOff" || p.restarts > 0);
        let ago = |s: i64| Some(now - SignedDuration::from_secs(s));
        let event = |at, kind: &str, reason: &str, message: &str, count| EventLine {
            at,
            kind: kind.into(),
            reason: reason.into(),
            message: message.into(),
            count,
        };
        let mut events = vec![event(
            ago(3600),
            "Normal",
            "Scheduled",
            &format!("Successfully assigned shop/{pod}"),
            1,
        )];
        let clock = |s: i64| utc_clock(now - SignedDuration::from_secs(s));
        let mut log: Vec<String> = (0..40)
            .map(|i| {
                format!(
                    "{} INFO  GET /api/products/{} 200 {}ms",
                    clock(200 - i * 5),
                    1000 + i * 7,
                    40 + (i * 13) % 90
                )
            })
            .collect();
        if crashing {
            events.push(event(
                ago(240),
                "Warning",
                "BackOff",
                "Back-off restarting failed container catalog",
                14,
            ));
            events.push(event(
                ago(90),
                "Normal",
                "Pulled",
                "Container image \"catalog:1.5.0\" already present on machine",
                7,
            ));
            if previous {
                log = vec![
                    format!("{} INFO  starting catalog 1.5.0", clock(95)),
                    format!("{} INFO  connecting to postgres catalog-db:5432", clock(94)),
                    format!(
                        "{} ERROR pool: timeout after 5s waiting for a connection",
                        clock(89)
                    ),
                    format!(
                        "{} FATAL cannot start without the database, exiting 1",
                        clock(89)
                    ),
                ];
            }
        }
        (events, log)
    }

    /// Pods in the `shop` namespace at `now`.
    pub fn pods(&self, now: Timestamp) -> Vec<Pod> {
        let t = self.elapsed(now);
        let mut pods = Vec::new();
        let mut pod = |name: &str,
                       app: &str,
                       age: i64,
                       node: &str,
                       status: &str,
                       ready: (u32, u32),
                       restarts: u32| {
            // Named like a Deployment's pods: <deployment>-<template hash>-<id>.
            let rs = name.rsplit_once('-').map_or(name, |(rs, _)| rs);
            let hash = rs.rsplit_once('-').map_or("", |(_, h)| h);
            pods.push(Pod {
                namespace: "shop".into(),
                name: name.into(),
                labels: [
                    ("app".to_string(), app.to_string()),
                    ("pod-template-hash".to_string(), hash.to_string()),
                ]
                .into(),
                ready: ready.0,
                containers: ready.1,
                status: status.into(),
                restarts,
                created_at: self.at(-age),
                node: node.into(),
                container_names: vec![app.to_string()],
                owner: Some(Owner {
                    kind: "ReplicaSet".into(),
                    name: rs.to_string(),
                }),
                last_restart: None,
                // A crash loop's earlier run ran out of memory.
                last_exit: (restarts > 0).then(|| "OOMKilled, exit 137".to_string()),
            });
        };
        // The crash-looping catalog replica recovers ten minutes in.
        let (status, ready, restarts) = if (-300..600).contains(&t) {
            let cycle = (t + 300).rem_euclid(75);
            let restarts = 3 + ((t + 300) / 75) as u32;
            match cycle {
                0..=7 => ("Running", (0, 1), restarts),
                8..=11 => ("Error", (0, 1), restarts),
                _ => ("CrashLoopBackOff", (0, 1), restarts),
            }
        } else if t >= 600 {
            ("Running", (1, 1), 3 + (900 / 75))
        } else {
            ("Running", (1, 1), 0)
        };
        pod(
            "catalog-7d9f8b6c5-x2k4q",
            "catalog",
            86_400 * 2,
            "node-b",
            status,
            ready,
            restarts,
        );
        pod(
            "catalog-7d9f8b6c5-m8w2n",
            "catalog",
            86_400 * 2,
            "node-a",
            "Running",
            (1, 1),
            0,
        );
        pod(
            "catalog-7d9f8b6c5-p5r7t",
            "catalog",
            86_400 * 2 - 300,
            "node-c",
            "Running",
            (1, 1),
            0,
        );
        // A bad rollout of catalog is stuck on its image, then rolled back.
        if (150..660).contains(&t) {
            let status = if t < 190 {
                "ContainerCreating"
            } else {
                "ImagePullBackOff"
            };
            pod(
                "catalog-85f6d4c7b-zz9q1",
                "catalog",
                t - 150,
                "node-a",
                status,
                (0, 1),
                0,
            );
        }
        pod(
            "checkout-5c6b7d8f9-a1b2c",
            "checkout",
            86_400 * 5,
            "node-a",
            "Running",
            (2, 2),
            0,
        );
        pod(
            "checkout-5c6b7d8f9-d3e4f",
            "checkout",
            86_400 * 5,
            "node-c",
            "Running",
            (2, 2),
            1,
        );
        // The orders consumer runs out of memory while the backlog grows.
        let (status, ready, restarts) = match t {
            200..=219 => ("OOMKilled", (0, 1), 1),
            220..=239 => ("CrashLoopBackOff", (0, 1), 1),
            t if t >= 240 => ("Running", (1, 1), 1),
            _ => ("Running", (1, 1), 0),
        };
        pod(
            "orders-consumer-6f8d9c7b5-k2l3m",
            "orders-consumer",
            86_400,
            "node-b",
            status,
            ready,
            restarts,
        );
        pod(
            "orders-consumer-6f8d9c7b5-q7w8e",
            "orders-consumer",
            86_400,
            "node-c",
            "Running",
            (1, 1),
            0,
        );
        pod(
            "payments-api-7b6c5d4e3-r4t5y",
            "payments-api",
            86_400 * 9,
            "node-b",
            "Running",
            (2, 2),
            0,
        );
        pod(
            "db-migrate-28841730-h8j9k",
            "db-migrate",
            3_600 * 5,
            "node-a",
            "Completed",
            (0, 1),
            0,
        );
        pods
    }

    /// A range query over the last 15 minutes, 15 s apart. Queries the demo does
    /// not simulate get an honest error rather than made-up data.
    pub fn metric(&self, req: &MetricRequest, now: Timestamp) -> Result<MetricData, String> {
        let curve = Curve::for_query(&req.query)
            .ok_or_else(|| "the demo has no simulated data for this query".to_string())?;
        let step = req.step().as_secs().max(1) as i64;
        let end = now.as_second() - now.as_second().rem_euclid(step);
        let n = (req.range.as_secs() as i64 / step).max(1);
        let t0 = self.t0.as_second();
        let points: Vec<(f64, f64)> = (0..=n)
            .map(|i| end - (n - i) * step)
            .map(|ts| (ts as f64, curve.value(ts - t0)))
            .collect();
        Ok(MetricData {
            query: req.query.clone(),
            series: vec![Series {
                name: curve.name().into(),
                points,
            }],
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Curve {
    Latency,
    ErrorRatio,
    Restarts,
    Backlog,
    CertDays,
    Unavailable,
}

/// Linear interpolation between (t, v) knots, flat outside them.
fn knots(t: f64, k: &[(f64, f64)]) -> f64 {
    let Some(first) = k.first() else { return 0.0 };
    if t <= first.0 {
        return first.1;
    }
    for w in k.windows(2) {
        let ((t1, v1), (t2, v2)) = (w[0], w[1]);
        if t <= t2 {
            return v1 + (v2 - v1) * (t - t1) / (t2 - t1);
        }
    }
    k.last().map_or(0.0, |l| l.1)
}

impl Curve {
    fn for_query(q: &str) -> Option<Curve> {
        let q = q.to_ascii_lowercase();
        let has = |s: &str| q.contains(s);
        Some(if has("http_request_duration") {
            Curve::Latency
        } else if has("http_requests_total") {
            Curve::ErrorRatio
        } else if has("restarts_total") {
            Curve::Restarts
        } else if has("queue_messages") {
            Curve::Backlog
        } else if has("expiration_timestamp") {
            Curve::CertDays
        } else if has("replicas_unavailable") {
            Curve::Unavailable
        } else {
            return None;
        })
    }

    fn name(self) -> &'static str {
        match self {
            Curve::Latency => "{service=\"catalog\"}",
            Curve::ErrorRatio => "{service=\"checkout\"}",
            Curve::Restarts => "{pod=\"catalog-7d9f8b6c5-x2k4q\"}",
            Curve::Backlog => "{queue=\"orders\"}",
            Curve::CertDays => "{certificate=\"shop-tls\"}",
            Curve::Unavailable => "{deployment=\"catalog\"}",
        }
    }

    /// Value `t` seconds after the scenario start, with a small deterministic wobble.
    fn value(self, t: i64) -> f64 {
        let x = t as f64;
        let wobble = ((x / 37.0).sin() + (x / 11.0).sin() * 0.5) / 1.5;
        match self {
            Curve::Latency => {
                knots(
                    x,
                    &[
                        (-900.0, 0.21),
                        (-480.0, 0.24),
                        (-300.0, 0.78),
                        (-60.0, 1.15),
                        (780.0, 1.05),
                        (930.0, 0.28),
                    ],
                ) * (1.0 + 0.06 * wobble)
            }
            Curve::ErrorRatio => {
                knots(
                    x,
                    &[
                        (-600.0, 0.002),
                        (-240.0, 0.004),
                        (-150.0, 0.041),
                        (420.0, 0.046),
                        (480.0, 0.003),
                    ],
                ) * (1.0 + 0.1 * wobble)
            }
            Curve::Restarts => {
                if x < -300.0 {
                    0.0
                } else {
                    ((x.min(600.0) + 300.0) / 75.0).floor() + 3.0
                }
            }
            Curve::Backlog => {
                knots(
                    x,
                    &[
                        (0.0, 180.0),
                        (90.0, 9_000.0),
                        (300.0, 48_000.0),
                        (420.0, 2_000.0),
                        (500.0, 150.0),
                    ],
                ) * (1.0 + 0.03 * wobble)
            }
            Curve::CertDays => 12.4 - x / 86_400.0,
            Curve::Unavailable => {
                if (150.0..660.0).contains(&x) {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// Runs the demo source until the receiver goes away: alerts and pods every
/// second, the metric every five seconds and whenever the wanted query changes.
pub async fn run(
    scenario: Scenario,
    faults: chaos::Faults,
    tx: super::SourceTx,
    mut query: watch::Receiver<Option<MetricRequest>>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut n: u64 = 0;
    loop {
        let send_metric = tokio::select! {
            _ = tick.tick() => {
                let now = Timestamp::now();
                let ep = scenario.episode(now);
                let alerts = SourceMsg::Alerts { source: SOURCE.into(), result: Ok(ep.alerts(now)) };
                let mut pods = ep.pods(now);
                faults.shape_pods(&mut pods, now);
                let pods = SourceMsg::Pods { source: SOURCE.into(), result: Ok(pods) };
                if tx.send(alerts).await.is_err() || tx.send(pods).await.is_err() {
                    return;
                }
                n += 1;
                (n - 1).is_multiple_of(5)
            }
            changed = query.changed() => {
                if changed.is_err() {
                    return;
                }
                true
            }
        };
        let wanted = if send_metric {
            query.borrow_and_update().clone()
        } else {
            None
        };
        if let Some(req) = wanted {
            let now = Timestamp::now();
            let result = scenario.episode(now).metric(&req, now);
            if tx
                .send(SourceMsg::Metric {
                    source: SOURCE.into(),
                    query: req.query,
                    result,
                })
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
