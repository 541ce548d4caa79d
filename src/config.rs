//! Configuration: a YAML file in the platform config dir, patched by flags and
//! environment. Where files live is decided here and nowhere else.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use directories::ProjectDirs;
use serde::Deserialize;

use crate::domain::severity::{Sev, SeverityMap};
use crate::domain::time::ConfigDuration;

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
    /// How long a runbook command may run unless its contract says (`5m`).
    pub command_timeout: Option<crate::domain::time::ConfigDuration>,
    /// The shell runbook commands run in (default `/bin/sh`); a runbook's
    /// own `shell:` wins.
    pub shell: Option<PathBuf>,
    /// Links as terminal hyperlinks (OSC 8): `true`, `false`, or unset to
    /// decide by the terminal.
    pub hyperlinks: Option<bool>,
    /// Mouse reporting (wheel, click); default on.
    pub mouse: Option<bool>,
    /// `dark`, `light` or `mono`; unset: by the terminal (`NO_COLOR`,
    /// `COLORFGBG`).
    pub theme: Option<crate::look::Palette>,
    /// Only ASCII on screen; unset: when the locale is not UTF-8 or the
    /// terminal is limited.
    pub ascii: Option<bool>,
    /// Per-severity overrides of the severity matrix (acknowledge, mitigate,
    /// update cadence, ...).
    #[serde(default)]
    pub severity_matrix: BTreeMap<Sev, crate::domain::policy::TargetPatch>,
    /// Who is on call, for the escalation clock.
    #[serde(default)]
    pub oncall: crate::domain::policy::OnCall,
    /// Where alerts come from and silences go.
    pub alertmanager: Option<ServerConfig>,
    /// Where range queries (and, without Alertmanager, alerts) come from.
    pub prometheus: Option<ServerConfig>,
    /// Kube contexts that are production: a game-day there is refused
    /// unless its experiment says `allow_production: true` and the context's
    /// name is typed.
    #[serde(default)]
    pub production_contexts: Vec<String>,
    /// Where `--share` puts shared incidents, and whether output goes too.
    #[serde(default)]
    pub share: crate::share::ShareSettings,
}

/// How to reach one HTTP server, as written in the file. Secrets are never
/// written here: only the name of the env var or file that holds them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Base URL, e.g. `https://alertmanager.example.com`.
    pub url: Option<url::Url>,
    /// Env var holding a bearer token.
    pub bearer_token_env: Option<String>,
    /// File holding a bearer token (trailing newline ignored).
    pub bearer_token_file: Option<PathBuf>,
    /// HTTP basic auth.
    pub basic_auth: Option<BasicAuthConfig>,
    /// PEM file with the CA that signed the server's certificate.
    pub ca_file: Option<PathBuf>,
    /// How often to ask (`15s`, `1m`).
    pub poll_interval: Option<ConfigDuration>,
    /// How long one request may take before it counts as failed.
    pub timeout: Option<ConfigDuration>,
}

/// Basic auth as written in the file: the password comes from an env var or file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthConfig {
    /// User name.
    pub username: String,
    /// Env var holding the password.
    pub password_env: Option<String>,
    /// File holding the password.
    pub password_file: Option<PathBuf>,
}

/// A secret value. Its `Debug` and `Display` never show it, so it cannot leak
/// into logs, panes or journals by accident.
#[derive(Clone, PartialEq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret read from the environment or a file.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value itself, only for building request headers.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How requests authenticate.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// `Authorization: Bearer …`.
    Bearer(Secret),
    /// `Authorization: Basic …`.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: Secret,
    },
}

/// A resolved server: URL, credentials, trust and timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// Base URL; any user:password in it is never displayed.
    pub url: url::Url,
    /// Credentials, already read from their env var or file.
    pub auth: Auth,
    /// Extra CA certificate(s) in PEM, already read.
    pub ca_pem: Option<Vec<u8>>,
    /// Time between polls.
    pub poll_interval: Duration,
    /// Per-request time limit.
    pub timeout: Duration,
}

impl Endpoint {
    /// The URL without credentials, for titles and logs.
    pub fn display_url(&self) -> String {
        let mut u = self.url.clone();
        let _ = u.set_username("");
        let _ = u.set_password(None);
        u.to_string()
    }
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
    /// Those of them that are only the defaults (`./runbooks`, the config
    /// folder's): missing, they are not worth a word.
    pub quiet_runbook_dirs: Vec<PathBuf>,
    /// How long a runbook command may run unless its contract says.
    pub command_timeout: std::time::Duration,
    /// The shell runbook commands run in, when not `/bin/sh`.
    pub shell: Option<PathBuf>,
    /// Links as terminal hyperlinks, if the config says (else by terminal).
    pub hyperlinks: Option<bool>,
    /// The palette and ASCII mode asked for (else by terminal).
    pub look: crate::look::Wanted,
    /// Mouse reporting on (the default; `--no-mouse` or `mouse: false`).
    pub mouse: bool,
    /// Where journals, exports and logs live.
    pub data_dir: PathBuf,
    /// The config file that was (or would have been) read.
    pub config_file: PathBuf,
    /// The severity matrix in force.
    pub matrix: crate::domain::policy::Matrix,
    /// Who is on call.
    pub oncall: crate::domain::policy::OnCall,
    /// Alertmanager, if configured.
    pub alertmanager: Option<Endpoint>,
    /// Prometheus, if configured.
    pub prometheus: Option<Endpoint>,
    /// Kube contexts that are production (game-days refuse them by default).
    pub production_contexts: Vec<String>,
    /// Sharing incidents through the cluster (used with `--share`).
    pub share: crate::share::ShareSettings,
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
    /// `--alertmanager` or WARROOM_ALERTMANAGER_URL.
    pub alertmanager_url: Option<url::Url>,
    /// `--prometheus` or WARROOM_PROMETHEUS_URL.
    pub prometheus_url: Option<url::Url>,
    /// `--theme`.
    pub theme: Option<crate::look::Palette>,
    /// `--ascii`.
    pub ascii: Option<bool>,
    /// `--no-mouse`.
    pub no_mouse: bool,
}

/// Default time between alert polls.
pub const DEFAULT_POLL: Duration = Duration::from_secs(10);
/// Default per-request time limit.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Turns a server section (patched by a URL flag) into an endpoint, reading the
/// secrets it names. Errors name the file and the field.
fn endpoint(
    path: &Path,
    section: &str,
    file: Option<&ServerConfig>,
    url_override: Option<&url::Url>,
) -> Result<Option<Endpoint>, ConfigError> {
    let invalid = |field: &str, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: format!("{section}.{field}: {message}"),
    };
    let c = file.cloned().unwrap_or_default();
    let Some(url) = url_override.cloned().or(c.url.clone()) else {
        if file.is_some() {
            return Err(invalid("url", "missing: the server's base URL".into()));
        }
        return Ok(None);
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "url",
            format!("'{}' is not http or https", url.scheme()),
        ));
    }
    let from_env = |field: &str, var: &str| {
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| Secret::new(v.trim().to_string()))
            .ok_or_else(|| invalid(field, format!("environment variable {var} is not set")))
    };
    let from_file = |field: &str, f: &Path| {
        crate::bounded::read_to_string(f, crate::bounded::SECRET_BYTES)
            .map(|v| Secret::new(v.trim().to_string()))
            .map_err(|e| invalid(field, format!("{}: {e}", f.display())))
    };
    let auth = match (&c.bearer_token_env, &c.bearer_token_file, &c.basic_auth) {
        (None, None, None) => Auth::None,
        (Some(var), None, None) => Auth::Bearer(from_env("bearer_token_env", var)?),
        (None, Some(f), None) => Auth::Bearer(from_file("bearer_token_file", f)?),
        (None, None, Some(b)) => {
            let password = match (&b.password_env, &b.password_file) {
                (Some(var), None) => from_env("basic_auth.password_env", var)?,
                (None, Some(f)) => from_file("basic_auth.password_file", f)?,
                _ => {
                    return Err(invalid(
                        "basic_auth",
                        "give exactly one of password_env or password_file".into(),
                    ));
                }
            };
            Auth::Basic {
                username: b.username.clone(),
                password,
            }
        }
        _ => {
            return Err(invalid(
                "auth",
                "give only one of bearer_token_env, bearer_token_file or basic_auth".into(),
            ));
        }
    };
    let ca_pem = match &c.ca_file {
        Some(f) => Some(
            crate::bounded::read_to_string(f, crate::bounded::DOCUMENT_BYTES)
                .map_err(|e| invalid("ca_file", format!("{}: {e}", f.display())))?
                .into_bytes(),
        ),
        None => None,
    };
    Ok(Some(Endpoint {
        url,
        auth,
        ca_pem,
        poll_interval: c.poll_interval.map_or(DEFAULT_POLL, |d| d.0),
        timeout: c.timeout.map_or(DEFAULT_TIMEOUT, |d| d.0),
    }))
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
        let file = match crate::bounded::read_to_string(&config_file, crate::bounded::CONFIG_BYTES)
        {
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
        let quiet_runbook_dirs = if o.runbook_dirs.is_empty() {
            runbook_dirs.clone()
        } else {
            Vec::new()
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
        let alertmanager = endpoint(
            &config_file,
            "alertmanager",
            file.alertmanager.as_ref(),
            o.alertmanager_url.as_ref(),
        )?;
        let prometheus = endpoint(
            &config_file,
            "prometheus",
            file.prometheus.as_ref(),
            o.prometheus_url.as_ref(),
        )?;
        Ok(Config {
            author,
            severity: SeverityMap::with_overrides(&file.severity_map),
            runbook_dirs,
            quiet_runbook_dirs,
            command_timeout: file
                .command_timeout
                .map_or(crate::exec::DEFAULT_COMMAND_TIMEOUT, |d| d.0),
            shell: file.shell.clone(),
            hyperlinks: file.hyperlinks,
            mouse: !o.no_mouse && file.mouse.unwrap_or(true),
            look: crate::look::Wanted {
                palette: o.theme.or(file.theme),
                ascii: o.ascii.or(file.ascii),
            },
            data_dir,
            config_file,
            matrix: crate::domain::policy::Matrix::with_overrides(&file.severity_matrix),
            oncall: file.oncall.clone(),
            alertmanager,
            prometheus,
            production_contexts: file.production_contexts.clone(),
            share: file.share.clone(),
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
            ..Overrides::default()
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

    #[test]
    fn servers_resolve_secrets_without_showing_them() {
        let dir = tempfile::tempdir().expect("tmp");
        let token = dir.path().join("token");
        std::fs::write(&token, "s3cr3t-token\n").expect("write");
        let file = dir.path().join("c.yaml");
        std::fs::write(
            &file,
            format!(
                "alertmanager:\n  url: https://am.example.com\n  bearer_token_file: {}\n  poll_interval: 30s\nprometheus:\n  url: http://prom:9090\n  timeout: 2s\n",
                token.display()
            ),
        )
        .expect("write");
        let c = Config::load(&Overrides {
            config_file: Some(file.clone()),
            data_dir: Some(dir.path().to_path_buf()),
            ..Overrides::default()
        })
        .expect("load");
        let am = c.alertmanager.expect("am");
        assert_eq!(am.auth, Auth::Bearer(Secret::new("s3cr3t-token".into())));
        assert_eq!(am.poll_interval, Duration::from_secs(30));
        let prom = c.prometheus.expect("prom");
        assert_eq!(prom.timeout, Duration::from_secs(2));
        assert_eq!(prom.poll_interval, DEFAULT_POLL);
        let shown = format!("{am:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");

        // A flag URL overrides the file.
        let flag: url::Url = "http://127.0.0.1:9093".parse().expect("url");
        let c = Config::load(&Overrides {
            config_file: Some(file),
            data_dir: Some(dir.path().to_path_buf()),
            alertmanager_url: Some(flag.clone()),
            ..Overrides::default()
        })
        .expect("load");
        assert_eq!(c.alertmanager.expect("am").url, flag);
    }

    #[test]
    fn server_errors_name_file_and_field() {
        let dir = tempfile::tempdir().expect("tmp");
        let load = |text: &str| {
            let file = dir.path().join("c.yaml");
            std::fs::write(&file, text).expect("write");
            Config::load(&Overrides {
                config_file: Some(file),
                data_dir: Some(dir.path().to_path_buf()),
                ..Overrides::default()
            })
            .expect_err("invalid")
            .to_string()
        };
        let e = load("author: a\nalertmanager:\n  url: not a url\n");
        assert!(e.contains("c.yaml: "), "{e}");
        assert!(
            e.contains("alertmanager.url") && e.contains("line 3"),
            "{e}"
        );
        let e = load("prometheus:\n  url: http://p\n  poll_interval: often\n");
        assert!(
            e.contains("prometheus.poll_interval") && e.contains("line 3"),
            "{e}"
        );
        let e =
            load("alertmanager:\n  url: http://a\n  bearer_token_env: WARROOM_TEST_UNSET_TOKEN\n");
        assert!(
            e.contains("alertmanager.bearer_token_env") && e.contains("not set"),
            "{e}"
        );
        let e = load("alertmanager:\n  url: ftp://a\n");
        assert!(e.contains("not http or https"), "{e}");
        let e = load("alertmanager:\n  poll_interval: 5s\n");
        assert!(e.contains("alertmanager.url: missing"), "{e}");
        let e = load("alertmanager:\n  url: http://a\n  tokn: x\n");
        assert!(e.contains("unknown field `tokn`"), "{e}");
    }

    #[test]
    fn severity_matrix_and_oncall_come_from_the_file() {
        let c = parse(
            Path::new("c.yaml"),
            "severity_matrix:\n  P1:\n    acknowledge: 10m\noncall:\n  primary: alice\n  secondary: bob\n",
        )
        .expect("ok");
        let m = crate::domain::policy::Matrix::with_overrides(&c.severity_matrix);
        assert_eq!(
            m.target(Sev::P1).acknowledge,
            Some(Duration::from_secs(600))
        );
        assert_eq!(c.oncall.secondary.as_deref(), Some("bob"));
        let err = parse(
            Path::new("c.yaml"),
            "severity_matrix:\n  P1:\n    acknowlege: 10m\n",
        )
        .expect_err("typo")
        .to_string();
        assert!(
            err.contains("acknowlege") && err.contains("line 3"),
            "{err}"
        );
    }
}
