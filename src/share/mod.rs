//! Sharing an incident between hosts through the cluster's own API: each
//! event becomes a create-only ConfigMap in a share namespace, and every
//! host follows the others' by a label watch. This module holds what the
//! objects look like ([`objects`]) and how they are written and read
//! ([`client`]).

pub mod client;
pub mod objects;
pub mod sync;
