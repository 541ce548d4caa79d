//! Removes secrets from text that leaves the cockpit (exports): bearer tokens,
//! passwords and API keys in commands and notes, credentials in URLs, private
//! keys, and well-known token shapes. What is removed is replaced by a marker,
//! so the reader knows something was there.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What replaces a secret.
pub const MARK: &str = "[REDACTED]";

struct Rule {
    re: Regex,
    /// Keep capture group 1 (the key or prefix) and redact the rest.
    keep_prefix: bool,
}

/// The patterns and whether each keeps its first capture group.
const PATTERNS: &[(&str, bool)] = &[
    // PEM private keys, whole block.
    (
        r"(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\z)",
        false,
    ),
    // Authorization headers.
    (r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}", true),
    // user:password@ in URLs.
    (r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(@)", true),
    // key=value and key: value for secret-looking keys.
    (
        r#"(?i)(\b(?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key)["']?\s*[=:]\s*["']?)[^\s"'&,;]{3,}"#,
        true,
    ),
    // The same as command-line flags: --password X, --token=X.
    (
        r#"(?i)(--(?:password|passwd|token|secret|api-key|client-secret)[= ]\s*["']?)[^\s"'&,;]{3,}"#,
        true,
    ),
    // PGPASSWORD=..., MYSQL_PWD=..., any *_TOKEN=, *_SECRET=, *_PASSWORD= env.
    (
        r"(\b[A-Z][A-Z0-9_]*(?:PASSWORD|PWD|TOKEN|SECRET|API_KEY)=)[^\s]+",
        true,
    ),
    // Well-known token shapes.
    (r"\bAKIA[0-9A-Z]{16}\b", false),
    (r"\bgh[pousr]_[A-Za-z0-9]{30,}\b", false),
    (r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b", false),
    (
        r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b",
        false,
    ),
];

/// The compiled patterns (a test checks that every one compiles).
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .filter_map(|(p, keep_prefix)| {
            Regex::new(p).ok().map(|re| Rule {
                re,
                keep_prefix: *keep_prefix,
            })
        })
        .collect()
});

/// The text with every secret the rules recognise replaced by [`MARK`].
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for r in RULES.iter() {
        out =
            r.re.replace_all(&out, |c: &Captures<'_>| {
                if r.keep_prefix {
                    let prefix = c.get(1).map_or("", |m| m.as_str());
                    let suffix = c.get(2).map_or("", |m| m.as_str());
                    format!("{prefix}{MARK}{suffix}")
                } else if c[0].contains("PRIVATE KEY") {
                    "[REDACTED PRIVATE KEY]".to_string()
                } else {
                    MARK.to_string()
                }
            })
            .into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(RULES.len(), PATTERNS.len());
    }

    #[test]
    fn secrets_are_replaced() {
        let cases = [
            (
                "curl -H 'Authorization: Bearer abcdef0123456789xyz' https://api",
                "curl -H 'Authorization: Bearer [REDACTED]' https://api",
            ),
            (
                "psql postgres://app:hunter2secret@db:5432/app",
                "psql postgres://app:[REDACTED]@db:5432/app",
            ),
            (
                "PGPASSWORD=s3cret psql -h db",
                "PGPASSWORD=[REDACTED] psql -h db",
            ),
            (
                "mysql --password=letmein -u root",
                "mysql --password=[REDACTED] -u root",
            ),
            ("set api_key: 9f8e7d6c5b4a", "set api_key: [REDACTED]"),
            ("token=abc123def and more", "token=[REDACTED] and more"),
            (
                "vault login --token hvs.CAESIabc123",
                "vault login --token [REDACTED]",
            ),
            (
                "aws key AKIAIOSFODNN7EXAMPLE leaked",
                "aws key [REDACTED] leaked",
            ),
            (
                "gh token ghp_0123456789abcdefghijklmnopqrstuvwxyz",
                "gh token [REDACTED]",
            ),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
                "jwt [REDACTED]",
            ),
            (
                "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nafter",
                "key:\n[REDACTED PRIVATE KEY]\nafter",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "rolled back catalog to v1.4",
            "kubectl -n shop rollout undo deploy/catalog",
            "the token bucket was full",
            "we rotated the secret store at 03:10",
            "password reset emails were delayed",
            "https://grafana.example.com/d/abc?orgId=1",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
