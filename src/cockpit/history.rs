//! The `:` line's history on disk: one file per Unix user under the data
//! dir (`history/<uid>.txt`), the newest line last, at most
//! [`crate::app::state::HISTORY_KEPT`] lines. A command line can hold a pasted password
//! (`:note password=…`), so every line is redacted before it is written,
//! and the file gets the data dir's modes (0600, or 0660 in a group data
//! dir) like a journal. Several cockpits of one user take turns through a
//! lock file, and the file is replaced whole, so a reader never sees half
//! of it.

use std::io;
use std::path::{Path, PathBuf};

use crate::app::state::CommandHistory;
use crate::domain::redact::redact;
use crate::perms::Perms;

/// The largest history file read: [`crate::app::state::HISTORY_KEPT`] lines of at most
/// [`crate::app::state::HISTORY_LINE_CHARS`] characters fit with room to
/// spare; anything larger is not one warroom wrote.
pub const HISTORY_BYTES: u64 = 4 << 20;

/// The folder the history files are in.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("history")
}

/// This user's history file.
pub fn path(data_dir: &Path, uid: u32) -> PathBuf {
    folder(data_dir).join(format!("{uid}.txt"))
}

/// The Unix user the cockpit runs as, whose history it keeps.
pub fn current_uid() -> u32 {
    nix::unistd::getuid().as_raw()
}

/// The kept lines, oldest first; none when there is no file yet.
pub fn load(data_dir: &Path, uid: u32) -> io::Result<Vec<String>> {
    match crate::bounded::read_to_string(&path(data_dir, uid), HISTORY_BYTES) {
        Ok(text) => Ok(last_lines(text.lines())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Tidied, non-empty, and only the newest [`crate::app::state::HISTORY_KEPT`].
fn last_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut h = CommandHistory::default();
    for l in lines {
        h.push(l);
    }
    h.lines().map(str::to_string).collect()
}

/// Adds `line` as the newest of this user's history, redacted, keeping the
/// newest [`crate::app::state::HISTORY_KEPT`] lines. A file that cannot be read (damaged, too
/// large) is started afresh rather than left to block every later line.
pub fn append(data_dir: &Path, perms: Perms, uid: u32, line: &str) -> io::Result<()> {
    let dir = folder(data_dir);
    perms.own_dir(&dir)?;
    let lock = perms.open_shared(&dir.join(format!("{uid}.lock")))?;
    lock.lock()?;
    let mut lines = load(data_dir, uid).unwrap_or_else(|e| {
        tracing::warn!("command history unreadable, started afresh: {e}");
        Vec::new()
    });
    lines.push(line.to_string());
    // Lines written by an older version, or by hand, are redacted too.
    let redacted: Vec<String> = lines.iter().map(|l| redact(l)).collect();
    let kept = last_lines(redacted.iter().map(String::as_str));
    let mut text = kept.join("\n");
    text.push('\n');
    let tmp = dir.join(format!("{uid}.txt.tmp"));
    perms.write(&tmp, text.as_bytes())?;
    std::fs::rename(&tmp, path(data_dir, uid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::HISTORY_KEPT;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777
    }

    #[test]
    fn history_is_redacted_bounded_and_private() {
        let dir = tempfile::tempdir().expect("tmp");
        let data = dir.path().join("data");
        let perms = Perms::for_data_dir(&data);
        assert_eq!(
            load(&data, 1000).expect("no file yet"),
            Vec::<String>::new()
        );
        append(&data, perms, 1000, "note password=hunter22").expect("written");
        append(&data, perms, 1000, "sev P1").expect("written");
        let file = path(&data, 1000);
        let text = std::fs::read_to_string(&file).expect("read");
        assert!(!text.contains("hunter22"), "{text}");
        assert!(text.contains("note password=[REDACTED]"), "{text}");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&folder(&data)), 0o700);
        assert_eq!(
            load(&data, 1000).expect("read"),
            ["note password=[REDACTED]", "sev P1"]
        );
        // Bounded: only the newest lines stay, and no line runs long.
        for i in 0..HISTORY_KEPT + 20 {
            append(&data, perms, 1000, &format!("note {i}")).expect("written");
        }
        append(&data, perms, 1000, &"x".repeat(5000)).expect("written");
        let lines = load(&data, 1000).expect("read");
        assert_eq!(lines.len(), HISTORY_KEPT);
        assert_eq!(lines[0], "note 21");
        assert_eq!(
            lines.last().map(|l| l.chars().count()),
            Some(crate::app::state::HISTORY_LINE_CHARS)
        );
        // Each user has a file of their own.
        assert_eq!(load(&data, 1001).expect("none"), Vec::<String>::new());
        // A line written by hand before is redacted when the file is next
        // written, and a loose mode is tightened.
        std::fs::write(
            &file,
            "export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
        )
        .expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        append(&data, perms, 1000, "ack").expect("written");
        let text = std::fs::read_to_string(&file).expect("read");
        assert!(!text.contains("ghp_abcdef"), "{text}");
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn a_group_data_dir_shares_history_with_the_group_only() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o2770))
            .expect("chmod");
        let perms = Perms::for_data_dir(dir.path());
        append(dir.path(), perms, 7, "ack").expect("written");
        assert_eq!(mode(&path(dir.path(), 7)), 0o660);
    }

    #[test]
    fn a_damaged_file_is_started_afresh_and_a_link_is_not_followed() {
        let dir = tempfile::tempdir().expect("tmp");
        let data = dir.path();
        std::fs::create_dir_all(folder(data)).expect("mkdir");
        std::fs::write(path(data, 5), [0xff, 0xfe, b'\n']).expect("write");
        assert!(load(data, 5).is_err());
        append(data, Perms::PRIVATE, 5, "ack").expect("written");
        assert_eq!(load(data, 5).expect("read"), ["ack"]);
        // A link planted in place of the temporary file is refused.
        let target = dir.path().join("victim");
        std::fs::write(&target, "keep").expect("write");
        std::os::unix::fs::symlink(&target, folder(data).join("5.txt.tmp")).expect("link");
        assert!(append(data, Perms::PRIVATE, 5, "sev P0").is_err());
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
    }
}
