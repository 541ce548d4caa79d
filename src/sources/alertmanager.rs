//! Alertmanager API v2: active alerts (with silenced and inhibited ones marked),
//! and creating and expiring silences.

use std::collections::BTreeMap;

use jiff::Timestamp;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::http::{Http, SourceError, decode};
use crate::domain::alert::{Alert, AlertState};

/// A client for one Alertmanager.
#[derive(Debug, Clone)]
pub struct Alertmanager {
    http: Http,
}

/// One alert as `GET /api/v2/alerts` returns it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Gettable {
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: String,
    fingerprint: String,
    #[serde(rename = "generatorURL", default)]
    generator_url: Option<String>,
    status: GettableStatus,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GettableStatus {
    state: String,
    #[serde(default)]
    silenced_by: Option<Vec<String>>,
    #[serde(default)]
    inhibited_by: Option<Vec<String>>,
}

/// One matcher of a silence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// Exact label value.
    pub value: String,
    /// Always false here: silences match the alert's exact labels.
    pub is_regex: bool,
    /// Always true here.
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// A silence to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSilence {
    /// Label name → exact value.
    pub labels: BTreeMap<String, String>,
    /// When it starts muting.
    pub starts_at: Timestamp,
    /// When it stops.
    pub ends_at: Timestamp,
    /// Who asked for it.
    pub created_by: String,
    /// Why, naming the incident.
    pub comment: String,
}

/// A silence as the server reports it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    /// Its id.
    pub id: String,
    /// Who created it.
    pub created_by: String,
    /// Why.
    pub comment: String,
    /// What it matches.
    pub matchers: Vec<Matcher>,
    /// When it stops muting.
    pub ends_at: String,
    /// `active`, `pending` or `expired`.
    pub status: SilenceStatus,
}

/// State of a silence.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SilenceStatus {
    /// `active`, `pending` or `expired`.
    pub state: String,
}

impl Alertmanager {
    /// Wraps a client for the configured server.
    pub fn new(http: Http) -> Self {
        Alertmanager { http }
    }

    /// Every active alert, including silenced, inhibited and unprocessed ones.
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let body = self
            .http
            .send(
                Method::GET,
                "api/v2/alerts",
                &[
                    ("active", "true"),
                    ("silenced", "true"),
                    ("inhibited", "true"),
                    ("unprocessed", "true"),
                ],
                None,
            )
            .await?;
        parse_alerts(&body)
    }

    /// Creates a silence; returns its id.
    pub async fn create_silence(&self, s: &NewSilence) -> Result<String, SourceError> {
        let matchers: Vec<Matcher> = s
            .labels
            .iter()
            .map(|(k, v)| Matcher {
                name: k.clone(),
                value: v.clone(),
                is_regex: false,
                is_equal: true,
            })
            .collect();
        if matchers.is_empty() {
            return Err(SourceError::Api(
                "an alert without labels cannot be silenced".into(),
            ));
        }
        let body = serde_json::json!({
            "matchers": matchers,
            "startsAt": s.starts_at.to_string(),
            "endsAt": s.ends_at.to_string(),
            "createdBy": s.created_by,
            "comment": s.comment,
        });
        let answer = self
            .http
            .send(Method::POST, "api/v2/silences", &[], Some(&body))
            .await?;
        #[derive(Deserialize)]
        struct Created {
            #[serde(rename = "silenceID")]
            silence_id: String,
        }
        let c: Created = decode(&answer)?;
        Ok(c.silence_id)
    }

    /// Expires (ends) a silence now.
    pub async fn expire_silence(&self, id: &str) -> Result<(), SourceError> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(SourceError::Api(format!("'{id}' is not a silence id")));
        }
        self.http
            .send(Method::DELETE, &format!("api/v2/silence/{id}"), &[], None)
            .await
            .map(|_| ())
    }

    /// One silence, to check what the server holds.
    pub async fn silence(&self, id: &str) -> Result<Silence, SourceError> {
        self.http
            .get_json(&format!("api/v2/silence/{id}"), &[])
            .await
    }
}

/// Decodes the answer of `GET /api/v2/alerts`.
pub fn parse_alerts(body: &[u8]) -> Result<Vec<Alert>, SourceError> {
    let raw: Vec<serde_json::Value> = decode(body)?;
    raw.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let g: Gettable = serde_json::from_value(v)
                .map_err(|e| SourceError::Malformed(format!("alert {}: {e}", i + 1)))?;
            let starts_at: Timestamp = g
                .starts_at
                .parse()
                .map_err(|e| SourceError::Malformed(format!("alert {}: startsAt: {e}", i + 1)))?;
            let silenced_by = g.status.silenced_by.unwrap_or_default();
            let inhibited_by = g.status.inhibited_by.unwrap_or_default();
            let state = match g.status.state.as_str() {
                "suppressed" if !silenced_by.is_empty() => AlertState::Silenced,
                "suppressed" if !inhibited_by.is_empty() => AlertState::Inhibited,
                "suppressed" => AlertState::Silenced,
                _ => AlertState::Firing,
            };
            Ok(Alert {
                fingerprint: g.fingerprint,
                labels: g.labels,
                annotations: g.annotations,
                starts_at,
                state,
                silenced_by,
                inhibited_by,
                generator_url: g.generator_url.filter(|u| !u.is_empty()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_active_silenced_and_inhibited_alerts() {
        let body = br#"[
          {"annotations":{"summary":"api down","runbook_url":"https://r/x/TargetDown"},
           "endsAt":"2026-11-21T03:10:00Z","fingerprint":"a1","receivers":[{"name":"null"}],
           "startsAt":"2026-11-21T03:00:00.123456789Z",
           "status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},
           "updatedAt":"2026-11-21T03:01:00Z","generatorURL":"http://p/graph?g0.expr=up+%3D%3D+0",
           "labels":{"alertname":"TargetDown","severity":"warning"}},
          {"annotations":{},"fingerprint":"b2","startsAt":"2026-11-21T02:00:00Z",
           "status":{"inhibitedBy":null,"silencedBy":["s-1"],"state":"suppressed"},
           "labels":{"alertname":"Muted"}},
          {"fingerprint":"c3","startsAt":"2026-11-21T02:00:00Z",
           "status":{"inhibitedBy":["a1"],"silencedBy":[],"state":"suppressed"},
           "labels":{"alertname":"Inhibited"}}
        ]"#;
        let alerts = parse_alerts(body).expect("parses");
        assert_eq!(alerts.len(), 3);
        assert_eq!(alerts[0].state, AlertState::Firing);
        assert_eq!(alerts[0].expression().as_deref(), Some("up == 0"));
        assert_eq!(alerts[0].runbook_slug().as_deref(), Some("TargetDown"));
        assert_eq!(alerts[1].state, AlertState::Silenced);
        assert_eq!(alerts[1].silenced_by, ["s-1"]);
        assert_eq!(alerts[2].state, AlertState::Inhibited);
    }

    #[test]
    fn malformed_answers_say_what_broke() {
        for (body, want) in [
            (&b"<html>oops</html>"[..], "malformed answer"),
            (b"{\"data\":[]}", "malformed answer"),
            (b"[{\"fingerprint\":\"x\"}]", "alert 1: missing field `labels`"),
            (
                b"[{\"labels\":{},\"fingerprint\":\"x\",\"startsAt\":\"yesterday\",\"status\":{\"state\":\"active\"}}]",
                "alert 1: startsAt",
            ),
        ] {
            let e = parse_alerts(body).expect_err("malformed").to_string();
            assert!(e.contains(want), "{e}");
        }
        assert_eq!(parse_alerts(b"[]").expect("empty"), []);
    }
}
