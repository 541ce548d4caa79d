//! Following one incident's journal: appending this cockpit's events in
//! order and reporting everyone's new lines, woken only by changes.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use super::{Position, Store, Tail, append_to, with_path};
use crate::domain::incident::Event;

/// What a follower reports.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalMsg {
    /// Events appended to the followed incident (by anyone), in file order.
    Events {
        /// The incident.
        id: String,
        /// The new events.
        events: Vec<Event>,
    },
    /// Something was skipped while reading.
    Warning(String),
    /// The journal was shortened or replaced under the cockpit: these are
    /// all its events now, to take in place of what was read before.
    Reloaded {
        /// The incident.
        id: String,
        /// Every event the journal holds now.
        events: Vec<Event>,
        /// "shortened", "replaced" or "recreated".
        why: String,
    },
    /// The journal file is gone: nothing appended is saved until it is
    /// written again ([`Follower::recreate`]).
    Deleted {
        /// The incident.
        id: String,
    },
    /// An append failed: the event was NOT recorded.
    AppendFailed {
        /// The incident.
        id: String,
        /// Why the append failed.
        error: String,
    },
}

enum Cmd {
    Append(Box<Event>),
    Recreate(Vec<Event>),
    Poll,
}

/// How often a follower looks at its journal with a `stat` when no file
/// notification came, so writes that notifications miss (a data dir on NFS)
/// are still seen. A `stat` costs no open and no read.
pub const STAT_EVERY: Duration = Duration::from_secs(2);

/// How a follower learns that its journal changed.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// Use file notifications (inotify and friends) when the platform has them.
    pub notify: bool,
    /// The fallback `stat` period.
    pub stat_every: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            notify: true,
            stat_every: STAT_EVERY,
        }
    }
}

/// Follows one incident's journal on a thread of its own: appends this cockpit's
/// events in order and reports every new line, including other cockpits' (seen
/// through notifications of changes to that one file, with a periodic `stat` as
/// a fallback). Opening, reading or closing the journal — its own reads, an
/// export, another cockpit's — wakes nothing.
pub struct Follower {
    tx: Option<mpsc::Sender<Cmd>>,
    watcher: Option<notify::RecommendedWatcher>,
    thread: Option<thread::JoinHandle<()>>,
    work: Arc<Work>,
}

/// What a follower has done, counted for tests and benchmarks.
#[derive(Debug, Default)]
struct Work {
    opens: AtomicU64,
    looks: AtomicU64,
}

impl Drop for Follower {
    /// Lets queued appends finish before the cockpit goes away, so an event the
    /// user asked for is on disk even if they quit at once.
    fn drop(&mut self) {
        self.tx = None;
        self.watcher = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether a file notification means the journal's content may have changed:
/// created, written, renamed or removed. Opens, reads, closes and attribute
/// changes do not.
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::EventKind as K;
    use notify::event::ModifyKind;
    match kind {
        K::Create(_) | K::Remove(_) => true,
        K::Modify(m) => !matches!(m, ModifyKind::Metadata(_)),
        K::Access(_) | K::Any | K::Other => false,
    }
}

impl Follower {
    /// Starts following from `from`; the first report holds every event
    /// appended after that point.
    pub fn start(
        store: &Store,
        id: &str,
        from: Position,
        sink: impl Fn(JournalMsg) + Send + 'static,
    ) -> io::Result<Follower> {
        Self::start_with(store, id, from, FollowOptions::default(), sink)
    }

    /// [`Follower::start`] with a choice of how changes are noticed.
    pub fn start_with(
        store: &Store,
        id: &str,
        from: Position,
        options: FollowOptions,
        sink: impl Fn(JournalMsg) + Send + 'static,
    ) -> io::Result<Follower> {
        let path = store.path(id)?;
        let (tx, rx) = mpsc::channel();
        let watcher = if options.notify {
            watch_file(store.dir(), &path, tx.clone())
        } else {
            None
        };
        let id_owned = id.to_string();
        let perms = store.perms();
        let work = Arc::new(Work::default());
        let counted = Arc::clone(&work);
        let thread = thread::Builder::new()
            .name(format!("journal-{id}"))
            .spawn(move || {
                follow(
                    Tail::at(path, from),
                    id_owned,
                    rx,
                    (options.stat_every, perms),
                    &counted,
                    sink,
                )
            })?;
        let _ = tx.send(Cmd::Poll);
        Ok(Follower {
            tx: Some(tx),
            watcher,
            thread: Some(thread),
            work,
        })
    }

    /// Queues an event; it is reported back through the sink once durable.
    pub fn append(&self, event: Event) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Cmd::Append(Box::new(event)));
        }
    }

    /// Writes the journal again from `events` (what the cockpit holds) after
    /// it was deleted; refused if a journal exists by then.
    pub fn recreate(&self, events: Vec<Event>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Cmd::Recreate(events));
        }
    }

    /// How many times the follower has opened the journal to read it.
    pub fn opens(&self) -> u64 {
        self.work.opens.load(Ordering::Relaxed)
    }

    /// How many times the follower has woken up to look at the journal.
    pub fn looks(&self) -> u64 {
        self.work.looks.load(Ordering::Relaxed)
    }
}

/// Watches the journal's folder (so a journal replaced or recreated is still
/// seen) and pokes the follower only for changes to the journal itself.
fn watch_file(
    dir: &Path,
    path: &Path,
    poke: mpsc::Sender<Cmd>,
) -> Option<notify::RecommendedWatcher> {
    let watched = path.to_path_buf();
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && is_change(&ev.kind)
            && ev.paths.iter().any(|p| p == &watched)
        {
            let _ = poke.send(Cmd::Poll);
        }
    })
    .and_then(|mut w| w.watch(dir, RecursiveMode::NonRecursive).map(|()| w));
    match watcher {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(
                "file notifications unavailable, checking every {}s instead: {e}",
                STAT_EVERY.as_secs()
            );
            None
        }
    }
}

fn follow(
    mut tail: Tail,
    id: String,
    rx: mpsc::Receiver<Cmd>,
    (stat_every, perms): (Duration, crate::perms::Perms),
    work: &Work,
    sink: impl Fn(JournalMsg),
) {
    let path = tail.path.clone();
    // A failure that persists (an unreadable journal) is reported once, not
    // on every look; so is a deleted one.
    let mut last_error: Option<String> = None;
    let mut gone = false;
    // Why the next non-empty read is the whole journal, to report it so.
    let mut reload: Option<&'static str> = None;
    loop {
        let mut cmds = match rx.recv_timeout(stat_every) {
            Ok(c) => vec![c],
            Err(mpsc::RecvTimeoutError::Timeout) => Vec::new(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        // A burst of appends or notifications costs one read, not one each.
        cmds.extend(rx.try_iter());
        for cmd in cmds {
            match cmd {
                Cmd::Append(event) => {
                    if let Err(e) = append_to(&path, &event) {
                        tracing::error!("append to {} failed: {e}", path.display());
                        let error = if gone {
                            "the journal was deleted; :recreate writes it again".to_string()
                        } else {
                            e.to_string()
                        };
                        sink(JournalMsg::AppendFailed {
                            id: id.clone(),
                            error,
                        });
                    }
                }
                Cmd::Recreate(events) => match recreate(&path, perms, &events) {
                    Ok(()) => reload = Some("recreated"),
                    Err(e) => sink(JournalMsg::Warning(format!(
                        "journal not written again: {}",
                        with_path(e, &path)
                    ))),
                },
                Cmd::Poll => {}
            }
        }
        let result = tail.read_new();
        work.opens.store(tail.opens(), Ordering::Relaxed);
        work.looks.store(tail.looks(), Ordering::Relaxed);
        match result {
            Ok((mut events, mut warnings)) => {
                last_error = None;
                if let Some(why) = tail.take_restart() {
                    reload = reload.or(Some(why));
                }
                if std::mem::take(&mut gone) {
                    reload = Some("recreated");
                }
                // A journal being written again may show nothing readable
                // yet: it is reported whole once it does. One cut to
                // nothing is reported at once.
                if let Some(why) = reload.filter(|w| !events.is_empty() || *w != "recreated") {
                    reload = None;
                    // Read from its start: these are the whole journal.
                    tracing::warn!("journal {} was {why}: reloaded", path.display());
                    super::recover::declaration(&path, &mut events, &mut warnings);
                    for w in warnings {
                        sink(JournalMsg::Warning(w));
                    }
                    sink(JournalMsg::Reloaded {
                        id: id.clone(),
                        events,
                        why: why.to_string(),
                    });
                    continue;
                }
                for w in warnings {
                    sink(JournalMsg::Warning(w));
                }
                if !events.is_empty() {
                    sink(JournalMsg::Events {
                        id: id.clone(),
                        events,
                    });
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !gone {
                    gone = true;
                    // Whatever comes back is read whole.
                    tail.restart();
                    tracing::error!("journal {} deleted", path.display());
                    sink(JournalMsg::Deleted { id: id.clone() });
                }
            }
            Err(e) => {
                let e = e.to_string();
                if last_error.as_ref() != Some(&e) {
                    sink(JournalMsg::Warning(e.clone()));
                    last_error = Some(e);
                }
            }
        }
    }
}

/// Writes a deleted journal again from the events the cockpit holds, in
/// their order; never over a journal that exists again by now.
fn recreate(path: &Path, perms: crate::perms::Perms, events: &[Event]) -> io::Result<()> {
    let file = perms.create_new(path)?;
    for e in events {
        if let Err(err) = super::write_locked(&file, e) {
            drop(file);
            let _ = std::fs::remove_file(path);
            return Err(err);
        }
    }
    Ok(())
}
