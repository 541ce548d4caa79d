//! What each `:` command does. Parsing is [`super::command`]'s; this module
//! carries a parsed command out and says which dialog, if any, comes next.

use super::command::Command;
use super::incident::{self, Status};
use super::msg::{Effect, Fx, record, record_about};
use super::next::{Next, Open};
use super::state::{App, RANGES};
use crate::domain::incident::EventKind;
use crate::domain::selector::Selector;
use crate::domain::time::{short_duration, to_millis};

/// Carries out one command.
pub fn run(app: &mut App, cmd: Command, fx: &mut Fx) -> Next {
    match cmd {
        Command::Help => return Open::Help.into(),
        Command::Pin(caption) => super::evidence::pin_chart(app, &caption, fx),
        Command::PinOutput(caption) => super::evidence::pin_output(app, &caption, fx),
        Command::PinPod(caption) => super::evidence::pin_pod(app, &caption, fx),
        Command::Drill(name) => super::exercise::start_drill(app, &name, fx),
        Command::Inject => super::exercise::inject(app, fx),
        Command::Recovered => super::exercise::recovered(app, fx),
        Command::Rpo(lost) => super::exercise::rpo(app, lost, fx),
        Command::Gameday(path) => super::gameday::load(app, path, fx),
        Command::Abort => super::gameday::abort(app, fx),
        Command::Cleanup => super::gameday::cleanup(app, fx),
        Command::Declare(title, sev) => incident::declare_by_hand(app, &title, sev, fx),
        Command::Quit => return incident::request_quit(app),
        Command::Runbook(name) => super::runbooks::attach(app, &name, fx),
        Command::Silence(duration) => super::alerts::silence(app, duration, fx),
        Command::Unsilence(id) => super::alerts::unsilence(app, id, fx),
        Command::Range(d) => match RANGES.iter().position(|r| *r == d) {
            Some(i) => app.metric.range = i,
            None => app.error("chart ranges are 15m, 1h and 6h"),
        },
        Command::Namespace(Some(n)) if n == "all" || n == "-A" => {
            // Every namespace: only when asked for, it needs a cluster-wide role.
            app.info("watching pods in all namespaces (needs list/watch pods cluster-wide)");
            app.pods.namespace_override = Some(crate::domain::pod::ALL_NAMESPACES.into());
            app.pods.cursor = 0;
        }
        Command::Namespace(Some(n)) if !crate::domain::selector::is_namespace(&n) => {
            app.error(format!(
                "'{n}' is not a namespace name (lowercase letters, digits and '-', at most 63)"
            ));
        }
        Command::Namespace(ns) => {
            app.info(match &ns {
                Some(n) => format!("watching pods in namespace {n}"),
                None => "pod namespace back to automatic".to_string(),
            });
            app.pods.namespace_override = ns;
            app.pods.cursor = 0;
        }
        Command::Selector(Some(s)) if Selector::parse(&s).is_err() => {
            let why = Selector::parse(&s).err().unwrap_or_default();
            app.error(format!("selector not changed: {why}"));
        }
        Command::Selector(sel) => {
            app.info(match &sel {
                Some(s) => format!("watching pods matching {s}"),
                None => "pod selector back to automatic".to_string(),
            });
            app.pods.selector_override = sel;
            app.pods.cursor = 0;
        }
        Command::Logs(pod) => return super::pods::open_details(app, pod.as_deref(), fx),
        Command::Delete(pod) => return super::pods::ask_delete(app, pod.as_deref()),
        Command::Restart(pod) => return super::pods::ask_restart(app, pod.as_deref(), fx),
        Command::Scale(n, target) => return super::pods::ask_scale(app, n, target.as_deref(), fx),
        Command::OnCall => on_call(app),
        Command::Join(id) => super::open::join(app, &id, fx),
        Command::Recreate => match app.incident.as_ref() {
            Some(open) if open.gone => {
                fx.push(Effect::Recreate(open.events.clone()));
                app.info("writing the journal again from what this cockpit holds…");
            }
            Some(_) => app.error("the journal is in place: nothing to recreate"),
            None => app.error("no incident is open"),
        },
        Command::Reveal => {
            app.reveal = !app.reveal;
            app.info(if app.reveal {
                "secrets are shown at this terminal until :reveal is given again"
            } else {
                "secrets are masked again"
            });
        }
        Command::Ack => return incident::change_status(app, Status::Acknowledged, fx),
        Command::Mitigated => return incident::change_status(app, Status::Mitigated, fx),
        Command::Resolve => return incident::change_status(app, Status::Resolved, fx),
        Command::Reopen => return incident::change_status(app, Status::Reopened, fx),
        Command::Updates => {
            if incident::require(app).is_some() {
                return Open::Updates.into();
            }
        }
        other => incident_command(app, other, fx),
    }
    Next::Stay
}

/// `:oncall`.
fn on_call(app: &mut App) {
    let oc = &app.settings.oncall;
    let text = match (&oc.primary, &oc.secondary) {
        (None, None) => {
            "no on-call names configured (oncall: primary/secondary in the config file)".to_string()
        }
        (p, s) => format!(
            "on call: primary {}, secondary {} (paged if not acknowledged within {})",
            p.as_deref().unwrap_or("not set"),
            s.as_deref().unwrap_or("not set"),
            short_duration(oc.escalation())
        ),
    };
    app.info(text);
}

/// Commands that write to the open incident.
fn incident_command(app: &mut App, cmd: Command, fx: &mut Fx) {
    let Some(inc) = incident::require(app) else {
        return;
    };
    let kind = match cmd {
        Command::Sev(to) if to == inc.severity => {
            return app.info(format!("severity is already {to}"));
        }
        Command::Sev(to) => EventKind::SeverityChanged {
            from: inc.severity,
            to,
        },
        Command::Note(text, None) => EventKind::Note { text },
        Command::Note(text, Some((h, m))) => match incident::backdate(app.now, h, m) {
            Some(at) => {
                return record_about(app, EventKind::Note { text }, Some(to_millis(at)), fx);
            }
            None => return app.error("that time does not exist today or yesterday"),
        },
        Command::Role(role, name) => EventKind::RoleAssigned { role, name },
        Command::Action {
            text,
            owner,
            due,
            ticket,
        } => {
            match incident::add_action(
                app,
                &text,
                owner.as_deref(),
                due.as_deref(),
                ticket.as_deref(),
                fx,
            ) {
                Ok(()) => app.info("action item added"),
                Err(e) => app.error(e),
            }
            return;
        }
        Command::Export(path) => {
            // The main metric is recorded first, so the draft has it.
            return super::evidence::record_window(app, Some(path), fx);
        }
        _ => return,
    };
    record(app, kind, fx);
}
