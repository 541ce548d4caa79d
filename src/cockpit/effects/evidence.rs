//! The evidence effects: the incident's main metric over its whole window,
//! fetched from Prometheus (or the demo's simulation) so it can be recorded
//! in the journal for the postmortem.

use super::*;
use crate::app::msg::WindowRequest;
use crate::domain::incident::evidence::{MAX_POINTS, PinnedChart};

/// The step between samples that gives about [`MAX_POINTS`] of them over
/// `range`, never under a second.
fn step_for(range: Duration) -> Duration {
    Duration::from_secs((range.as_secs() / MAX_POINTS as u64).max(1))
}

impl Effects {
    /// Fetches the window asked for and reports it as a chart.
    pub(super) fn fetch_window(&mut self, request: WindowRequest) {
        let tx = self.tx.clone();
        let prom = self.prometheus.clone();
        let demo = match &self.pods {
            PodBackend::Demo(s, _) => Some(*s),
            _ => None,
        };
        tokio::spawn(async move {
            let seconds = (request.end.as_second() - request.start.as_second()).max(1) as u64;
            let range = Duration::from_secs(seconds);
            let data = match (prom, demo) {
                (Some(p), _) => p
                    .query_range(&request.query, request.end, range, step_for(range))
                    .await
                    .map_err(|e| e.to_string()),
                (None, Some(scenario)) => {
                    // Two samples a column: 60 columns give MAX_POINTS.
                    let req = MetricRequest {
                        query: request.query.clone(),
                        range,
                        width: (MAX_POINTS / 2) as u16,
                    };
                    scenario.metric(&req, request.end)
                }
                (None, None) => Err("no Prometheus is configured".to_string()),
            };
            let result = data.and_then(|d| {
                PinnedChart::of(&d, seconds, request.threshold, &request.unit)
                    .ok_or_else(|| format!("{} returned no data over the incident", request.query))
            });
            let _ = tx.send(Msg::WindowFetched { request, result }).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_keeps_about_a_chart_of_points() {
        assert_eq!(
            step_for(Duration::from_secs(3_600)),
            Duration::from_secs(30)
        );
        assert_eq!(step_for(Duration::from_secs(10)), Duration::from_secs(1));
    }
}
