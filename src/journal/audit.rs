//! The audit log: every change warroom makes to a cluster, incident or not.
//!
//! One JSON line per change in `<data dir>/audit/<YYYY-MM>.jsonl` (the month
//! of the change, UTC). Monthly files keep each file small, let `--since`
//! skip whole months unread, and let an operator archive or expire old
//! months with plain file tools. Lines are written as incident journal lines
//! are ([`super::write_line`]): exclusive lock, torn tail ended, whole line,
//! fsync before returning, so a change is on disk before the cockpit says it
//! is done.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::with_path;
use crate::domain::time::millis_serde;

/// The schema version of audit lines this build writes.
pub const AUDIT_VERSION: u32 = 1;

/// Request bodies larger than this are kept cut, with a note: warroom's own
/// changes are a few hundred bytes, so only something odd is ever cut.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The longest server detail kept: enough for a Status message.
pub const MAX_DETAIL_CHARS: usize = 500;

/// What was sent to the API server: never headers (they carry the token),
/// never the server's address (it may carry user:password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRequest {
    /// HTTP method (`DELETE`, `PATCH`).
    pub method: String,
    /// Path and query (`/api/v1/namespaces/shop/pods/x`).
    pub path: String,
    /// The body as JSON when it is JSON, else as text; absent when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

impl AuditRequest {
    /// The request as recorded: the body parsed as JSON where it is, cut to
    /// [`MAX_BODY_BYTES`] where it is larger.
    pub fn new(method: &str, path: &str, body: &[u8]) -> Self {
        let body = if body.is_empty() {
            None
        } else if body.len() > MAX_BODY_BYTES {
            let text = String::from_utf8_lossy(&body[..MAX_BODY_BYTES]);
            Some(serde_json::Value::String(format!(
                "{text}… ({} bytes in all, cut)",
                body.len()
            )))
        } else {
            Some(serde_json::from_slice(body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(body).into())
            }))
        };
        AuditRequest {
            method: method.to_string(),
            path: path.to_string(),
            body,
        }
    }
}

/// What the API server answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditAnswer {
    /// The HTTP status; absent when no answer came (unreachable, timed out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Whether the change was applied: a 2xx, whatever its body said.
    pub ok: bool,
    /// A short reason or detail (the Status message, the new replica count).
    pub detail: String,
}

/// One change to a cluster: who, when, where, what, and the server's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Schema version.
    pub v: u32,
    /// When the answer came, UTC, to the millisecond.
    #[serde(with = "millis_serde")]
    pub ts: Timestamp,
    /// Who made the change (the responder's configured name).
    pub author: String,
    /// The machine it was made from.
    pub host: String,
    /// The kubeconfig context (or `in-cluster`).
    pub context: String,
    /// The namespace changed.
    pub namespace: String,
    /// The change in words (`delete pod shop/x …`).
    pub action: String,
    /// The incident open at the time, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// What was sent.
    pub request: AuditRequest,
    /// What came back.
    pub answer: AuditAnswer,
}

/// Where audit lines are kept: `<data dir>/audit/`.
#[derive(Debug, Clone)]
pub struct AuditLog {
    data_dir: PathBuf,
    perms: crate::perms::Perms,
}

impl AuditLog {
    /// The audit log of a data dir.
    pub fn new(data_dir: &Path) -> Self {
        AuditLog {
            data_dir: data_dir.to_path_buf(),
            perms: crate::perms::Perms::for_data_dir(data_dir),
        }
    }

    /// The folder holding the monthly files.
    pub fn dir(&self) -> PathBuf {
        self.data_dir.join("audit")
    }

    /// The file a change at `ts` goes to.
    pub fn path_for(&self, ts: Timestamp) -> PathBuf {
        self.dir().join(format!("{}.jsonl", ts.strftime("%Y-%m")))
    }

    /// Appends one record durably (see the module's doc). The host is this
    /// machine's when the record names none; details are cut to size.
    pub fn append(&self, record: &AuditRecord) -> io::Result<()> {
        let mut r = record.clone();
        r.v = AUDIT_VERSION;
        if r.host.is_empty() {
            r.host = super::host_name().to_string();
        }
        if r.answer.detail.chars().count() > MAX_DETAIL_CHARS {
            r.answer.detail = r.answer.detail.chars().take(MAX_DETAIL_CHARS).collect();
            r.answer.detail.push('…');
        }
        let dir = self.dir();
        self.perms
            .own_dir(&self.data_dir)
            .map_err(|e| with_path(e, &self.data_dir))?;
        self.perms.own_dir(&dir).map_err(|e| with_path(e, &dir))?;
        let path = self.path_for(r.ts);
        let (file, created) = self.open_append(&path)?;
        let line = serde_json::to_vec(&r).map_err(io::Error::other)?;
        super::write_line(&file, line).map_err(|e| with_path(e, &path))?;
        if created && let Ok(d) = File::open(&dir) {
            // The new file's directory entry is made durable too.
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn open_append(&self, path: &Path) -> io::Result<(File, bool)> {
        match self.perms.create_new(path) {
            Ok(f) => Ok((f, true)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => OpenOptions::new()
                .append(true)
                .read(true)
                .custom_flags(nix::libc::O_NOFOLLOW)
                .open(path)
                .map(|f| (f, false))
                .map_err(|e| with_path(crate::perms::unfollowed(e), path)),
            Err(e) => Err(with_path(e, path)),
        }
    }

    /// Every record at or after `since`, oldest first, with warnings for
    /// lines that could not be read (a torn last line, a foreign line).
    pub fn read(&self, since: Option<Timestamp>) -> io::Result<(Vec<AuditRecord>, Vec<String>)> {
        let dir = self.dir();
        let mut files: Vec<(String, PathBuf)> = match fs::read_dir(&dir) {
            Ok(entries) => entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_str()?.strip_suffix(".jsonl")?.to_string();
                    Some((name, e.path()))
                })
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(with_path(e, &dir)),
        };
        files.sort();
        // A month before `since`'s holds nothing wanted: not read.
        let first = since.map(|s| s.strftime("%Y-%m").to_string());
        let mut records = Vec::new();
        let mut warnings = Vec::new();
        for (month, path) in files {
            if first.as_ref().is_some_and(|f| month.as_str() < f.as_str()) {
                continue;
            }
            let mut bytes = Vec::new();
            crate::bounded::open_regular(&path)
                .and_then(|mut f| io::Read::read_to_end(&mut f, &mut bytes))
                .map_err(|e| with_path(e, &path))?;
            parse(&bytes, &path, &mut records, &mut warnings);
        }
        records.retain(|r| since.is_none_or(|s| r.ts >= s));
        records.sort_by_key(|r| r.ts);
        Ok((records, warnings))
    }
}

/// Reads complete lines; a line that does not parse is skipped and said.
fn parse(bytes: &[u8], path: &Path, out: &mut Vec<AuditRecord>, warnings: &mut Vec<String>) {
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<AuditRecord>(line) {
            Ok(r) => out.push(r),
            Err(e) => warnings.push(format!("{}:{}: line skipped: {e}", path.display(), n + 1)),
        }
    }
}

#[cfg(test)]
mod tests;
