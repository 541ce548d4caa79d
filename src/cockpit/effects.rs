//! The effect runner: performs what the reducer asked for — journal writes,
//! exports, silences, cluster changes, commands, queries — off the loop, and
//! reports each result back as a message.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use jiff::Timestamp;

use crate::app::{Effect, Msg, SilenceDone};
use crate::domain::export;
use crate::domain::incident::RunOutcome;
use crate::exec::RunReport;
use crate::journal::audit::{AuditLog, AuditRecord};
use crate::journal::{Follower, JournalMsg, Store};
use crate::sources::alertmanager::{Alertmanager, NewSilence};
use crate::sources::demo::Scenario;
use crate::sources::kubernetes::{self, Kube, PodScope};
use crate::sources::{MetricRequest, SourceMsg};

mod cluster;
mod evidence;
mod exercise;

/// What effects need: the journal store, the follower of the open incident, and
/// the channels back into the loop and out to the sources.
pub struct Effects {
    store: Store,
    data_dir: PathBuf,
    tx: mpsc::Sender<Msg>,
    query: watch::Sender<Option<MetricRequest>>,
    follower: Option<Follower>,
    alertmanager: Option<Alertmanager>,
    sources: crate::sources::SourceTx,
    matrix: crate::domain::policy::Matrix,
    pods: PodBackend,
    details: Option<tokio::task::JoinHandle<()>>,
    prometheus: Option<crate::sources::prometheus::Prometheus>,
    /// Stop switches of running commands (dropping one stops its command),
    /// and the tasks running them.
    runs: std::collections::HashMap<
        u64,
        (
            tokio::sync::oneshot::Sender<()>,
            tokio::task::JoinHandle<()>,
        ),
    >,
    /// Commands told to stop, not yet confirmed gone.
    stopping: Vec<tokio::task::JoinHandle<()>>,
    /// Who cluster changes are made by, for the audit log.
    author: String,
    /// The incident followed, named in audit records.
    incident: Option<String>,
    /// Game-day faults this cockpit applied and has not seen deleted.
    faults_in: exercise::FaultsIn,
    /// With `--share`: the cluster's share namespace and how to share.
    share: Option<(
        crate::share::client::ShareClient,
        crate::share::sync::ShareOptions,
    )>,
    /// The share task of the incident followed.
    sharing: Option<crate::share::sync::Sharing>,
}

/// What answers the Pods pane's requests.
enum PodBackend {
    /// Nothing: no cluster configured.
    None,
    /// The simulated incident, and the faults applied to it.
    Demo(Scenario, crate::sources::demo::chaos::Faults),
    /// A real cluster, with the watch's scope channel.
    Cluster(Kube, watch::Sender<Option<PodScope>>),
}

impl Effects {
    /// Wires the effect runner to the store, the loop's inbox and the sources'
    /// channels.
    pub fn new(
        store: Store,
        data_dir: PathBuf,
        tx: mpsc::Sender<Msg>,
        query: watch::Sender<Option<MetricRequest>>,
        sources: crate::sources::SourceTx,
    ) -> Self {
        Effects {
            store,
            data_dir,
            tx,
            query,
            follower: None,
            alertmanager: None,
            sources,
            matrix: crate::domain::policy::Matrix::default(),
            pods: PodBackend::None,
            details: None,
            prometheus: None,
            runs: Default::default(),
            stopping: Vec::new(),
            author: String::new(),
            incident: None,
            faults_in: Default::default(),
            share: None,
            sharing: None,
        }
    }

    /// Incidents followed here are shared through this cluster (`--share`).
    pub fn with_share(
        mut self,
        client: crate::share::client::ShareClient,
        options: crate::share::sync::ShareOptions,
    ) -> Self {
        // Which alerts' incidents other hosts have open, for the Alerts pane.
        let tx = self.tx.clone();
        tokio::spawn(crate::share::sync::watch_claims(
            client.clone(),
            std::time::Duration::from_secs(5),
            move |claims| post(&tx, Msg::Claims(claims)),
        ));
        self.share = Some((client, options));
        self
    }

    /// Cluster changes are audited as made by `author`.
    pub fn with_author(mut self, author: String) -> Self {
        self.author = author;
        self
    }

    /// Verify queries go to this Prometheus; without one they are refused.
    pub fn with_prometheus(mut self, p: Option<crate::sources::prometheus::Prometheus>) -> Self {
        self.prometheus = p;
        self
    }

    /// Pod details, logs and actions go to this cluster; the watch follows
    /// the scope sent on `scope`.
    pub fn with_cluster(mut self, kube: Kube, scope: watch::Sender<Option<PodScope>>) -> Self {
        self.pods = PodBackend::Cluster(kube, scope);
        self
    }

    /// The cluster client, when one is configured.
    fn kube(&self) -> Option<Kube> {
        match &self.pods {
            PodBackend::Cluster(kube, _) => Some(kube.clone()),
            _ => None,
        }
    }

    /// Exports judge response times against this severity matrix.
    pub fn with_matrix(mut self, matrix: crate::domain::policy::Matrix) -> Self {
        self.matrix = matrix;
        self
    }

    /// Pod details come from the simulated incident, and game-day faults go
    /// to its simulated cluster.
    pub fn with_demo(
        mut self,
        scenario: Scenario,
        faults: crate::sources::demo::chaos::Faults,
    ) -> Self {
        self.pods = PodBackend::Demo(scenario, faults);
        self
    }

    /// Silences go to this Alertmanager; without one they are refused.
    pub fn with_alertmanager(mut self, am: Option<Alertmanager>) -> Self {
        self.alertmanager = am;
        self
    }

    /// Performs one effect. Anything slow runs on the blocking pool and reports
    /// back as a message.
    pub fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Declare(event) => {
                let (store, tx) = (self.store.clone(), self.tx.clone());
                match self.share.clone() {
                    // Shared: the first host to claim the alert declares.
                    Some((client, options)) => {
                        tokio::spawn(async move {
                            let result = crate::share::declare::declare(
                                &client,
                                &store,
                                event,
                                options.publish,
                            )
                            .await;
                            let _ = tx.send(Msg::Declared(result)).await;
                        });
                    }
                    None => {
                        tokio::task::spawn_blocking(move || {
                            let result = store.open(&event).map_err(|e| e.to_string());
                            let _ = tx.blocking_send(Msg::Declared(result));
                        });
                    }
                }
            }
            Effect::Rejoin(id) => {
                let (store, tx) = (self.store.clone(), self.tx.clone());
                let share = self.share.as_ref().map(|(c, _)| c.clone());
                tokio::spawn(async move {
                    // Shared and not on this host yet: brought from the cluster.
                    if let Some(c) = share
                        && store.path(&id).is_ok_and(|p| !p.exists())
                        && let Err(e) = crate::share::sync::fetch_into(&c, &store, &id).await
                    {
                        let _ = tx.send(Msg::Joined(Err(e))).await;
                        return;
                    }
                    let result = tokio::task::spawn_blocking(move || {
                        store.rejoin(&id).map_err(|e| e.to_string())
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(Msg::Joined(result)).await;
                });
            }
            Effect::Follow { id, from } => {
                self.follower = None;
                self.incident = Some(id.clone());
                self.sharing = self.share.as_ref().map(|(client, options)| {
                    let tx = self.tx.clone();
                    crate::share::sync::Sharing::start(
                        client.clone(),
                        self.store.clone(),
                        id.clone(),
                        options.clone(),
                        move |status| post(&tx, Msg::Share(status)),
                    )
                });
                let shared = self.sharing.as_ref().map(|s| s.sender());
                let tx = self.tx.clone();
                match Follower::start(&self.store, &id, from, move |m| {
                    // What the journal took in goes to the share task too.
                    if let (
                        Some(s),
                        JournalMsg::Events { events, .. } | JournalMsg::Reloaded { events, .. },
                    ) = (&shared, &m)
                    {
                        let _ = s.send(events.clone());
                    }
                    let _ = tx.blocking_send(Msg::Journal(m));
                }) {
                    Ok(f) => self.follower = Some(f),
                    Err(e) => {
                        post(
                            &self.tx,
                            Msg::Journal(JournalMsg::Warning(format!("cannot follow {id}: {e}"))),
                        );
                    }
                }
            }
            Effect::Append(event) => match &self.follower {
                Some(f) => f.append(event),
                None => {
                    post(
                        &self.tx,
                        Msg::Journal(JournalMsg::AppendFailed {
                            id: String::new(),
                            error: "no incident journal is open".into(),
                        }),
                    );
                }
            },
            Effect::Recreate(events) => {
                if let Some(f) = &self.follower {
                    f.recreate(events);
                }
            }
            Effect::Export { id, path } => {
                let (store, tx) = (self.store.clone(), self.tx.clone());
                // The default place is warroom's own folder; one the
                // responder names is theirs.
                let own = path.is_none();
                let path =
                    path.unwrap_or_else(|| self.data_dir.join("exports").join(format!("{id}.md")));
                let matrix = self.matrix.clone();
                tokio::task::spawn_blocking(move || {
                    let result = export_to(&store, &id, &path, own, &matrix).map(|()| path);
                    let _ = tx.blocking_send(Msg::Exported(result));
                });
            }
            Effect::Query(q) => {
                self.query.send_replace(q);
            }
            Effect::Silence(req) => {
                let tx = self.tx.clone();
                let Some(am) = self.alertmanager.clone() else {
                    post(&tx, Msg::Silenced(Err(NO_AM.into())));
                    return;
                };
                tokio::spawn(async move {
                    let ends_at = req
                        .starts_at
                        .checked_add(
                            jiff::SignedDuration::try_from(req.duration).unwrap_or_default(),
                        )
                        .unwrap_or(req.starts_at);
                    let new = NewSilence {
                        labels: req.labels,
                        starts_at: req.starts_at,
                        ends_at,
                        created_by: req.created_by,
                        comment: req.comment,
                    };
                    let result = am
                        .create_silence(&new)
                        .await
                        .map(|silence_id| SilenceDone {
                            silence_id,
                            alert: req.alert,
                            fingerprint: req.fingerprint,
                            until: ends_at,
                        })
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::Silenced(result)).await;
                });
            }
            Effect::PodScope(scope) => {
                if let PodBackend::Cluster(_, tx) = &self.pods {
                    tx.send_replace(scope);
                }
            }
            e @ (Effect::ExerciseQuery { .. }
            | Effect::LoadExperiment(_)
            | Effect::CountPods { .. }
            | Effect::ApplyFault { .. }
            | Effect::DeleteFault(_)
            | Effect::FindLeftovers) => self.exercise(e),
            Effect::FetchWindow(request) => self.fetch_window(request),
            e @ (Effect::ClosePodDetails
            | Effect::PodDetails { .. }
            | Effect::Cluster(_)
            | Effect::ReplicasNow { .. }
            | Effect::FindOwner { .. }
            | Effect::FindOwnerScope(_)) => self.cluster(e),
            Effect::Run(spec) => {
                // Switches of finished runs are closed; forget them.
                self.runs.retain(|_, (_, task)| !task.is_finished());
                let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
                let (report_tx, mut report_rx) = mpsc::channel(crate::exec::REPORTS_QUEUED);
                let id = spec.id;
                let task = tokio::spawn(crate::exec::run(spec, stop_rx, report_tx));
                self.runs.insert(id, (stop_tx, task));
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    while let Some(r) = report_rx.recv().await {
                        if tx.send(Msg::Run(r)).await.is_err() {
                            return;
                        }
                    }
                });
            }
            Effect::RunQuery { id, query } => {
                self.runs.retain(|_, (_, task)| !task.is_finished());
                let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
                let (tx, prom) = (self.tx.clone(), self.prometheus.clone());
                let demo = match &self.pods {
                    PodBackend::Demo(s, _) => Some(*s),
                    _ => None,
                };
                let task = tokio::spawn(async move {
                    let started = std::time::Instant::now();
                    let ask = async {
                        let now = Timestamp::now();
                        match (prom, demo) {
                            (Some(p), _) => p
                                .query_range(&query, now, QUERY_RANGE, QUERY_STEP)
                                .await
                                .map_err(|e| e.to_string()),
                            (None, Some(s)) => s.metric(
                                &MetricRequest {
                                    query: query.clone(),
                                    range: QUERY_RANGE,
                                    width: 60,
                                },
                                now,
                            ),
                            (None, None) => Err(NO_PROM_QUERY.to_string()),
                        }
                    };
                    let answer = tokio::select! {
                        a = ask => Some(a),
                        _ = stop_rx => None,
                    };
                    let (lines, outcome) = match answer {
                        Some(Ok(data)) => (
                            // A step's query has no `unit:` of its own: its
                            // metric names say what it measures, if anything.
                            crate::domain::metric::answer_lines(
                                &data,
                                "30 minutes",
                                50,
                                crate::domain::unit::guess(&query).unwrap_or_default(),
                            ),
                            RunOutcome::Answered(data.series.len()),
                        ),
                        Some(Err(e)) => (vec![format!("error: {e}")], RunOutcome::Refused(e)),
                        None => (Vec::new(), RunOutcome::Cancelled),
                    };
                    let _ = tx.send(Msg::Run(RunReport::Output { id, lines })).await;
                    let _ = tx
                        .send(Msg::Run(RunReport::Finished {
                            id,
                            outcome,
                            duration: started.elapsed(),
                        }))
                        .await;
                });
                self.runs.insert(id, (stop_tx, task));
            }
            Effect::Copy(text) => {
                // Between frames, on the terminal the cockpit draws on; a
                // terminal without OSC 52 ignores it.
                let copy = crossterm::clipboard::CopyToClipboard::to_clipboard_from(text);
                if let Err(e) = crossterm::execute!(std::io::stdout(), copy) {
                    tracing::warn!("copy to clipboard: {e}");
                }
            }
            Effect::CancelRun(id) => {
                if let Some((stop, task)) = self.runs.remove(&id) {
                    let _ = stop.send(());
                    // Kept so leaving the cockpit can wait for the stop.
                    self.stopping.push(task);
                }
            }
            Effect::CheckQuery { step, query } => {
                let tx = self.tx.clone();
                let Some(p) = self.prometheus.clone() else {
                    let why = if matches!(self.pods, PodBackend::Demo(..)) {
                        "the demo has no Prometheus to ask; a live one checks this"
                    } else {
                        NO_PROM
                    };
                    post(
                        &tx,
                        Msg::QueryChecked {
                            step,
                            query,
                            result: Err(why.into()),
                        },
                    );
                    return;
                };
                tokio::spawn(async move {
                    let result = p.count_instant(&query).await.map_err(|e| e.to_string());
                    let _ = tx
                        .send(Msg::QueryChecked {
                            step,
                            query,
                            result,
                        })
                        .await;
                });
            }
            Effect::RememberCommand(line) => {
                let (data_dir, perms) = (self.data_dir.clone(), self.store.perms());
                tokio::task::spawn_blocking(move || {
                    let uid = super::history::current_uid();
                    // Losing a history line costs a retype, not the record:
                    // it is logged, and the message line stays on the incident.
                    if let Err(e) = super::history::append(&data_dir, perms, uid, &line) {
                        tracing::warn!("command history not saved: {e}");
                    }
                });
            }
            Effect::Unsilence(id) => {
                let tx = self.tx.clone();
                let Some(am) = self.alertmanager.clone() else {
                    post(&tx, Msg::Unsilenced(Err(NO_AM.into())));
                    return;
                };
                tokio::spawn(async move {
                    let result = am.expire_silence(&id).await.map(|()| id);
                    let _ = tx
                        .send(Msg::Unsilenced(result.map_err(|e| e.to_string())))
                        .await;
                });
            }
        }
    }
}

impl Effects {
    /// Reads this Unix user's command history off the loop and hands it to
    /// the reducer, for Up and Down on the `:` line.
    pub fn load_history(&self) {
        let (data_dir, tx) = (self.data_dir.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            match super::history::load(&data_dir, super::history::current_uid()) {
                Ok(lines) => {
                    let _ = tx.blocking_send(Msg::HistoryLoaded(lines));
                }
                Err(e) => tracing::warn!("command history not read: {e}"),
            }
        });
    }

    /// Stops every command still running and waits (a few seconds at most)
    /// for their process groups to be gone, so leaving the cockpit leaves no
    /// runbook command behind.
    pub async fn stop_commands(&mut self) {
        let mut tasks = std::mem::take(&mut self.stopping);
        for (_, (stop, task)) in self.runs.drain() {
            let _ = stop.send(());
            tasks.push(task);
        }
        let all = async {
            for t in tasks {
                let _ = t.await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(4), all).await;
    }
}

const NO_PROM: &str =
    "verify queries need a Prometheus: set prometheus.url in the config or pass --prometheus URL";

/// How far back a step's query looks, and between samples.
const QUERY_RANGE: std::time::Duration = std::time::Duration::from_secs(30 * 60);
const QUERY_STEP: std::time::Duration = std::time::Duration::from_secs(30);

const NO_PROM_QUERY: &str =
    "queries need a Prometheus: set prometheus.url in the config or pass --prometheus URL";

const NO_AM: &str =
    "silences need an Alertmanager: set alertmanager.url in the config or pass --alertmanager URL";

/// Writes the postmortem draft of `id` to `path`.
pub fn export_to(
    store: &Store,
    id: &str,
    path: &std::path::Path,
    own: bool,
    matrix: &crate::domain::policy::Matrix,
) -> Result<(), String> {
    let loaded = store.load(id).map_err(|e| e.to_string())?;
    let collected = export::Collect::whole(&loaded.events).map_err(|e| e.to_string())?;
    let (inc, mut report) = export::finish(collected, matrix);
    let journal = store.path(id).map_err(|e| e.to_string())?;
    let perms = store.perms();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let made = if own {
            perms.own_dir(parent)
        } else {
            perms.create_dir_all(parent)
        };
        made.map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    // The charts beside the draft, as `warroom export -o` writes them.
    crate::draft::pictures(&mut report, &inc, path, &perms).map_err(|e| e.to_string())?;
    let mut md = Vec::new();
    export::write_markdown(&mut md, &inc, &report, export::DEFAULT_TEMPLATE)
        .map_err(|e| e.to_string())?;
    md.extend_from_slice(
        export::gaps_section(&export::gaps(&loaded.warnings, &journal)).as_bytes(),
    );
    perms
        .write(path, &md)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Sends a report from the loop's own thread without waiting: when the
/// queue is full it is sent from a task instead, so nothing is lost and
/// the loop never blocks on itself.
fn post(tx: &mpsc::Sender<Msg>, msg: Msg) {
    if let Err(mpsc::error::TrySendError::Full(msg)) = tx.try_send(msg) {
        let tx = tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(msg).await;
        });
    }
}
