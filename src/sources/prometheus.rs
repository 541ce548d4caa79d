//! Prometheus HTTP API: range queries for the Metrics pane and, when no
//! Alertmanager is configured, `/api/v1/alerts` for the Alerts pane.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use serde::Deserialize;

use super::http::{Http, SourceError, decode};
use crate::domain::alert::Alert;
use crate::domain::metric::{MetricData, Series};

/// A client for one Prometheus.
#[derive(Debug, Clone)]
pub struct Prometheus {
    http: Http,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    error: Option<String>,
    error_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AlertsData {
    alerts: Vec<RuleAlert>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleAlert {
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    state: String,
    active_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Matrix {
    result_type: String,
    result: Vec<MatrixSeries>,
}

#[derive(Debug, Deserialize)]
struct MatrixSeries {
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

fn unwrap<T>(env: Envelope<T>) -> Result<T, SourceError> {
    if env.status != "success" {
        let kind = env.error_type.unwrap_or_default();
        let msg = env.error.unwrap_or_else(|| "unknown error".into());
        return Err(SourceError::Api(if kind.is_empty() {
            msg
        } else {
            format!("{kind}: {msg}")
        }));
    }
    env.data
        .ok_or_else(|| SourceError::Malformed("no `data` in a success answer".into()))
}

impl Prometheus {
    /// Wraps a client for the configured server.
    pub fn new(http: Http) -> Self {
        Prometheus { http }
    }

    /// Alerts its rules are firing (pending ones are left out, as Alertmanager
    /// would never have seen them).
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let body = self
            .http
            .send(reqwest::Method::GET, "api/v1/alerts", &[], None)
            .await?;
        parse_alerts(&body)
    }

    /// A range query ending now, with `step` between samples.
    pub async fn query_range(
        &self,
        query: &str,
        end: Timestamp,
        range: Duration,
        step: Duration,
    ) -> Result<MetricData, SourceError> {
        let end_s = end.as_second();
        let start_s = end_s - range.as_secs() as i64;
        let (start, end, step) = (
            start_s.to_string(),
            end_s.to_string(),
            step.as_secs().max(1).to_string(),
        );
        let body = self
            .http
            .send(
                reqwest::Method::GET,
                "api/v1/query_range",
                &[
                    ("query", query),
                    ("start", &start),
                    ("end", &end),
                    ("step", &step),
                ],
                None,
            )
            .await;
        // Bad PromQL comes back as HTTP 400 with the reason in the body.
        let body = body?;
        parse_matrix(query, &body)
    }
}

impl Prometheus {
    /// An instant query: how many series (or a scalar) it returns now. A
    /// condition such as `rate(x[5m]) < 0.01` returns nothing until it holds.
    pub async fn count_instant(&self, query: &str) -> Result<usize, SourceError> {
        let body = self
            .http
            .send(
                reqwest::Method::GET,
                "api/v1/query",
                &[("query", query)],
                None,
            )
            .await?;
        parse_instant_count(&body)
    }

    /// An instant query's answer: each series' labels (PromQL's `{a="b"}`
    /// form) and value. An exercise's abort, steady-state, recovered and
    /// RPO queries need the values, not only whether there are any.
    pub async fn instant(&self, query: &str) -> Result<Vec<(String, f64)>, SourceError> {
        let body = self
            .http
            .send(
                reqwest::Method::GET,
                "api/v1/query",
                &[("query", query)],
                None,
            )
            .await?;
        parse_instant_values(&body)
    }
}

/// Decodes an instant query's answer into (series, value) pairs: a vector's
/// series, or a scalar as one unnamed value. Values that are not numbers
/// (`NaN` is one) are kept as NaN; a malformed answer is an error.
pub fn parse_instant_values(body: &[u8]) -> Result<Vec<(String, f64)>, SourceError> {
    let i = unwrap(decode::<Envelope<Instant>>(body)?)?;
    let value = |v: &serde_json::Value| -> Result<f64, SourceError> {
        v.get(1)
            .and_then(|s| s.as_str())
            .map(|s| s.parse::<f64>().unwrap_or(f64::NAN))
            .ok_or_else(|| SourceError::Malformed("a sample without a value".into()))
    };
    match (i.result_type.as_str(), &i.result) {
        ("vector", serde_json::Value::Array(a)) => a
            .iter()
            .map(|s| {
                let labels = s
                    .get("metric")
                    .and_then(|m| m.as_object())
                    .map(|m| {
                        let pairs: Vec<String> = m
                            .iter()
                            .map(|(k, v)| format!("{k}={:?}", v.as_str().unwrap_or_default()))
                            .collect();
                        format!("{{{}}}", pairs.join(","))
                    })
                    .unwrap_or_else(|| "{}".into());
                Ok((
                    labels,
                    value(s.get("value").unwrap_or(&serde_json::Value::Null))?,
                ))
            })
            .collect(),
        ("scalar", v @ serde_json::Value::Array(_)) => Ok(vec![(String::new(), value(v)?)]),
        (t, _) => Err(SourceError::Malformed(format!(
            "an exercise query must answer a vector or a scalar, not a {t}"
        ))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Instant {
    result_type: String,
    result: serde_json::Value,
}

/// Counts the answer of an instant query: vector and matrix results by
/// series, a scalar or string as one.
pub fn parse_instant_count(body: &[u8]) -> Result<usize, SourceError> {
    let i = unwrap(decode::<Envelope<Instant>>(body)?)?;
    match (i.result_type.as_str(), &i.result) {
        ("vector" | "matrix", serde_json::Value::Array(a)) => Ok(a.len()),
        ("scalar" | "string", serde_json::Value::Array(_)) => Ok(1),
        (t, _) => Err(SourceError::Malformed(format!(
            "unexpected instant result of type {t}"
        ))),
    }
}

/// Decodes the answer of `/api/v1/alerts`.
pub fn parse_alerts(body: &[u8]) -> Result<Vec<Alert>, SourceError> {
    let data = unwrap(decode::<Envelope<AlertsData>>(body)?)?;
    let mut out = Vec::new();
    for (i, a) in data.alerts.into_iter().enumerate() {
        if a.state != "firing" {
            continue;
        }
        let starts_at = match a.active_at.as_deref() {
            Some(t) => t
                .parse()
                .map_err(|e| SourceError::Malformed(format!("alert {}: activeAt: {e}", i + 1)))?,
            None => Timestamp::now(),
        };
        out.push(Alert {
            fingerprint: Alert::fingerprint_of(&a.labels),
            labels: a.labels,
            annotations: a.annotations,
            starts_at,
            ..Alert::default()
        });
    }
    Ok(out)
}

/// Decodes a range-query answer into chartable series.
pub fn parse_matrix(query: &str, body: &[u8]) -> Result<MetricData, SourceError> {
    let m = unwrap(decode::<Envelope<Matrix>>(body)?)?;
    if m.result_type != "matrix" {
        return Err(SourceError::Malformed(format!(
            "expected a matrix, got {}",
            m.result_type
        )));
    }
    let series = m
        .result
        .into_iter()
        .map(|s| Series {
            name: series_name(&s.metric),
            points: s
                .values
                .into_iter()
                .filter_map(|(t, v)| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .map(|v| (t, v))
                })
                .collect(),
        })
        .collect();
    Ok(MetricData {
        query: query.to_string(),
        series,
    })
}

/// `metric{a="1",b="2"}`, or `{}` for an expression result without labels.
fn series_name(labels: &BTreeMap<String, String>) -> String {
    let name = labels.get("__name__").cloned().unwrap_or_default();
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    if rest.is_empty() && !name.is_empty() {
        name
    } else {
        format!("{name}{{{}}}", rest.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_answers_are_counted() {
        let v = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},{"metric":{"a":"b"},"value":[1,"2"]}]}}"#;
        assert_eq!(parse_instant_count(v).expect("vector"), 2);
        let empty = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert_eq!(parse_instant_count(empty).expect("empty"), 0);
        let scalar = br#"{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}"#;
        assert_eq!(parse_instant_count(scalar).expect("scalar"), 1);
        let bad = br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
        assert!(parse_instant_count(bad).is_err());
        assert!(parse_instant_count(b"<html>").is_err());
    }

    #[test]
    fn parses_a_matrix_skipping_nan() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"up","job":"prometheus","instance":"127.0.0.1:9090"},
           "values":[[1700000000,"1"],[1700000015.5,"NaN"],[1700000030,"0.25"],[1700000045,"+Inf"]]},
          {"metric":{},"values":[[1700000000,"3"]]}]}}"#;
        let m = parse_matrix("up", body).expect("parses");
        assert_eq!(m.series.len(), 2);
        assert_eq!(
            m.series[0].name,
            "up{instance=\"127.0.0.1:9090\",job=\"prometheus\"}"
        );
        assert_eq!(
            m.series[0].points,
            [(1_700_000_000.0, 1.0), (1_700_000_030.0, 0.25)]
        );
        assert_eq!(m.series[1].name, "{}");
    }

    #[test]
    fn api_errors_and_wrong_shapes_are_reported() {
        let e = parse_matrix(
            "x",
            br#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""}"#,
        )
        .expect_err("error");
        assert_eq!(e.to_string(), "bad_data: invalid parameter \"query\"");
        let e = parse_matrix(
            "x",
            br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
        )
        .expect_err("vector");
        assert!(e.to_string().contains("expected a matrix"), "{e}");
        assert!(parse_matrix("x", b"garbage").is_err());
        assert!(parse_matrix("x", br#"{"status":"success"}"#).is_err());
    }

    #[test]
    fn alerts_keep_only_firing_ones_with_stable_fingerprints() {
        let body = br#"{"status":"success","data":{"alerts":[
          {"labels":{"alertname":"A","severity":"critical"},"annotations":{"summary":"s"},
           "state":"firing","activeAt":"2026-11-21T03:00:00.5Z","value":"1e+00"},
          {"labels":{"alertname":"B"},"annotations":{},"state":"pending",
           "activeAt":"2026-11-21T03:00:00Z","value":"1e+00"}]}}"#;
        let a = parse_alerts(body).expect("parses");
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].name(), "A");
        assert_eq!(a[0].fingerprint, Alert::fingerprint_of(&a[0].labels));
        assert_eq!(a[0].summary(), "s");
    }
}
