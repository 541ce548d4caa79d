//! Application state, the actions keys resolve to, and the reducer. Nothing here
//! touches the terminal, files or the network: side effects are returned as
//! [`update::Effect`] values and performed by the event loop in [`run`].

pub mod command;
pub mod incident;
pub mod keys;
mod pods;
pub mod run;
pub mod state;
mod steps;
pub mod update;

pub use state::{App, Pane};
pub use update::{Effect, Msg, SilenceDone, SilenceRequest, update};
