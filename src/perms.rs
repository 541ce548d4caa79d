//! Who may read what warroom writes. Journals hold what responders typed —
//! sometimes a password pasted by mistake — so nothing warroom writes is
//! readable by others on the machine: files are 0600 and folders 0700. When
//! the data dir is a group folder with the setgid bit (several Unix users
//! sharing incidents on one bastion), files are 0660 and folders 2770, so the
//! group can work the same incidents and nobody else can read them. Modes
//! are set explicitly after creation, so the user's umask cannot loosen them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The modes for what is written under one data dir.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Perms {
    /// Mode of files.
    pub file: u32,
    /// Mode of folders.
    pub dir: u32,
}

impl Perms {
    /// Only the user.
    pub const PRIVATE: Perms = Perms {
        file: 0o600,
        dir: 0o700,
    };
    /// The user and the data dir's group.
    pub const GROUP: Perms = Perms {
        file: 0o660,
        dir: 0o2770,
    };

    /// Group-shared when `data_dir` is a setgid folder its group may write,
    /// private otherwise (and when it does not exist yet).
    pub fn for_data_dir(data_dir: &Path) -> Perms {
        match fs::metadata(data_dir) {
            Ok(m) if m.is_dir() && m.mode() & 0o2000 != 0 && m.mode() & 0o020 != 0 => Perms::GROUP,
            _ => Perms::PRIVATE,
        }
    }

    /// Creates `dir` and its missing parents with the folder mode; folders
    /// that exist are left as they are.
    pub fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        if dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            self.create_dir_all(parent)?;
        }
        match fs::DirBuilder::new().mode(self.dir & 0o777).create(dir) {
            Ok(()) => fs::set_permissions(dir, fs::Permissions::from_mode(self.dir)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates one of warroom's own folders (the data dir, its incidents,
    /// exports and logs) and takes away what an existing one allows beyond
    /// the folder mode. Folders the user names for an export are never
    /// changed.
    pub fn own_dir(&self, dir: &Path) -> io::Result<()> {
        self.create_dir_all(dir)?;
        let mode = fs::metadata(dir)?.mode() & 0o7777;
        let allowed = self.dir | 0o7000;
        if mode & !allowed != 0 {
            // Another user's folder (a group data dir) is theirs to fix.
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode & allowed));
        }
        Ok(())
    }

    /// Creates a file that must not exist yet, for appending.
    pub fn create_new(&self, path: &Path) -> io::Result<File> {
        let file = OpenOptions::new()
            .append(true)
            .read(true)
            .create_new(true)
            .mode(self.file)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(path)
            .map_err(unfollowed)?;
        file.set_permissions(fs::Permissions::from_mode(self.file))?;
        Ok(file)
    }

    /// Opens (creating if needed) a file every cockpit opens: the lock they
    /// take turns with, today's log. Its mode is set exactly, so under a group data dir every member can
    /// open it whatever the creator's umask; one that another member created
    /// too tightly is opened read-only, which is enough to lock it.
    pub fn open_shared(&self, path: &Path) -> io::Result<File> {
        let opened = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(self.file)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(path);
        let file = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                return OpenOptions::new()
                    .read(true)
                    .custom_flags(nix::libc::O_NOFOLLOW)
                    .open(path)
                    .map_err(unfollowed);
            }
            Err(e) => return Err(unfollowed(e)),
        };
        self.set_exact(&file)?;
        Ok(file)
    }

    /// Gives a file exactly the file mode. Only its owner can; for anyone
    /// else a mode tighter than wanted is left (it hides nothing), one
    /// looser is an error.
    fn set_exact(&self, file: &File) -> io::Result<()> {
        let mode = file.metadata()?.mode() & 0o7777;
        if mode == self.file {
            return Ok(());
        }
        match file.set_permissions(fs::Permissions::from_mode(self.file)) {
            Ok(()) => Ok(()),
            Err(_) if mode & !self.file == 0 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Writes `bytes` to `path`, replacing what was there, with the file mode.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.create_truncated(path)?.write_all(bytes)
    }

    /// Opens `path` to be written from empty, with the file mode: a regular
    /// file only, never through a link.
    pub fn create_truncated(&self, path: &Path) -> io::Result<File> {
        // Opened without waiting: a named pipe with no reader is an error,
        // not a hang; only a regular file is written.
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .mode(self.file)
            .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOFOLLOW)
            .open(path)
            .map_err(unfollowed)?;
        if !file.metadata()?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file (a pipe, device or folder): not written",
            ));
        }
        file.set_len(0)?;
        file.set_permissions(fs::Permissions::from_mode(self.file))?;
        Ok(file)
    }

    /// Takes away what a file written before (or by another tool) allows
    /// beyond the file mode: others never read it.
    pub fn tighten(&self, path: &Path) -> io::Result<()> {
        // A link is never followed: what it points at is not warroom's.
        let meta = fs::symlink_metadata(path)?;
        if !meta.is_file() {
            return Ok(());
        }
        let mode = meta.mode() & 0o7777;
        if mode & !self.file != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(mode & self.file))?;
        }
        Ok(())
    }
}

/// Opening refused because the last part of the path is a symbolic link,
/// said in words: in a shared data dir a planted link would make warroom
/// write (or change the mode of) a file elsewhere.
pub fn unfollowed(e: io::Error) -> io::Error {
    if e.raw_os_error() == Some(nix::libc::ELOOP) {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a symbolic link; warroom does not follow links where it writes",
        )
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).expect("stat").mode() & 0o7777
    }

    #[test]
    fn links_planted_where_warroom_writes_are_not_followed() {
        let dir = tempfile::tempdir().expect("tmp");
        let target = dir.path().join("victim");
        fs::write(&target, "keep").expect("write");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).expect("chmod");
        let link = dir.path().join("planted");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        let p = Perms::PRIVATE;
        let e = p.write(&link, b"over").expect_err("write through a link");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let e = p.open_shared(&link).expect_err("lock through a link");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(p.create_new(&link).is_err());
        p.tighten(&link).expect("a link is skipped");
        assert_eq!(fs::read_to_string(&target).expect("read"), "keep");
        assert_eq!(mode(&target), 0o644, "the link's target kept its mode");
        let event = crate::domain::incident::Event::new(
            jiff::Timestamp::UNIX_EPOCH,
            "bob".into(),
            crate::domain::incident::EventKind::Note { text: "x".into() },
        );
        let e = crate::journal::append_to(&link, &event).expect_err("append through a link");
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }

    #[test]
    fn private_by_default_whatever_the_umask() {
        let dir = tempfile::tempdir().expect("tmp");
        let data = dir.path().join("data");
        let p = Perms::for_data_dir(&data);
        assert_eq!(p, Perms::PRIVATE);
        p.create_dir_all(&data.join("incidents")).expect("dirs");
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("incidents")), 0o700);
        let f = data.join("incidents/x.jsonl");
        drop(p.create_new(&f).expect("file"));
        assert_eq!(mode(&f), 0o600);
        // A journal written by an older version, 0644, is tightened.
        let old = data.join("incidents/old.jsonl");
        fs::write(&old, "").expect("write");
        fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).expect("chmod");
        p.tighten(&old).expect("tighten");
        assert_eq!(mode(&old), 0o600);
    }

    #[test]
    fn a_setgid_group_folder_shares_with_its_group_only() {
        let dir = tempfile::tempdir().expect("tmp");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o2770)).expect("chmod");
        let p = Perms::for_data_dir(dir.path());
        assert_eq!(p, Perms::GROUP);
        let inc = dir.path().join("incidents");
        p.create_dir_all(&inc).expect("dir");
        assert_eq!(mode(&inc), 0o2770);
        let f = inc.join("x.jsonl");
        drop(p.create_new(&f).expect("file"));
        assert_eq!(mode(&f), 0o660);
        let e = inc.join("e.md");
        p.write(&e, b"x").expect("write");
        assert_eq!(mode(&e), 0o660);
    }

    #[test]
    fn the_lock_file_is_usable_by_the_whole_group() {
        let dir = tempfile::tempdir().expect("tmp");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o2770)).expect("chmod");
        let p = Perms::for_data_dir(dir.path());
        let lock = dir.path().join(".declare.lock");
        // Created earlier under a 022 umask: 0640, so the group could not
        // open it for writing.
        fs::write(&lock, "").expect("write");
        fs::set_permissions(&lock, fs::Permissions::from_mode(0o640)).expect("chmod");
        let f = p.open_shared(&lock).expect("lock file");
        assert_eq!(mode(&lock), 0o660);
        f.lock().expect("locks");
        drop(f);
        // One this user may not write (as if another member made it 0640):
        // opened read-only, and it still locks.
        fs::set_permissions(&lock, fs::Permissions::from_mode(0o440)).expect("chmod");
        let f = Perms::GROUP
            .open_shared(&lock)
            .expect("read-only is enough");
        f.lock().expect("locks read-only");
    }

    #[test]
    fn own_folders_are_tightened_and_pipes_are_not_written() {
        let dir = tempfile::tempdir().expect("tmp");
        let data = dir.path().join("data");
        fs::create_dir(&data).expect("mkdir");
        fs::set_permissions(&data, fs::Permissions::from_mode(0o777)).expect("chmod");
        Perms::PRIVATE.own_dir(&data).expect("own");
        assert_eq!(mode(&data), 0o700);
        // A folder named for an export is left as it is.
        let mine = dir.path().join("notes");
        fs::create_dir(&mine).expect("mkdir");
        fs::set_permissions(&mine, fs::Permissions::from_mode(0o755)).expect("chmod");
        Perms::PRIVATE.create_dir_all(&mine).expect("exists");
        assert_eq!(mode(&mine), 0o755);
        let fifo = dir.path().join("fifo.md");
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let e = Perms::PRIVATE
                .write(&fifo, b"x")
                .expect_err("not waited on");
            assert!(!e.to_string().is_empty());
        }
        let f = dir.path().join("x.md");
        Perms::PRIVATE.write(&f, b"long text").expect("write");
        Perms::PRIVATE.write(&f, b"short").expect("rewrite");
        assert_eq!(fs::read_to_string(&f).expect("read"), "short");
    }
}
