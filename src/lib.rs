//! warroom: a full-screen terminal incident cockpit.
//!
//! The crate is split by concern so each part can be tested on its own:
//! `domain` holds plain types and pure logic (alerts, runbooks, the incident fold,
//! export), `journal` owns the durable event files, `sources` produce typed
//! messages, `app` reduces messages and keys into state and effects, `ui` draws
//! that state, `cockpit` runs the loop and performs the effects, `tui` owns
//! the terminal, and `cli` has one module per subcommand.
#![deny(clippy::unwrap_used, clippy::panic)]
#![warn(missing_docs)]

pub mod app;
pub mod bounded;
pub mod cli;
pub mod cockpit;
pub mod config;
pub mod domain;
pub mod draft;
pub mod exec;
pub mod journal;
pub mod look;
pub mod perms;
pub mod sanitize;
pub mod screenshot;
pub mod share;
pub mod sources;
pub mod tui;
pub mod ui;
