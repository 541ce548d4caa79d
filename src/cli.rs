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
use crate::domain::time::utc_datetime;
use crate::journal::Store;
use crate::sources::alertmanager::Alertmanager;
use crate::sources::http::Http;
use crate::sources::live::{self, AlertFeed};
use crate::sources::prometheus::Prometheus;
use crate::sources::{Feed, MetricRequest, SourceMsg, demo, runbook_files};
use crate::tui;

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
    #[command(subcommand)]
    /// What to do; none prints how to get started.
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the cockpit on the built-in simulated incident (no servers needed).
    Demo,
    /// List the incidents in the data dir.
    List,
    /// Write the postmortem draft of an incident as markdown.
    Export {
        /// Incident id, as `warroom list` shows it.
        id: String,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Use this template instead of the built-in one.
        #[arg(long, value_name = "FILE")]
        template: Option<PathBuf>,
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
    let result = match cli.command {
        Some(Command::Demo) => demo_cmd(&config),
        Some(Command::List) => list(&config),
        Some(Command::Export {
            id,
            output,
            template,
        }) => export_cmd(&config, &id, output, template),
        None if config.alertmanager.is_none() && config.prometheus.is_none() => {
            eprintln!("{}", nothing_configured(&config));
            return ExitCode::from(2);
        }
        None => live_cmd(&config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
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
         WARROOM_PROMETHEUS_URL). The README lists auth, CA and interval settings.\n\n\
         To try the cockpit without any server, run `warroom demo`.",
        file = config.config_file.display()
    )
}

/// Sources feed `tx` and answer chart requests from `query`.
type SpawnSources = Box<
    dyn FnOnce(mpsc::UnboundedSender<SourceMsg>, watch::Receiver<Option<MetricRequest>>) + Send,
>;

/// Starts the cockpit with the given sources and runs it until the user quits.
fn cockpit(
    config: &Config,
    what: &str,
    spawn: SpawnSources,
    alertmanager: Option<Alertmanager>,
) -> anyhow::Result<()> {
    let mut library = runbook_files::load(&config.runbook_dirs);
    runbook_files::add_shipped(&mut library);
    tracing::info!(
        runbooks = library.runbooks.len(),
        errors = library.errors.len(),
        "starting {what} cockpit"
    );
    let now = Timestamp::now();
    let app = App::new(config.author.clone(), config.severity.clone(), library, now);
    let store = Store::new(&config.data_dir);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (source_tx, source_rx) = mpsc::unbounded_channel();
        let (query_tx, query_rx) = watch::channel(None);
        let (tx, rx) = mpsc::unbounded_channel();
        spawn(source_tx, query_rx);
        let fx = Effects::new(store, config.data_dir.clone(), tx, query_tx)
            .with_alertmanager(alertmanager);
        let (mut terminal, _guard) = tui::init()?;
        run(&mut terminal, app, source_rx, fx, rx).await
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(())
}

fn demo_cmd(config: &Config) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let spawn: SpawnSources = Box::new(move |tx, query| {
        tokio::spawn(demo::run(demo::Scenario::new(now), tx, query));
    });
    cockpit(config, "demo", spawn, None)
}

fn live_cmd(config: &Config) -> anyhow::Result<()> {
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
    let feed = match (&am, &prom) {
        (Some((a, every)), _) => Some((AlertFeed::Alertmanager(a.clone()), *every)),
        (None, Some((p, every))) => Some((AlertFeed::Prometheus(p.clone()), *every)),
        (None, None) => None,
    };
    let silences = am.as_ref().map(|(a, _)| a.clone());
    let spawn: SpawnSources = Box::new(move |tx, query| {
        let _ = tx.send(SourceMsg::Unavailable {
            feed: Feed::Pods,
            reason: "No Kubernetes cluster is configured".into(),
        });
        if let Some((feed, every)) = feed {
            tokio::spawn(live::poll_alerts(feed, every, tx.clone()));
        }
        match prom {
            Some((p, every)) => {
                tokio::spawn(live::serve_metrics(p, every, query, tx));
            }
            None => {
                let _ = tx.send(SourceMsg::Unavailable {
                    feed: Feed::Metrics,
                    reason: "No Prometheus is configured (prometheus.url or --prometheus URL)"
                        .into(),
                });
                drop(query);
            }
        }
    });
    cockpit(config, "live", spawn, silences)
}

fn list(config: &Config) -> anyhow::Result<()> {
    let store = Store::new(&config.data_dir);
    let (incidents, warnings) = store.list()?;
    for w in warnings {
        eprintln!("warning: {w}");
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
    println!(
        "{:<id_w$}  SEV  STATE          OPENED (UTC)         TITLE",
        "ID"
    );
    for i in incidents {
        println!(
            "{:<id_w$}  {:<3}  {:<13}  {}  {}",
            i.id,
            i.severity,
            i.status,
            utc_datetime(i.declared.at),
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
    let md = export::markdown(&loaded.events, &template)?;
    match output {
        Some(out) => {
            std::fs::write(&out, md).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?
        }
        None => print!("{md}"),
    }
    Ok(())
}
