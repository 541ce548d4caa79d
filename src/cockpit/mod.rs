//! The running cockpit: the event loop and the effect runner, the only parts
//! that touch the terminal, files and the network while the screen is up.
//!
//! The loop waits on terminal input, source messages, journal reports, a
//! 1 Hz clock and signals; reduces each into the state; performs the effects;
//! draws only when something changed. It never blocks on I/O itself.

mod effects;
pub mod history;

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use jiff::Timestamp;
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

pub use effects::{Effects, export_to};

use crate::app::mouse::MouseAct;
use crate::app::{App, Mode, Msg, update};
use crate::sources::SourceMsg;
use crate::ui;

/// Runs the cockpit until the user quits or a signal arrives; then stops any
/// runbook command still running.
pub async fn run(
    terminal: &mut DefaultTerminal,
    app: App,
    sources: mpsc::Receiver<SourceMsg>,
    mut fx: Effects,
    rx: mpsc::Receiver<Msg>,
) -> anyhow::Result<()> {
    fx.load_history();
    let result = event_loop(terminal, app, sources, &mut fx, rx).await;
    fx.stop_commands().await;
    fx.remove_faults().await;
    result
}

/// The shortest time between two frames after a key, a click or a paste:
/// a burst of them draws once.
const FRAME: Duration = Duration::from_millis(33);

/// The shortest time between two frames when only sources changed what is
/// shown: pods churning or a chatty command cost at most ten frames a
/// second, whatever their rate.
const CALM: Duration = Duration::from_millis(100);

/// When the process started, for the log's "first frame after N ms".
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Marks the start of the process (called first thing in `main`), so the
/// time to the first frame can be logged and checked.
pub fn started() {
    STARTED.get_or_init(Instant::now);
}

/// How many of the effects' reports may wait for the loop: a flood (a
/// chatty command) waits for the screen rather than filling memory.
pub const QUEUE: usize = 1024;

/// Messages taken in per wake before the screen is drawn again.
const MAX_DRAIN: usize = 512;

/// Whether a clock tick changes what is on screen: an incident's elapsed
/// time and deadlines, a running command, a declaration about to be
/// written, a message that is about to fade, or alert ages (by the minute).
fn clock_shows(app: &App, drawn_minute: Option<i64>) -> bool {
    let fading = app
        .flash
        .as_ref()
        .is_some_and(|f| !f.error && app.now.duration_since(f.at).as_secs() <= 9);
    if let Some(r) = &app.replay {
        return !r.paused || fading;
    }
    app.incident.is_some()
        || app.running()
        || app.watch.declaring.is_some()
        || fading
        || drawn_minute != Some(app.now.as_second() / 60)
}

/// The chart's width on a terminal of this size, for the reducer.
fn chart_width(width: u16, height: u16) -> Msg {
    Msg::ChartWidth(ui::chart_width(Rect::new(0, 0, width, height)))
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    mut sources: mpsc::Receiver<SourceMsg>,
    fx: &mut Effects,
    mut rx: mpsc::Receiver<Msg>,
) -> anyhow::Result<()> {
    let mut mode = Mode::Normal;
    let mut input = EventStream::new();
    // A replay's clock moves faster than the wall's: its screen follows it
    // four times a second (still on a timer, never a busy loop).
    let every = if app.replay.is_some() {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(1)
    };
    let mut clock = tokio::time::interval(every);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut dirty = true;
    if let Ok(size) = terminal.size() {
        for e in update(&mut app, &mut mode, chart_width(size.width, size.height)) {
            fx.perform(e);
        }
    }
    let mut measured = None;
    let mut last_draw = Instant::now()
        .checked_sub(FRAME)
        .unwrap_or_else(Instant::now);
    let mut drawn_minute = None;
    // Whether what waits to be drawn answers the user (drawn sooner).
    let mut urgent = true;
    loop {
        let wait = if urgent { FRAME } else { CALM };
        if dirty && last_draw.elapsed() >= wait {
            let frame = terminal.draw(|f| ui::draw(f, &app, &mode))?;
            if drawn_minute.is_none()
                && let Some(start) = STARTED.get()
            {
                tracing::info!(
                    ms = start.elapsed().as_millis() as u64,
                    runbooks = app.runbooks.library.runbooks.len(),
                    "first frame"
                );
            }
            dirty = false;
            urgent = false;
            last_draw = Instant::now();
            drawn_minute = Some(app.now.as_second() / 60);
            // What the pane showed, so paging moves by what is on screen.
            let overlay = ui::overlay_max(&app, &mode, frame.area);
            if overlay != app.overlay_max {
                for e in update(&mut app, &mut mode, Msg::OverlayMax(overlay)) {
                    fx.perform(e);
                }
            }
            let layout = ui::runbook_layout(&app, frame.area);
            if layout != measured {
                measured = layout;
                if let Some(l) = layout {
                    for e in update(&mut app, &mut mode, Msg::RunbookLayout(l)) {
                        fx.perform(e);
                    }
                }
            }
        }
        let msg = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Msg::Key(k),
                Some(Ok(TermEvent::Resize(w, h))) => chart_width(w, h),
                Some(Ok(TermEvent::Paste(text))) => Msg::Paste(text),
                Some(Ok(TermEvent::Mouse(m))) => {
                    use crossterm::event::{MouseButton, MouseEventKind as K};
                    let act = match m.kind {
                        K::Down(MouseButton::Left) => MouseAct::Click,
                        K::ScrollDown => MouseAct::WheelDown,
                        K::ScrollUp => MouseAct::WheelUp,
                        _ => continue,
                    };
                    Msg::Mouse { act, at: ui::hit_at(m.column, m.row) }
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(s) = sources.recv() => Msg::Source(s),
            Some(m) = rx.recv() => m,
            _ = clock.tick() => Msg::Tick(Timestamp::now()),
            // A frame held back by the minimum interval is drawn when due.
            _ = tokio::time::sleep_until((last_draw + wait).into()), if dirty => continue,
            _ = term.recv() => { tracing::info!("SIGTERM: leaving"); return Ok(()); }
            _ = hup.recv() => { tracing::info!("SIGHUP: leaving"); return Ok(()); }
            _ = int.recv() => { tracing::info!("SIGINT: leaving"); return Ok(()); }
        };
        // A replay's reducer sets its own clock from the ticks.
        if app.replay.is_none() {
            app.now = Timestamp::now();
        }
        urgent |= matches!(
            msg,
            Msg::Key(_) | Msg::Paste(_) | Msg::Mouse { .. } | Msg::ChartWidth(_)
        );
        let pasted = matches!(msg, Msg::Paste(_));
        let tick = matches!(msg, Msg::Tick(_));
        for e in update(&mut app, &mut mode, msg) {
            fx.perform(e);
        }
        if pasted {
            for e in update(&mut app, &mut mode, Msg::PasteHandled(Timestamp::now())) {
                fx.perform(e);
            }
        }
        // Take in what is already queued before drawing once, up to a
        // bound, so a flood of events cannot hold the screen back.
        for _ in 0..MAX_DRAIN {
            let next = match sources.try_recv() {
                Ok(s) => Msg::Source(s),
                Err(_) => match rx.try_recv() {
                    Ok(m) => m,
                    Err(_) => break,
                },
            };
            for e in update(&mut app, &mut mode, next) {
                fx.perform(e);
            }
        }
        // The clock alone redraws only when something shown moves with it.
        dirty |= !tick || clock_shows(&app, drawn_minute);
        if app.quit {
            return Ok(());
        }
    }
}
