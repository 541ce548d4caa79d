//! Pod lists and watches as the API server does them: lists carry a
//! resourceVersion (and pages with `limit`/`continue`), a watch replays what
//! changed after its resourceVersion and then streams, BOOKMARKs come when
//! asked for, and a resourceVersion older than the kept history is `410 Gone`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::broadcast;

use super::{Cluster, matches, status};

/// Changes kept for watches to resume from; older ones are compacted away.
pub const HISTORY_KEPT: usize = 10_000;

/// How often a watch that asked for them gets a BOOKMARK, unless set.
pub const BOOKMARK_EVERY: Duration = Duration::from_secs(60);

/// Whether `obj` is of `kind` (an object without a kind is a pod, as the
/// tests' own pods may be).
pub fn is_kind(obj: &Value, kind: &str) -> bool {
    obj["kind"].as_str().map_or(kind == "Pod", |k| k == kind)
}

pub fn rv_of(obj: &Value) -> u64 {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Stamps a new resourceVersion on `obj`, keeps the change for watches to
/// resume from and tells the live ones. Called with the cluster locked, so
/// watchers see changes in resourceVersion order.
pub fn publish(
    c: &mut Cluster,
    events: &broadcast::Sender<(String, Value)>,
    kind: &str,
    mut obj: Value,
) -> Value {
    c.rv += 1;
    obj["metadata"]["resourceVersion"] = json!(c.rv.to_string());
    c.history.push_back((kind.to_string(), obj.clone()));
    let limit = c.history_limit.unwrap_or(HISTORY_KEPT);
    while c.history.len() > limit {
        if let Some((_, old)) = c.history.pop_front() {
            c.compacted = rv_of(&old);
        }
    }
    let _ = events.send((kind.to_string(), obj.clone()));
    obj
}

async fn chunk(s: &mut BufReader<TcpStream>, event: &Value) -> std::io::Result<()> {
    let line = format!("{event}\n");
    let chunk = format!("{:x}\r\n{line}\r\n", line.len());
    s.get_mut().write_all(chunk.as_bytes()).await?;
    s.get_mut().flush().await
}

/// A list (one page of it with `limit`) or a watch of pods.
pub async fn list_or_watch(
    s: &mut BufReader<TcpStream>,
    state: &Arc<Mutex<Cluster>>,
    events: &broadcast::Sender<(String, Value)>,
    frozen: &tokio::sync::watch::Receiver<bool>,
    ns: Option<&str>,
    q: &BTreeMap<String, String>,
) -> std::io::Result<(u16, Value)> {
    if q.get("watch").is_some_and(|w| w == "true" || w == "1") {
        watch(s, state, events, frozen, ns, q, "Pod").await?;
        return Ok((0, Value::Null));
    }
    let c = state.lock().unwrap();
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let skip: usize = q.get("continue").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut it = c.pods.values().filter(|p| matches(p, ns, q)).skip(skip);
    let items: Vec<Value> = it
        .by_ref()
        .take(if limit == 0 { usize::MAX } else { limit })
        .cloned()
        .collect();
    let more = limit > 0 && it.next().is_some();
    let mut meta = json!({"resourceVersion": c.rv.to_string()});
    if more {
        meta["continue"] = json!((skip + limit).to_string());
    }
    Ok((
        200,
        json!({"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items}),
    ))
}

/// A watch of the objects of kind `of` (`Pod`, `ConfigMap`).
pub async fn watch(
    s: &mut BufReader<TcpStream>,
    state: &Arc<Mutex<Cluster>>,
    events: &broadcast::Sender<(String, Value)>,
    frozen: &tokio::sync::watch::Receiver<bool>,
    ns: Option<&str>,
    q: &BTreeMap<String, String>,
    of: &str,
) -> std::io::Result<()> {
    let from: Option<u64> = q
        .get("resourceVersion")
        .and_then(|v| v.parse().ok())
        .filter(|v| *v > 0);
    let bookmarks = q.get("allowWatchBookmarks").is_some_and(|b| b == "true");
    // Under the lock: what to replay, and the live feed from just after it.
    let (backlog, gone, every, mut rx) = {
        let c = state.lock().unwrap();
        let (backlog, gone) = match from {
            Some(rv) if rv < c.compacted => (Vec::new(), Some((rv, c.compacted))),
            Some(rv) => (
                c.history
                    .iter()
                    .filter(|(_, o)| rv_of(o) > rv && is_kind(o, of))
                    .cloned()
                    .collect(),
                None,
            ),
            // No resourceVersion: what there is now, as ADDED events.
            None => (
                if of == "Pod" {
                    c.pods.values()
                } else {
                    c.configmaps.values()
                }
                .map(|p| ("ADDED".to_string(), p.clone()))
                .collect(),
                None,
            ),
        };
        (
            backlog,
            gone,
            c.bookmark_every.unwrap_or(BOOKMARK_EVERY),
            events.subscribe(),
        )
    };
    s.get_mut()
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await?;
    s.get_mut().flush().await?;
    if let Some((rv, oldest)) = gone {
        let st = status(
            410,
            "Expired",
            &format!("too old resource version: {rv} ({oldest})"),
        );
        chunk(s, &json!({"type": "ERROR", "object": st})).await?;
        s.get_mut().write_all(b"0\r\n\r\n").await?;
        return s.get_mut().flush().await;
    }
    let mut last = from.unwrap_or(0);
    for (kind, obj) in backlog {
        last = last.max(rv_of(&obj));
        if matches(&obj, ns, q) {
            super::thawed(frozen).await;
            chunk(s, &json!({"type": kind, "object": obj})).await?;
        }
    }
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            got = rx.recv() => {
                // A watcher too slow to keep up is cut off; it resumes from
                // the last resourceVersion it saw, as with a real server.
                let Ok((kind, obj)) = got else { return Ok(()) };
                let rv = rv_of(&obj);
                if rv <= last {
                    continue;
                }
                last = rv;
                if is_kind(&obj, of) && matches(&obj, ns, q) {
                    super::thawed(frozen).await;
                    chunk(s, &json!({"type": kind, "object": obj})).await?;
                }
            }
            _ = tick.tick(), if bookmarks => {
                super::thawed(frozen).await;
                // Everything up to `now` is in the feed already: pass it on,
                // then mark the place.
                let now = state.lock().unwrap().rv;
                loop {
                    let (kind, obj) = match rx.try_recv() {
                        Ok(got) => got,
                        Err(broadcast::error::TryRecvError::Empty) => break,
                        Err(_) => return Ok(()),
                    };
                    let rv = rv_of(&obj);
                    if rv > last {
                        last = rv;
                        if is_kind(&obj, of) && matches(&obj, ns, q) {
                            chunk(s, &json!({"type": kind, "object": obj})).await?;
                        }
                    }
                }
                last = last.max(now);
                let mark = json!({"type": "BOOKMARK", "object": {"kind": of, "apiVersion": "v1",
                    "metadata": {"resourceVersion": last.to_string()}}});
                chunk(s, &mark).await?;
                state.lock().unwrap().bookmarks_sent += 1;
            }
        }
    }
}
