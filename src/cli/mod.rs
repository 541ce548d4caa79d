//! Command-line interface: the arguments, and one module per subcommand, each
//! with a `run`; start-up order is explicit there and nowhere else.

mod audit;
mod cockpit;
mod export;
mod lint;
mod lint_experiments;
mod list;
mod main_metric;
mod open;
mod replay;
mod share;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::sources::kubernetes::KubeOptions;

/// Writes to standard output; a closed pipe (`warroom list | head`) ends the
/// output quietly instead of panicking.
fn out_str(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// `println!` through [`out_str`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out_str(&format!("{}\n", format_args!($($arg)*)))
    };
}
use out;

/// warroom: a terminal incident cockpit.
#[derive(Debug, Parser)]
#[command(name = "warroom", version, about, long_about = None)]
pub struct Cli {
    /// Where incident journals, exports and logs live.
    #[arg(long, global = true, env = "WARROOM_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file (default: config.yaml in the platform config dir).
    #[arg(long, global = true, env = "WARROOM_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Runbook folder; repeatable (default: ./runbooks and the config dir's runbooks/).
    #[arg(long = "runbooks", global = true, value_name = "DIR")]
    pub runbooks: Vec<PathBuf>,
    /// Name stamped on your timeline entries (default: config, then $USER).
    #[arg(long, global = true, env = "WARROOM_AUTHOR")]
    pub author: Option<String>,
    /// Alertmanager base URL (overrides the config file).
    #[arg(
        long,
        global = true,
        env = "WARROOM_ALERTMANAGER_URL",
        value_name = "URL"
    )]
    pub alertmanager: Option<url::Url>,
    /// Prometheus base URL (overrides the config file).
    #[arg(
        long,
        global = true,
        env = "WARROOM_PROMETHEUS_URL",
        value_name = "URL"
    )]
    pub prometheus: Option<url::Url>,
    /// Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config), as with kubectl.
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current one), as with kubectl.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Namespace for pods when the alert and runbook name none, as with kubectl.
    #[arg(short = 'n', long, global = true, value_name = "NAME")]
    pub namespace: Option<String>,
    /// Pods of every namespace, as with kubectl (needs a cluster-wide role;
    /// without it only the namespace in scope is listed and watched).
    #[arg(short = 'A', long, global = true, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Refuse every change to the cluster (delete, restart, scale).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Share the incidents this cockpit opens or joins with responders on
    /// other machines, through the cluster's API (ConfigMaps in the
    /// `share.namespace` of the config, default `warroom`).
    #[arg(long, global = true)]
    pub share: bool,
    /// Colours for a dark or light background, or none (default: by the
    /// terminal; NO_COLOR always means none).
    #[arg(long, global = true, value_enum, value_name = "THEME")]
    pub theme: Option<crate::look::Palette>,
    /// Draw with ASCII only (default: when the locale is not UTF-8 or the
    /// terminal is limited, such as vt100).
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Leave the mouse to the terminal (text selection) instead of
    /// scrolling and clicking in the cockpit.
    #[arg(long, global = true)]
    pub no_mouse: bool,
    #[command(subcommand)]
    /// What to do; none prints how to get started.
    pub command: Option<Command>,
}

/// Output format of `export` and `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown for people.
    Md,
    /// JSON for tools.
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the cockpit on the built-in simulated incident (no servers needed).
    Demo,
    /// Run a DR drill of a drill runbook: its targets (front matter
    /// `drill:`) are frozen, RTO, RPO and human action time are clocked, and
    /// the drill is scored when resolved.
    Drill {
        /// The drill runbook's id or file name.
        runbook: String,
        /// Against the demo's simulated world (no servers needed).
        #[arg(long)]
        demo: bool,
    },
    /// Run a chaos game-day: the experiment file (YAML) is checked, its
    /// pre-flight shown, and its fault applied once its name is typed.
    Gameday {
        /// The experiment file.
        experiment: PathBuf,
        /// Against the demo's simulated cluster (no servers needed).
        #[arg(long)]
        demo: bool,
    },
    /// Check runbooks: structure, placeholders, alert claims, staleness.
    Lint {
        /// Folders or files to check (default: the configured runbook folders).
        paths: Vec<PathBuf>,
        /// `md` (file:line lines) or `json`.
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
    },
    /// List the incidents in the data dir.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Open the cockpit on what a page points at: an Alertmanager or
    /// Prometheus link, an alert fingerprint, an alert name with
    /// label=value matchers, or an incident id.
    #[command(after_help = OPEN_EXAMPLES)]
    Open {
        /// The link, fingerprint, alert name (then label=value matchers) or
        /// incident id.
        #[arg(required = true, num_args = 1.., value_name = "ARG")]
        target: Vec<String>,
        /// Declare an incident at once when none is open for the alert.
        #[arg(long)]
        declare: bool,
        /// Print what it resolves to (alert, runbook, incident) instead of
        /// opening the screen.
        #[arg(long)]
        print: bool,
        /// With --print: `md` (lines) or `json`.
        #[arg(long, value_enum, default_value_t = Format::Md, requires = "print")]
        format: Format,
        /// Against the built-in simulated incident, not the configured
        /// servers.
        #[arg(long)]
        demo: bool,
    },
    /// Print every change warroom made to a cluster (delete, restart,
    /// scale), incident or not, oldest first.
    Audit {
        /// Only changes from this far back (30m, 2h, 7d) or since this time
        /// (2026-11-21, 2026-11-21T03:00, RFC 3339; UTC).
        #[arg(long, value_name = "DURATION|TIME")]
        since: Option<String>,
        /// `text` (aligned lines) or `json` (the records, with request bodies).
        #[arg(long, value_enum, default_value_t = audit::AuditFormat::Text)]
        format: audit::AuditFormat,
    },
    /// Incidents shared through the cluster (`--share`).
    Share {
        #[command(subcommand)]
        /// What to do with them.
        command: ShareCommand,
    },
    /// Play an incident back from its journal in a read-only cockpit:
    /// alerts, steps, notes, commands and their output, status updates and
    /// pinned charts appear as they happened. Space pauses, + and - change
    /// the speed, ] and [ jump between events, q leaves.
    Replay {
        /// Incident id, as `warroom list` shows it.
        id: String,
        /// Times real time.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=3600))]
        speed: u32,
        /// Start at this UTC time of the incident (HH:MM or HH:MM:SS).
        #[arg(long, value_name = "HH:MM")]
        from: Option<String>,
    },
    /// Write the postmortem draft of an incident as markdown.
    #[command(after_help = EXPORT_EXIT)]
    Export {
        /// Incident id, as `warroom list` shows it.
        id: String,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Use this template instead of the built-in one (markdown only).
        #[arg(long, value_name = "FILE")]
        template: Option<PathBuf>,
        /// `md` (the postmortem) or `json` (the same facts as data).
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
        /// Exit with status 3 when lines of the journal could not be read
        /// (the draft is still written, with its "Gaps in the record"), or 4
        /// when a drill or game-day has no action item (3 when both).
        #[arg(long)]
        strict: bool,
    },
}

/// `warroom share …`.
#[derive(Debug, Subcommand)]
pub enum ShareCommand {
    /// Delete the objects of shared incidents resolved longer ago than
    /// `--older-than` from the share namespace (asks first).
    Prune {
        /// How long ago they were resolved (30d, 12h, …).
        #[arg(long, value_name = "DURATION")]
        older_than: String,
        /// Delete without asking.
        #[arg(long)]
        yes: bool,
    },
}

/// Exit statuses shown by `warroom export --help`, so a CI job checking
/// postmortems knows what each means.
const EXPORT_EXIT: &str = "Exit status:
  0  the draft was written (warnings, such as an exercise without an action item, go to stderr)
  1  it could not be written (no such incident, unreadable template, …)
  2  the configuration or the arguments are wrong
  3  with --strict: lines of the journal could not be read
  4  with --strict: a drill or game-day has no action item (an exercise must produce one)";

/// Examples shown by `warroom open --help`.
const OPEN_EXAMPLES: &str = "Examples:
  warroom open 'https://alertmanager.example.com/#/alerts?filter={alertname=\"CatalogP99Latency\",namespace=\"shop\"}'
  warroom open CatalogP99Latency namespace=shop
  warroom open '{alertname=~\"Catalog.*\"}' --declare
  warroom open 2026-11-29-catalog-p99-latency
  warroom open --print --format json CatalogP99Latency";

/// Parses arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    crate::cockpit::started();
    let cli = Cli::parse();
    let overrides = Overrides {
        config_file: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        runbook_dirs: cli.runbooks.clone(),
        author: cli.author.clone(),
        alertmanager_url: cli.alertmanager.clone(),
        prometheus_url: cli.prometheus.clone(),
        theme: cli.theme,
        ascii: cli.ascii.then_some(true),
        no_mouse: cli.no_mouse,
    };
    let config = match Config::load(&overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warroom: config: {e}");
            return ExitCode::from(2);
        }
    };
    // Only the cockpit creates the data dir; `list` and `export` against
    // one that does not exist say so instead (and log nowhere).
    let reads_only = matches!(
        cli.command,
        Some(
            Command::List { .. }
                | Command::Export { .. }
                | Command::Audit { .. }
                | Command::Replay { .. }
        )
    );
    let _log = if reads_only && !config.data_dir.is_dir() {
        None
    } else {
        init_logging(&config)
    };
    let session = cockpit::Session {
        kube: KubeOptions {
            kubeconfig: cli.kubeconfig.clone(),
            context: cli.context.clone(),
            namespace: if cli.all_namespaces {
                Some(crate::domain::pod::ALL_NAMESPACES.to_string())
            } else {
                cli.namespace.clone()
            },
        },
        read_only: cli.read_only,
        share: cli.share,
        first: match &cli.command {
            Some(Command::Drill { runbook, .. }) => {
                Some(crate::app::command::Command::Drill(runbook.clone()))
            }
            Some(Command::Gameday { experiment, .. }) => {
                Some(crate::app::command::Command::Gameday(experiment.clone()))
            }
            _ => None,
        },
    };
    let result = match cli.command {
        Some(Command::Demo) => cockpit::run(&config, &session, true, None),
        Some(Command::Drill { demo, .. }) => cockpit::run(&config, &session, demo, None),
        // A bad experiment file is said on the terminal, before any screen.
        Some(Command::Gameday { experiment, demo }) => {
            match crate::domain::exercise::Experiment::load(&experiment) {
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::FAILURE)
                }
                Ok(_) => cockpit::run(&config, &session, demo, None),
            }
        }
        Some(Command::Open {
            target,
            declare,
            print,
            format,
            demo,
        }) => open::run(&config, &session, &target, (declare, print, format, demo)),
        Some(Command::Lint { paths, format }) => {
            lint::run(&config, paths, format, cli.data_dir.is_some())
        }
        Some(Command::List { json }) if cli.share => {
            share::list(&config, &session, json).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::List { json }) => list::run(&config, json).map(|()| ExitCode::SUCCESS),
        Some(Command::Share {
            command: ShareCommand::Prune { older_than, yes },
        }) => share::prune(&config, &session, &older_than, yes).map(|()| ExitCode::SUCCESS),
        Some(Command::Audit { since, format }) => {
            audit::run(&config, since.as_deref(), format).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Export {
            id,
            output,
            template,
            format,
            strict,
        }) if cli.share => {
            share::export(&config, &session, &id, (output, template, format, strict))
        }
        Some(Command::Export {
            id,
            output,
            template,
            format,
            strict,
        }) => export::run(&config, &id, output, template, (format, strict)),
        Some(Command::Replay { id, speed, from }) => {
            replay::run(&config, &id, speed, from.as_deref())
        }
        None => cockpit::run(&config, &session, false, None),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("warroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = config.log_dir();
    let perms = crate::perms::Perms::for_data_dir(&config.data_dir);
    perms.own_dir(&config.data_dir).ok()?;
    perms.own_dir(&dir).ok()?;
    // Older files are tightened; those of other members of a group data
    // dir are theirs to keep.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let _ = perms.tighten(&e.path());
        }
    }
    // One log per Unix user: under a group data dir, another member's log
    // is not this process's to write (nor to fail on).
    let prefix = format!("warroom-{}", nix::unistd::getuid());
    // Today's file, created with the right mode before the appender opens it
    // (it would use the umask's).
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let today_log = dir.join(format!("{prefix}.{today}.log"));
    // A link planted at this user's log name would have the appender write
    // elsewhere: removed, and when it cannot be, nothing is logged.
    if std::fs::symlink_metadata(&today_log).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::remove_file(&today_log).is_err()
    {
        return None;
    }
    perms.open_shared(&today_log).ok()?;
    let appender = tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(prefix)
        .filename_suffix("log")
        .build(&dir)
        .ok()?;
    // A few thousand lines of backlog is plenty for a cockpit that logs
    // little, and costs a few hundred KB rather than 4 MB up front.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(4096)
        .finish(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARROOM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// `list` and `export` read incidents; a data dir that does not exist is a
/// mistyped path, not an empty record (only the cockpit creates it).
fn data_dir_exists(config: &Config) -> anyhow::Result<()> {
    if config.data_dir.is_dir() {
        return Ok(());
    }
    anyhow::bail!(
        "the data dir {} does not exist (set by --data-dir, WARROOM_DATA_DIR or data_dir in the config; the cockpit creates it when it first runs)",
        config.data_dir.display()
    )
}
