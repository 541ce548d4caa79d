//! The share task of one incident: the local journal stays the durable
//! record; every event in it (already fsynced) is published, in order, as a
//! create-only object; everyone else's objects come in through a label
//! watch and are appended to the local journal once each, where the
//! journal's follower takes them to the screen like any other line. With
//! the API server away the events wait and go, in order, when it is back;
//! an RBAC refusal stops publishing and says so, and the incident goes on
//! locally.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::client::{ShareClient, ShareError, Watched, selector};
pub use super::fetch::{fetch_into, watch_claims};
use super::objects::{Parts, event_objects, incident_label, shareable};
use crate::domain::incident::{Event, EventKind};
use crate::journal::Store;

/// Creates sent at once while events wait.
const IN_FLIGHT: usize = 16;
/// How long after an RBAC refusal the cluster is asked again: a Role
/// granted mid-incident lets the waiting events go without a restart.
const REFUSED_RETRY: Duration = Duration::from_secs(10);
/// How often an idle share task asks whether the API server answers.
const PROBE_EVERY: Duration = Duration::from_secs(10);

/// How sharing stands, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareStatus {
    /// Everything this host wrote is in the cluster.
    Live,
    /// Events wait for the API server.
    Offline {
        /// How many.
        waiting: usize,
        /// What the server (or its absence) said.
        why: String,
    },
    /// RBAC refused, or the share namespace is missing: nothing is
    /// published while it lasts (the cluster is asked again every 10 s);
    /// the incident goes on locally.
    Forbidden(String),
    /// `--read-only`: others' events are followed, none published.
    Following,
    /// Everything else is published, but the cluster would not take some
    /// events (it found them invalid): they stay in this host's journal.
    Partial {
        /// How many were refused.
        refused: usize,
        /// What the server said of the latest.
        why: String,
    },
    /// Declared here while the cluster was away, and another host's
    /// incident for the same alert claimed it first: this one's entries
    /// moved there, and the cockpit goes on in it.
    Merged {
        /// The incident that goes on.
        into: String,
        /// How many entries moved.
        entries: usize,
    },
}

impl ShareStatus {
    /// The words on the status line.
    pub fn text(&self) -> String {
        match self {
            ShareStatus::Live => "share: live".into(),
            ShareStatus::Offline { waiting: 0, .. } => "share: offline (no answer)".into(),
            ShareStatus::Offline { waiting, .. } => {
                format!(
                    "share: offline, {waiting} event{} waiting",
                    if *waiting == 1 { "" } else { "s" }
                )
            }
            ShareStatus::Forbidden(_) => "share: refused by the cluster, kept local".into(),
            ShareStatus::Following => "share: read-only, following (publishing nothing)".into(),
            ShareStatus::Merged { into, .. } => format!("share: merged into {into}"),
            ShareStatus::Partial { refused, .. } => format!(
                "share: live, {refused} event{} refused by the cluster (kept here)",
                if *refused == 1 { "" } else { "s" }
            ),
        }
    }
}

/// What a share task does.
#[derive(Debug, Clone)]
pub struct ShareOptions {
    /// Publish command output too (`share: {output: true}`).
    pub output: bool,
    /// Publish at all (`false` with `--read-only`).
    pub publish: bool,
    /// Who records what the task writes (its start, a merge).
    pub author: String,
}

/// A running share task; dropping it stops the task.
pub struct Sharing {
    events: mpsc::UnboundedSender<Vec<Event>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sharing {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sharing {
    /// Starts sharing `incident`: its journal in `store` is read whole, what
    /// the cluster lacks is published, and `status` hears how it stands.
    pub fn start(
        client: ShareClient,
        store: Store,
        incident: String,
        options: ShareOptions,
        status: impl Fn(ShareStatus) + Send + 'static,
    ) -> Sharing {
        let (events, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(client, store, incident, options, rx, status));
        Sharing { events, task }
    }

    /// Events the local journal took in (read back by its follower).
    pub fn local(&self, events: Vec<Event>) {
        let _ = self.events.send(events);
    }

    /// Where the journal's follower hands its events, from its own thread.
    pub fn sender(&self) -> mpsc::UnboundedSender<Vec<Event>> {
        self.events.clone()
    }
}

/// What the task knows.
pub(super) struct State {
    /// Ids in the local journal.
    local: HashSet<String>,
    /// Ids in the cluster.
    pub(super) published: HashSet<String>,
    /// Local events the cluster lacks, in journal order.
    pub(super) waiting: VecDeque<Event>,
    /// Publishing stopped by RBAC.
    forbidden: Option<String>,
    /// Why the last try failed, while the server is away.
    away: Option<String>,
    /// Events the cluster will not take, and why the latest was refused.
    refused: (usize, String),
    /// The incident's declaration (its event id), whose object the probe
    /// asks for.
    anchor: Option<String>,
    /// The alert's claim names this incident: nothing is published before
    /// (a declaration made offline may yet be merged into another).
    settled: bool,
}

impl State {
    fn take_local(&mut self, e: Event, publish: bool) {
        if e.id.is_empty() || !self.local.insert(e.id.clone()) {
            return;
        }
        if publish && !self.published.contains(&e.id) {
            self.waiting.push_back(e);
        }
    }

    fn status(&self, publish: bool) -> ShareStatus {
        if let Some(why) = &self.forbidden {
            return ShareStatus::Forbidden(why.clone());
        }
        if !publish {
            return ShareStatus::Following;
        }
        match &self.away {
            Some(why) => ShareStatus::Offline {
                waiting: self.waiting.len(),
                why: why.clone(),
            },
            None if self.waiting.is_empty() && self.refused.0 > 0 => ShareStatus::Partial {
                refused: self.refused.0,
                why: self.refused.1.clone(),
            },
            None if self.waiting.is_empty() => ShareStatus::Live,
            None => ShareStatus::Offline {
                waiting: self.waiting.len(),
                why: "publishing".into(),
            },
        }
    }
}

async fn run(
    client: ShareClient,
    store: Store,
    incident: String,
    options: ShareOptions,
    rx: mpsc::UnboundedReceiver<Vec<Event>>,
    status: impl Fn(ShareStatus),
) {
    let mut s = State {
        local: HashSet::new(),
        published: HashSet::new(),
        waiting: VecDeque::new(),
        forbidden: None,
        away: None,
        refused: (0, String::new()),
        anchor: None,
        settled: !options.publish,
    };
    let read = {
        let (store, id) = (store.clone(), incident.clone());
        tokio::task::spawn_blocking(move || store.load(&id)).await
    };
    let mut declaration = None;
    if let Ok(Ok(loaded)) = read {
        for e in loaded.events {
            if matches!(e.kind, EventKind::Declared { .. }) && declaration.is_none() {
                declaration = Some(e.clone());
                s.anchor = Some(e.id.clone());
            }
            s.take_local(e, options.publish);
        }
    }
    let task = Task {
        client,
        store,
        incident,
        options,
        rx,
        status,
        said: None,
    };
    // A journal that did not read has nothing to claim; what it holds
    // arrives through the follower and is published as it comes.
    let Some(declaration) = declaration else {
        s.settled = true;
        return follow(task, s).await;
    };
    follow_declared(task, s, declaration).await
}

/// What a share task works with: where it shares, what the journal's
/// follower hands it, and whom it tells how sharing stands.
struct Task<F> {
    client: ShareClient,
    store: Store,
    incident: String,
    options: ShareOptions,
    rx: mpsc::UnboundedReceiver<Vec<Event>>,
    status: F,
    /// What it told last: each change is told once.
    said: Option<ShareStatus>,
}

/// Tells `status` how sharing stands, when that changed since `said`.
fn tell(status: &impl Fn(ShareStatus), said: &mut Option<ShareStatus>, now: ShareStatus) {
    if said.as_ref() != Some(&now) {
        status(now.clone());
        *said = Some(now);
    }
}

/// Settles the claim first (merging this incident into another host's when
/// that one claimed the alert), then shares as [`follow`] does.
async fn follow_declared<F: Fn(ShareStatus)>(t: Task<F>, mut s: State, declaration: Event) {
    let Task {
        client,
        store,
        incident,
        options,
        mut rx,
        status,
        mut said,
    } = t;
    let mut backoff = Duration::from_millis(500);
    while !s.settled {
        let outcome = super::merge::settle(&client, &incident, &declaration).await;
        match outcome {
            Ok(super::merge::Settled::Ours) => s.settled = true,
            Ok(super::merge::Settled::Theirs(claim)) => {
                match super::merge::merge(&client, &store, &incident, &claim, &options.author).await
                {
                    Ok(entries) => {
                        tracing::info!(from = %incident, into = %claim.incident, entries, "share: merged");
                        status(ShareStatus::Merged {
                            into: claim.incident.clone(),
                            entries,
                        });
                        return;
                    }
                    Err(why) => s.away = Some(format!("merging into {}: {why}", claim.incident)),
                }
            }
            Err(ShareError::Forbidden(why)) => {
                tracing::warn!("share: {why}");
                s.forbidden = Some(why);
            }
            // A claim the server will not take is not worth waiting for:
            // the incident is shared unclaimed.
            Err(ShareError::Refused(why)) => {
                tracing::warn!("share: the claim was refused ({why}); sharing unclaimed");
                s.settled = true;
            }
            Err(ShareError::Unreachable(why)) => s.away = Some(why),
        }
        if s.settled {
            break;
        }
        tell(&status, &mut said, s.status(options.publish));
        // Waiting for the server, local events still count as waiting.
        let wait = tokio::time::sleep(if s.forbidden.is_some() {
            REFUSED_RETRY
        } else {
            backoff
        });
        backoff = (backoff * 2).min(Duration::from_secs(5));
        tokio::pin!(wait);
        loop {
            tokio::select! {
                got = rx.recv() => {
                    let Some(events) = got else { return };
                    for e in events {
                        s.take_local(e, options.publish);
                    }
                    tell(&status, &mut said, s.status(options.publish));
                }
                _ = &mut wait => break,
            }
        }
    }
    s.away = None;
    s.forbidden = None;
    if options.publish {
        started(&store, client.namespace(), &incident, &options, &mut s).await;
    }
    let task = Task {
        client,
        store,
        incident,
        options,
        rx,
        status,
        said,
    };
    follow(task, s).await
}

/// Records, once per host and policy, that this host shares the incident
/// and whether its command output goes with it: every export reads it.
async fn started(
    store: &Store,
    namespace: &str,
    incident: &str,
    options: &ShareOptions,
    s: &mut State,
) {
    let (store2, id, options2) = (store.clone(), incident.to_string(), options.clone());
    let namespace = namespace.to_string();
    let here = crate::journal::host_name();
    let wrote = tokio::task::spawn_blocking(move || -> std::io::Result<Option<Event>> {
        let known = store2.load(&id)?.events.into_iter().any(|e| {
            e.host == here
                && matches!(&e.kind, EventKind::Shared { output, .. } if *output == options2.output)
        });
        if known {
            return Ok(None);
        }
        let mut e = Event::new(
            jiff::Timestamp::now(),
            options2.author.clone(),
            EventKind::Shared {
                namespace,
                output: options2.output,
            },
        );
        e.id = crate::domain::incident::new_id();
        e.host = here.to_string();
        store2.append(&id, &e)?;
        Ok(Some(e))
    })
    .await;
    match wrote {
        Ok(Ok(Some(e))) => s.take_local(e, options.publish),
        Ok(Ok(None)) => {}
        other => tracing::warn!("share: the start of sharing was not recorded: {other:?}"),
    }
}

/// Publishes what waits and takes in what others publish, until the
/// cockpit lets the incident go.
async fn follow<F: Fn(ShareStatus)>(t: Task<F>, mut s: State) {
    let Task {
        client,
        store,
        incident,
        options,
        mut rx,
        status,
        mut said,
    } = t;
    let label = selector(&incident_label(&incident));
    let mut watch = Box::pin(client.watch(&label));
    let mut parts = Parts::default();
    // What a relist brought so far: the cluster's whole copy once listed.
    let mut listing: Option<HashSet<String>> = None;
    let mut probe = tokio::time::interval_at(Instant::now() + PROBE_EVERY, PROBE_EVERY);
    probe.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next_try = Instant::now();
    let mut backoff = Duration::from_millis(500);
    loop {
        // Publish what waits, in order, until the server stops answering.
        if options.publish && Instant::now() >= next_try {
            'publish: while !s.waiting.is_empty() {
                // Up to IN_FLIGHT creates at once, their answers taken in
                // the journal's order: the first failure stops the round
                // (any after it that went through are 409s next time).
                let round: Vec<Event> = s.waiting.iter().take(IN_FLIGHT).cloned().collect();
                // Redacting a large note takes a while: off the runtime.
                let n = round.len();
                let made = {
                    let (round, ns, id) = (
                        round.clone(),
                        client.namespace().to_string(),
                        incident.clone(),
                    );
                    let output = options.output;
                    tokio::task::spawn_blocking(move || {
                        round
                            .iter()
                            .map(|e| event_objects(&ns, &id, &shareable(e, output)))
                            .collect::<Vec<_>>()
                    })
                    .await
                    .unwrap_or_else(|e| (0..n).map(|_| Err(e.to_string())).collect())
                };
                let creates: Vec<_> = made
                    .into_iter()
                    .map(|objs| {
                        let client = client.clone();
                        async move {
                            // An event in parts is published when all are.
                            for obj in objs.map_err(ShareError::Refused)? {
                                client.create(&obj).await?;
                            }
                            Ok(())
                        }
                    })
                    .collect();
                let answers: Vec<Result<(), ShareError>> = futures_util::stream::iter(creates)
                    .buffered(IN_FLIGHT)
                    .collect()
                    .await;
                for (e, result) in round.iter().zip(answers) {
                    match result {
                        Ok(()) => {
                            s.published.insert(e.id.clone());
                            s.waiting.pop_front();
                            s.away = None;
                            s.forbidden = None;
                            backoff = Duration::from_millis(500);
                        }
                        Err(ShareError::Unreachable(why)) => {
                            s.away = Some(why);
                            next_try = Instant::now() + backoff;
                            backoff = (backoff * 2).min(Duration::from_secs(5));
                            break 'publish;
                        }
                        Err(ShareError::Forbidden(why)) => {
                            tracing::warn!("share: {why}");
                            s.forbidden = Some(why);
                            next_try = Instant::now() + REFUSED_RETRY;
                            break 'publish;
                        }
                        // One the server will never take (too large,
                        // invalid) stays local; the rest go on.
                        Err(ShareError::Refused(why)) => {
                            tracing::warn!("share: event {} not published: {why}", e.id);
                            s.waiting.pop_front();
                            s.refused = (s.refused.0 + 1, why);
                        }
                    }
                }
            }
        }
        tell(&status, &mut said, s.status(options.publish));
        let retry = !s.waiting.is_empty() && options.publish;
        tokio::select! {
            got = rx.recv() => {
                let Some(events) = got else { return };
                for e in events {
                    s.take_local(e, options.publish);
                }
            }
            _ = probe.tick(), if options.publish => {
                // A frozen server leaves the watch silent: only asking tells.
                // The declaration, once published, is asked for by name.
                let anchor = s.anchor.clone().unwrap_or_default();
                match client.probe(&super::objects::event_name(&anchor)).await {
                    Err(ShareError::Unreachable(why)) => s.away = Some(why),
                    // The declaration gone: a cluster rebuilt (or restored
                    // from before it), whose watch need not list again.
                    Ok(false) if s.published.contains(&anchor) => {
                        super::heal::requeue(&client, &store, &incident, &HashSet::new(), &mut s).await;
                    }
                    Ok(_) if s.waiting.is_empty() => s.away = None,
                    _ => {}
                }
            }
            item = watch.next() => match item {
                Some(Ok(Watched::Relisting)) => listing = Some(HashSet::new()),
                Some(Ok(Watched::Listed)) => {
                    // Listed again after the server lost what it had (a
                    // cluster rebuilt): what it lacks is published again.
                    let seen = listing.take().unwrap_or_default();
                    if options.publish && s.published.iter().any(|id| !seen.contains(id)) {
                        super::heal::requeue(&client, &store, &incident, &seen, &mut s).await;
                    }
                }
                Some(Ok(Watched::Object(obj))) => {
                    s.away = None;
                    // Reading again: a refusal of the watch is over (one of
                    // the creates is found again at the next try).
                    if s.waiting.is_empty() {
                        s.forbidden = None;
                    }
                    let Some(Ok((id, e))) = parts.take(&obj) else { continue };
                    if id != incident {
                        continue;
                    }
                    if let Some(l) = listing.as_mut() {
                        l.insert(e.id.clone());
                    }
                    s.published.insert(e.id.clone());
                    s.waiting.retain(|w| w.id != e.id);
                    if s.local.insert(e.id.clone()) {
                        let (store, id) = (store.clone(), incident.clone());
                        let wrote = tokio::task::spawn_blocking(move || store.append(&id, &e)).await;
                        if !matches!(wrote, Ok(Ok(()))) {
                            tracing::warn!("share: an event from the cluster was not written: {wrote:?}");
                        }
                    }
                }
                Some(Err(ShareError::Forbidden(why))) if options.publish => {
                    s.forbidden.get_or_insert(why);
                }
                Some(Err(ShareError::Forbidden(why) | ShareError::Unreachable(why) | ShareError::Refused(why))) => {
                    s.away = Some(why);
                }
                None => return,
            },
            _ = tokio::time::sleep_until(next_try), if retry => {}
        }
    }
}
