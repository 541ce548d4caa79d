//! The cluster's shared incidents from the command line: `warroom list
//! --share` and `warroom export ID --share` read them from the share
//! namespace (into a private scratch copy, so the usual list and export run
//! on them and this host's data dir is left alone), and `warroom share
//! prune --older-than 30d` deletes the objects of long-resolved incidents
//! after asking.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::Value;

use super::cockpit::Session;
use crate::config::Config;
use crate::domain::incident::{Event, EventKind, Incident};
use crate::journal::Store;
use crate::share::client::ShareClient;
use crate::share::objects::{ID_ANNOTATION, MANAGED_BY_LABEL, Parts};
use crate::sources::kubernetes::Kube;

/// A scratch data dir, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

async fn client(config: &Config, session: &Session) -> anyhow::Result<ShareClient> {
    let ns = config.share.namespace().map_err(anyhow::Error::msg)?;
    let kube = Kube::connect(&session.kube)
        .await
        .map_err(|e| anyhow::anyhow!("--share needs a Kubernetes cluster: {e}"))?;
    Ok(ShareClient::new(&kube, ns))
}

/// Every warroom object in the share namespace.
async fn all_objects(client: &ShareClient) -> anyhow::Result<Vec<Value>> {
    let (items, _) = client
        .list(&format!("{MANAGED_BY_LABEL}=warroom"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(items)
}

/// The shared events by incident, in their total order.
fn by_incident(items: &[Value]) -> BTreeMap<String, Vec<Event>> {
    let mut incidents: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    let mut parts = Parts::default();
    for (id, e) in items.iter().filter_map(|o| parts.take(o)?.ok()) {
        incidents.entry(id).or_default().push(e);
    }
    for events in incidents.values_mut() {
        events.sort_by(Event::order);
    }
    incidents
}

/// The shared incidents (or only `only`) written into a scratch data dir.
fn mirror(config: &Config, session: &Session, only: Option<&str>) -> anyhow::Result<Scratch> {
    let items =
        runtime()?.block_on(async { all_objects(&client(config, session).await?).await })?;
    let dir = std::env::temp_dir().join(format!(
        "warroom-share-{}-{}",
        std::process::id(),
        Timestamp::now().as_nanosecond()
    ));
    crate::perms::Perms::for_data_dir(&dir).own_dir(&dir)?;
    let scratch = Scratch(dir);
    let store = Store::new(&scratch.0);
    for (id, events) in by_incident(&items) {
        if only.is_some_and(|o| o != id) || !crate::journal::valid_id(&id) {
            continue;
        }
        let Some(declaration) = events
            .iter()
            .find(|e| matches!(e.kind, EventKind::Declared { .. }))
        else {
            continue;
        };
        store.adopt(&id, declaration)?;
        for e in events.iter().filter(|e| e.id != declaration.id) {
            store.append(&id, e)?;
        }
    }
    Ok(scratch)
}

/// `warroom list --share`.
pub fn list(config: &Config, session: &Session, json: bool) -> anyhow::Result<()> {
    let scratch = mirror(config, session, None)?;
    let shared = Config {
        data_dir: scratch.0.clone(),
        ..config.clone()
    };
    super::list::run(&shared, json)
}

/// `warroom export ID --share`: from the cluster's copy, on any host.
pub fn export(
    config: &Config,
    session: &Session,
    id: &str,
    rest: (Option<PathBuf>, Option<PathBuf>, super::Format, bool),
) -> anyhow::Result<ExitCode> {
    let scratch = mirror(config, session, Some(id))?;
    if !Store::new(&scratch.0).path(id)?.exists() {
        anyhow::bail!(
            "no incident '{id}' in the share namespace (`warroom list --share` shows them)"
        );
    }
    let shared = Config {
        data_dir: scratch.0.clone(),
        ..config.clone()
    };
    let (output, template, format, strict) = rest;
    super::export::run(&shared, id, output, template, (format, strict))
}

/// `warroom share prune --older-than D`: deletes every object of the
/// shared incidents resolved longer ago than `D`, after saying what and
/// asking (`--yes` does not ask).
pub fn prune(
    config: &Config,
    session: &Session,
    older_than: &str,
    yes: bool,
) -> anyhow::Result<()> {
    // `0d` (every resolved incident) is a fair age here, though not a
    // duration anywhere else.
    let zero = older_than
        .trim_start_matches('0')
        .chars()
        .all(|c| "smhd".contains(c))
        && older_than.starts_with('0');
    let age = if zero {
        std::time::Duration::ZERO
    } else {
        crate::domain::time::parse_duration(older_than).map_err(anyhow::Error::msg)?
    };
    let cutoff = Timestamp::now()
        - jiff::SignedDuration::try_from(age).map_err(|e| anyhow::anyhow!("{e}"))?;
    let rt = runtime()?;
    let client = rt.block_on(client(config, session))?;
    let items = rt.block_on(all_objects(&client))?;
    let old: Vec<String> = by_incident(&items)
        .into_iter()
        .filter(|(_, events)| {
            Incident::fold(events)
                .ok()
                .and_then(|i| i.resolved.map(|m| m.at))
                .is_some_and(|at| at < cutoff)
        })
        .map(|(id, _)| id)
        .collect();
    let names: Vec<&str> = items
        .iter()
        .filter(|o| {
            o["metadata"]["annotations"][ID_ANNOTATION]
                .as_str()
                .is_some_and(|id| old.iter().any(|x| x == id))
        })
        .filter_map(|o| o["metadata"]["name"].as_str())
        .collect();
    if names.is_empty() {
        println!("nothing to prune: no shared incident was resolved more than {older_than} ago");
        return Ok(());
    }
    println!(
        "{} object(s) of {} incident(s) resolved more than {older_than} ago in namespace {}:",
        names.len(),
        old.len(),
        client.namespace()
    );
    for id in &old {
        println!("  {}", crate::sanitize::line(id));
    }
    if !yes {
        print!("delete them from the cluster? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("nothing deleted");
            return Ok(());
        }
    }
    rt.block_on(async {
        for name in &names {
            client
                .delete(name)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        }
        anyhow::Ok(())
    })?;
    println!("deleted {} object(s)", names.len());
    Ok(())
}
