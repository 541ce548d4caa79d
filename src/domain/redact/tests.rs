//! Redaction on the secret shapes responders paste, and on text that only
//! looks like them.

use super::*;
#[test]
fn every_pattern_compiles() {
    assert_eq!(RULES.len(), rules::patterns().len());
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

/// Shapes found missing in review, each with the part that must go.
#[test]
fn more_secret_shapes_are_found() {
    let cases = [
        (
            r#"{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASCBKcwggSjAgEAAoIB\n-----END PRIVATE KEY-----\n","client_email":"x@y"}"#,
            r#"{"type":"service_account","private_key":"[REDACTED PEM BLOCK]\n","client_email":"x@y"}"#,
        ),
        ("sshpass -p hunter22 ssh db", "sshpass -p [REDACTED] ssh db"),
        (
            "docker login -u bot -p s3cr3tpw registry.example.com",
            "docker login -u bot -p [REDACTED] registry.example.com",
        ),
        (
            "redis-cli -h cache -a s3cr3tpw info",
            "redis-cli -h cache -a [REDACTED] info",
        ),
        (
            "kubectl create secret generic x --from-literal=pw=hunter22",
            "kubectl create secret generic x --from-literal=pw=[REDACTED]",
        ),
        (
            "wget --ftp-password hunter22 ftp://x",
            "wget --ftp-password [REDACTED] ftp://x",
        ),
        (
            "    client-key-data: LS0tLS1CRUdJTi",
            "    client-key-data: [REDACTED]",
        ),
        ("GPG_PASSPHRASE=correcthorse", "GPG_PASSPHRASE=[REDACTED]"),
        ("ENCRYPTION_KEY=0123abcd9876", "ENCRYPTION_KEY=[REDACTED]"),
        (
            "https://acct.blob.core.windows.net/c/f?sv=2022&sig=abcDEF123%3D&se=x",
            "https://acct.blob.core.windows.net/c/f?sv=2022&sig=[REDACTED]&se=x",
        ),
        (
            "https://b.s3.amazonaws.com/k?X-Amz-Signature=0a1b2c3d4e5f",
            "https://b.s3.amazonaws.com/k?X-Amz-Signature=[REDACTED]",
        ),
        (
            "https://hooks.slack.com/services/T000/B000/XXXXabcd",
            "https://hooks.slack.com/services/[REDACTED]",
        ),
        (
            "curl -H 'Cookie: session=abc123def'",
            "curl -H 'Cookie: [REDACTED]'",
        ),
        (
            "Authorization: Negotiate YIIGhgYGKwYBBQUC",
            "Authorization: Negotiate [REDACTED]",
        ),
        (
            "key sk-proj-abcdefghijklmnopqrstuvwxyz123",
            "key [REDACTED]",
        ),
        ("hf_abcdefghijklmnopqrstuvwxyzABCDEF12", "[REDACTED]"),
        ("xapp-1-A0123456789-abcdef", "[REDACTED]"),
        ("glrt-abcdefghijklmnopqrstuv", "[REDACTED]"),
        (
            "db.example.com:5432:shop:app:hunter22",
            "db.example.com:5432:shop:app:[REDACTED]",
        ),
        (
            "password: |\n  line one of it\n  line two\nuser: bob",
            "password: |\n  [REDACTED]\nuser: bob",
        ),
        // Shapes a later round of hostile notes found.
        ("mysql -u root -p'S3cr et'", "mysql -u root -p'[REDACTED]'"),
        (
            "mysql -u root -p\"S3cret\" db",
            "mysql -u root -p\"[REDACTED]\" db",
        ),
        (
            "SSHPASS=hunter22 sshpass -e ssh db",
            "SSHPASS=[REDACTED] sshpass -e ssh db",
        ),
        (
            "export REDISCLI_AUTH=s3cr3tpw",
            "export REDISCLI_AUTH=[REDACTED]",
        ),
        ("DBPASS=hunter22", "DBPASS=[REDACTED]"),
        ("password=$ecretPa55", "password=[REDACTED]"),
        ("password=ab)cd,ef.", "password=[REDACTED]."),
        (
            "password: correct horse battery staple",
            "password: [REDACTED]",
        ),
        (
            r#"{"password": "pa\"ss\"word", "user": "bob"}"#,
            r#"{"password": "[REDACTED]", "user": "bob"}"#,
        ),
        (
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: x\n\nlQOYBF0abc\n=Ab12\n-----END PGP PRIVATE KEY BLOCK-----\nafter",
            "[REDACTED PEM BLOCK]\nafter",
        ),
        (
            "machine api.example.com login bot password hunter22",
            "machine api.example.com login bot password [REDACTED]",
        ),
        (
            "openssl rsa -in k.pem -passin pass:hunter22 -out x",
            "openssl rsa -in k.pem -passin pass:[REDACTED] -out x",
        ),
        (
            "ldapsearch -x -D cn=admin -w hunter22 -b dc=x",
            "ldapsearch -x -D cn=admin -w [REDACTED] -b dc=x",
        ),
        (
            "htpasswd -b .htpasswd bob hunter22",
            "htpasswd -b .htpasswd bob [REDACTED]",
        ),
        (
            "mongosh -u admin -p hunter22 db",
            "mongosh -u admin -p [REDACTED] db",
        ),
        (
            "https://discord.com/api/webhooks/123456/AbCdEf-123",
            "https://discord.com/api/webhooks/[REDACTED]",
        ),
        (
            "https://api.telegram.org/bot123456:AAbbCCdd/sendMessage",
            "https://api.telegram.org/bot[REDACTED]/sendMessage",
        ),
        (
            "vault token s.AbCdEfGhIjKlMnOpQrStUvWx",
            "vault token [REDACTED]",
        ),
        ("--token 9f8e7d6c5b4a", "--token [REDACTED]"),
    ];
    for (input, want) in cases {
        assert_eq!(redact(input), want, "{input}");
        assert_eq!(redact(want), want, "twice: {want}");
    }
}

/// Prose and settings that only look like secrets are left as they are.
#[test]
fn look_alikes_are_left_alone() {
    for text in [
        "we did basic troubleshooting first",
        "tests pass: 120/120, bypass: enabled",
        "password: reset for bob",
        "credentials: rotated at 03:10",
        "the secret: TLS cert expired",
        "password_file: /run/secrets/db",
        "TOKEN_URL=https://auth.example.com/token",
        "docker exec -u www-data:www-data app ls",
        "SECRET=$(kubectl get secret x -o jsonpath='{.data.pw}')",
        "the keyboard: broken",
        "vault write auth/x --password-file /run/pw --token-ttl 1h",
        "Token: see the wiki",
        "Authorization: required for this endpoint",
        "echo $PASSWORD_HINT; password=$DB_PASSWORD",
    ] {
        assert_eq!(redact(text), text);
    }
}

/// A colour code between a key and its value does not hide the secret on
/// screen.
#[test]
fn escape_sequences_cannot_split_a_secret_on_screen() {
    let line = "\u{1b}[34mpassword\u{1b}[0m=hunter2xyz";
    let shown = mask(line, false);
    assert!(!shown.contains("hunter2xyz"), "{shown}");
    assert_eq!(mask(line, true), line);
}

/// Redaction replaces the secret only: the markup around it stays, so a
/// command quoted in backticks stays quoted.
#[test]
fn markup_around_a_secret_survives() {
    for (input, want) in [
        (
            "Ran step x: `curl -u ops:hunter22 https://x/api`",
            "Ran step x: `curl -u ops:[REDACTED] https://x/api`",
        ),
        (
            "see `https://b.s3.amazonaws.com/k?X-Amz-Signature=abc123`",
            "see `https://b.s3.amazonaws.com/k?X-Amz-Signature=[REDACTED]`",
        ),
        ("`PGPASSWORD=s3cret psql`", "`PGPASSWORD=[REDACTED] psql`"),
        ("(`mysql -pS3cret`)", "(`mysql -p[REDACTED]`)"),
    ] {
        assert_eq!(redact(input), want, "{input}");
    }
}
