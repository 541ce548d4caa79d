//! The secret shapes redaction knows, as patterns. A pattern with a group
//! named `v` replaces only that group (the value) and keeps the key and
//! markup around it; one with a group `k` is a `key=value` rule whose key is
//! judged before its value goes; one without replaces its whole match.

/// A secret value: up to a space, quote or `;` (a shell's or a connection
/// string's separator), less a closing bracket or
/// punctuation at its end, so the markup around it (a backtick, a
/// parenthesis, a full stop) survives and nothing of the secret does. An earlier
/// marker counts as one, so redacting twice changes nothing.
pub(super) const VALUE: &str = r#"(?P<v>\[REDACTED[^\]\n]*\]|[^\s"'`&;]{2,}[^\s"'`&;,)\]}.])"#;

/// Key words that mean a secret wherever they stand in a name
/// (`PGPASSWORD`, `dbpassword`, `MY_PASSPHRASE`).
const STRONG: &str = r"password|passwd|passphrase|secret[_-]?key|private[_-]?key|api[_-]?key|access[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|client[_-]?secret|auth[_-]?token|access[_-]?token|refresh[_-]?token|session[_-]?token|bearer[_-]?token|sshpass|dbpass|mysql[_-]?pwd|rediscli[_-]?auth|dockerconfigjson|dockercfg";

/// Key words that mean a secret only as a part of their own in a name
/// (`DB_PASS`, `GH_TOKEN`, `ENCRYPTION_KEY`, `client-key-data`), so
/// `bypass` and `keyboard` are left alone.
const WEAK: &str = r"pass|pwd|pw|token|secret|credentials?|key|auth";

/// A name that holds a secret whatever its form, captured as `k`.
fn strong_key() -> String {
    format!(r"(?P<k>[a-z0-9_.-]*?(?:{STRONG})[a-z0-9_.-]*)")
}

/// A name that holds a secret, captured as `k`.
pub(super) fn key() -> String {
    format!(
        r"(?P<k>[a-z0-9_.-]*?(?:{STRONG})[a-z0-9_.-]*|(?:[a-z0-9]+[_.-])*(?:{WEAK})(?:[_.-][a-z0-9_.-]*)?)"
    )
}

/// The patterns, in the order they apply.
pub(super) fn patterns() -> Vec<String> {
    let key = key();
    vec![
        // PGP armour: headers, a blank line and a checksum inside.
        r"(?s)-----BEGIN PGP PRIVATE KEY BLOCK-----.*?(?:-----END PGP PRIVATE KEY BLOCK-----|\z)".into(),
        // PEM blocks: the BEGIN line, the base64 (and header) lines after it
        // (on real lines, or `\n`-escaped in JSON) and the END line when
        // there is one. A block pasted without its END loses only its
        // base64, never the rest of the note.
        r"(?m)-----BEGIN [A-Z0-9 ]+-----(?:\r?\n[ \t]*(?:[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info):[^\r\n]*)[ \t]*\r?$|\\n[ \t]*(?:[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info):[^\r\n\\]*)|[ \t]+[A-Za-z0-9+/]{16,}={0,2})*(?:(?:\s|\\n)*-----END [A-Z0-9 ]+-----)?".into(),
        // Authorization and cookie headers, whatever the scheme, when what
        // follows looks like a credential and not like prose.
        r#"(?i)\b(?:proxy-)?authorization:\s*(?:[a-z0-9_-]+\s+)?(?P<b>[^\s"'`][^\n"'`]*)"#.into(),
        r#"(?i)\b(?:set-)?cookie:\s*(?P<v>[^\n"'`]+)"#.into(),
        r"(?i)\b(?:bearer|basic)\s+(?P<b>[A-Za-z0-9._~+/=-]{8,})".into(),
        // user:password@ in URLs of any scheme, the user possibly empty.
        r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<v>[^@\s/]+)@".into(),
        // Signed URLs and webhooks.
        r#"(?i)[?&](?:sig|x-amz-signature|x-goog-signature|signature|token|access_token)=(?P<v>[^&\s#`'")]+)"#.into(),
        r"(?i)hooks\.slack\.com/services/(?P<v>[A-Za-z0-9/]+)".into(),
        r"(?i)discord(?:app)?\.com/api/webhooks/(?P<v>[0-9]+/[A-Za-z0-9_-]+)".into(),
        r"(?i)api\.telegram\.org/bot(?P<v>[0-9]+:[A-Za-z0-9_-]+)".into(),
        // HTTP clients' user:password.
        r#"(?i)\b(?:curl|wget|http|https|xh)\b[^\n|;&]*?\s(?:-u|--user|--proxy-user|-a|--auth)[= ]?\s*["']?[^\s:'"]+:(?P<v>[^\s'"`/][^\s'"`)]*)"#.into(),
        // Passwords given to a command as an option's value.
        format!(
            r#"(?i)(?:\bsshpass\s+-p|\bredis-cli\b[^\n|;&]*?\s-a|\b(?:docker|podman|helm|nerdctl)\s+(?:registry\s+)?login\b[^\n|;&]*?\s-p|\bldap[a-z]*\b[^\n|;&]*?\s-w|\bmongo(?:sh|dump|restore|import|export)?\b[^\n|;&]*?\s-p|\bhtpasswd\b[^\n|;&]*?\s-[a-zA-Z]*b[a-zA-Z]*\s+\S+\s+\S+|-pass(?:in|out)?\s+pass:)\s*["']?{VALUE}"#
        ),
        // .netrc lines: machine HOST login USER password SECRET.
        format!(r"(?i)\b(?:machine|default)\b[^\n]*?\bpassword\s+{VALUE}"),
        // A line that is a strong key and its value, spaces and all:
        // `password: correct horse battery`.
        format!(
            r#"(?im)^[ \t]*{}(?P<s>[ \t]*:[ \t]*)(?P<v>[^\s"'`|>\[][^\n]*?)[ \t]*$"#,
            strong_key()
        ),
        // Quoted values, spaces and all: PASSWORD='correct horse battery',
        // "password": "with \"escaped\" quotes".
        format!(r#"(?i)\b{key}"?(?P<s>\s*[=:]\s*)"(?P<v>(?:[^"\\\n]|\\.)+)""#),
        format!(r#"(?i)\b{key}(?P<s>\s*[=:]\s*)'(?P<v>[^'\n]+)'"#),
        // key=value and key: value.
        format!(r#"(?i)\b{key}["']?(?P<s>\s*[=:]\s*)["']?{VALUE}"#),
        // The same as command-line flags: --password X, --ftp-password=X
        // (but not --password-file X).
        format!(
            r#"(?i)(?P<k>--[a-z-]*(?:password|passwd|pass|token|secret|api-key|access-key|secret-key|client-secret)[a-z-]*)(?P<s>[= ]\s*)["']?{VALUE}"#
        ),
        // mysql and friends take the password glued to -p.
        r#"(?i:\bmysql(?:dump|admin|import|show|check)?)\b[^\n|;&]*?\s-p(?P<v>[^\s'"`]+)"#.into(),
        r#"(?i:\bmysql(?:dump|admin|import|show|check)?)\b[^\n|;&]*?\s-p'(?P<v>[^'\n]+)'"#.into(),
        r#"(?i:\bmysql(?:dump|admin|import|show|check)?)\b[^\n|;&]*?\s-p"(?P<v>[^"\n]+)""#.into(),
        // .pgpass lines: host:port:database:user:password.
        r"(?m)^[^:\s]+:(?:\d+|\*):[^:\s]+:[^:\s]+:(?P<v>[^\s`]+)$".into(),
        // Well-known token shapes.
        r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b".into(),
        r"\bgh[pousr]_[A-Za-z0-9]{30,}".into(),
        r"\bgithub_pat_[A-Za-z0-9_]{20,}".into(),
        r"\bgl(?:pat|rt|dt|ptt)-[A-Za-z0-9_-]{20,}".into(),
        r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]{10,}".into(),
        r"\bAIza[0-9A-Za-z_-]{35}".into(),
        r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}".into(),
        r"\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,}".into(),
        r"\bhf_[A-Za-z0-9]{30,}".into(),
        r"\bdop_v1_[a-f0-9]{40,}".into(),
        r"\bpypi-[A-Za-z0-9_-]{40,}".into(),
        r"\bAGE-SECRET-KEY-1[0-9A-Z]{50,}".into(),
        r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}".into(),
        r"\bs\.[A-Za-z0-9]{24}\b".into(),
        r"\bnpm_[A-Za-z0-9]{36}\b".into(),
        r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}".into(),
        // JWTs: three base64url parts, the last possibly ending in - or _.
        r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}".into(),
    ]
}

/// Name endings that say what a setting is about, not that it is secret:
/// `password_file`, `TOKEN_URL`, `TOKEN_TTL`, `AWS_ACCESS_KEY_ID`.
const NOT_SECRET_ENDINGS: &[&str] = &[
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "env",
    "name",
    "ttl",
    "timeout",
    "expiry",
    "expires",
    "expiration",
    "length",
    "len",
    "size",
    "count",
    "type",
    "id",
    "version",
    "policy",
    "rotation",
    "hint",
    "endpoint",
    "issuer",
    "audience",
    "header",
];

/// Whether a `key: value` or `key=value` with this key and separator names a
/// secret. A short key word (`pass`, `token`, `secret`) followed by `:` in
/// lower case without `_` or `-` is prose ("tests pass: 12/12", "the
/// secret: rotate it"), not a setting.
pub(super) fn secret_key(key: &str, separator: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let last = lower.rsplit(['_', '-', '.']).next().unwrap_or(&lower);
    if NOT_SECRET_ENDINGS.contains(&last) && lower.len() > last.len() {
        return false;
    }
    let strong = [
        "password",
        "passwd",
        "passphrase",
        "secretkey",
        "privatekey",
        "apikey",
        "accesskey",
        "accountkey",
        "clientsecret",
        "authtoken",
        "accesstoken",
        "refreshtoken",
        "sessiontoken",
        "bearertoken",
        "sshpass",
        "dbpass",
        "mysqlpwd",
        "rediscliauth",
        "dockerconfigjson",
        "dockercfg",
    ];
    let squashed: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if strong.iter().any(|s| squashed.contains(s)) {
        return true;
    }
    if key.starts_with("--") {
        return true; // an option is a setting, whatever its case
    }
    let setting_like = key.contains(['_', '-', '.']) || key.chars().any(|c| c.is_ascii_uppercase());
    separator.contains('=') || setting_like
}

/// Values that say nothing about a secret: `password=none`, a lifetime of
/// `300`, a shell expansion (`$(kubectl get secret …)`), an earlier marker.
pub(super) fn benign(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "empty", "unset",
        "required", "needed", "optional", "missing", "expired", "invalid", "redacted", "xxx",
        "***", "reset", "rotated", "changed", "updated", "set", "removed", "revoked", "leaked",
    ];
    // A sentence after a key is judged by its first word: `password: reset
    // for bob`.
    let first = value.split_whitespace().next().unwrap_or(value);
    let v = first.trim_matches(|c: char| c == '"' || c == '\'' || c == '.');
    WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
        || (v.len() <= 5 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        || expansion(v)
        || v.starts_with("[REDACTED")
}

/// Whether `v` is a shell expansion rather than a literal: `$(…)`, `${…}`
/// or `$NAME` in capitals (`$ecretPa55` is a password, not a variable).
fn expansion(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('$') else {
        return false;
    };
    rest.starts_with(['(', '{'])
        || (!rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
}

/// Whether a key is a secret on its own (`password`, `client_secret`),
/// not only as part of a setting's name (`token`, `key`).
pub(super) fn strong(key: &str) -> bool {
    let squashed: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "apikey",
        "privatekey",
        "accesskey",
        "authtoken",
        "accesstoken",
    ]
    .iter()
    .any(|s| squashed.contains(s))
}

/// Whether what follows `Basic`/`Bearer` looks like a credential rather
/// than a word ("basic troubleshooting"): a digit, both cases, or a symbol.
pub(super) fn credential_like(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_digit())
        || (v.bytes().any(|b| b.is_ascii_uppercase()) && v.bytes().any(|b| b.is_ascii_lowercase()))
        || v.contains(['+', '/', '=', '_', '.', '~'])
}
