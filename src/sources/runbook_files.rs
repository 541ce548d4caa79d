//! Reads the runbook library from disk. A broken file is reported, never fatal.

use std::path::{Path, PathBuf};

use crate::domain::runbook::{self, Library, Origin, RunbookError};

/// How deep folders are followed: deeper trees are a mistake (a link loop,
/// the root of the disk), not a runbook library.
const MAX_DEPTH: usize = 12;

/// Loads every runbook under `roots`: folders are walked recursively
/// (hidden folders, `_index.md`/README pages and non-markdown files
/// skipped), files are read as named. Missing roots are noted in the
/// library's origins; unreadable or malformed files become errors.
pub fn load(roots: &[PathBuf]) -> Library {
    let mut lib = Library::default();
    for root in roots {
        let mut origin = Origin {
            root: root.clone(),
            runbooks: 0,
            failed: 0,
            problem: None,
        };
        let files = match runbook_files(root) {
            Ok(files) => files,
            Err(e) => {
                origin.problem = Some(if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or folder".to_string()
                } else {
                    e.to_string()
                });
                lib.origins.push(origin);
                continue;
            }
        };
        for path in files {
            match crate::bounded::read_to_string(&path, crate::bounded::DOCUMENT_BYTES) {
                Ok(text) => match runbook::parse(&path, &text) {
                    Ok(rb) if lib.get(&rb.id).is_some() => {
                        origin.failed += 1;
                        lib.errors.push(RunbookError {
                            path,
                            line: 1,
                            message: format!(
                                "runbook id '{}' is already used by another file; skipped",
                                rb.id
                            ),
                        });
                    }
                    Ok(rb) => {
                        origin.runbooks += 1;
                        lib.runbooks.push(rb);
                    }
                    Err(e) => {
                        origin.failed += 1;
                        lib.errors.push(e);
                    }
                },
                Err(e) => {
                    origin.failed += 1;
                    lib.errors.push(RunbookError {
                        path,
                        line: 1,
                        message: e.to_string(),
                    });
                }
            }
        }
        lib.origins.push(origin);
    }
    for e in &lib.errors {
        tracing::warn!("runbook skipped: {e}");
    }
    lib
}

/// The runbook files under `root`, sorted by path; `root` itself when it is
/// a file (named on purpose, so taken whatever its name).
pub fn runbook_files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(root)?;
    if !meta.is_dir() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    walk(root, 0, &mut seen, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(
    dir: &Path,
    depth: usize,
    seen: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    // A folder reached twice (through a link) is read once.
    if depth > MAX_DEPTH || !seen.insert(dir.canonicalize()?) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        // Follows links, so a linked file or folder counts as what it points at.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if !hidden {
                // A folder that cannot be read is skipped, not fatal.
                let _ = walk(&path, depth + 1, seen, out);
            }
        } else if meta.is_file() && is_runbook(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// The runbooks shipped in `runbooks/`, built in so `warroom demo` has its
/// checklists wherever it is started from.
const SHIPPED: &[(&str, &str)] = &[
    (
        "api-latency-p99.md",
        include_str!("../../runbooks/api-latency-p99.md"),
    ),
    (
        "error-budget-burn.md",
        include_str!("../../runbooks/error-budget-burn.md"),
    ),
    (
        "pod-crash-loop.md",
        include_str!("../../runbooks/pod-crash-loop.md"),
    ),
    (
        "certificate-expiry.md",
        include_str!("../../runbooks/certificate-expiry.md"),
    ),
    (
        "queue-backlog.md",
        include_str!("../../runbooks/queue-backlog.md"),
    ),
    (
        "deployment-replicas-mismatch.md",
        include_str!("../../runbooks/deployment-replicas-mismatch.md"),
    ),
    (
        "oom-killed.md",
        include_str!("../../runbooks/oom-killed.md"),
    ),
    (
        "node-not-ready.md",
        include_str!("../../runbooks/node-not-ready.md"),
    ),
    (
        "pvc-disk-pressure.md",
        include_str!("../../runbooks/pvc-disk-pressure.md"),
    ),
    (
        "db-replication-lag.md",
        include_str!("../../runbooks/db-replication-lag.md"),
    ),
    (
        "failed-deployment.md",
        include_str!("../../runbooks/failed-deployment.md"),
    ),
    (
        "dns-failures.md",
        include_str!("../../runbooks/dns-failures.md"),
    ),
    (
        "regional-failover-drill.md",
        include_str!("../../runbooks/regional-failover-drill.md"),
    ),
];

/// Adds the shipped runbooks that no folder provided (folders win, so a team's
/// edited copy is the one used).
pub fn add_shipped(lib: &mut Library) {
    for (name, text) in SHIPPED {
        let path = Path::new(runbook::BUILT_IN).join(name);
        match runbook::parse(&path, text) {
            Ok(rb) if lib.get(&rb.id).is_none() => lib.runbooks.push(rb),
            Ok(_) => {}
            Err(e) => lib.errors.push(e),
        }
    }
}

/// Keeps the runbook folders watched; dropping it stops the watch.
pub struct RunbookWatch {
    _debouncer: notify_debouncer_mini::Debouncer<ChangesOnly>,
}

/// Quiet time after the last change before a file is read, so an editor's
/// write-rename-chmod sequence is read once, complete.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

/// The platform's watcher, passing on only creations, writes, renames and
/// removals. Opening or reading a file (this cockpit reading a runbook, an
/// editor opening one) is not a change, and must not wake the debouncer, or
/// reading a changed file would itself count as a change.
pub struct ChangesOnly(notify::RecommendedWatcher);

impl notify::Watcher for ChangesOnly {
    fn new<F: notify::EventHandler>(
        mut handler: F,
        config: notify::Config,
    ) -> notify::Result<Self> {
        notify::RecommendedWatcher::new(
            move |res: notify::Result<notify::Event>| {
                let change = res.as_ref().map_or(true, |ev| {
                    matches!(
                        ev.kind,
                        notify::EventKind::Create(_)
                            | notify::EventKind::Modify(_)
                            | notify::EventKind::Remove(_)
                    )
                });
                if change {
                    handler.handle_event(res);
                }
            },
            config,
        )
        .map(ChangesOnly)
    }

    fn watch(&mut self, path: &Path, mode: notify::RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn configure(&mut self, option: notify::Config) -> notify::Result<bool> {
        self.0.configure(option)
    }

    fn kind() -> notify::WatcherKind {
        notify::RecommendedWatcher::kind()
    }
}

/// Watches `dirs` and reports every changed runbook file, re-read and
/// parsed, on `tx`, once its changes have settled. `None` when the platform
/// cannot watch (the cockpit then simply does not reload).
pub fn watch(dirs: &[PathBuf], tx: crate::sources::SourceTx) -> Option<RunbookWatch> {
    use notify::RecursiveMode;
    // Events name files by their canonical path; the library by the root as
    // configured. Map one to the other.
    let folders: Vec<(PathBuf, PathBuf)> = dirs
        .iter()
        .filter_map(|d| d.canonicalize().ok().map(|c| (c, d.clone())))
        .collect();
    if folders.is_empty() {
        return None;
    }
    // What was last reported per file: editors touch a file several times
    // per save, and one save should be one report.
    let mut last: std::collections::HashMap<PathBuf, Option<String>> =
        std::collections::HashMap::new();
    let watched = folders.clone();
    let handler = move |res: notify_debouncer_mini::DebounceEventResult| {
        let Ok(events) = res else {
            return;
        };
        let mut changed = std::collections::BTreeSet::new();
        for e in events {
            // A folder that appeared (or was moved in) may hold runbooks
            // written before the watch on it began: read what is there.
            if e.path.is_dir() {
                changed.extend(runbook_files(&e.path).unwrap_or_default());
            } else {
                changed.insert(e.path);
            }
        }
        for p in changed {
            let Some(path) = library_path(&watched, &p) else {
                continue;
            };
            let text = crate::bounded::read_to_string(&p, crate::bounded::DOCUMENT_BYTES);
            let seen = text.as_ref().ok().cloned();
            if last.get(&path) == Some(&seen) {
                continue;
            }
            last.insert(path.clone(), seen);
            let result = match text {
                Ok(text) => runbook::parse(&path, &text).map(Box::new),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RunbookError {
                    path: path.clone(),
                    line: 0,
                    message: "the file was removed or renamed".into(),
                }),
                Err(e) => Err(RunbookError {
                    path: path.clone(),
                    line: 0,
                    message: e.to_string(),
                }),
            };
            // The watcher's own thread: it may wait for the cockpit.
            let _ = tx.blocking_send(crate::sources::SourceMsg::Runbook { path, result });
        }
    };
    let config = notify_debouncer_mini::Config::default().with_timeout(SETTLE);
    let mut debouncer = notify_debouncer_mini::new_debouncer_opt::<_, ChangesOnly>(config, handler)
        .map_err(|e| tracing::warn!("runbook folders cannot be watched: {e}"))
        .ok()?;
    for (canonical, _) in &folders {
        // A folder with everything under it; a file named as a root through
        // its folder (events for its neighbours are dropped).
        let (target, mode) = if canonical.is_dir() {
            (canonical.as_path(), RecursiveMode::Recursive)
        } else {
            let parent = canonical.parent().unwrap_or(canonical);
            (parent, RecursiveMode::NonRecursive)
        };
        if let Err(e) = debouncer.watcher().watch(target, mode) {
            tracing::warn!("cannot watch {}: {e}", target.display());
        }
    }
    Some(RunbookWatch {
        _debouncer: debouncer,
    })
}

/// The library's name for a file an event reported, if it is one the
/// library reads: a runbook file under a root folder (not in a hidden
/// folder), or a file named as a root itself.
fn library_path(roots: &[(PathBuf, PathBuf)], event_path: &Path) -> Option<PathBuf> {
    let name = event_path.file_name()?;
    let parent = event_path.parent()?;
    // The file may be gone (removed, renamed away): its folder still names it.
    let canonical = parent
        .canonicalize()
        .unwrap_or_else(|_| parent.to_path_buf())
        .join(name);
    roots.iter().find_map(|(root, configured)| {
        if canonical == *root {
            return Some(configured.clone());
        }
        let rel = canonical.strip_prefix(root).ok()?;
        let hidden = rel
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        (root.is_dir() && !hidden && is_runbook(&canonical)).then(|| configured.join(rel))
    })
}

/// Markdown files except READMEs and `_index.md`-style section pages of
/// documentation sites.
fn is_runbook(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
        && !p
            .file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("readme") || s.starts_with(['_', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_runbooks_fill_in_without_overriding_folders() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join("pod-crash-loop.md"),
            "# Ours\n## Check\n- a\n",
        )
        .expect("w");
        let mut lib = load(&[dir.path().to_path_buf()]);
        add_shipped(&mut lib);
        assert!(lib.errors.is_empty(), "{:?}", lib.errors);
        assert_eq!(lib.runbooks.len(), SHIPPED.len());
        assert_eq!(
            lib.get("pod-crash-loop").map(|r| r.title.as_str()),
            Some("Ours")
        );
        assert!(lib.get("api-latency-p99").is_some());
    }

    #[test]
    fn loads_good_reports_bad_and_skips_readme() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("good.md"), "# Good\n## Check\n- a\n").expect("w");
        std::fs::write(dir.path().join("bad.md"), "---\nalerts: [x\n---\n").expect("w");
        std::fs::write(dir.path().join("README.md"), "# not a runbook").expect("w");
        std::fs::write(dir.path().join("notes.txt"), "ignored").expect("w");
        let lib = load(&[dir.path().to_path_buf(), dir.path().join("missing")]);
        assert_eq!(lib.runbooks.len(), 1);
        assert_eq!(lib.runbooks[0].id, "good");
        assert_eq!(lib.errors.len(), 1);
        assert!(lib.errors[0].to_string().contains("bad.md"));
    }

    #[test]
    fn trees_are_walked_and_what_came_from_where_is_said() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("content/runbooks");
        for (path, text) in [
            ("kubernetes/KubePodCrashLooping.md", "# A\n## Meaning\nx\n"),
            ("kubernetes/_index.md", "# Section page\n"),
            ("general/deep/TargetDown.md", "# B\n## Meaning\nx\n"),
            (".hidden/Ignored.md", "# C\n"),
            ("general/notes.txt", "not markdown"),
            ("README.md", "# about"),
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, text).expect("write");
        }
        let lone = dir.path().join("lone.md");
        std::fs::write(&lone, "# Lone\n").expect("write");
        let missing = dir.path().join("missing");
        let lib = load(&[root.clone(), lone.clone(), missing.clone()]);
        let ids: Vec<&str> = lib.runbooks.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["TargetDown", "KubePodCrashLooping", "lone"]);
        assert!(lib.errors.is_empty(), "{:?}", lib.errors);
        let (text, bad) = lib.summary(|_| false);
        assert!(bad, "a named root that gave nothing is a problem");
        assert_eq!(
            text,
            format!(
                "runbooks: 2 from {}, 1 from {}; {}: no such file or folder",
                root.display(),
                lone.display(),
                missing.display()
            )
        );
        // The default folders may be missing without a word.
        let (_, bad) = lib.summary(|r| r == missing);
        assert!(!bad);
    }
}
