//! `warroom replay ID`: an incident played back from its journal in a
//! read-only cockpit, for training and the postmortem review. Nothing is
//! fetched and nothing is written: no source is started, and the effect
//! runner is given nothing but clipboard copies.

use std::process::ExitCode;

use jiff::Timestamp;
use tokio::sync::{mpsc, watch};

use crate::app::state::replay::ReplayState;
use crate::app::state::{App, Settings};
use crate::cockpit::{Effects, run as run_screen};
use crate::config::Config;
use crate::journal::Store;
use crate::sources::runbook_files;
use crate::tui;

/// `--from HH:MM[:SS]` as a moment of the journal: that time (UTC) on the
/// day playback starts, or on the next day when the incident ran past
/// midnight and the time is earlier than its start.
pub fn from_time(text: &str, replay: &ReplayState) -> anyhow::Result<Timestamp> {
    let time: jiff::civil::Time = text
        .parse()
        .or_else(|_| jiff::civil::Time::strptime("%H:%M", text))
        .map_err(|_| anyhow::anyhow!("--from {text}: expected a UTC time as HH:MM or HH:MM:SS"))?;
    let day = replay.start.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut at = day
        .to_datetime(time)
        .to_zoned(jiff::tz::TimeZone::UTC)?
        .timestamp();
    if at < replay.start
        && let Ok(next) = at.checked_add(jiff::SignedDuration::from_hours(24))
        && next <= replay.end
    {
        at = next;
    }
    if at > replay.end {
        anyhow::bail!(
            "--from {text}: the journal ends at {} UTC",
            crate::domain::time::utc_datetime(replay.end)
        );
    }
    Ok(at)
}

/// Plays `id` back at `speed`× from `from` until the user quits.
pub fn run(config: &Config, id: &str, speed: u32, from: Option<&str>) -> anyhow::Result<ExitCode> {
    super::data_dir_exists(config)?;
    let store = Store::new(&config.data_dir);
    if !store.path(id)?.exists() {
        anyhow::bail!(
            "no incident '{id}' in {} (`warroom list` shows them)",
            store.dir().display()
        );
    }
    let loaded = store.load(id)?;
    let now = Timestamp::now();
    let mut replay = ReplayState::new(id.to_string(), loaded.events, None, speed, now)
        .map_err(|e| anyhow::anyhow!(e))?;
    if let Some(text) = from {
        replay.seek(from_time(text, &replay)?, now);
    }
    let mut library = runbook_files::load(&config.runbook_dirs);
    runbook_files::add_shipped(&mut library);
    let settings = Settings {
        read_only: true,
        matrix: config.matrix.clone(),
        oncall: config.oncall.clone(),
        hyperlinks: config
            .hyperlinks
            .unwrap_or_else(crate::tui::shows_hyperlinks),
        look: crate::look::Look::of_this_terminal(config.look),
        ..Settings::new(config.author.clone(), config.severity.clone())
    };
    let mut app = App::with_settings(settings, library, now);
    crate::app::replay::start(&mut app, replay, now);
    if let Some(w) = loaded.warnings.first() {
        app.error(format!(
            "{} line(s) of the journal could not be read and are left out; first: {w}",
            loaded.warnings.len()
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (source_tx, source_rx) = crate::sources::channel();
        let (query_tx, _query_rx) = watch::channel(None);
        let (tx, rx) = mpsc::channel(crate::cockpit::QUEUE);
        let fx = Effects::new(store, config.data_dir.clone(), tx, query_tx, source_tx);
        let (mut terminal, _guard) = tui::init(config.mouse)?;
        run_screen(&mut terminal, app, source_rx, fx, rx).await
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(ExitCode::SUCCESS)
}
