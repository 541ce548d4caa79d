//! The HTTP client shared by the Alertmanager and Prometheus sources: one place
//! for TLS (rustls), credentials, time limits, size limits and turning failures
//! into the short reasons pane titles show.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::config::{Auth, Endpoint};

/// Answers larger than this are refused rather than buffered.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// Why a request failed, worded for a pane title.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    /// Nothing answered (refused, DNS, TLS handshake).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The server did not answer within the time limit.
    #[error("no answer within {}s", .0.as_secs_f32())]
    Timeout(Duration),
    /// The server answered with an error status.
    #[error("HTTP {code}{}", if .body.is_empty() { String::new() } else { format!(": {}", .body) })]
    Status {
        /// The status code.
        code: u16,
        /// The start of the body, which usually says why.
        body: String,
    },
    /// The answer was not the JSON the API documents.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// The API itself reported an error (Prometheus' `status: error`).
    #[error("{0}")]
    Api(String),
    /// The client could not be built from the configuration.
    #[error("{0}")]
    Config(String),
}

/// A client for one configured server.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    endpoint: Endpoint,
}

impl Http {
    /// Builds the client: rustls with the platform's roots plus the configured CA.
    pub fn new(endpoint: Endpoint) -> Result<Self, SourceError> {
        let mut builder = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .connect_timeout(endpoint.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("warroom/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &endpoint.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| SourceError::Config(format!("ca_file: {e}")))?;
            if certs.is_empty() {
                return Err(SourceError::Config(
                    "ca_file: no PEM certificate found".into(),
                ));
            }
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        let client = builder
            .build()
            .map_err(|e| SourceError::Config(format!("HTTP client: {e}")))?;
        Ok(Http { client, endpoint })
    }

    /// The configured server, for names and intervals.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `path` (e.g. `api/v2/alerts`) under the base URL, keeping any prefix the
    /// base has (`https://host/alertmanager/`).
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> url::Url {
        let mut u = self.endpoint.url.clone();
        let base = u.path().trim_end_matches('/').to_string();
        u.set_path(&format!("{base}/{}", path.trim_start_matches('/')));
        u.set_query(None);
        if !query.is_empty() {
            u.query_pairs_mut().extend_pairs(query);
        }
        u
    }

    fn request(&self, method: Method, url: url::Url) -> RequestBuilder {
        let rb = self.client.request(method, url);
        match &self.endpoint.auth {
            Auth::None => rb,
            Auth::Bearer(t) => rb.bearer_auth(t.expose()),
            Auth::Basic { username, password } => rb.basic_auth(username, Some(password.expose())),
        }
    }

    /// Sends a request and returns the body of a 2xx answer.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, SourceError> {
        let mut rb = self.request(method, self.url(path, query));
        if let Some(b) = body {
            rb = rb
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_string());
        }
        let mut resp = rb.send().await.map_err(|e| self.describe(&e))?;
        let status = resp.status();
        let too_big = || {
            SourceError::Malformed(format!(
                "answer larger than {} MiB: not read",
                MAX_BODY / 1024 / 1024
            ))
        };
        // A declared size over the ceiling is refused before reading it.
        if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(too_big());
        }
        // Chunks are kept as they come and joined once, so memory stays near
        // the size of the answer (never a growing buffer copied over itself)
        // and the read stops at the ceiling whatever the server claimed.
        let mut chunks = Vec::new();
        let mut total = 0usize;
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.describe(&e))? {
            total += chunk.len();
            if total > MAX_BODY {
                return Err(too_big());
            }
            chunks.push(chunk);
        }
        let mut buf = Vec::with_capacity(total);
        for c in chunks {
            buf.extend_from_slice(&c);
        }
        if !status.is_success() {
            return Err(status_error(status, &buf));
        }
        Ok(buf)
    }

    /// GETs `path` and decodes the JSON answer.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, SourceError> {
        let body = self.send(Method::GET, path, query, None).await?;
        decode(&body)
    }

    fn describe(&self, e: &reqwest::Error) -> SourceError {
        if e.is_timeout() {
            return SourceError::Timeout(self.endpoint.timeout);
        }
        // The innermost cause says it best ("Connection refused"); the
        // address is named without any credentials it carries.
        let mut cause: &dyn std::error::Error = e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        let text = cause.to_string();
        let text = text.split(" (os error").next().unwrap_or(&text).to_string();
        if e.is_connect() || e.is_request() {
            SourceError::Unreachable(format!("{text} ({})", self.endpoint.display_url()))
        } else {
            SourceError::Malformed(text)
        }
    }
}

/// Decodes JSON, saying where it broke.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SourceError> {
    serde_json::from_slice(body).map_err(|e| SourceError::Malformed(e.to_string()))
}

fn status_error(status: StatusCode, body: &[u8]) -> SourceError {
    let text = String::from_utf8_lossy(body);
    // Prometheus puts the reason in `error`; Alertmanager sends a JSON string or text.
    let reason = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(m) => m
                .get("error")
                .or_else(|| m.get("message"))
                .and_then(|e| e.as_str())
                .map(str::to_string),
            _ => None,
        })
        .unwrap_or_else(|| text.lines().next().unwrap_or("").to_string());
    let reason: String = crate::sanitize::line(reason.trim())
        .chars()
        .take(120)
        .collect();
    SourceError::Status {
        code: status.as_u16(),
        body: reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn http(base: &str) -> Http {
        Http::new(Endpoint {
            url: base.parse().expect("url"),
            auth: Auth::Bearer(Secret::new("t".into())),
            ca_pem: None,
            poll_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
        })
        .expect("client")
    }

    #[test]
    fn paths_keep_the_base_prefix() {
        let h = http("https://ops.example.com/alertmanager/");
        assert_eq!(
            h.url("api/v2/alerts", &[("active", "true")]).as_str(),
            "https://ops.example.com/alertmanager/api/v2/alerts?active=true"
        );
        let h = http("http://127.0.0.1:9090");
        assert_eq!(
            h.url("/api/v1/query_range", &[("query", "rate(x[5m]) > 1")])
                .as_str(),
            "http://127.0.0.1:9090/api/v1/query_range?query=rate%28x%5B5m%5D%29+%3E+1"
        );
    }

    #[test]
    fn status_errors_carry_the_servers_reason() {
        let e = status_error(
            StatusCode::BAD_REQUEST,
            br#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#,
        );
        assert_eq!(e.to_string(), "HTTP 400: parse error at char 3");
        let e = status_error(StatusCode::INTERNAL_SERVER_ERROR, b"boom\x1b[31m\nmore");
        assert_eq!(e.to_string(), "HTTP 500: boom");
        let e = status_error(StatusCode::BAD_GATEWAY, b"");
        assert_eq!(e.to_string(), "HTTP 502");
    }

    #[test]
    fn bad_ca_files_are_config_errors() {
        let e = Http::new(Endpoint {
            url: "https://x".parse().expect("url"),
            auth: Auth::None,
            ca_pem: Some(b"not a certificate".to_vec()),
            poll_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
        })
        .expect_err("bad ca");
        assert!(e.to_string().starts_with("ca_file:"), "{e}");
    }
}
