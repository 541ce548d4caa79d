//! Declaring a shared incident: settled by a create-only claim per alert
//! and UTC day, which carries the declaration. The host whose claim is
//! created declares; a host that finds a claim already there joins the
//! incident it names, starting its journal from the claim's declaration
//! when it does not have it (the rest follows through the share task).
//! With the API server away the incident is declared on this host alone.

use super::client::{Created, ShareClient};
use super::objects::{Claim, claim_name, claim_object, claimed, shareable};
use super::sync::fetch_into;
use crate::domain::incident::{Event, EventKind};
use crate::journal::{Declared, Opened, Store};

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Starts this host's journal of the claimed incident when it has none:
/// from the claim's declaration, or brought whole from the cluster (the
/// rest follows through the share task).
pub(super) async fn bring(
    client: &ShareClient,
    store: &Store,
    claim: &Claim,
) -> Result<(), String> {
    let id = claim.incident.clone();
    if store.path(&id).is_ok_and(|p| p.exists()) {
        // Ids come from the alert's name and day, so a journal of that name
        // here may be another incident: one for another alert is not it.
        let (s, local) = (store.clone(), id.clone());
        let events = blocking(move || s.load(&local)).await?.events;
        let same = crate::domain::incident::first_declaration(&events)
            .and_then(|i| match &events[i].kind {
                EventKind::Declared { alert, .. } => {
                    Some(claim.fingerprint.is_empty() || alert.fingerprint == claim.fingerprint)
                }
                _ => None,
            })
            .unwrap_or(true);
        if !same {
            return Err(format!(
                "this host has a different incident named {id} (for another alert); the shared one cannot be brought here"
            ));
        }
        return Ok(());
    }
    if store.path(&id).is_ok() {
        match claim.declaration.clone() {
            Some(d) => {
                let s = store.clone();
                blocking(move || s.adopt(&id, &d)).await?;
            }
            None => {
                fetch_into(client, store, &id).await?;
            }
        }
    }
    Ok(())
}

/// Joins the claimed incident: brought to this host when it does not have
/// it, then opened as a join.
async fn join(client: &ShareClient, store: &Store, claim: Claim) -> Result<Opened, String> {
    bring(client, store, &claim).await?;
    let id = claim.incident.clone();
    let store = store.clone();
    let mut opened = blocking(move || store.rejoin(&id)).await?;
    opened.declared = Declared::Joined(opened.declared.id().to_string());
    Ok(opened)
}

/// The claim named `name`, if there is one and it reads.
pub(super) async fn claim_at(client: &ShareClient, name: &str) -> Result<Option<Claim>, String> {
    Ok(client
        .get(name)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|o| claimed(&o)))
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
    let asked = match claim_at(client, &name).await {
        Ok(Some(claim)) => {
            tracing::info!(incident = %claim.incident, host = %claim.host, "share: joining the claimed incident");
            return join(client, store, claim).await;
        }
        Ok(None) => true,
        Err(e) => {
            tracing::warn!("share: no claim could be asked for ({e}); declaring here");
            false
        }
    };
    let opened = {
        let (store, d) = (store.clone(), declaration.clone());
        blocking(move || store.open(&d)).await?
    };
    let Declared::New(id) = &opened.declared else {
        return Ok(opened);
    };
    // Unasked (the server away), the claim is left to the share task,
    // which writes it, or merges, once the server answers.
    if !publish || !asked {
        return Ok(opened);
    }
    // The declaration as the journal holds it (its id in it).
    let mine = opened
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::Declared { .. }))
        .cloned()
        .unwrap_or(declaration);
    let claim = claim_object(
        client.namespace(),
        &fingerprint,
        day,
        id,
        &shareable(&mine, false),
    );
    match client.create(&claim).await {
        Ok(Created::New) => Ok(opened),
        Ok(Created::AlreadyThere) => {
            // Another host claimed it between our look and our claim: its
            // declaration stands; ours, only just written, is taken back.
            let theirs = claim_at(client, &name).await.ok().flatten();
            let Some(theirs) = theirs.filter(|c| {
                c.declaration.as_ref().is_none_or(|d| d.id != mine.id) || c.incident != *id
            }) else {
                return Ok(opened);
            };
            let (s, mine_id) = (store.clone(), id.clone());
            if blocking(move || s.abandon(&mine_id)).await? {
                join(client, store, theirs).await
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
