use super::*;

fn record(ts: &str, action: &str) -> AuditRecord {
    AuditRecord {
        v: 0,
        ts: ts.parse().expect("a time"),
        author: "alice".into(),
        host: String::new(),
        context: "prod".into(),
        namespace: "shop".into(),
        action: action.into(),
        incident: None,
        request: AuditRequest::new(
            "PATCH",
            "/apis/apps/v1/namespaces/shop/deployments/catalog/scale",
            br#"{"spec":{"replicas":5}}"#,
        ),
        answer: AuditAnswer {
            status: Some(200),
            ok: true,
            detail: "scaled to 5".into(),
        },
    }
}

#[test]
fn a_record_is_one_whole_line_in_its_months_file_and_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = AuditLog::new(dir.path());
    log.append(&record("2026-11-21T03:00:00Z", "scale"))
        .expect("written");
    log.append(&record("2026-12-01T00:00:01Z", "delete"))
        .expect("written");
    let nov = std::fs::read_to_string(dir.path().join("audit/2026-11.jsonl")).expect("file");
    assert_eq!(nov.lines().count(), 1);
    assert!(nov.ends_with('\n'));
    let (all, warnings) = log.read(None).expect("read");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].v, AUDIT_VERSION);
    assert_eq!(all[0].host, crate::journal::host_name());
    // The body is kept as JSON, exactly as sent.
    assert_eq!(
        all[0].request.body,
        Some(serde_json::json!({"spec": {"replicas": 5}}))
    );
    // --since skips what came before, and whole months before it.
    let since = "2026-11-30T00:00:00Z".parse().expect("a time");
    let (recent, _) = log.read(Some(since)).expect("read");
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].action, "delete");
}

#[test]
fn a_torn_tail_is_ended_before_the_next_record_and_skipped_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = AuditLog::new(dir.path());
    log.append(&record("2026-11-21T03:00:00Z", "first"))
        .expect("written");
    let path = log.path_for("2026-11-21T03:00:00Z".parse().expect("a time"));
    let mut f = OpenOptions::new().append(true).open(&path).expect("open");
    io::Write::write_all(&mut f, br#"{"v":1,"ts":"2026-11-21T03:00:0"#).expect("torn");
    log.append(&record("2026-11-21T03:01:00Z", "second"))
        .expect("written");
    let (all, warnings) = log.read(None).expect("read");
    let actions: Vec<&str> = all.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["first", "second"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("2026-11.jsonl:2"), "{warnings:?}");
}

#[test]
fn a_body_that_is_not_json_is_kept_as_text_and_a_huge_one_is_cut() {
    let r = AuditRequest::new("DELETE", "/x", b"not json");
    assert_eq!(r.body, Some(serde_json::json!("not json")));
    assert_eq!(AuditRequest::new("DELETE", "/x", b"").body, None);
    let big = vec![b'a'; MAX_BODY_BYTES + 10];
    let cut = AuditRequest::new("PATCH", "/x", &big);
    let text = cut.body.and_then(|b| b.as_str().map(String::from));
    assert!(text.is_some_and(|t| t.ends_with("bytes in all, cut)")));
}

#[test]
fn a_long_detail_is_cut_and_no_log_reads_as_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = AuditLog::new(dir.path());
    assert!(log.read(None).expect("read").0.is_empty());
    let mut r = record("2026-11-21T03:00:00Z", "x");
    r.answer.detail = "y".repeat(MAX_DETAIL_CHARS * 3);
    log.append(&r).expect("written");
    let (all, _) = log.read(None).expect("read");
    assert_eq!(all[0].answer.detail.chars().count(), MAX_DETAIL_CHARS + 1);
}
