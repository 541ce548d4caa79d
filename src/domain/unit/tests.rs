use super::*;

#[test]
fn plain_numbers_never_carry_a_prefix() {
    assert_eq!(number(0.0), "0");
    assert_eq!(number(-0.0), "0");
    assert_eq!(number(0.437), "0.437");
    assert_eq!(number(43.7), "43.7");
    assert_eq!(number(2.0), "2");
    assert_eq!(number(1234.0), "1234");
    assert_eq!(number(-1500.0), "-1500");
    assert_eq!(number(999_999.0), "999999");
    assert_eq!(number(1.2e6), "1.2e6");
    assert_eq!(number(-3.456e9), "-3.46e9");
    assert_eq!(number(0.0012), "0.0012");
    assert_eq!(number(0.00012), "1.2e-4");
    assert_eq!(number(f64::MIN_POSITIVE), "2.23e-308");
    assert_eq!(number(f64::MAX), "1.8e308");
    assert_eq!(number(f64::NAN), "NaN");
    assert_eq!(number(f64::INFINITY), "+Inf");
    assert_eq!(number(f64::NEG_INFINITY), "-Inf");
    for v in [0.5, 1234.0, 0.0421, 1.5e3, 2e-5, 7e7] {
        let s = number(v);
        assert!(
            !s.ends_with(['m', 'k', 'M', 'G', 'µ', 'n']),
            "{v} written as {s}"
        );
    }
}

#[test]
fn seconds_read_as_durations() {
    let s = |v| format_value(v, Unit::Seconds);
    assert_eq!(s(0.5), "500 ms");
    assert_eq!(s(1.2), "1.2 s");
    assert_eq!(s(1.14), "1.14 s");
    assert_eq!(s(0.0), "0 s");
    assert_eq!(s(-0.5), "-500 ms");
    assert_eq!(s(0.000_42), "420 µs");
    assert_eq!(s(2.5e-8), "25 ns");
    assert_eq!(s(1e-12), "0.001 ns");
    assert_eq!(s(30.0), "30 s");
    assert_eq!(s(90.0), "1.5 min");
    assert_eq!(s(7200.0), "2 h");
    assert_eq!(s(36.0 * 3600.0), "36 h");
    assert_eq!(s(3.0 * 86_400.0), "3 d");
    assert_eq!(s(1e12), "1.16e7 d");
    // Rounding up to the next scale is written in it.
    assert_eq!(s(0.999_96), "1 s");
    assert_eq!(s(59.996), "1 min");
    assert_eq!(s(f64::NAN), "NaN");
    assert_eq!(s(f64::INFINITY), "+Inf");
    assert_eq!(s(f64::NEG_INFINITY), "-Inf");
}

#[test]
fn ratios_and_percentages_read_as_percent() {
    let r = |v| format_value(v, Unit::Ratio);
    assert_eq!(r(0.437), "43.7 %");
    assert_eq!(r(0.0437), "4.37 %");
    assert_eq!(r(0.02), "2 %");
    assert_eq!(r(1.0), "100 %");
    assert_eq!(r(0.0), "0 %");
    assert_eq!(r(-0.05), "-5 %");
    assert_eq!(r(1e-7), "1e-5 %");
    assert_eq!(r(f64::NAN), "NaN");
    assert_eq!(format_value(43.7, Unit::Percent), "43.7 %");
    assert_eq!(format_value(100.0, Unit::Percent), "100 %");
}

#[test]
fn bytes_read_in_binary_multiples() {
    let b = |v| format_value(v, Unit::Bytes);
    assert_eq!(b(0.0), "0 B");
    assert_eq!(b(512.0), "512 B");
    assert_eq!(b(1536.0), "1.5 KiB");
    assert_eq!(b(-2048.0), "-2 KiB");
    assert_eq!(b(1023.99), "1 KiB");
    assert_eq!(b(1.5 * 1_073_741_824.0), "1.5 GiB");
    assert_eq!(b(300.0 * 1_048_576.0), "300 MiB");
    assert_eq!(b(1e20), "88818 PiB");
    assert_eq!(b(0.5), "0.5 B");
    assert_eq!(b(f64::INFINITY), "+Inf");
}

#[test]
fn units_are_named_in_front_matter() {
    assert_eq!("seconds".parse(), Ok(Unit::Seconds));
    assert_eq!("Ratio".parse(), Ok(Unit::Ratio));
    assert_eq!("percent".parse(), Ok(Unit::Percent));
    assert_eq!("bytes".parse(), Ok(Unit::Bytes));
    assert_eq!("none".parse(), Ok(Unit::Plain));
    let e = "minutes".parse::<Unit>().expect_err("unknown");
    assert!(e.contains("seconds, ratio, percent, bytes, none"), "{e}");
    for name in UNIT_NAMES {
        let u: Unit = name.parse().expect("known");
        assert_eq!(u.to_string(), *name);
    }
}

#[test]
fn units_are_guessed_from_metric_names() {
    let latency = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace=\"shop\", service=\"catalog\"}[5m])))";
    assert_eq!(guess(latency), Some(Unit::Seconds));
    assert_eq!(
        guess("max(pg_replication_lag_seconds{namespace=\"db\"})"),
        Some(Unit::Seconds)
    );
    assert_eq!(
        guess("rate(req_duration_seconds_sum[5m]) / rate(req_duration_seconds_count[5m])"),
        Some(Unit::Seconds)
    );
    assert_eq!(
        guess("node_memory_MemAvailable_bytes{instance=\"a\"}"),
        Some(Unit::Bytes)
    );
    assert_eq!(
        guess(
            "1 - kubelet_volume_stats_available_bytes{pvc=\"x\"} / kubelet_volume_stats_capacity_bytes{pvc=\"x\"}"
        ),
        Some(Unit::Ratio)
    );
    assert_eq!(guess("slo:error_budget_ratio"), Some(Unit::Ratio));
    assert_eq!(guess("disk_used_percent > 90"), Some(Unit::Percent));
    // Names that do not tell, rates, counts and mixtures are not guessed.
    for q in [
        "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
        "rate(node_network_receive_bytes_total[5m])",
        "rate(container_cpu_usage_seconds_total[5m])",
        "deriv(node_filesystem_free_bytes[1h])",
        "count(process_resident_memory_bytes)",
        "sum(kube_node_status_condition{condition=\"Ready\"}) / count(kube_node_info)",
        "(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400",
        "max(container_memory_working_set_bytes) / max(kube_pod_container_resource_limits)",
        "up{job=\"slow_seconds\"}",
        "sum(rabbitmq_queue_messages_ready)",
        "http_request_duration_seconds + some_bytes",
        "",
        "42",
    ] {
        assert_eq!(guess(q), None, "{q}");
    }
}

#[test]
fn the_runbook_unit_wins_over_the_guess() {
    let q = Some("max(pg_replication_lag_seconds)");
    assert_eq!(Unit::resolve(None, q), Unit::Seconds);
    assert_eq!(Unit::resolve(Some("none"), q), Unit::Plain);
    assert_eq!(Unit::resolve(Some("ratio"), None), Unit::Ratio);
    // One warroom does not know is left to lint; the guess stands.
    assert_eq!(Unit::resolve(Some("furlongs"), q), Unit::Seconds);
    assert_eq!(Unit::resolve(None, Some("up")), Unit::Plain);
    assert_eq!(Unit::resolve(None, None), Unit::Plain);
}
