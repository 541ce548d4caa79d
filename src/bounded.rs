//! Reading files and answers that come from outside with a ceiling, so a
//! wrong path (`/dev/zero`, a pipe that never ends, a 10 GB log named as the
//! config) is refused with a clear error instead of eating the machine. What
//! is counted is what was read, never the size a file claims.

use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The largest config file read.
pub const CONFIG_BYTES: u64 = 1 << 20;
/// The largest runbook or template read.
pub const DOCUMENT_BYTES: u64 = 4 << 20;
/// The largest secret file (a token, a password) read.
pub const SECRET_BYTES: u64 = 64 << 10;

/// Reads at most `max` bytes of `path` as UTF-8; more is an error that says
/// so, with the path.
pub fn read_to_string(path: &Path, max: u64) -> io::Result<String> {
    let file = open_regular(path)?;
    let mut buf = Vec::new();
    file.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than {}: not read (is it the file you meant?)",
                human(max)
            ),
        ));
    }
    String::from_utf8(buf).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "not UTF-8 text: not read (is it the file you meant?)",
        )
    })
}

/// Opens `path` for reading if it is a regular file. It is opened without
/// waiting, since a named pipe with no writer would hang the open itself;
/// pipes, devices and folders are refused.
pub fn open_regular(path: &Path) -> io::Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a pipe, device or folder): not read",
        ));
    }
    Ok(file)
}

/// `1 MiB`, `64 KiB`.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_files_are_refused_after_the_ceiling() {
        let e = read_to_string(Path::new("/dev/zero"), 1 << 10).expect_err("refused");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().expect("tmp");
        // A named pipe nobody writes to: refused at once, not waited on.
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_to_string(&fifo, 1 << 10).expect_err("refused");
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        let e = read_to_string(dir.path(), 1 << 10).expect_err("a folder");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 2048]).expect("write");
        let e = read_to_string(&big, 1 << 10).expect_err("refused");
        assert!(e.to_string().contains("larger than 1 KiB"), "{e}");
        let p = dir.path().join("c.yaml");
        std::fs::write(&p, "a: 1\n").expect("write");
        assert_eq!(read_to_string(&p, 5).expect("fits"), "a: 1\n");
        assert!(read_to_string(&p, 4).is_err());
        std::fs::write(&p, [0xff, 0xfe]).expect("write");
        assert!(read_to_string(&p, 100).is_err());
    }
}
