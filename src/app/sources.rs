//! Messages from the data sources, routed to the pane they feed, and the
//! chart request kept in step with what is on screen.

use super::msg::{Effect, Fx};
use super::state::App;
use crate::domain::alert::Alert;
use crate::domain::placeholder::fill_string;
use crate::domain::unit::Unit;
use crate::sources::{Feed, MetricRequest, SourceMsg};

/// One source message.
pub fn on_source(app: &mut App, msg: SourceMsg, fx: &mut Fx) {
    match msg {
        SourceMsg::Alerts { source, result } => super::alerts::on_alerts(app, &source, result, fx),
        SourceMsg::Pods { source, result } => super::pods::on_pods(app, &source, result),
        SourceMsg::PodChanges { source, changes } => {
            super::pods::on_pod_changes(app, &source, changes)
        }
        msg @ (SourceMsg::PodEvents { .. } | SourceMsg::PodLog { .. }) => {
            super::pods::on_details(app, msg)
        }
        SourceMsg::Cluster { context, namespace } => app.cluster = Some((context, namespace)),
        SourceMsg::Runbook { path, result } => super::runbooks::on_changed(app, path, result),
        SourceMsg::Connecting {
            feed,
            source,
            address,
            every,
        } => {
            let every = jiff::SignedDuration::try_from(every).unwrap_or_default();
            status_of(app, feed).connecting(&source, &address, every);
        }
        SourceMsg::Alive { feed, source } => {
            let now = app.now;
            status_of(app, feed).ok(&source, now);
        }
        SourceMsg::Unavailable { feed, reason } => {
            status_of(app, feed).off = Some(reason);
            // With no alert source, the cluster is what there is to look at.
            if feed == Feed::Alerts && app.focus == super::state::Pane::Alerts {
                app.focus = super::state::Pane::Pods;
            }
        }
        SourceMsg::Metric {
            source,
            query,
            result,
        } => {
            let m = &mut app.metric;
            if m.query.as_deref() != Some(query.as_str()) {
                return; // an answer to a query nobody wants any more
            }
            match result {
                Ok(data) => {
                    m.data = Some(data);
                    m.error = None;
                    m.status.ok(&source, app.now);
                }
                Err(e) => {
                    m.error = Some(e.clone());
                    m.status.failed(&source, e);
                }
            }
        }
    }
}

/// Keeps the wanted chart in step with the runbook on screen: its `query`, else
/// the expression of the alert's rule; the chosen range; the pane's width.
pub fn sync_query(app: &mut App, fx: &mut Fx) {
    let labels = app.shown_labels().cloned().unwrap_or_default();
    let rb = app.shown_runbook();
    let from_runbook = rb
        .and_then(|r| r.meta.query.as_deref())
        .map(|q| fill_string(q, &labels));
    let (wanted, origin) = match from_runbook {
        Some(q) => (Some(q), "runbook"),
        None => (app.shown_alert().and_then(Alert::expression), "alert rule"),
    };
    let threshold = rb.and_then(|r| r.meta.threshold);
    // Like the threshold, the runbook's unit describes whatever it charts.
    let unit = Unit::resolve(rb.and_then(|r| r.meta.unit.as_deref()), wanted.as_deref());
    let m = &mut app.metric;
    let request = wanted.clone().map(|query| MetricRequest {
        query,
        range: m.range(),
        width: m.width,
    });
    if wanted != m.query {
        m.query = wanted;
        m.origin = origin;
        m.threshold = threshold;
        m.unit = unit;
        m.data = None;
        m.error = None;
        m.requested = request.clone();
        fx.push(Effect::Query(request));
    } else if request != m.requested {
        // Same query, new range or width: keep the old chart until the new
        // answer replaces it, so nothing flickers.
        m.requested = request.clone();
        fx.push(Effect::Query(request));
    }
}

/// The status of the pane a feed fills.
fn status_of(app: &mut App, feed: Feed) -> &mut super::state::SourceStatus {
    match feed {
        Feed::Alerts => &mut app.alerts.status,
        Feed::Pods => &mut app.pods.status,
        Feed::Metrics => &mut app.metric.status,
    }
}
