//! The cockpit: `warroom` and `warroom demo`. Starts the sources, loads the
//! runbooks, and runs the screen until the user quits.

use std::process::ExitCode;

use jiff::Timestamp;
use tokio::sync::{mpsc, watch};

use crate::app::msg::Effect;
use crate::app::open::{KnownIncident, Opening};
use crate::app::state::{App, Settings};
use crate::cockpit::{Effects, run as run_screen};
use crate::config::Config;
use crate::domain::open::Target;
use crate::journal::Store;
use crate::sources::alertmanager::Alertmanager;
use crate::sources::http::Http;
use crate::sources::kubernetes::{self, Kube, KubeOptions};
use crate::sources::live::{self, AlertFeed};
use crate::sources::prometheus::Prometheus;
use crate::sources::{Feed, SourceMsg, demo, runbook_files};
use crate::tui;

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
pub struct Session {
    /// Which cluster, as with kubectl.
    pub kube: KubeOptions,
    /// Refuse every change.
    pub read_only: bool,
    /// Share incidents through the cluster (`--share`).
    pub share: bool,
    /// A command carried out as the cockpit opens (`warroom drill`,
    /// `warroom gameday`), as if typed on the `:` line.
    pub first: Option<crate::app::command::Command>,
}

/// Starts the cockpit on the demo or the configured sources and runs it until
/// the user quits.
pub fn run(
    config: &Config,
    session: &Session,
    demo: bool,
    opening: Option<Opening>,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let code = runtime.block_on(cockpit_async(config, session, demo, opening))?;
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(code)
}

async fn cockpit_async(
    config: &Config,
    session: &Session,
    demo: bool,
    opening: Option<Opening>,
) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now();
    let (source_tx, source_rx) = crate::sources::channel();
    let (query_tx, query_rx) = watch::channel(None);
    let (tx, rx) = mpsc::channel(crate::cockpit::QUEUE);
    let store = Store::new(&config.data_dir);
    let mut fx = Effects::new(
        store,
        config.data_dir.clone(),
        tx,
        query_tx,
        source_tx.clone(),
    )
    .with_matrix(config.matrix.clone())
    .with_author(config.author.clone());
    if demo && session.share {
        anyhow::bail!("--share shares through a Kubernetes cluster, and the demo has none");
    }
    if demo {
        let faults = demo::chaos::Faults::default();
        tokio::spawn(demo::run(
            demo::Scenario::new(now),
            faults.clone(),
            source_tx.clone(),
            query_rx,
        ));
        fx = fx.with_demo(demo::Scenario::new(now), faults);
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
        // Each pane says `connecting` to where, until its first answer.
        let connecting = |feed: Feed, source: &str, ep: &crate::config::Endpoint| {
            let _ = source_tx.try_send(SourceMsg::Connecting {
                feed,
                source: source.into(),
                address: ep.display_url(),
                every: ep.poll_interval,
            });
        };
        match (&config.alertmanager, &config.prometheus) {
            (Some(ep), _) => connecting(Feed::Alerts, "alertmanager", ep),
            (None, Some(ep)) => connecting(Feed::Alerts, "prometheus", ep),
            (None, None) => {}
        }
        if let Some(ep) = &config.prometheus {
            connecting(Feed::Metrics, "prometheus", ep);
        }
        let kube = Kube::connect(&session.kube).await;
        if am.is_none() && prom.is_none() && kube.is_err() {
            let why = kube.err().unwrap_or_default();
            eprintln!("{}\n\nKubernetes: {why}", nothing_configured(config));
            return Ok(ExitCode::from(2));
        }
        match kube {
            Ok(k) => {
                tracing::info!(context = %k.context, namespace = %k.namespace, "kubernetes");
                if session.share {
                    fx = share_through(fx, &k, config, session)?;
                }
                let (scope_tx, scope_rx) = watch::channel(None);
                let _ = source_tx.try_send(SourceMsg::Cluster {
                    context: k.context.clone(),
                    namespace: k.namespace.clone(),
                });
                tokio::spawn(kubernetes::watch_pods(
                    k.clone(),
                    scope_rx,
                    source_tx.clone(),
                    std::time::Duration::from_millis(100),
                ));
                fx = fx.with_cluster(k, scope_tx);
            }
            Err(e) => {
                tracing::info!("kubernetes: {e}");
                if session.share {
                    anyhow::bail!(
                        "--share needs a Kubernetes cluster to share through, and there is none: {e}"
                    );
                }
                let _ = source_tx.try_send(SourceMsg::Unavailable {
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
                let _ = source_tx.try_send(SourceMsg::Unavailable {
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
                let _ = source_tx.try_send(SourceMsg::Unavailable {
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
    let settings = Settings {
        read_only: session.read_only,
        matrix: config.matrix.clone(),
        oncall: config.oncall.clone(),
        command_timeout: config.command_timeout,
        shell: config.shell.clone(),
        hyperlinks: config
            .hyperlinks
            .unwrap_or_else(crate::tui::shows_hyperlinks),
        look: crate::look::Look::of_this_terminal(config.look),
        production_contexts: config.production_contexts.clone(),
        demo,
        env: std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect(),
        ..Settings::new(config.author.clone(), config.severity.clone())
    };
    let (loaded, bad) = library.summary(|root| config.quiet_runbook_dirs.iter().any(|q| q == root));
    let mut app = App::with_settings(settings, library, now);
    // What was loaded from where, so a tree that gave nothing is noticed.
    if bad {
        app.error(loaded);
    } else {
        app.info(loaded);
    }
    app.runbooks.history = runbook_history(config);
    if let Some(o) = opening {
        app.known = known_incidents(config);
        if let Target::Incident(id) = &o.target {
            fx.perform(Effect::Rejoin(id.clone()));
        }
        app.opening = Some(o);
    }
    // Faults a crashed game-day left in the cluster are offered for clean-up.
    if !demo {
        fx.perform(crate::app::Effect::FindLeftovers);
    }
    if let Some(cmd) = session.first.clone() {
        let mut first = Vec::new();
        let _ = crate::app::commands::run(&mut app, cmd, &mut first);
        for e in first {
            fx.perform(e);
        }
    }
    let (mut terminal, _guard) = tui::init(config.mouse)?;
    run_screen(&mut terminal, app, source_rx, fx, rx).await?;
    Ok(ExitCode::SUCCESS)
}

/// Incidents followed by this cockpit are shared through `kube`'s cluster;
/// `--read-only` follows the others' events and publishes none.
fn share_through(
    fx: Effects,
    kube: &Kube,
    config: &Config,
    session: &Session,
) -> anyhow::Result<Effects> {
    let ns = config.share.namespace().map_err(anyhow::Error::msg)?;
    tracing::info!(namespace = ns, read_only = session.read_only, "sharing");
    Ok(fx.with_share(
        crate::share::client::ShareClient::new(kube, ns),
        crate::share::sync::ShareOptions {
            output: config.share.output,
            publish: !session.read_only,
            author: config.author.clone(),
        },
    ))
}

/// The incidents in the data dir, to join or offer what `open` points at.
pub fn known_incidents(config: &Config) -> Vec<KnownIncident> {
    let Ok((incidents, _)) = Store::new(&config.data_dir).summaries() else {
        return Vec::new();
    };
    incidents
        .into_iter()
        .map(|i| KnownIncident {
            open: i.is_open(),
            id: i.id,
            fingerprint: i.fingerprint,
            alert: i.alert,
        })
        .collect()
}

/// What the data dir remembers of runbook use: when each runbook was last
/// exercised (incident, drill or game-day) and each runbook's drills.
pub fn runbook_history(config: &Config) -> crate::domain::exercise::History {
    Store::new(&config.data_dir)
        .summaries()
        .map(|(s, _)| crate::journal::index::history(&s))
        .unwrap_or_default()
}
