//! Removes secrets from text that leaves the cockpit or reaches a shared
//! screen: exports, status-update drafts, silence comments, and the notes,
//! commands, output and updates the cockpit draws (unless `:reveal` is on at
//! that terminal). Passwords, tokens and keys in commands and notes,
//! credentials in URLs, PEM blocks and well-known token shapes are replaced
//! by a marker, so the reader knows something was there. Redacting twice
//! changes nothing more.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What replaces a secret.
pub const MARK: &str = "[REDACTED]";

struct Rule {
    re: Regex,
    /// Keep capture group 1 (the key or prefix) and redact the rest.
    keep_prefix: bool,
}

/// A secret value: up to a space, quote, separator or closing bracket, so
/// the markup around it (a backtick, a parenthesis) survives.
const VALUE: &str = r#"(?:\[REDACTED\]|[^\s"'`&,;)\]}]{3,})"#;

/// The patterns and whether each keeps its first capture group.
fn patterns() -> Vec<(String, bool)> {
    vec![
        // PEM blocks: from BEGIN to END, or to a blank line or the end when
        // the END line is missing — never the rest of the note.
        (
            r"(?s)-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|\n[ \t]*\n|\z)".into(),
            false,
        ),
        // Authorization headers and schemes.
        (
            format!(r"(?i)(\bauthorization:\s*(?:bearer|basic|token|bot|apikey|digest)\s+){VALUE}"),
            true,
        ),
        (
            r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}".into(),
            true,
        ),
        // user:password@ in URLs of any scheme, the user possibly empty.
        (
            r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(@)".into(),
            true,
        ),
        // key=value and key: value for secret-looking keys, in any case:
        // password=, api_key:, aws_secret_access_key=, DB_PASS=, GH_TOKEN=…
        (
            format!(
                r#"(?i)(\b[a-z0-9_.-]*(?:password|passwd|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)(?:[_.-][a-z0-9_.-]*)?["']?\s*[=:]\s*["']?){VALUE}"#
            ),
            true,
        ),
        // The same as command-line flags: --password X, --token=X.
        (
            format!(
                r#"(?i)(--(?:password|passwd|pass|token|secret|api-key|access-key|secret-key|client-secret)[= ]\s*["']?){VALUE}"#
            ),
            true,
        ),
        // mysql and friends take the password glued to -p.
        (
            r#"((?i:\bmysql(?:dump|admin|import|show|check)?)\b[^\n|;&]*?\s-p)[^\s'"`]+"#.into(),
            true,
        ),
        // Well-known token shapes.
        (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b".into(), false),
        (r"\bgh[pousr]_[A-Za-z0-9]{30,}".into(), false),
        (r"\bgithub_pat_[A-Za-z0-9_]{40,}".into(), false),
        (r"\bglpat-[A-Za-z0-9_-]{20,}".into(), false),
        (r"\bxox[a-z]-[A-Za-z0-9-]{10,}".into(), false),
        (r"\bAIza[0-9A-Za-z_-]{35}".into(), false),
        (r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}".into(), false),
        // JWTs: three base64url parts, the last possibly ending in - or _.
        (
            r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}".into(),
            false,
        ),
    ]
}

/// The compiled patterns (a test checks that every one compiles).
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    patterns()
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
        if !r.re.is_match(&out) {
            continue;
        }
        out =
            r.re.replace_all(&out, |c: &Captures<'_>| {
                if r.keep_prefix {
                    let prefix = c.get(1).map_or("", |m| m.as_str());
                    let suffix = c.get(2).map_or("", |m| m.as_str());
                    format!("{prefix}{MARK}{suffix}")
                } else if c[0].starts_with("-----BEGIN") {
                    "[REDACTED PEM BLOCK]".to_string()
                } else {
                    MARK.to_string()
                }
            })
            .into_owned();
    }
    out
}

/// Text for a shared screen: redacted, unless this terminal asked to see
/// secrets (`:reveal`).
pub fn mask(text: &str, reveal: bool) -> Cow<'_, str> {
    if reveal {
        return Cow::Borrowed(text);
    }
    let r = redact(text);
    if r == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(RULES.len(), patterns().len());
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
                "key:\n[REDACTED PEM BLOCK]\nafter",
            ),
            // The ones earlier releases missed.
            (
                "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "aws_secret_access_key=[REDACTED]",
            ),
            (
                "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
                "export AWS_SECRET_ACCESS_KEY=[REDACTED]",
            ),
            (
                "mysql -uroot -pS3cret shop",
                "mysql -uroot -p[REDACTED] shop",
            ),
            ("DB_PASS=hunter22 ./migrate", "DB_PASS=[REDACTED] ./migrate"),
            (
                "redis-cli -u redis://:s3cretpass@cache:6379",
                "redis-cli -u redis://:[REDACTED]@cache:6379",
            ),
            (
                "curl -H 'Authorization: token 0123456789abcdef0123' api",
                "curl -H 'Authorization: token [REDACTED]' api",
            ),
            (
                "cookie eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c-",
                "cookie [REDACTED]",
            ),
            ("slack xoxe-1234567890-abcdef", "slack [REDACTED]"),
            ("glpat-abcdefghij0123456789", "[REDACTED]"),
            (
                "key AIzaSyA1234567890abcdefghijklmnopqrstuv",
                "key [REDACTED]",
            ),
            ("sk_live_0123456789abcdefABCD", "[REDACTED]"),
            (
                "MY_SERVICE_TOKEN_RW: abc123",
                "MY_SERVICE_TOKEN_RW: [REDACTED]",
            ),
            (
                "ran `psql postgres://app:pw123@db/app` then",
                "ran `psql postgres://app:[REDACTED]@db/app` then",
            ),
            (
                "ran `export PGPASSWORD=abc` ok",
                "ran `export PGPASSWORD=[REDACTED]` ok",
            ),
            (
                "cert:\n-----BEGIN CERTIFICATE-----\nMIIB\n\nthe rest of the note",
                "cert:\n[REDACTED PEM BLOCK]the rest of the note",
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
            "3 tests passed=3 failed=0",
            "kubectl -n shop get pods -p",
            "mysql is slow",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn redacting_twice_changes_nothing_more() {
        for text in [
            "PGPASSWORD=s3cret psql -h db; token=abc123def",
            "mysql -pS3cret; Authorization: Bearer abcdefghijklmnop",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
        ] {
            let once = redact(text);
            assert_eq!(redact(&once), once);
        }
    }
}
