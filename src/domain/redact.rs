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
}

/// A secret value: up to a space, quote, separator or closing bracket, so
/// the markup around it (a backtick, a parenthesis) survives.
const VALUE: &str = r#"(?P<v>\[REDACTED\]|[^\s"'`&,;)\]}]{3,})"#;

/// Names that hold secrets, in any case and inside longer names
/// (`DB_PASS`, `aws_secret_access_key`, `MY_SERVICE_TOKEN_RW`).
const KEY: &str = r"[a-z0-9_.-]*(?:password|passwd|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|credentials?)(?:[_.-][a-z0-9_.-]*)?";

/// The patterns, in the order they apply. A pattern with a group named `v`
/// replaces only that group (the value) and keeps the key and markup around
/// it; one without replaces its whole match.
fn patterns() -> Vec<String> {
    vec![
        // PEM blocks: the BEGIN line, the base64 (and header) lines after it
        // and the END line when there is one. A block pasted without its END
        // loses only its base64, never the rest of the note.
        r"(?m)-----BEGIN [A-Z0-9 ]+-----(?:\r?\n[ \t]*(?:[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info):[^\r\n]*)[ \t]*\r?$|[ \t]+[A-Za-z0-9+/]{16,}={0,2})*(?:\s*-----END [A-Z0-9 ]+-----)?".into(),
        // Authorization headers and schemes.
        format!(r"(?i)\bauthorization:\s*(?:bearer|basic|token|bot|apikey|digest)\s+{VALUE}"),
        r"(?i)\b(?:bearer|basic)\s+(?P<v>[A-Za-z0-9._~+/=-]{8,})".into(),
        // user:password@ in URLs of any scheme, the user possibly empty.
        r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<v>[^@\s/]+)@".into(),
        // curl -u user:password, --user user:password, wget --http-password.
        r#"(?:^|\s)(?:-u|--user|--proxy-user)[= ]?\s*["']?[^\s:'"]+:(?P<v>[^\s'"/][^\s'"]*)"#.into(),
        // Quoted values, spaces and all: PASSWORD='correct horse battery'.
        format!(r#"(?i)\b{KEY}\s*[=:]\s*"(?P<v>[^"\n]+)""#),
        format!(r#"(?i)\b{KEY}\s*[=:]\s*'(?P<v>[^'\n]+)'"#),
        // key=value and key: value for secret-looking keys.
        format!(r#"(?i)\b{KEY}["']?\s*[=:]\s*["']?{VALUE}"#),
        // The same as command-line flags: --password X, --token=X.
        format!(
            r#"(?i)--(?:password|passwd|pass|token|secret|api-key|access-key|secret-key|client-secret|http-password)[= ]\s*["']?{VALUE}"#
        ),
        // mysql and friends take the password glued to -p.
        r#"(?i:\bmysql(?:dump|admin|import|show|check)?)\b[^\n|;&]*?\s-p(?P<v>[^\s'"`]+)"#.into(),
        // Well-known token shapes.
        r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b".into(),
        r"\bgh[pousr]_[A-Za-z0-9]{30,}".into(),
        r"\bgithub_pat_[A-Za-z0-9_]{20,}".into(),
        r"\bglpat-[A-Za-z0-9_-]{20,}".into(),
        r"\bxox[a-z]-[A-Za-z0-9-]{10,}".into(),
        r"\bAIza[0-9A-Za-z_-]{35}".into(),
        r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}".into(),
        r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}".into(),
        r"\bnpm_[A-Za-z0-9]{36}\b".into(),
        r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}".into(),
        // JWTs: three base64url parts, the last possibly ending in - or _.
        r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}".into(),
    ]
}

/// Values a secret-looking key often has that are not secrets: saying a
/// password is `none` or a token's lifetime is `300` hides nothing.
fn benign(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "empty", "unset",
        "required", "needed", "optional", "missing", "expired", "invalid", "redacted", "xxx",
        "***",
    ];
    let v = value.trim_matches(|c: char| c == '"' || c == '\'' || c == '.');
    WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
        || (v.len() <= 5 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}

/// The compiled patterns (a test checks that every one compiles).
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    patterns()
        .iter()
        .filter_map(|p| Regex::new(p).ok().map(|re| Rule { re }))
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
                let all = c.get(0).map_or("", |m| m.as_str());
                match c.name("v") {
                    Some(v) if v.as_str() == MARK || benign(v.as_str()) => all.to_string(),
                    Some(v) => {
                        let start = c.get(0).map_or(0, |m| m.start());
                        let (a, b) = (v.start() - start, v.end() - start);
                        format!("{}{MARK}{}", &all[..a], &all[b..])
                    }
                    None if all.starts_with("-----BEGIN") => "[REDACTED PEM BLOCK]".to_string(),
                    None => MARK.to_string(),
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
                "cert:\n[REDACTED PEM BLOCK]\n\nthe rest of the note",
            ),
            // A block without its END: only the base64 goes.
            (
                "oops -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\nhkiG9w0BAQEFAASC==\nthen we restarted it",
                "oops [REDACTED PEM BLOCK]\nthen we restarted it",
            ),
            (
                "-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEAx4Ul0lY3 -----END RSA PRIVATE KEY----- done",
                "[REDACTED PEM BLOCK] done",
            ),
            ("gh github_pat_11ABCDEFG0123456789abc", "gh [REDACTED]"),
            (
                "curl -u admin:hunter2 https://x/api",
                "curl -u admin:[REDACTED] https://x/api",
            ),
            (
                "curl --user 'ops:s3cr3t' https://x",
                "curl --user 'ops:[REDACTED]' https://x",
            ),
            (
                "export DB_PASSWORD='correct horse battery'; run",
                "export DB_PASSWORD='[REDACTED]'; run",
            ),
            (
                "password: \"two words\" here",
                "password: \"[REDACTED]\" here",
            ),
            (
                "vault token hvs.CAESIJlWXXXXXXXXXXXXXXXXXXXXXXXX",
                "vault token [REDACTED]",
            ),
            (
                "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789",
                "//registry.npmjs.org/:_authToken=[REDACTED]",
            ),
            (
                "npm_abcdefghijklmnopqrstuvwxyz0123456789 leaked",
                "[REDACTED] leaked",
            ),
            (
                "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=core",
                "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=[REDACTED];EndpointSuffix=core",
            ),
            (
                "SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq sent",
                "[REDACTED] sent",
            ),
            ("sk_test_0123456789abcdefABCD", "[REDACTED]"),
            ("rk_test_0123456789abcdefABCD", "[REDACTED]"),
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
            "password=none for the health user",
            "TOKEN_TTL=300 and SECRET_ROTATION=true",
            "api_key: needed",
            "curl -u admin https://x",
            "ssh -p 2222 ops@bastion",
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
            "export DB_PASSWORD='correct horse battery' curl -u a:b",
            "password: \"[REDACTED]\" and token='[REDACTED]'",
        ] {
            let once = redact(text);
            assert_eq!(redact(&once), once);
        }
    }
}
