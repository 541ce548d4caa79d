//! Reading a shared incident from the cluster without following it: a
//! host that never had an incident brings it whole, and the Alerts pane
//! learns which alerts' incidents other hosts have claimed.

use std::collections::HashSet;
use std::time::Duration;

use super::client::{ShareClient, selector};
use super::objects::{Parts, incident_label};
use crate::domain::incident::Event;
use crate::journal::Store;

/// Brings incident `id` from the cluster into `store`, for a host that
/// never had it: its declaration starts the local journal, the rest follow
/// in order (events the journal has already are left out). Returns how
/// many events were written.
pub async fn fetch_into(client: &ShareClient, store: &Store, id: &str) -> Result<usize, String> {
    let (items, _) = client
        .list(&selector(&incident_label(id)))
        .await
        .map_err(|e| e.to_string())?;
    let mut parts = Parts::default();
    let mut events: Vec<Event> = items
        .iter()
        .filter_map(|o| parts.take(o)?.ok())
        .filter(|(inc, _)| inc == id)
        .map(|(_, e)| e)
        .collect();
    events.sort_by(Event::order);
    let Some(declaration) = events
        .iter()
        .find(|e| matches!(e.kind, crate::domain::incident::EventKind::Declared { .. }))
        .cloned()
    else {
        return Err(format!(
            "incident {id} is not in the cluster's share namespace"
        ));
    };
    let (store, id) = (store.clone(), id.to_string());
    tokio::task::spawn_blocking(move || {
        store.adopt(&id, &declaration).map_err(|e| e.to_string())?;
        let have: HashSet<String> = store
            .load(&id)
            .map_err(|e| e.to_string())?
            .events
            .into_iter()
            .map(|e| e.id)
            .collect();
        let mut written = 0;
        for e in events.iter().filter(|e| !have.contains(&e.id)) {
            store.append(&id, e).map_err(|e| e.to_string())?;
            written += 1;
        }
        Ok(written)
    })
    .await
    .map_err(|e| e.to_string())?
}

/// The claims in the share namespace, every `every`, for the Alerts pane:
/// which alerts' incidents are open on other hosts. Errors are left to the
/// share task to say; a missed look is taken again next time.
pub async fn watch_claims(
    client: ShareClient,
    every: Duration,
    found: impl Fn(Vec<super::objects::Claim>),
) {
    let label = format!(
        "{}=warroom,{}=claim",
        super::objects::MANAGED_BY_LABEL,
        super::objects::OBJECT_LABEL
    );
    let mut last = None;
    loop {
        if let Ok((items, _)) = client.list(&label).await {
            let claims: Vec<super::objects::Claim> =
                items.iter().filter_map(super::objects::claimed).collect();
            if last.as_ref() != Some(&claims) {
                found(claims.clone());
                last = Some(claims);
            }
        }
        tokio::time::sleep(every).await;
    }
}
