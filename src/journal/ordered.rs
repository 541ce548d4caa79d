//! Reading a whole journal in its events' total order without holding it in
//! memory: a first pass keeps only where each line is and its sort key, a
//! second parses the lines one at a time, in order. An export of a
//! 100,000-event journal needs this; the cockpit, which shows every event,
//! loads them whole.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;

use super::{Loaded, with_path};
use crate::domain::incident::{Event, FoldError, IdSet, Incident, MAX_EVENT_BYTES, line_id};

/// How much of the file one read brings in during the second pass.
const WINDOW: usize = 1 << 20;

/// A journal's events, handed out one at a time in their total order.
pub enum Ordered {
    /// Read in two passes, holding one event at a time.
    Streamed(Streamed),
    /// A journal that needed repair (no declaration line) is read whole and
    /// mended as [`super::Store::load`] does.
    Whole(Loaded),
}

/// The first pass's result: the place and sort key of every line to read.
pub struct Streamed {
    file: File,
    path: PathBuf,
    keys: Vec<Key>,
    /// Where the declaration is in `keys`.
    declaration: usize,
    /// Warnings with the line they are about, sorted when handed out.
    warnings: Vec<(usize, String)>,
    /// Each key's position among the events in file order.
    seqs: Vec<u32>,
    window: Window,
}

/// One line's place and its event's place in the total order.
struct Key {
    effective: Timestamp,
    ts: Timestamp,
    id: Box<str>,
    offset: u64,
    len: u32,
    line: u32,
}

/// Just enough of an event to place it.
#[derive(Deserialize)]
struct Light<'a> {
    #[serde(default, borrow)]
    event_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    ts: Cow<'a, str>,
    #[serde(default, borrow)]
    at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
}

impl Ordered {
    /// Reads where every line of `path` is, through `file` (already opened
    /// and checked to be a regular file).
    pub(super) fn scan(file: File, path: &Path) -> io::Result<Ordered> {
        let name = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut keys = Vec::new();
        let mut warnings = Vec::new();
        let mut declaration = None;
        let mut reader = BufReader::with_capacity(WINDOW, &file);
        let mut line = Vec::new();
        let (mut offset, mut line_no) = (0u64, 0usize);
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| with_path(e, path))?;
            if n == 0 {
                break;
            }
            let at = offset;
            offset += n as u64;
            line_no += 1;
            let complete = line.ends_with(b"\n");
            let body = line.strip_suffix(b"\n").unwrap_or(&line);
            if body.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if body.len() > MAX_EVENT_BYTES {
                warnings.push((
                    line_no,
                    format!(
                        "{}:{line_no}: line of {} bytes skipped (events are at most 1 MiB)",
                        path.display(),
                        body.len()
                    ),
                ));
                continue;
            }
            let light = serde_json::from_slice::<Light<'_>>(body)
                .map_err(|e| e.to_string())
                .and_then(|l| {
                    let ts: Timestamp = l.ts.parse().map_err(|e: jiff::Error| e.to_string())?;
                    let effective = match &l.at {
                        Some(a) => a.parse().map_err(|e: jiff::Error| e.to_string())?,
                        None => ts,
                    };
                    Ok((l, ts, effective))
                });
            let (light, ts, effective) = match light {
                Ok(x) => x,
                Err(_) if !complete => {
                    warnings.push((
                        line_no,
                        format!("{}:{line_no}: torn last line skipped", path.display()),
                    ));
                    continue;
                }
                Err(e) => {
                    warnings.push((
                        line_no,
                        format!(
                            "{}:{line_no}: unreadable line skipped ({e})",
                            path.display()
                        ),
                    ));
                    continue;
                }
            };
            let id: Box<str> = match light.event_id.as_deref() {
                Some(id) if !id.is_empty() => id.into(),
                _ => line_id(&name, line_no).into(),
            };
            if light.kind == "declared" {
                declaration
                    .get_or_insert_with(Vec::new)
                    .push(line_no as u32);
            }
            keys.push(Key {
                effective,
                ts,
                id,
                offset: at,
                len: body.len() as u32,
                line: line_no as u32,
            });
        }
        let Some(declaration) = declaration else {
            // Nothing to stream from: read it whole, which rebuilds a lost
            // declaration from what is left.
            drop(reader);
            return Ok(Ordered::Whole(super::Store::load_path(path)?));
        };
        first_of_each_id(&mut keys);
        keys.sort_by(|a, b| {
            a.effective
                .cmp(&b.effective)
                .then(a.ts.cmp(&b.ts))
                .then_with(|| a.id.cmp(&b.id))
        });
        // The earliest declaration in the total order starts the fold (two
        // hosts may each have declared while the cluster was away).
        let declaration = keys
            .iter()
            .position(|k| declaration.contains(&k.line))
            .unwrap_or_default();
        // Positions in the file, for what keeps file order (commands).
        let mut by_line: Vec<(u32, usize)> =
            keys.iter().enumerate().map(|(i, k)| (k.line, i)).collect();
        by_line.sort_unstable();
        let mut seqs = vec![0u32; keys.len()];
        for (n, (_, i)) in by_line.into_iter().enumerate() {
            seqs[i] = n as u32;
        }
        Ok(Ordered::Streamed(Streamed {
            file,
            path: path.to_path_buf(),
            keys,
            declaration,
            warnings,
            seqs,
            window: Window::default(),
        }))
    }

    /// The declaration, which starts the fold, and its position in the
    /// file (0 for the first event).
    pub fn declaration(&mut self) -> io::Result<(usize, Event)> {
        match self {
            Ordered::Whole(loaded) => crate::domain::incident::first_declaration(&loaded.events)
                .map(|i| (i, loaded.events[i].clone()))
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidData, "the journal has no declaration")
                }),
            Ordered::Streamed(s) => {
                let declared = s.parse(s.declaration).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: the declaration cannot be read: {e}", s.path.display()),
                    )
                })?;
                Ok((s.seq(s.declaration), declared))
            }
        }
    }

    /// Every event (the declaration among them, at its place) in the total
    /// order, each with its position in the file, to `f`. Returns what had
    /// to be skipped.
    pub fn for_each(self, mut f: impl FnMut(usize, &Event)) -> Vec<String> {
        match self {
            Ordered::Whole(loaded) => {
                let mut order: Vec<usize> = (0..loaded.events.len()).collect();
                order.sort_by(|&a, &b| loaded.events[a].order(&loaded.events[b]));
                for i in order {
                    f(i, &loaded.events[i]);
                }
                loaded.warnings
            }
            Ordered::Streamed(s) => s.for_each(f),
        }
    }
}

impl Ordered {
    /// The incident the journal folds to, read one event at a time, and
    /// what had to be skipped: what `warroom list` needs of a journal.
    pub fn fold(mut self) -> io::Result<(Result<Incident, FoldError>, Vec<String>)> {
        let (seq, declaration) = match self.declaration() {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                let warnings = self.for_each(|_, _| {});
                return Ok((Err(FoldError::NoDeclaration), warnings));
            }
            Err(e) => return Err(e),
        };
        let Some(mut inc) = Incident::declare(&declaration) else {
            return Ok((Err(FoldError::NoDeclaration), Vec::new()));
        };
        let warnings = self.for_each(|at, e| {
            if at != seq {
                inc.apply(e);
            }
        });
        Ok((Ok(inc), warnings))
    }
}

impl Streamed {
    fn for_each(mut self, mut f: impl FnMut(usize, &Event)) -> Vec<String> {
        for i in 0..self.keys.len() {
            match self.parse(i) {
                Ok(e) => f(self.seq(i), &e),
                Err(e) => {
                    let line = self.keys[i].line as usize;
                    self.warnings.push((
                        line,
                        format!(
                            "{}:{line}: unreadable line skipped ({e})",
                            self.path.display()
                        ),
                    ));
                }
            }
        }
        self.warnings.sort_by_key(|(line, _)| *line);
        self.warnings.into_iter().map(|(_, w)| w).collect()
    }

    /// The position in the file of the `i`th key's event.
    fn seq(&self, i: usize) -> usize {
        self.seqs[i] as usize
    }

    /// The event of the `i`th key.
    fn parse(&mut self, i: usize) -> Result<Event, String> {
        let k = &self.keys[i];
        let bytes = self
            .window
            .get(&self.file, k.offset, k.len as usize)
            .map_err(|e| e.to_string())?;
        let mut e: Event = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if e.id.is_empty() {
            e.id = k.id.to_string();
        }
        Ok(e)
    }
}

/// The first line of each id, in file order: a line written twice (a
/// retried append) counts once.
fn first_of_each_id(keys: &mut Vec<Key>) {
    let mut seen = IdSet::default();
    keys.retain(|k| seen.insert(&k.id));
}

/// A window of the file kept in memory, so reading lines in (nearly) file
/// order costs one read per megabyte rather than one per line.
#[derive(Default)]
struct Window {
    start: u64,
    bytes: Vec<u8>,
}

impl Window {
    fn get(&mut self, file: &File, offset: u64, len: usize) -> io::Result<&[u8]> {
        let end = offset + len as u64;
        if offset < self.start || end > self.start + self.bytes.len() as u64 {
            self.bytes.resize(WINDOW.max(len), 0);
            let mut filled = 0;
            while filled < self.bytes.len() {
                let n = file.read_at(&mut self.bytes[filled..], offset + filled as u64)?;
                if n == 0 {
                    break;
                }
                filled += n;
            }
            self.bytes.truncate(filled);
            self.start = offset;
            if filled < len {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the journal is shorter than when it was first read",
                ));
            }
        }
        let from = (offset - self.start) as usize;
        Ok(&self.bytes[from..from + len])
    }
}

#[cfg(test)]
#[path = "ordered_tests.rs"]
mod tests;
