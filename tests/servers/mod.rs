//! Real Prometheus and Alertmanager servers on free loopback ports, each in its
//! own temporary directory, plus a small misbehaving HTTP server for faults.
//! `scripts/test.sh` installs Debian's packages when they are missing.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

const PROMETHEUS: &str = "/usr/bin/prometheus";
const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn require(bin: &str) {
    assert!(
        Path::new(bin).exists(),
        "{bin} is missing: run scripts/test.sh, which installs Debian's prometheus and prometheus-alertmanager"
    );
}

/// Blocking HTTP/1.1 request against loopback: (status, body).
pub fn http(method: &str, port: u16, path: &str, body: Option<&str>) -> (u16, String) {
    try_http(method, port, path, body).unwrap()
}

/// [`http`], with a failed connection or a reset as an error (a server
/// still starting may accept and then drop a connection).
fn try_http(
    method: &str,
    port: u16,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn wait_ready(port: u16, child: &mut Child, what: &str, log: &Path) {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} exited with {status}:\n{log}");
        }
        if try_http("GET", port, "/-/ready", None).is_ok_and(|(code, _)| code == 200) {
            return;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} not ready after 60 s:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A server process that is killed when dropped.
pub struct Server {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    args: Vec<String>,
    bin: &'static str,
    what: &'static str,
}

impl Server {
    fn spawn(
        bin: &'static str,
        what: &'static str,
        port: u16,
        dir: tempfile::TempDir,
        args: Vec<String>,
    ) -> Server {
        require(bin);
        let mut s = Server {
            port,
            dir,
            child: None,
            args,
            bin,
            what,
        };
        s.launch();
        s
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn launch(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .unwrap();
        let mut child = Command::new(self.bin)
            .args(&self.args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_ready(self.port, &mut child, self.what, &self.log());
        self.child = Some(child);
    }

    /// Kills the server (as a crash would); `start_again` brings it back on the
    /// same port with the same storage.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing is
    /// answered, as a hung process or a stalled VM does.
    pub fn freeze(&self) {
        self.signal(nix::sys::signal::Signal::SIGSTOP);
    }

    /// Lets a frozen server run again (SIGCONT).
    pub fn thaw(&self) {
        self.signal(nix::sys::signal::Signal::SIGCONT);
    }

    fn signal(&self, sig: nix::sys::signal::Signal) {
        if let Some(c) = &self.child {
            let pid = nix::unistd::Pid::from_raw(c.id() as i32);
            nix::sys::signal::kill(pid, sig).unwrap();
        }
    }

    pub fn start_again(&mut self) {
        self.kill();
        self.launch();
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Alertmanager with one receiver that sends nowhere and quick grouping.
pub fn alertmanager() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: blackhole\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: blackhole\n",
    )
    .unwrap();
    let args = vec![
        format!("--config.file={}", config.display()),
        format!("--storage.path={}", dir.path().join("data").display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
        "--cluster.listen-address=".to_string(),
        "--log.level=warn".to_string(),
    ];
    Server::spawn(ALERTMANAGER, "alertmanager", port, dir, args)
}

/// Prometheus scraping itself every second, evaluating `rules` every second
/// and sending alerts to `alertmanager` when given.
pub fn prometheus(rules: &str, alertmanager: Option<u16>) -> Server {
    prometheus_scraping(rules, alertmanager, &[])
}

/// [`prometheus`], also scraping `/metrics` on each of `exporters` (loopback
/// ports) every second, as job `exporter`.
pub fn prometheus_scraping(rules: &str, alertmanager: Option<u16>, exporters: &[u16]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    std::fs::write(dir.path().join("rules.yml"), rules).unwrap();
    let alerting = alertmanager
        .map(|p| {
            format!(
                "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{p}']\n"
            )
        })
        .unwrap_or_default();
    let scraped = if exporters.is_empty() {
        String::new()
    } else {
        let targets: Vec<String> = exporters
            .iter()
            .map(|p| format!("'127.0.0.1:{p}'"))
            .collect();
        format!(
            "  - job_name: exporter\n    static_configs:\n      - targets: [{}]\n",
            targets.join(", ")
        )
    };
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: ['{}']\n{alerting}scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n{scraped}",
            dir.path().join("rules.yml").display()
        ),
    )
    .unwrap();
    let args = vec![
        format!("--config.file={}", config.display()),
        format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
        format!("--web.external-url=http://127.0.0.1:{port}"),
        // The first notification can go out before Alertmanager is discovered;
        // resend quickly instead of after the default minute.
        "--rules.alert.resend-delay=1s".to_string(),
        "--log.level=warn".to_string(),
    ];
    Server::spawn(PROMETHEUS, "prometheus", port, dir, args)
}

/// Posts alerts to Alertmanager's v2 API (as Prometheus would).
pub fn post_alerts(am: &Server, alerts: &serde_json::Value) {
    let (code, body) = http("POST", am.port, "/api/v2/alerts", Some(&alerts.to_string()));
    assert_eq!(code, 200, "posting alerts failed: {body}");
}

/// Polls `f` until it returns Some, or panics after `limit`.
pub fn eventually<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// How the misbehaving server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// 200 with the healthy body.
    Healthy = 0,
    /// 500 with a text body.
    Error500 = 1,
    /// 200 with a body that is not JSON.
    Garbage = 2,
    /// Waits 10 s before answering.
    Slow = 3,
}

/// A loopback HTTP server whose behaviour can be switched while clients use it.
pub struct Misbehaving {
    pub port: u16,
    mode: Arc<AtomicU8>,
}

impl Misbehaving {
    /// Serves `healthy_body` as JSON when healthy.
    pub fn start(healthy_body: &str, mode: Fault) -> Misbehaving {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(mode as u8));
        let m = mode.clone();
        let body = healthy_body.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let m = m.load(Ordering::SeqCst);
                let body = body.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 8192];
                    let mut seen = Vec::new();
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let (status, ctype, body) = match m {
                        1 => (
                            "500 Internal Server Error",
                            "text/plain",
                            "upstream exploded\n".to_string(),
                        ),
                        2 => (
                            "200 OK",
                            "application/json",
                            "{\"status\": \"succ<html>\x1b[31m".to_string(),
                        ),
                        3 => {
                            std::thread::sleep(Duration::from_secs(10));
                            ("200 OK", "application/json", body)
                        }
                        _ => ("200 OK", "application/json", body),
                    };
                    let _ = write!(
                        s,
                        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Misbehaving { port, mode }
    }

    pub fn set(&self, f: Fault) {
        self.mode.store(f as u8, Ordering::SeqCst);
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// A tiny Prometheus exporter on loopback: `/metrics` serves one gauge
/// whose value the test sets while Prometheus scrapes it.
pub struct Exporter {
    pub port: u16,
    value: Arc<std::sync::atomic::AtomicU64>,
    scrapes: Arc<std::sync::atomic::AtomicUsize>,
}

impl Exporter {
    /// Serves `metric value` (a gauge) until the test ends.
    pub fn start(metric: &str, value: f64) -> Exporter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cell = Arc::new(std::sync::atomic::AtomicU64::new(value.to_bits()));
        let scrapes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (v, n, metric) = (cell.clone(), scrapes.clone(), metric.to_string());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(k) => seen.extend_from_slice(&buf[..k]),
                    }
                }
                let value = f64::from_bits(v.load(Ordering::SeqCst));
                let body = format!("# TYPE {metric} gauge\n{metric} {value}\n");
                n.fetch_add(1, Ordering::SeqCst);
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Exporter {
            port,
            value: cell,
            scrapes,
        }
    }

    /// The value served from now on.
    pub fn set(&self, value: f64) {
        self.value.store(value.to_bits(), Ordering::SeqCst);
    }

    /// How many times `/metrics` was served.
    pub fn scrapes(&self) -> usize {
        self.scrapes.load(Ordering::SeqCst)
    }
}
