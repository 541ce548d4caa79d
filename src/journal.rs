//! The incident journal: one append-only JSON Lines file per incident.
//!
//! Every append takes an exclusive lock on the file, repairs a torn tail left by a
//! crashed writer, writes one whole line and fsyncs before returning, so an event
//! is durable before any cockpit shows it. Readers never lock: they consume only
//! complete lines and skip a line that does not parse, with a warning.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::domain::incident::{
    Event, EventKind, Incident, SCHEMA_VERSION, incident_id, line_id, new_id,
};

/// Where incidents live: `<data dir>/incidents/<id>.jsonl`.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// The events of a journal plus what had to be skipped to read it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Loaded {
    /// Events that parsed, in file order.
    pub events: Vec<Event>,
    /// Lines that were skipped, with where and why.
    pub warnings: Vec<String>,
}

/// Whether a declaration created a new incident or joined an open one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declared {
    /// A new journal was created.
    New(String),
    /// An open incident for the same alert already existed.
    Joined(String),
}

impl Declared {
    /// The incident id either way.
    pub fn id(&self) -> &str {
        match self {
            Declared::New(id) | Declared::Joined(id) => id,
        }
    }
}

/// What opening an incident found on disk: its events so far and where reading
/// stopped, so following it continues from there with nothing read twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// Created or joined.
    pub declared: Declared,
    /// Every event in the journal when it was opened.
    pub events: Vec<Event>,
    /// Lines skipped while reading.
    pub warnings: Vec<String>,
    /// Where reading stopped.
    pub position: Position,
}

/// How far a journal has been read: bytes and complete lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    /// Bytes consumed.
    pub offset: u64,
    /// Complete lines consumed, for line numbers in warnings.
    pub lines: usize,
}

/// Incident ids become file names, so only a safe alphabet is accepted.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && !id.starts_with(['-', '.'])
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !id.contains("..")
}

impl Store {
    /// Incidents under `<data_dir>/incidents`.
    pub fn new(data_dir: &Path) -> Self {
        Store {
            dir: data_dir.join("incidents"),
        }
    }

    /// The folder holding the journals.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of an incident's journal; refuses ids that could escape the folder.
    pub fn path(&self, id: &str) -> io::Result<PathBuf> {
        if valid_id(id) {
            Ok(self.dir.join(format!("{id}.jsonl")))
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("'{id}' is not a valid incident id"),
            ))
        }
    }

    /// Appends one event durably.
    pub fn append(&self, id: &str, event: &Event) -> io::Result<()> {
        let path = self.path(id)?;
        if !path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no incident '{id}' in {}", self.dir.display()),
            ));
        }
        append_to(&path, event)
    }

    /// Reads a journal, skipping lines that do not parse and repeats of an
    /// event already read (the same fact recorded by several cockpits).
    pub fn load(&self, id: &str) -> io::Result<Loaded> {
        let path = self.path(id)?;
        let bytes = fs::read(&path).map_err(|e| with_path(e, &path))?;
        let (mut events, warnings, _) = parse_lines(&bytes, &path, 0, true);
        let mut seen = std::collections::HashSet::new();
        events.retain(|e| seen.insert(e.id.clone()));
        Ok(Loaded { events, warnings })
    }

    /// Every incident that folds, oldest first, plus warnings for those that do not.
    pub fn list(&self) -> io::Result<(Vec<Incident>, Vec<String>)> {
        let mut incidents = Vec::new();
        let mut warnings = Vec::new();
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((incidents, warnings)),
            Err(e) => return Err(with_path(e, &self.dir)),
        };
        for entry in entries {
            let path = entry?.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".jsonl"))
            else {
                continue;
            };
            match self.load(id) {
                Ok(loaded) => {
                    warnings.extend(loaded.warnings);
                    match Incident::fold(&loaded.events) {
                        Ok(inc) => incidents.push(inc),
                        Err(e) => warnings.push(format!("{}: {e}", path.display())),
                    }
                }
                Err(e) => warnings.push(e.to_string()),
            }
        }
        incidents.sort_by(|a, b| a.declared.at.cmp(&b.declared.at).then(a.id.cmp(&b.id)));
        Ok((incidents, warnings))
    }

    /// Declares or joins (see [`Store::declare_or_join`]) and reads the journal.
    pub fn open(&self, declaration: &Event) -> io::Result<Opened> {
        let declared = self.declare_or_join(declaration)?;
        let mut tail = Tail::new(self.path(declared.id())?);
        let (events, warnings) = tail.read_new()?;
        Ok(Opened {
            declared,
            events,
            warnings,
            position: tail.position(),
        })
    }

    /// Joins the open incident for the same alert, or creates a new journal whose
    /// first line is `declaration`. A lock file serialises this between cockpits so
    /// two responders pressing Enter at once end up in the same incident.
    pub fn declare_or_join(&self, declaration: &Event) -> io::Result<Declared> {
        let EventKind::Declared { alert, .. } = &declaration.kind else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a declaration",
            ));
        };
        fs::create_dir_all(&self.dir).map_err(|e| with_path(e, &self.dir))?;
        let lock_path = self.dir.join(".declare.lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| with_path(e, &lock_path))?;
        lock.lock()?;
        let (open, _) = self.list()?;
        if let Some(inc) = open
            .iter()
            .rev()
            .find(|i| i.is_open() && i.alert.fingerprint == alert.fingerprint)
        {
            return Ok(Declared::Joined(inc.id.clone()));
        }
        let base = incident_id(&alert.name, declaration.ts);
        for n in 1..1000 {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let path = self.path(&id)?;
            let file = match OpenOptions::new().append(true).create_new(true).open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(with_path(e, &path)),
            };
            let mut event = declaration.clone();
            if let EventKind::Declared { id: eid, .. } = &mut event.kind {
                *eid = id.clone();
            }
            write_locked(&file, &event).map_err(|e| with_path(e, &path))?;
            // Make the new directory entry durable too.
            if let Ok(d) = File::open(&self.dir) {
                let _ = d.sync_all();
            }
            return Ok(Declared::New(id));
        }
        Err(io::Error::other(format!("too many incidents named {base}")))
    }
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Appends one event to an existing journal file.
pub fn append_to(path: &Path, event: &Event) -> io::Result<()> {
    let file = OpenOptions::new()
        .append(true)
        .read(true)
        .open(path)
        .map_err(|e| with_path(e, path))?;
    write_locked(&file, event).map_err(|e| with_path(e, path))
}

/// The name of this machine, stamped on every event it writes.
pub fn host_name() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown-host".to_string())
    })
}

/// The event as it is written: this build's schema version, an id and the
/// host when it has none yet, and no larger than the maximum event size.
fn stamped(event: &Event) -> Event {
    let mut e = event.clone();
    e.v = SCHEMA_VERSION;
    if e.id.is_empty() {
        e.id = new_id();
    }
    if e.host.is_empty() {
        e.host = host_name().to_string();
    }
    e.bounded()
}

fn write_locked(file: &File, event: &Event) -> io::Result<()> {
    let mut line = serde_json::to_vec(&stamped(event)).map_err(io::Error::other)?;
    line.push(b'\n');
    file.lock()?;
    let result = (|| {
        let mut f = file;
        let len = f.metadata()?.len();
        if len > 0 {
            // A writer killed mid-line leaves no newline: end that fragment so this
            // event starts on a line of its own.
            let mut last = [0u8; 1];
            let mut r = file;
            r.seek(SeekFrom::Start(len - 1))?;
            r.read_exact(&mut last)?;
            if last[0] != b'\n' {
                line.insert(0, b'\n');
            }
        }
        f.write_all(&line)?;
        file.sync_data()
    })();
    let unlocked = file.unlock();
    result.and(unlocked)
}

/// Parses complete lines from `bytes`. Returns the events, warnings, and how many
/// bytes were consumed; with `at_eof`, a final line without newline is parsed too
/// (or reported as torn).
pub fn parse_lines(
    bytes: &[u8],
    path: &Path,
    first_line: usize,
    at_eof: bool,
) -> (Vec<Event>, Vec<String>, usize) {
    let mut events = Vec::new();
    let mut warnings = Vec::new();
    let mut consumed = 0;
    let mut line_no = first_line;
    while consumed < bytes.len() {
        let rest = &bytes[consumed..];
        let (line, next, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(n) => (&rest[..n], consumed + n + 1, true),
            None if at_eof => (rest, bytes.len(), false),
            None => break,
        };
        line_no += 1;
        consumed = next;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Event>(line) {
            Ok(mut e) => {
                if e.id.is_empty() {
                    // Written before events had ids: one from where it is.
                    let file = path.file_name().map(|f| f.to_string_lossy());
                    e.id = line_id(file.as_deref().unwrap_or_default(), line_no);
                }
                events.push(e);
            }
            Err(e) if !complete => {
                tracing::warn!(path = %path.display(), line = line_no, "torn last line skipped: {e}");
                warnings.push(format!(
                    "{}:{line_no}: torn last line skipped",
                    path.display()
                ));
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), line = line_no, "unreadable line skipped: {e}");
                warnings.push(format!(
                    "{}:{line_no}: unreadable line skipped ({e})",
                    path.display()
                ));
            }
        }
    }
    (events, warnings, consumed)
}

/// Reads what has been appended since the last call, complete lines only.
/// It looks with a `stat` first and opens the file only when it grew or was
/// replaced, so an idle journal costs no opens or reads.
#[derive(Debug)]
pub struct Tail {
    path: PathBuf,
    offset: u64,
    lines: usize,
    /// Inode of the file read so far; a different one means it was replaced.
    inode: Option<u64>,
    /// How many times the file was opened, for tests that count work.
    opens: u64,
    /// How many times it was looked at (a `stat` each).
    looks: u64,
}

impl Tail {
    /// Reads a journal from its start.
    pub fn new(path: PathBuf) -> Self {
        Self::at(path, Position::default())
    }

    /// Continues from a position an earlier reader reached.
    pub fn at(path: PathBuf, from: Position) -> Self {
        Tail {
            path,
            offset: from.offset,
            lines: from.lines,
            inode: None,
            opens: 0,
            looks: 0,
        }
    }

    /// How many times this reader opened the journal.
    pub fn opens(&self) -> u64 {
        self.opens
    }

    /// How many times this reader looked for new lines.
    pub fn looks(&self) -> u64 {
        self.looks
    }

    /// How far this reader has got.
    pub fn position(&self) -> Position {
        Position {
            offset: self.offset,
            lines: self.lines,
        }
    }

    /// New events and warnings since the previous call.
    pub fn read_new(&mut self) -> io::Result<(Vec<Event>, Vec<String>)> {
        use std::os::unix::fs::MetadataExt;
        self.looks += 1;
        let meta = fs::metadata(&self.path).map_err(|e| with_path(e, &self.path))?;
        let replaced = self.inode.is_some_and(|i| i != meta.ino());
        if meta.len() < self.offset || replaced {
            // Truncated or replaced: start again rather than read garbage.
            self.offset = 0;
            self.lines = 0;
        }
        self.inode = Some(meta.ino());
        if meta.len() == self.offset {
            return Ok((Vec::new(), Vec::new()));
        }
        self.opens += 1;
        let mut f = File::open(&self.path).map_err(|e| with_path(e, &self.path))?;
        let len = f.metadata()?.len();
        if len < self.offset {
            self.offset = 0;
            self.lines = 0;
        }
        if len == self.offset {
            return Ok((Vec::new(), Vec::new()));
        }
        f.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::with_capacity((len - self.offset) as usize);
        f.take(len - self.offset).read_to_end(&mut buf)?;
        let (events, warnings, consumed) = parse_lines(&buf, &self.path, self.lines, false);
        self.lines += buf[..consumed].iter().filter(|&&b| b == b'\n').count();
        self.offset += consumed as u64;
        Ok((events, warnings))
    }
}

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
        let work = Arc::new(Work::default());
        let counted = Arc::clone(&work);
        let thread = thread::Builder::new()
            .name(format!("journal-{id}"))
            .spawn(move || {
                follow(
                    Tail::at(path, from),
                    id_owned,
                    rx,
                    options.stat_every,
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
    stat_every: Duration,
    work: &Work,
    sink: impl Fn(JournalMsg),
) {
    let path = tail.path.clone();
    // A failure that persists (a deleted journal) is reported once, not on
    // every look.
    let mut last_error: Option<String> = None;
    loop {
        let mut cmds = match rx.recv_timeout(stat_every) {
            Ok(c) => vec![c],
            Err(mpsc::RecvTimeoutError::Timeout) => Vec::new(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        // A burst of appends or notifications costs one read, not one each.
        cmds.extend(rx.try_iter());
        for cmd in cmds {
            if let Cmd::Append(event) = cmd
                && let Err(e) = append_to(&path, &event)
            {
                tracing::error!("append to {} failed: {e}", path.display());
                sink(JournalMsg::AppendFailed {
                    id: id.clone(),
                    error: e.to_string(),
                });
            }
        }
        let result = tail.read_new();
        work.opens.store(tail.opens(), Ordering::Relaxed);
        work.looks.store(tail.looks(), Ordering::Relaxed);
        match result {
            Ok((events, warnings)) => {
                last_error = None;
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

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{declared, ev, step};

    #[test]
    fn declare_append_load_and_join() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::new(dir.path());
        let d = store
            .declare_or_join(&ev("03:00:00", "alice", declared()))
            .expect("declare");
        assert_eq!(d, Declared::New("2026-11-21-catalog-p99-latency".into()));
        store
            .append(d.id(), &ev("03:01:00", "alice", step("check-1", true)))
            .expect("append");
        let again = store
            .declare_or_join(&ev("03:05:00", "bob", declared()))
            .expect("join");
        assert_eq!(again, Declared::Joined(d.id().into()));
        let loaded = store.load(d.id()).expect("load");
        assert_eq!(loaded.events.len(), 2);
        assert!(loaded.warnings.is_empty());
        // Once resolved, the same alert gets a fresh incident.
        store
            .append(d.id(), &ev("03:09:00", "alice", EventKind::Resolved))
            .expect("append");
        let fresh = store
            .declare_or_join(&ev("03:10:00", "alice", declared()))
            .expect("new");
        assert_eq!(
            fresh,
            Declared::New("2026-11-21-catalog-p99-latency-2".into())
        );
        let (all, warnings) = store.list().expect("list");
        assert_eq!(all.len(), 2);
        assert!(warnings.is_empty());
    }

    /// A fresh data dir holding one declared incident.
    fn declared_store() -> (tempfile::TempDir, Store, Declared, PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::new(dir.path());
        let d = store
            .declare_or_join(&ev("03:00:00", "a", declared()))
            .expect("declare");
        let path = store.path(d.id()).expect("path");
        (dir, store, d, path)
    }

    #[test]
    fn torn_last_line_is_skipped_and_repaired_by_next_append() {
        let (_dir, store, d, path) = declared_store();
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all(br#"{"ts":"2026-11-21T03:01:00.000Z","author":"a","ki"#)
            .expect("write");
        let loaded = store.load(d.id()).expect("load");
        assert_eq!(loaded.events.len(), 1);
        assert_eq!(loaded.warnings.len(), 1);
        assert!(
            loaded.warnings[0].contains("torn last line"),
            "{:?}",
            loaded.warnings
        );
        store
            .append(d.id(), &ev("03:02:00", "a", EventKind::Acknowledged))
            .expect("append");
        let loaded = store.load(d.id()).expect("load");
        assert_eq!(
            loaded.events.len(),
            2,
            "the event after the torn line survives"
        );
        assert!(
            loaded.warnings[0].contains(":2: unreadable line"),
            "{:?}",
            loaded.warnings
        );
    }

    #[test]
    fn garbage_lines_are_skipped_not_fatal() {
        let (events, warnings, consumed) =
            parse_lines(b"not json\n{}\n\n", Path::new("j"), 0, true);
        assert!(events.is_empty());
        assert_eq!(warnings.len(), 2);
        assert_eq!(consumed, 13);
    }

    #[test]
    fn tail_reads_only_complete_lines() {
        let (_dir, _store, _declared, path) = declared_store();
        let mut tail = Tail::new(path.clone());
        assert_eq!(tail.read_new().expect("read").0.len(), 1);
        let line =
            serde_json::to_string(&ev("03:01:00", "a", EventKind::Acknowledged)).expect("json");
        let (head, rest) = line.split_at(10);
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all(head.as_bytes()).expect("w");
        assert!(tail.read_new().expect("read").0.is_empty());
        f.write_all(format!("{rest}\n").as_bytes()).expect("w");
        assert_eq!(tail.read_new().expect("read").0.len(), 1);
    }

    #[test]
    fn ids_cannot_escape_the_folder() {
        let store = Store::new(Path::new("/tmp/x"));
        for bad in ["../x", "a/b", "", ".hidden", "-rf", "a..b"] {
            assert!(store.path(bad).is_err(), "{bad}");
        }
        assert!(store.path("2026-11-21-catalog").is_ok());
    }

    #[test]
    fn follower_reports_own_and_foreign_appends() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::new(dir.path());
        let opened = store
            .open(&ev("03:00:00", "a", declared()))
            .expect("declare");
        assert_eq!(opened.events.len(), 1);
        let d = opened.declared;
        let (tx, rx) = mpsc::channel();
        // Following continues where opening stopped: nothing is reported twice.
        let f = Follower::start(&store, d.id(), opened.position, move |m| {
            let _ = tx.send(m);
        })
        .expect("follow");
        let count = |rx: &mpsc::Receiver<JournalMsg>| match rx.recv_timeout(Duration::from_secs(2))
        {
            Ok(JournalMsg::Events { events, .. }) => events.len(),
            other => panic!("unexpected {other:?}"),
        };
        f.append(ev("03:01:00", "a", EventKind::Acknowledged));
        assert_eq!(count(&rx), 1);
        store
            .append(d.id(), &ev("03:02:00", "b", EventKind::Mitigated))
            .expect("foreign");
        assert_eq!(count(&rx), 1);
    }

    /// An idle incident costs a follower no opens, even while something else
    /// (an export, another cockpit) keeps reading the journal.
    #[test]
    fn an_idle_follower_does_not_reopen_its_journal() {
        let (_dir, store, d, path) = declared_store();
        let f = Follower::start(&store, d.id(), Position::default(), |_| {}).expect("follow");
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(2) {
            // What used to wake it: opens, reads and closes of the file.
            let _ = fs::read(&path).expect("read");
            thread::sleep(Duration::from_millis(20));
        }
        let (opens, looks) = (f.opens(), f.looks());
        assert!(
            opens <= 2,
            "the follower opened its journal {opens} times in 2 s of idleness"
        );
        assert!(
            looks <= 4,
            "the follower woke {looks} times in 2 s of idleness"
        );
    }

    /// Without notifications (a data dir on NFS), the periodic stat still
    /// sees another writer's events, and reads only when the file grew.
    #[test]
    fn without_notifications_a_stat_finds_foreign_appends() {
        let (_dir, store, d, _path) = declared_store();
        let (tx, rx) = mpsc::channel();
        let options = FollowOptions {
            notify: false,
            stat_every: Duration::from_millis(200),
        };
        let f = Follower::start_with(&store, d.id(), Position::default(), options, move |m| {
            let _ = tx.send(m);
        })
        .expect("follow");
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(2)),
            Ok(JournalMsg::Events { .. })
        ));
        thread::sleep(Duration::from_millis(700));
        assert_eq!(f.opens(), 1, "stats alone while nothing changed");
        store
            .append(d.id(), &ev("03:02:00", "b", EventKind::Mitigated))
            .expect("foreign");
        match rx.recv_timeout(Duration::from_secs(2)) {
            Ok(JournalMsg::Events { events, .. }) => assert_eq!(events.len(), 1),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(f.opens(), 2);
    }

    #[test]
    fn a_replaced_journal_is_read_again_from_the_start() {
        let (_dir, _store, _d, path) = declared_store();
        let mut tail = Tail::new(path.clone());
        assert_eq!(tail.read_new().expect("read").0.len(), 1);
        let copy = path.with_extension("tmp");
        let mut bytes = fs::read(&path).expect("read");
        let line =
            serde_json::to_string(&ev("03:01:00", "a", EventKind::Acknowledged)).expect("json");
        bytes.extend_from_slice(format!("{line}\n").as_bytes());
        fs::write(&copy, bytes).expect("write");
        fs::rename(&copy, &path).expect("rename");
        assert_eq!(tail.read_new().expect("read").0.len(), 2);
    }

    #[test]
    fn dropping_a_follower_finishes_queued_appends() {
        let (_dir, store, d, _path) = declared_store();
        let f = Follower::start(&store, d.id(), Position::default(), |_| {}).expect("follow");
        for n in 0..50 {
            f.append(ev(
                "03:01:00",
                "a",
                EventKind::Note {
                    text: format!("n{n}"),
                },
            ));
        }
        drop(f);
        assert_eq!(store.load(d.id()).expect("load").events.len(), 51);
    }
}
