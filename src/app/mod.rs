//! Application state, the actions keys resolve to, and the reducer. Nothing here
//! touches the terminal, files or the network: side effects are returned as
//! [`Effect`] values and performed by the event loop in [`crate::cockpit`].
//!
//! Layers, each using only those above it: `state`, `keys`, `scroll`,
//! `command` (parsing), `msg` and `next` are plain data; `complete` reads
//! the state for Tab on the `:` line; `alerts`, `pods`,
//! `incident`, `steps`, `runbooks` and `sources` handle one concern each;
//! `commands` and `actions` give `:` commands and pane keys their meaning;
//! `modal` holds one module per dialog; `update` routes messages.

pub mod actions;
pub mod alerts;
pub mod command;
pub mod commands;
pub mod complete;
pub mod evidence;
pub mod exercise;
pub mod gameday;
pub mod incident;
pub mod keys;
pub mod modal;
pub mod mouse;
pub mod msg;
pub mod next;
pub mod open;
pub mod pods;
pub mod replay;
pub mod runbooks;
pub mod runs;
pub mod scroll;
pub mod sources;
pub mod state;
pub mod steps;
pub mod update;

pub use modal::Mode;
pub use msg::{Effect, Msg, SilenceDone, SilenceRequest};
pub use state::{App, Pane};
pub use update::update;
