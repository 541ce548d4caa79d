//! Sharing an incident between hosts through the cluster's own API: each
//! event becomes a create-only ConfigMap in a share namespace, and every
//! host follows the others' by a label watch. This module holds what the
//! objects look like ([`objects`]) and how they are written and read
//! ([`client`]).

pub mod client;
pub mod declare;
mod fetch;
mod heal;
pub mod merge;
pub mod objects;
pub mod sync;

use serde::Deserialize;

/// The namespace shared incidents go to when the config names none.
pub const DEFAULT_NAMESPACE: &str = "warroom";

/// `share:` in the config file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ShareSettings {
    /// The namespace the objects live in (default `warroom`).
    pub namespace: Option<String>,
    /// Publish command output too (default: only its exit code, duration
    /// and size).
    #[serde(default)]
    pub output: bool,
}

impl ShareSettings {
    /// The share namespace, checked: a DNS label, as Kubernetes requires.
    pub fn namespace(&self) -> Result<&str, String> {
        let ns = self.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
        let ok = !ns.is_empty()
            && ns.len() <= 63
            && ns
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !ns.starts_with('-')
            && !ns.ends_with('-');
        if ok {
            Ok(ns)
        } else {
            Err(format!(
                "share.namespace {ns:?} is not a Kubernetes namespace name (lowercase letters, digits and '-')"
            ))
        }
    }
}
