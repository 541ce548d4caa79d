//! Configuration: a YAML file in the platform config dir, patched by flags and
//! environment. Where files live is decided here and nowhere else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::Deserialize;

use crate::domain::severity::{Sev, SeverityMap};

/// What the config file may hold. Unknown keys are errors so typos surface.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Name stamped on every event; defaults to $USER.
    pub author: Option<String>,
    /// Alert `severity` label value → P0/P1/P2, patched onto the defaults.
    #[serde(default)]
    pub severity_map: BTreeMap<String, Sev>,
    /// Extra runbook folders searched after ./runbooks.
    #[serde(default)]
    pub runbook_dirs: Vec<PathBuf>,
}

/// Everything the cockpit needs to know, resolved from file, flags and env.
#[derive(Debug, Clone)]
pub struct Config {
    /// Name stamped on every event this cockpit records.
    pub author: String,
    /// Alert severity label → P0/P1/P2.
    pub severity: SeverityMap,
    /// Folders searched for runbooks, in order.
    pub runbook_dirs: Vec<PathBuf>,
    /// Where journals, exports and logs live.
    pub data_dir: PathBuf,
    /// The config file that was (or would have been) read.
    pub config_file: PathBuf,
}

/// A config problem, naming the file and where in it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file parsed badly or holds a wrong value.
    #[error("{path}: {message}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What is wrong and where (line, column, field).
        message: String,
    },
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The config file.
        path: PathBuf,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// No platform directories (no home): paths must be given explicitly.
    #[error("cannot determine a home directory; pass --data-dir and --config")]
    NoHome,
}

/// Overrides from the command line (flags already merged with their env vars).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config`: a file that must exist.
    pub config_file: Option<PathBuf>,
    /// `--data-dir` or WARROOM_DATA_DIR.
    pub data_dir: Option<PathBuf>,
    /// `--runbooks`, replacing the default folders.
    pub runbook_dirs: Vec<PathBuf>,
    /// `--author` or WARROOM_AUTHOR.
    pub author: Option<String>,
}

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "warroom")
}

/// Parses config text; errors carry the line and field serde_yaml reports.
pub fn parse(path: &Path, text: &str) -> Result<FileConfig, ConfigError> {
    if text.trim().is_empty() {
        return Ok(FileConfig::default());
    }
    serde_yaml::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        // serde_yaml names the field and ends with "at line L column C".
        message: e.to_string(),
    })
}

impl Config {
    /// Resolves the configuration. A missing default config file is fine; a
    /// missing file named with --config is an error.
    pub fn load(o: &Overrides) -> Result<Config, ConfigError> {
        let dirs = project_dirs();
        let config_file = match (&o.config_file, &dirs) {
            (Some(p), _) => p.clone(),
            (None, Some(d)) => d.config_dir().join("config.yaml"),
            (None, None) => return Err(ConfigError::NoHome),
        };
        let file = match std::fs::read_to_string(&config_file) {
            Ok(text) => parse(&config_file, &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && o.config_file.is_none() => {
                FileConfig::default()
            }
            Err(source) => {
                return Err(ConfigError::Io {
                    path: config_file,
                    source,
                });
            }
        };
        let data_dir = match (&o.data_dir, &dirs) {
            (Some(p), _) => p.clone(),
            (None, Some(d)) => d.data_dir().to_path_buf(),
            (None, None) => return Err(ConfigError::NoHome),
        };
        let mut runbook_dirs = if o.runbook_dirs.is_empty() {
            let mut v = vec![PathBuf::from("runbooks")];
            if let Some(d) = &dirs {
                v.push(d.config_dir().join("runbooks"));
            }
            v
        } else {
            o.runbook_dirs.clone()
        };
        runbook_dirs.extend(file.runbook_dirs.iter().cloned());
        let author = o
            .author
            .clone()
            .or(file.author.clone())
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("LOGNAME").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "unknown".into());
        Ok(Config {
            author,
            severity: SeverityMap::with_overrides(&file.severity_map),
            runbook_dirs,
            data_dir,
            config_file,
        })
    }

    /// Log files go beside the journals, never to the terminal.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_file() {
        let c = parse(
            Path::new("c.yaml"),
            "author: alice\nseverity_map:\n  critical: P0\nrunbook_dirs: [/srv/runbooks]\n",
        )
        .expect("ok");
        assert_eq!(c.author.as_deref(), Some("alice"));
        assert_eq!(c.severity_map.get("critical"), Some(&Sev::P0));
        assert_eq!(c.runbook_dirs, [PathBuf::from("/srv/runbooks")]);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let err = parse(
            Path::new("/etc/w.yaml"),
            "author: a\nseverity_map:\n  critical: P9\n",
        )
        .expect_err("bad sev")
        .to_string();
        assert!(err.starts_with("/etc/w.yaml: "), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("P9"), "{err}");
        let err = parse(Path::new("w.yaml"), "autor: a\n")
            .expect_err("typo")
            .to_string();
        assert!(err.contains("unknown field `autor`"), "{err}");
    }

    #[test]
    fn overrides_win_and_missing_explicit_file_fails() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, "author: filed\n").expect("write");
        let c = Config::load(&Overrides {
            config_file: Some(file.clone()),
            data_dir: Some(dir.path().join("data")),
            runbook_dirs: vec![PathBuf::from("rb")],
            author: Some("flag".into()),
        })
        .expect("load");
        assert_eq!(c.author, "flag");
        assert_eq!(c.runbook_dirs, [PathBuf::from("rb")]);
        assert_eq!(c.log_dir(), dir.path().join("data/logs"));
        let missing = Config::load(&Overrides {
            config_file: Some(dir.path().join("nope.yaml")),
            ..Overrides::default()
        });
        assert!(missing.is_err());
    }
}
