//! Reading a journal: complete lines only, a torn last line skipped, and
//! only what was appended since the last look.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{Position, with_path};
use crate::domain::incident::{Event, line_id};

/// Parses complete lines from `bytes`. Returns the events, warnings, and how many
/// bytes were consumed; with `at_eof`, a final line without newline is parsed too
/// (or reported as torn).
pub fn parse_lines(
    bytes: &[u8],
    path: &Path,
    first_line: usize,
    at_eof: bool,
) -> (Vec<Event>, Vec<String>, usize) {
    // A long journal read whole (rejoining a 100,000-event incident) is
    // parsed in parts on the cores there are, split at line ends.
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if parts < 2 || bytes.len() < PARALLEL_FROM {
        return parse_part(bytes, path, first_line, at_eof);
    }
    let mut cuts = vec![0];
    for k in 1..parts {
        let from = (bytes.len() * k / parts).max(cuts[cuts.len() - 1]);
        match bytes[from..].iter().position(|&b| b == b'\n') {
            Some(n) => cuts.push(from + n + 1),
            None => break,
        }
    }
    cuts.push(bytes.len());
    cuts.dedup();
    let mut firsts = vec![first_line];
    for w in cuts.windows(2).take(cuts.len().saturating_sub(2)) {
        let lines = bytes[w[0]..w[1]].iter().filter(|&&b| b == b'\n').count();
        firsts.push(firsts[firsts.len() - 1] + lines);
    }
    let last = cuts.len() - 2;
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cuts
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let part = &bytes[w[0]..w[1]];
                let (first, eof) = (firsts[i], at_eof && i == last);
                (
                    s.spawn(move || parse_part(part, path, first, eof)),
                    part,
                    first,
                    eof,
                )
            })
            .collect();
        // A part whose thread failed is parsed again here: nothing is lost
        // quietly.
        handles
            .into_iter()
            .map(|(h, part, first, eof)| {
                h.join()
                    .unwrap_or_else(|_| parse_part(part, path, first, eof))
            })
            .collect()
    });
    let mut events = Vec::new();
    let mut warnings = Vec::new();
    let mut consumed = 0;
    for (i, (e, w, c)) in results.into_iter().enumerate() {
        events.extend(e);
        warnings.extend(w);
        consumed = cuts[i] + c;
    }
    (events, warnings, consumed)
}

/// Below this many bytes one core parses faster than several start.
const PARALLEL_FROM: usize = 4 << 20;

fn parse_part(
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
        // warroom never writes such a line: something else did.
        if line.len() > crate::domain::incident::MAX_EVENT_BYTES {
            tracing::warn!(path = %path.display(), line = line_no, "oversized line skipped");
            warnings.push(format!(
                "{}:{line_no}: line of {} bytes skipped (events are at most 1 MiB)",
                path.display(),
                line.len()
            ));
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
    pub(super) path: PathBuf,
    offset: u64,
    lines: usize,
    /// Inode of the file read so far; a different one means it was replaced.
    inode: Option<u64>,
    /// How many times the file was opened, for tests that count work.
    opens: u64,
    /// How many times it was looked at (a `stat` each).
    looks: u64,
    /// Why the last read started again from the beginning, if it did.
    restarted: Option<&'static str>,
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
            restarted: None,
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

    /// Why the last [`Tail::read_new`] read the file from its start
    /// ("shortened", "replaced"), so its events are the whole journal
    /// rather than new ones; cleared by asking.
    pub fn take_restart(&mut self) -> Option<&'static str> {
        self.restarted.take()
    }

    /// Reads the file from its start next time.
    pub fn restart(&mut self) {
        self.offset = 0;
        self.lines = 0;
        self.inode = None;
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
            self.restarted = Some(if replaced { "replaced" } else { "shortened" });
            self.offset = 0;
            self.lines = 0;
        }
        self.inode = Some(meta.ino());
        if meta.len() == self.offset {
            return Ok((Vec::new(), Vec::new()));
        }
        self.opens += 1;
        let mut f =
            crate::bounded::open_regular(&self.path).map_err(|e| with_path(e, &self.path))?;
        let len = f.metadata()?.len();
        if len < self.offset {
            self.restarted = Some("shortened");
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
