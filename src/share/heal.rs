//! A cluster that lost the shared copy (rebuilt, or restored from an old
//! backup) is given it back: when the watch lists again and finds events
//! missing that this host had seen published, they are published again
//! from the local journal (creates are idempotent, so nothing is doubled),
//! and the alert's claim is written again.

use std::collections::HashSet;

use super::client::ShareClient;
use super::sync::State;
use crate::domain::incident::first_declaration;
use crate::journal::Store;

/// Puts back in the queue every event of the journal the cluster was
/// thought to hold and does not, in journal order, after the ones already
/// waiting; and claims the alert again.
pub(super) async fn requeue(
    client: &ShareClient,
    store: &Store,
    incident: &str,
    seen: &HashSet<String>,
    s: &mut State,
) {
    let read = {
        let (store, id) = (store.clone(), incident.to_string());
        tokio::task::spawn_blocking(move || store.load(&id)).await
    };
    let Ok(Ok(loaded)) = read else {
        tracing::warn!("share: the journal could not be read to publish it again");
        return;
    };
    let lost: Vec<_> = loaded
        .events
        .iter()
        .filter(|e| !seen.contains(&e.id) && s.published.remove(&e.id))
        .cloned()
        .collect();
    tracing::warn!(
        incident,
        events = lost.len(),
        "share: the cluster lacks events it had; publishing them again"
    );
    if let Some(d) = first_declaration(&loaded.events)
        && let Err(e) = super::merge::settle(client, incident, &loaded.events[d]).await
    {
        tracing::warn!("share: the claim could not be written again ({e})");
    }
    s.waiting.extend(lost);
}
