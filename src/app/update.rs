//! The reducer: `update(&mut App, &mut Mode, Msg) -> effects`. A router only:
//! each message goes to the module that owns it. It never waits and never
//! does I/O; the loop performs the returned effects and feeds results back in
//! as messages, which keeps every behaviour testable without a terminal.

use crossterm::event::{KeyEvent, KeyEventKind};

use super::keys::{self, Action};
use super::modal::{self, Mode};
use super::msg::{Effect, Fx, Msg};
use super::next::Next;
use super::state::{App, Pane};
use crate::journal::JournalMsg;

/// How long after a paste keys are taken as part of it. A person does not
/// press a key this soon after pasting; a terminal passing on a forged
/// end-of-paste marker delivers the rest of the text within it.
pub const PASTE_GUARD: jiff::SignedDuration = jiff::SignedDuration::from_millis(250);

/// Applies one message to the cockpit and its modal layer.
pub fn update(app: &mut App, mode: &mut Mode, msg: Msg) -> Fx {
    let mut fx = Fx::new();
    // A replay only plays the journal back: its keys that look around are
    // handled as here, and nothing but a clipboard copy leaves it.
    if app.replay.is_some() {
        match super::replay::intercept(app, mode, msg, &mut fx) {
            Some(Msg::Key(key)) => on_key(app, mode, key, &mut fx),
            Some(Msg::Paste(text)) => modal::on_paste(mode, &text, app),
            _ => {}
        }
        fx.retain(|e| matches!(e, Effect::Copy(_)));
        return fx;
    }
    match msg {
        Msg::Key(key) => on_key(app, mode, key, &mut fx),
        Msg::Paste(text) => {
            modal::on_paste(mode, &text, app);
            app.paste_guard = Some(app.now + PASTE_GUARD);
        }
        // A long paste takes a while to insert; the window starts after it.
        Msg::PasteHandled(at) => app.paste_guard = Some(at + PASTE_GUARD),
        Msg::Tick(now) => {
            app.now = now;
            super::incident::check_declaring(app, &mut fx);
            super::incident::check_deadlines(app, &mut fx);
            super::runbooks::check_queries(app, &mut fx);
            super::exercise::check_queries(app, &mut fx);
            super::gameday::check(app, &mut fx);
            super::evidence::demo_teammate(app, &mut fx);
        }
        Msg::ExerciseAnswer { ask, at, result } => {
            super::exercise::on_answer(app, ask, at, result, &mut fx)
        }
        Msg::ExperimentLoaded(result) => {
            let next = super::gameday::on_loaded(app, result, &mut fx);
            modal::apply(mode, app, next);
        }
        Msg::PodsCounted(result) => super::gameday::on_pods_counted(app, result),
        Msg::FaultApplied { what, result } => {
            super::gameday::on_applied(app, what, result, &mut fx)
        }
        Msg::FaultDeleted { what, result } => {
            super::gameday::on_deleted(app, what, result, &mut fx)
        }
        Msg::Leftovers(result) => super::gameday::on_leftovers(app, result),
        Msg::Share(status) => {
            use crate::share::sync::ShareStatus;
            // A refusal is said once, in full; the status line keeps it short.
            if let ShareStatus::Forbidden(why) = &status
                && !matches!(app.share, Some(ShareStatus::Forbidden(_)))
            {
                app.error(format!(
                    "share: the cluster refused ({why}); the incident stays on this host, asked again every 10 s"
                ));
            }
            // An event the cluster would not take is said in full once.
            if let ShareStatus::Partial { refused, why } = &status
                && !matches!(&app.share, Some(ShareStatus::Partial { refused: r, .. }) if r == refused)
            {
                app.error(format!(
                    "share: the cluster refused an event ({why}); it stays in this host's journal and export"
                ));
            }
            // This incident's entries moved into the one another host
            // claimed for the alert: the cockpit goes on there.
            if let ShareStatus::Merged { into, entries } = &status {
                app.info(format!(
                    "share: {into} was declared for this alert on another host while the cluster was away; this incident's {entries} entries moved there"
                ));
                super::open::join(app, into, &mut fx);
            }
            app.share = Some(status);
        }
        Msg::Claims(claims) => app.claims = claims,
        Msg::Run(report) => super::runs::on_run_report(app, report, &mut fx),
        Msg::QueryChecked {
            step,
            query,
            result,
        } => super::runbooks::on_query_checked(app, step, query, result, &mut fx),
        Msg::Source(s) => super::sources::on_source(app, s, &mut fx),
        Msg::Journal(j) => {
            // An export waiting for a record that failed goes ahead without it.
            if matches!(j, JournalMsg::AppendFailed { .. })
                && let Some((_, path)) = app.watch.export_after.take()
                && let Some(open) = app.incident.as_ref()
            {
                fx.push(Effect::Export {
                    id: open.id.clone(),
                    path,
                });
            }
            super::incident::on_journal(app, j);
            super::exercise::observe(app, &mut fx);
            super::evidence::after_journal(app, &mut fx);
        }
        Msg::WindowFetched { request, result } => {
            super::evidence::on_window(app, request, result, &mut fx)
        }
        Msg::Declared(Ok(opened)) => {
            super::incident::on_opened(app, opened, &mut fx);
            super::gameday::on_opened(app, &mut fx);
        }
        Msg::Declared(Err(e)) => app.error(format!("could not declare the incident: {e}")),
        Msg::Joined(Ok(opened)) => super::incident::on_opened(app, opened, &mut fx),
        Msg::Joined(Err(e)) => app.error(format!("could not open the incident: {e}")),
        Msg::Exported(Ok(path)) => {
            app.info(format!("postmortem draft written to {}", path.display()))
        }
        Msg::Exported(Err(e)) => app.error(format!("export failed: {e}")),
        Msg::ChartWidth(w) => app.metric.width = w,
        Msg::RunbookLayout(l) => app.runbook.layout = l,
        Msg::OverlayMax(m) => app.overlay_max = m,
        Msg::Mouse { act, at } => super::mouse::on_mouse(app, mode, act, at, &mut fx),
        Msg::Silenced(result) => super::alerts::on_silenced(app, result, &mut fx),
        Msg::Unsilenced(result) => super::alerts::on_unsilenced(app, result, &mut fx),
        Msg::ClusterDone { action, result } => super::pods::on_done(app, action, result, &mut fx),
        Msg::ReplicasNow {
            namespace,
            workload,
            result,
        } => super::pods::on_replicas_now(app, &namespace, &workload, result),
        Msg::OwnerFound { pod, result } => {
            let next = super::pods::on_owner_found(app, pod, result);
            if mode.is_normal() {
                modal::apply(mode, app, next);
            }
        }
        Msg::OwnerScope { pod, result } => super::pods::on_owner_scope(app, pod, result),
        Msg::AuditFailed(e) => app.error(format!("the change is NOT in the audit log: {e}")),
        Msg::HistoryLoaded(lines) => app.history.loaded(lines),
    }
    super::sources::sync_query(app, &mut fx);
    super::pods::sync_scope(app, &mut fx);
    fx
}

fn on_key(app: &mut App, mode: &mut Mode, key: KeyEvent, fx: &mut Fx) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if let Some(until) = app.paste_guard {
        if app.now < until {
            // Each dropped key extends the window, so a long tail of forged
            // keys is dropped whole, Ctrl-C among them.
            app.paste_guard = Some(app.now + PASTE_GUARD);
            app.error("keys arriving with a paste were ignored: the pasted text tried to act as keystrokes");
            return;
        }
        app.paste_guard = None;
    }
    // Ctrl-C stops a running command, never the cockpit, whatever is open.
    if keys::always(&key) == Some(Action::Interrupt) && super::runs::cancel(app, fx) {
        return;
    }
    let next = if mode.is_normal() {
        // Any key while the Alerts pane is on screen counts as having looked at it.
        if app.focus == Pane::Alerts {
            app.alerts.mark_seen();
        }
        let action = keys::always(&key).or_else(|| keys::lookup(&key, app.focus));
        match action {
            Some(a) => {
                // Taken off while the action runs, so anything it says,
                // even the same words again, is its own.
                let before = app.flash.take();
                let next = super::actions::act(app, a, fx);
                // An action carried out in place that said nothing went
                // through: an old error is no longer the news. Moving
                // around is not doing something, and a dialog it opened
                // decides for itself when it is done.
                let moved = matches!(
                    a,
                    Action::Nav(_) | Action::Focus(_) | Action::FocusNext | Action::FocusPrev
                );
                let went_through = matches!(next, Next::Stay) && !moved;
                if app.flash.is_none()
                    && !(went_through && before.as_ref().is_some_and(|f| f.error))
                {
                    app.flash = before;
                }
                next
            }
            None => Next::Stay,
        }
    } else {
        modal::on_key(mode, key, app, fx)
    };
    modal::apply(mode, app, next);
}
