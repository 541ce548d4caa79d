//! The incident journal: one append-only JSON Lines file per incident.
//!
//! Every append takes an exclusive lock on the file, repairs a torn tail left by a
//! crashed writer, writes one whole line and fsyncs before returning, so an event
//! is durable before any cockpit shows it. Readers never lock: they consume only
//! complete lines and skip a line that does not parse, with a warning.

pub mod audit;
mod follow;
pub mod index;
mod ordered;
pub mod recover;
mod tail;
#[cfg(test)]
mod tests;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub use follow::{FollowOptions, Follower, JournalMsg, STAT_EVERY};
pub use ordered::Ordered;
pub use tail::{Tail, parse_lines};

use crate::domain::incident::{Event, EventKind, Incident, SCHEMA_VERSION, incident_id, new_id};

/// Where incidents live: `<data dir>/incidents/<id>.jsonl`.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    /// Who may read the journals: the user, or the data dir's group.
    perms: crate::perms::Perms,
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
            perms: crate::perms::Perms::for_data_dir(data_dir),
        }
    }

    /// The folder holding the journals.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The modes journals (and exports beside them) are written with.
    pub fn perms(&self) -> crate::perms::Perms {
        self.perms
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

    /// Starts the journal of incident `id`, declared elsewhere (another host
    /// through the cluster), with its declaration as it was written there;
    /// `false` when this host has the journal already.
    pub fn adopt(&self, id: &str, declaration: &Event) -> io::Result<bool> {
        if !matches!(declaration.kind, EventKind::Declared { .. }) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a declaration",
            ));
        }
        self.own_dirs()?;
        self.create(id, declaration)
    }

    /// The data dir and the journals' folder, made this user's.
    fn own_dirs(&self) -> io::Result<()> {
        if let Some(data) = self.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            self.perms.own_dir(data).map_err(|e| with_path(e, data))?;
        }
        self.perms
            .own_dir(&self.dir)
            .map_err(|e| with_path(e, &self.dir))
    }

    /// A new journal `id` whose first line is `first`, durable with its
    /// directory entry; `false` when `id` exists already. A first line that
    /// could not be written (a full disk) leaves no empty journal behind.
    fn create(&self, id: &str, first: &Event) -> io::Result<bool> {
        let path = self.path(id)?;
        let file = match self.perms.create_new(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(with_path(e, &path)),
        };
        if let Err(e) = write_locked(&file, first) {
            drop(file);
            let _ = fs::remove_file(&path);
            return Err(with_path(e, &path));
        }
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(true)
    }

    /// Takes back a journal this host has just started and that holds
    /// nothing but its declaration (another host's claim on the alert came
    /// first); a journal with anything more in it is kept.
    pub fn abandon(&self, id: &str) -> io::Result<bool> {
        let path = self.path(id)?;
        if Store::load_path(&path)?.events.len() > 1 {
            return Ok(false);
        }
        fs::remove_file(&path).map_err(|e| with_path(e, &path))?;
        Ok(true)
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
        // One an older version left readable by all is made private by any
        // reader (`list`, `export`), not only by a cockpit that opens it.
        let _ = self.perms.tighten(&path);
        Store::load_path(&path)
    }

    /// Reads a journal in its events' total order one event at a time, for
    /// readers of the whole record (export) that need not hold it.
    pub fn ordered(&self, id: &str) -> io::Result<Ordered> {
        let path = self.path(id)?;
        let _ = self.perms.tighten(&path);
        let file = crate::bounded::open_regular(&path).map_err(|e| with_path(e, &path))?;
        Ordered::scan(file, &path)
    }

    fn load_path(path: &Path) -> io::Result<Loaded> {
        let path = path.to_path_buf();
        let mut bytes = Vec::new();
        crate::bounded::open_regular(&path)
            .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut bytes))
            .map_err(|e| with_path(e, &path))?;
        let (mut events, warnings, _) = parse_lines(&bytes, &path, 0, true);
        let mut seen = std::collections::HashSet::new();
        events.retain(|e| seen.insert(e.id.clone()));
        let mut warnings = warnings;
        recover::declaration(&path, &mut events, &mut warnings);
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

    /// Reads an existing incident's journal by id, to show and follow it
    /// (open or resolved); declares nothing.
    pub fn rejoin(&self, id: &str) -> io::Result<Opened> {
        let path = self.path(id)?;
        if !path.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no incident '{id}' in {}", self.dir.display()),
            ));
        }
        let _ = self.perms.tighten(&path);
        let mut tail = Tail::new(path.clone());
        let (mut events, mut warnings) = tail.read_new()?;
        recover::declaration(&path, &mut events, &mut warnings);
        Ok(Opened {
            declared: Declared::Joined(id.to_string()),
            events,
            warnings,
            position: tail.position(),
        })
    }

    /// Declares or joins (see [`Store::declare_or_join`]) and reads the journal.
    pub fn open(&self, declaration: &Event) -> io::Result<Opened> {
        let declared = self.declare_or_join(declaration)?;
        let path = self.path(declared.id())?;
        // A journal an older version wrote readable by all is made private.
        self.perms.tighten(&path).map_err(|e| with_path(e, &path))?;
        let mut tail = Tail::new(path.clone());
        let (mut events, mut warnings) = tail.read_new()?;
        recover::declaration(&path, &mut events, &mut warnings);
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
        self.own_dirs()?;
        let lock_path = self.dir.join(".declare.lock");
        let lock = self
            .perms
            .open_shared(&lock_path)
            .map_err(|e| with_path(e, &lock_path))?;
        lock.lock()?;
        let (open, _) = self.list()?;
        // A hand-declared incident is named after its title, an exercise
        // after what it exercises (`drill-2026-11-29-regional-failover`).
        let base = match &declaration.kind {
            EventKind::Declared {
                exercise: Some(x),
                alert,
                ..
            } => format!(
                "{}-{}",
                x.kind(),
                incident_id(&alert.name_or_title(), declaration.ts)
            ),
            EventKind::Declared { title, .. } if alert.is_manual() => {
                incident_id(title, declaration.ts)
            }
            _ => incident_id(&alert.name, declaration.ts),
        };
        if let Some(inc) = open
            .iter()
            .rev()
            .find(|i| i.is_open() && i.alert.fingerprint == alert.fingerprint)
        {
            return Ok(Declared::Joined(inc.id.clone()));
        }
        // An alert a running drill or game-day claims is the exercise's
        // doing: it joins the exercise, never opens a real incident.
        let real = matches!(
            &declaration.kind,
            EventKind::Declared { exercise: None, .. }
        );
        if real
            && !alert.is_manual()
            && let Some(inc) = open.iter().rev().find(|i| {
                i.is_open()
                    && i.exercise.as_ref().is_some_and(|x| {
                        x.plan
                            .claims_alert(&alert.name, alert.starts_at, i.declared.at)
                    })
            })
        {
            return Ok(Declared::Joined(inc.id.clone()));
        }
        // An open incident for this alert whose declaration was damaged (its
        // fingerprint unreadable) is found by the id this one would get, and
        // joined; its declaration is written again, about when it was made.
        if let Some(inc) = open
            .iter()
            .find(|i| i.is_open() && i.alert.fingerprint.is_empty() && i.id == base)
        {
            let mut again = declaration.clone().about(Some(inc.declared.at));
            if let EventKind::Declared { id: eid, .. } = &mut again.kind {
                *eid = inc.id.clone();
            }
            let path = self.path(&inc.id)?;
            append_to(&path, &again)?;
            return Ok(Declared::Joined(inc.id.clone()));
        }
        for n in 1..1000 {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let mut event = declaration.clone();
            if let EventKind::Declared { id: eid, .. } = &mut event.kind {
                *eid = id.clone();
            }
            if self.create(&id, &event)? {
                return Ok(Declared::New(id));
            }
        }
        Err(io::Error::other(format!("too many incidents named {base}")))
    }
}

pub(crate) fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Appends one event to an existing journal file.
pub fn append_to(path: &Path, event: &Event) -> io::Result<()> {
    let file = OpenOptions::new()
        .append(true)
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| with_path(crate::perms::unfollowed(e), path))?;
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
fn stamped(event: &Event) -> io::Result<Event> {
    let mut e = event.clone();
    e.v = SCHEMA_VERSION;
    if e.id.is_empty() {
        e.id = new_id();
    }
    if e.host.is_empty() {
        e.host = host_name().to_string();
    }
    e.bounded()
        .map_err(|why| io::Error::new(io::ErrorKind::InvalidData, why))
}

fn write_locked(file: &File, event: &Event) -> io::Result<()> {
    let line = serde_json::to_vec(&stamped(event)?).map_err(io::Error::other)?;
    write_line(file, line)
}

/// Appends one JSON line to a file opened for appending, as every journal
/// line is written: under an exclusive lock, after ending a torn tail a
/// crashed writer left, whole, and fsynced before returning. Shared by the
/// incident journals and the audit log so both are equally durable.
pub(crate) fn write_line(file: &File, mut line: Vec<u8>) -> io::Result<()> {
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
