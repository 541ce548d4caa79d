//! Command-line interface: one function per subcommand; start-up order is
//! explicit here and nowhere else.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jiff::Timestamp;
use tokio::sync::{mpsc, watch};

use crate::app::run::{Effects, run};
use crate::app::state::App;
use crate::config::{Config, Overrides};
use crate::domain::export;
use crate::domain::time::{hms, utc_datetime};
use crate::journal::Store;
use crate::sources::alertmanager::Alertmanager;
use crate::sources::http::Http;
use crate::sources::kubernetes::{self, Kube, KubeOptions};
use crate::sources::live::{self, AlertFeed};
use crate::sources::prometheus::Prometheus;
use crate::sources::{Feed, SourceMsg, demo, runbook_files};
use crate::tui;

/// Writes to standard output; a closed pipe (`warroom list | head`) ends the
/// output quietly instead of panicking.
fn out_str(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

macro_rules! out {
    ($($arg:tt)*) => {
        out_str(&format!("{}\n", format_args!($($arg)*)))
    };
}

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
    /// Refuse every change to the cluster (delete, restart, scale).
    #[arg(long, global = true)]
    pub read_only: bool,
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
    /// Write the postmortem draft of an incident as markdown.
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
    },
}

/// Parses arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        config_file: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        runbook_dirs: cli.runbooks.clone(),
        author: cli.author.clone(),
        alertmanager_url: cli.alertmanager.clone(),
        prometheus_url: cli.prometheus.clone(),
    };
    let config = match Config::load(&overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warroom: config: {e}");
            return ExitCode::from(2);
        }
    };
    let _log = init_logging(&config);
    let session = Session {
        kube: KubeOptions {
            kubeconfig: cli.kubeconfig.clone(),
            context: cli.context.clone(),
            namespace: cli.namespace.clone(),
        },
        read_only: cli.read_only,
    };
    let result = match cli.command {
        Some(Command::Demo) => cockpit(&config, &session, true),
        Some(Command::Lint { paths, format }) => lint_cmd(&config, paths, format),
        Some(Command::List { json }) => list(&config, json).map(|()| ExitCode::SUCCESS),
        Some(Command::Export {
            id,
            output,
            template,
            format,
        }) => export_cmd(&config, &id, output, template, format).map(|()| ExitCode::SUCCESS),
        None => cockpit(&config, &session, false),
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
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::daily(&dir, "warroom.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
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

/// What to tell someone who ran `warroom` with no source configured.
fn nothing_configured(config: &Config) -> String {
    format!(
        "warroom: no data source is configured.\n\n\
         Tell warroom where your Alertmanager and/or Prometheus are, either in\n\
         {file}:\n\n\
         \x20   alertmanager:\n\
         \x20     url: https://alertmanager.example.com\n\
         \x20   prometheus:\n\
         \x20     url: https://prometheus.example.com\n\n\
         or with --alertmanager URL / --prometheus URL (or WARROOM_ALERTMANAGER_URL /\n\
         WARROOM_PROMETHEUS_URL). The README lists auth, CA and interval settings.\n\
         A Kubernetes cluster alone is enough too: warroom reads KUBECONFIG or\n\
         ~/.kube/config (--kubeconfig, --context, -n as with kubectl).\n\n\
         To try the cockpit without any server, run `warroom demo`.",
        file = config.config_file.display()
    )
}

/// Options that shape a cockpit session beyond the config file.
#[derive(Debug, Clone, Default)]
struct Session {
    kube: KubeOptions,
    read_only: bool,
}

/// Starts the cockpit on the demo or the configured sources and runs it until
/// the user quits.
fn cockpit(config: &Config, session: &Session, demo: bool) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let code = runtime.block_on(cockpit_async(config, session, demo))?;
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(code)
}

async fn cockpit_async(config: &Config, session: &Session, demo: bool) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now();
    let (source_tx, source_rx) = mpsc::unbounded_channel();
    let (query_tx, query_rx) = watch::channel(None);
    let (tx, rx) = mpsc::unbounded_channel();
    let store = Store::new(&config.data_dir);
    let mut fx = Effects::new(
        store,
        config.data_dir.clone(),
        tx,
        query_tx,
        source_tx.clone(),
    )
    .with_matrix(config.matrix.clone());
    if demo {
        tokio::spawn(demo::run(
            demo::Scenario::new(now),
            source_tx.clone(),
            query_rx,
        ));
        fx = fx.with_demo(demo::Scenario::new(now));
    } else {
        let client = |name: &str, ep: &crate::config::Endpoint| {
            tracing::info!("{name}: {}", ep.display_url());
            Http::new(ep.clone()).map_err(|e| anyhow::anyhow!("{name}: {e}"))
        };
        let am = match &config.alertmanager {
            Some(ep) => Some((
                Alertmanager::new(client("alertmanager", ep)?),
                ep.poll_interval,
            )),
            None => None,
        };
        let prom = match &config.prometheus {
            Some(ep) => Some((Prometheus::new(client("prometheus", ep)?), ep.poll_interval)),
            None => None,
        };
        let kube = Kube::connect(&session.kube).await;
        if am.is_none() && prom.is_none() && kube.is_err() {
            let why = kube.err().unwrap_or_default();
            eprintln!("{}\n\nKubernetes: {why}", nothing_configured(config));
            return Ok(ExitCode::from(2));
        }
        match kube {
            Ok(k) => {
                tracing::info!(context = %k.context, namespace = %k.namespace, "kubernetes");
                let (scope_tx, scope_rx) = watch::channel(None);
                let _ = source_tx.send(SourceMsg::Cluster {
                    context: k.context.clone(),
                    namespace: k.namespace.clone(),
                });
                tokio::spawn(kubernetes::watch_pods(
                    k.clone(),
                    scope_rx,
                    source_tx.clone(),
                    std::time::Duration::from_millis(250),
                ));
                fx = fx.with_cluster(k, scope_tx);
            }
            Err(e) => {
                tracing::info!("kubernetes: {e}");
                let _ = source_tx.send(SourceMsg::Unavailable {
                    feed: Feed::Pods,
                    reason: format!("No Kubernetes cluster: {e}"),
                });
            }
        }
        match (&am, &prom) {
            (Some((a, every)), _) => {
                tokio::spawn(live::poll_alerts(
                    AlertFeed::Alertmanager(a.clone()),
                    *every,
                    source_tx.clone(),
                ));
            }
            (None, Some((p, every))) => {
                tokio::spawn(live::poll_alerts(
                    AlertFeed::Prometheus(p.clone()),
                    *every,
                    source_tx.clone(),
                ));
            }
            (None, None) => {
                let _ = source_tx.send(SourceMsg::Unavailable {
                    feed: Feed::Alerts,
                    reason: "No Alertmanager or Prometheus is configured (alertmanager.url, prometheus.url)".into(),
                });
            }
        }
        fx = fx.with_prometheus(prom.as_ref().map(|(p, _)| p.clone()));
        match prom {
            Some((p, every)) => {
                tokio::spawn(live::serve_metrics(p, every, query_rx, source_tx.clone()));
            }
            None => {
                let _ = source_tx.send(SourceMsg::Unavailable {
                    feed: Feed::Metrics,
                    reason: "No Prometheus is configured (prometheus.url or --prometheus URL)"
                        .into(),
                });
            }
        }
        fx = fx.with_alertmanager(am.map(|(a, _)| a));
    }
    let mut library = runbook_files::load(&config.runbook_dirs);
    runbook_files::add_shipped(&mut library);
    // Edits to runbooks on disk reach the open cockpit; kept alive until it ends.
    let _watch = runbook_files::watch(&config.runbook_dirs, source_tx.clone());
    tracing::info!(
        runbooks = library.runbooks.len(),
        errors = library.errors.len(),
        demo,
        "starting the cockpit"
    );
    let mut app = App::new(config.author.clone(), config.severity.clone(), library, now);
    app.read_only = session.read_only;
    app.matrix = config.matrix.clone();
    app.oncall = config.oncall.clone();
    app.runbook_used = runbook_use(config);
    app.command_timeout = config.command_timeout;
    let (mut terminal, _guard) = tui::init()?;
    run(&mut terminal, app, source_rx, fx, rx).await?;
    Ok(ExitCode::SUCCESS)
}

/// When each runbook was last used by an incident in the data dir.
fn runbook_use(config: &Config) -> std::collections::BTreeMap<String, Timestamp> {
    let mut used = std::collections::BTreeMap::new();
    if let Ok((incidents, _)) = Store::new(&config.data_dir).list() {
        for i in incidents {
            if let Some(rb) = &i.runbook {
                let e = used.entry(rb.id.clone()).or_insert(i.declared.at);
                *e = (*e).max(i.declared.at);
            }
        }
    }
    used
}

fn lint_cmd(config: &Config, paths: Vec<PathBuf>, format: Format) -> anyhow::Result<ExitCode> {
    let dirs = if paths.is_empty() {
        config.runbook_dirs.clone()
    } else {
        paths
    };
    let lib = runbook_files::load(&dirs);
    let found = lib.runbooks.len() + lib.errors.len();
    let diags = crate::domain::lint::lint(
        &lib.runbooks,
        &lib.errors,
        &runbook_use(config),
        Timestamp::now(),
    );
    let errors = diags
        .iter()
        .filter(|d| d.level == crate::domain::lint::Level::Error)
        .count();
    match format {
        Format::Json => out!("{}", serde_json::to_string_pretty(&diags)?),
        Format::Md => {
            for d in &diags {
                out!("{d}");
            }
        }
    }
    eprintln!(
        "{found} runbook(s) checked: {errors} error(s), {} warning(s)",
        diags.len() - errors
    );
    if found == 0 {
        eprintln!(
            "no runbooks found in {}",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn list(config: &Config, json: bool) -> anyhow::Result<()> {
    let store = Store::new(&config.data_dir);
    let (mut incidents, warnings) = store.list()?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    incidents.sort_by_key(|i| std::cmp::Reverse(i.declared.at));
    let dur = |d: Option<jiff::SignedDuration>| d.map(hms);
    if json {
        let rows: Vec<serde_json::Value> = incidents
            .iter()
            .map(|i| {
                serde_json::json!({
                    "id": i.id,
                    "severity": i.severity.to_string(),
                    "status": i.status.to_string(),
                    "title": crate::sanitize::line(&i.title),
                    "declared": utc_datetime(i.declared.at),
                    "time_to_acknowledge": dur(i.time_to_acknowledge()),
                    "time_to_mitigate": dur(i.time_to_mitigate()),
                    "time_to_resolve": dur(i.time_to_resolve()),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if incidents.is_empty() {
        eprintln!("no incidents in {}", store.dir().display());
        return Ok(());
    }
    let id_w = incidents
        .iter()
        .map(|i| i.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    out!(
        "{:<id_w$}  SEV  STATE          OPENED (UTC)         TO ACK    TO MITIG  TO RESOLVE  TITLE",
        "ID"
    );
    let cell = |d: Option<jiff::SignedDuration>| dur(d).unwrap_or_else(|| "-".into());
    for i in incidents {
        out!(
            "{:<id_w$}  {:<3}  {:<13}  {}  {:<8}  {:<8}  {:<10}  {}",
            i.id,
            i.severity,
            i.status,
            utc_datetime(i.declared.at),
            cell(i.time_to_acknowledge()),
            cell(i.time_to_mitigate()),
            cell(i.time_to_resolve()),
            crate::sanitize::line(&i.title)
        );
    }
    Ok(())
}

fn export_cmd(
    config: &Config,
    id: &str,
    output: Option<PathBuf>,
    template: Option<PathBuf>,
    format: Format,
) -> anyhow::Result<()> {
    let store = Store::new(&config.data_dir);
    let path = store.path(id)?;
    if !path.exists() {
        anyhow::bail!(
            "no incident '{id}' in {} (`warroom list` shows them)",
            store.dir().display()
        );
    }
    let loaded = store.load(id)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let template = match template {
        Some(t) => {
            std::fs::read_to_string(&t).map_err(|e| anyhow::anyhow!("{}: {e}", t.display()))?
        }
        None => export::DEFAULT_TEMPLATE.to_string(),
    };
    let md = match format {
        Format::Md => export::markdown(&loaded.events, &template, &config.matrix)?,
        Format::Json => export::json(&loaded.events, &config.matrix)?,
    };
    match output {
        Some(out) => {
            std::fs::write(&out, md).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?
        }
        None => out_str(&md),
    }
    Ok(())
}
