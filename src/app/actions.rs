//! What a key does in the panes, with no dialog up: the meaning of each
//! [`Action`] of the key table's pane, global and navigation rows.

use super::incident::{self, Status};
use super::keys::Action;
use super::msg::Fx;
use super::next::{Next, Open};
use super::scroll::{Nav, from_bottom, from_top};
use super::state::{App, DocView, Pane, RANGES};
use crate::domain::incident::Purpose;
use crate::domain::time::short_duration;

/// Carries out a pane action.
pub fn act(app: &mut App, action: Action, fx: &mut Fx) -> Next {
    match action {
        Action::Interrupt | Action::Quit => return incident::request_quit(app),
        Action::Help => return Open::Help.into(),
        Action::FocusNext => app.focus = app.focus.next(),
        Action::FocusPrev => app.focus = app.focus.prev(),
        Action::Focus(p) => app.focus = p,
        Action::Nav(nav) => navigate(app, nav),
        Action::Open => incident::declare_selected(app, fx),
        Action::ToggleStep => return super::steps::tick(app, fx),
        Action::RunStep => return super::steps::ask_run(app, Purpose::Run, fx),
        Action::VerifyStep => return super::steps::ask_run(app, Purpose::Verify, fx),
        Action::RollbackStep => return super::steps::ask_run(app, Purpose::Rollback, fx),
        Action::FollowBranch => return super::steps::follow_branch(app, fx),
        Action::ShowOutput => return super::runs::show_output(app),
        Action::CopyCommand => super::steps::copy_command(app, fx),
        Action::PrevRunbook => super::runbooks::cycle(app, false),
        Action::NextRunbook => super::runbooks::cycle(app, true),
        Action::FoldDetails => app.runbook.fold_details = !app.runbook.fold_details,
        Action::Note => {
            if incident::require(app).is_some() {
                if app.incident.as_ref().is_some_and(|i| !i.gone)
                    && let Some(text) = app.watch.unsaved_note.take()
                {
                    return Open::NoteWith(text).into();
                }
                return Open::Note.into();
            }
        }
        Action::CommandLine => return Open::CommandLine(String::new()).into(),
        Action::ScrollRight => {
            // No further than the longest command line has columns (each
            // line stops scrolling once its end is in view).
            let longest: usize = app.shown_runbook().map_or(0, |rb| {
                rb.steps()
                    .flat_map(|(_, s)| s.commands.iter().chain(s.queries.iter()))
                    .flat_map(|c| c.lines())
                    .map(|l| l.chars().count())
                    .max()
                    .unwrap_or(0)
            });
            app.runbook.hscroll = (app.runbook.hscroll + HSTEP).min(longest);
        }
        Action::ScrollLeft => app.runbook.hscroll = app.runbook.hscroll.saturating_sub(HSTEP),
        Action::Zoom => {
            app.zoom = !app.zoom;
            app.info(if app.zoom {
                "zoomed: the focused pane fills the screen (f again: all panes)"
            } else {
                "all panes"
            });
        }
        Action::TimelineEntry => match app.timeline_selected() {
            Some(row) => return Open::TimelineEntry(row).into(),
            None => app.info("no timeline entry yet"),
        },
        Action::ToggleWrap => app.timeline_wrap = !app.timeline_wrap,
        Action::CopyEntry => match app.timeline_selected() {
            Some(row) => super::modal::timeline_entry::copy(app, row, fx),
            None => app.info("no timeline entry yet"),
        },
        Action::ClearFilter => {
            if incident::cancel_declaring(app) {
            } else if app.alerts.query().is_some() {
                app.alerts.set_query(None);
                app.info("showing all alerts");
            } else if app.focus == Pane::Pods && !app.pods.filter.is_empty() {
                app.pods.filter.clear();
                app.info("pod filter cleared");
            } else if !app.alerts.filter().is_empty() {
                app.alerts.set_filter(String::new());
                app.info("alert filter cleared");
            }
        }
        Action::Filter => {
            let pane = if app.focus == Pane::Pods {
                Pane::Pods
            } else {
                Pane::Alerts
            };
            app.focus = pane;
            return Open::Filter(pane).into();
        }
        Action::PodDetails => return super::pods::open_details(app, None, fx),
        Action::Ack => return incident::change_status(app, Status::Acknowledged, fx),
        Action::Mitigated => return incident::change_status(app, Status::Mitigated, fx),
        Action::Resolve => return incident::change_status(app, Status::Resolved, fx),
        Action::StatusUpdate => {
            if incident::require(app).is_some() {
                return Open::StatusUpdate(crate::domain::incident::Audience::Internal).into();
            }
        }
        Action::AddAction => {
            if incident::require(app).is_some() {
                return Open::ActionForm.into();
            }
        }
        Action::IncidentPanel => {
            if incident::require(app).is_some() {
                return Open::IncidentPanel.into();
            }
        }
        Action::DeletePod => return super::pods::ask_delete(app, None),
        Action::RestartWorkload => return super::pods::ask_restart(app, None, fx),
        Action::ScaleWorkload => return Open::CommandLine("scale ".into()).into(),
        Action::ToggleSuppressed => {
            let hidden = app.alerts.toggle_suppressed();
            if hidden {
                let key = super::keys::pane_key(Pane::Alerts, Action::ToggleSuppressed);
                app.info(format!(
                    "silenced and inhibited alerts hidden ({key} shows them)"
                ));
            } else {
                app.info("silenced and inhibited alerts shown");
            }
        }
        Action::ToggleGroups => {
            let grouped = app.alerts.toggle_grouped();
            app.info(if grouped {
                "alerts grouped by name"
            } else {
                "alerts listed one by one"
            });
        }
        Action::Silence => {
            if super::alerts::silence_target(app).is_some() {
                return Open::CommandLine("silence 1h".into()).into();
            }
            app.error("no alert selected to silence");
        }
        Action::PinChart => return Open::CommandLine("pin ".into()).into(),
        Action::CycleRange => {
            app.metric.range = (app.metric.range + 1) % RANGES.len();
            app.info(format!(
                "chart range {}",
                short_duration(app.metric.range())
            ));
        }
        // Dialog actions mean nothing in the panes.
        Action::Confirm
        | Action::Cancel
        | Action::Submit
        | Action::Choose
        | Action::Edit
        | Action::Override
        | Action::SwitchAudience
        | Action::NextField
        | Action::PrevField
        | Action::TogglePrevious
        | Action::ToggleFollow
        | Action::Rollback
        | Action::PinOutput
        | Action::PinPod
        | Action::Line(_) => {}
    }
    Next::Stay
}

/// Columns one sideways scroll of the commands moves.
const HSTEP: usize = 10;

/// Moves through the focused pane.
fn navigate(app: &mut App, nav: Nav) {
    navigate_pane(app, app.focus, nav);
}

/// Moves through `pane`, focused or not (the mouse wheel over it).
pub(super) fn navigate_pane(app: &mut App, pane: Pane, nav: Nav) {
    match pane {
        Pane::Alerts => app.alerts.navigate(nav),
        // j/k go from step to step, the view following; paging and g/G
        // scroll the whole document, prose after the last step included.
        Pane::Runbook => {
            let len = app.shown_runbook().map_or(0, |r| r.steps().count());
            match nav {
                Nav::Up | Nav::Down if len > 0 => {
                    app.runbook.cursor = from_top(app.runbook.cursor, nav, len);
                    app.runbook.view = DocView::Follow;
                }
                _ => app.runbook.scroll(nav),
            }
        }
        Pane::Pods => {
            let len = app.visible_pods().len();
            app.pods.cursor = from_top(app.pods.cursor, nav, len);
        }
        Pane::Timeline => {
            // Up moves the cursor back in time; back at 0 it follows new
            // entries.
            let len = app.timeline_len();
            app.timeline_scroll = from_bottom(app.timeline_scroll, nav, len.saturating_sub(1));
        }
        Pane::Metrics => {}
    }
}
