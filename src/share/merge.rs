//! Declarations made while the cluster was away. A host that declared
//! without writing its claim writes it before it publishes anything: when
//! the claim is created (or names this incident) the incident is the
//! alert's shared one; when another host's claim came first, this host's
//! incident is merged into that one — its entries move, both journals
//! record the merge, and the cockpit goes on in the claimed incident. So
//! two hosts that both declared offline end with one incident.

use std::collections::HashSet;

use jiff::Timestamp;

use super::client::{Created, ShareClient, ShareError};
use super::declare::{blocking, bring};
use super::objects::{Claim, claim_name, claim_object, claimed, shareable};
use crate::domain::incident::{Event, EventKind};
use crate::journal::Store;

/// Where an incident stands against its alert's claim.
#[derive(Debug)]
pub enum Settled {
    /// The claim names this incident (just created, or there already).
    Ours,
    /// Another host's incident holds the claim: this one is merged into it.
    Theirs(Box<Claim>),
}

/// Makes sure the claim of `declaration`'s alert and day exists, naming
/// `incident` when nobody claimed it first.
pub async fn settle(
    client: &ShareClient,
    incident: &str,
    declaration: &Event,
) -> Result<Settled, ShareError> {
    let EventKind::Declared { alert, .. } = &declaration.kind else {
        return Ok(Settled::Ours);
    };
    let name = claim_name(&alert.fingerprint, declaration.ts);
    let read = |obj: Option<serde_json::Value>| match obj.as_ref().and_then(claimed) {
        Some(c) if c.incident != incident => Some(Settled::Theirs(Box::new(c))),
        Some(_) => Some(Settled::Ours),
        None => None,
    };
    if let Some(s) = read(client.get(&name).await?) {
        return Ok(s);
    }
    let claim = claim_object(
        client.namespace(),
        &alert.fingerprint,
        declaration.ts,
        incident,
        &shareable(declaration, false),
    );
    match client.create(&claim).await? {
        Created::New => Ok(Settled::Ours),
        // Created between our look and our claim: read whose it is.
        Created::AlreadyThere => Ok(read(client.get(&name).await?).unwrap_or(Settled::Ours)),
    }
}

/// Moves incident `from`'s entries into the claimed incident (brought to
/// this host when it has none), and records the merge in both journals.
/// Returns how many entries moved. Done again after a crash, it moves
/// nothing twice: entries keep their ids and the records are facts.
pub async fn merge(
    client: &ShareClient,
    store: &Store,
    from: &str,
    claim: &Claim,
    author: &str,
) -> Result<usize, String> {
    bring(client, store, claim).await?;
    let (store, from, into, author) = (
        store.clone(),
        from.to_string(),
        claim.incident.clone(),
        author.to_string(),
    );
    blocking(move || {
        let moving: Vec<Event> = store
            .load(&from)?
            .events
            .into_iter()
            .filter(|e| !matches!(e.kind, EventKind::Declared { .. }))
            .collect();
        let have: HashSet<String> = store
            .load(&into)?
            .events
            .into_iter()
            .map(|e| e.id)
            .collect();
        for e in moving.iter().filter(|e| !have.contains(&e.id)) {
            store.append(&into, e)?;
        }
        let entries = moving.len();
        let record = |incident: &str| {
            Event::new(
                Timestamp::now(),
                author.clone(),
                EventKind::Merged {
                    from: from.clone(),
                    into: into.clone(),
                    entries,
                },
            )
            .as_fact(incident, &format!("merged {from} into {into}"))
        };
        store.append(&into, &record(&into))?;
        store.append(&from, &record(&from))?;
        Ok(entries)
    })
    .await
}
