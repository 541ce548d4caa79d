//! Declaring a shared incident: settled by a create-only claim per alert
//! and UTC day. The host whose claim is created declares; a host that finds
//! a claim already there joins the incident it names, bringing it from the
//! cluster when it does not have it. With the API server away the incident
//! is declared on this host alone.

use super::client::{Created, ShareClient};
use super::objects::{claim_name, claim_object, claimed};
use super::sync::fetch_into;
use crate::domain::incident::{Event, EventKind};
use crate::journal::{Declared, Opened, Store};

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Joins `other`, declared on another host: brought from the cluster when
/// this host does not have it, then opened as a join.
async fn join(client: &ShareClient, store: &Store, other: String) -> Result<Opened, String> {
    if store.path(&other).is_ok_and(|p| !p.exists()) {
        fetch_into(client, store, &other).await?;
    }
    let store = store.clone();
    let mut opened = blocking(move || store.rejoin(&other)).await?;
    opened.declared = Declared::Joined(opened.declared.id().to_string());
    Ok(opened)
}

/// Declares as `declaration` says, or joins the incident another host
/// claimed for the same alert today. With `publish` false (read-only) no
/// claim is written.
pub async fn declare(
    client: &ShareClient,
    store: &Store,
    declaration: Event,
    publish: bool,
) -> Result<Opened, String> {
    let EventKind::Declared { alert, .. } = &declaration.kind else {
        return Err("not a declaration".into());
    };
    let (fingerprint, day) = (alert.fingerprint.clone(), declaration.ts);
    let name = claim_name(&fingerprint, day);
    match client.get(&name).await {
        Ok(Some(obj)) => {
            if let Some((other, host, author)) = claimed(&obj) {
                tracing::info!(incident = %other, %host, %author, "share: joining the claimed incident");
                return join(client, store, other).await;
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("share: no claim could be asked for ({e}); declaring here"),
    }
    let author = declaration.author.clone();
    let opened = {
        let store = store.clone();
        blocking(move || store.open(&declaration)).await?
    };
    let Declared::New(id) = &opened.declared else {
        return Ok(opened);
    };
    if !publish {
        return Ok(opened);
    }
    let claim = claim_object(
        client.namespace(),
        &fingerprint,
        day,
        id,
        (crate::journal::host_name(), &author),
    );
    match client.create(&claim).await {
        Ok(Created::New) => Ok(opened),
        Ok(Created::AlreadyThere) => {
            // Another host claimed it between our look and our claim: its
            // incident is the one; ours, only just written, is taken back.
            let other = client
                .get(&name)
                .await
                .ok()
                .flatten()
                .and_then(|o| claimed(&o))
                .map(|c| c.0)
                .filter(|other| other != id);
            let Some(other) = other else {
                return Ok(opened);
            };
            let (s, mine) = (store.clone(), id.clone());
            if blocking(move || s.abandon(&mine)).await? {
                join(client, store, other).await
            } else {
                Ok(opened)
            }
        }
        Err(e) => {
            tracing::warn!("share: the claim was not written ({e}); declared here");
            Ok(opened)
        }
    }
}
