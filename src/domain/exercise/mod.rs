//! Exercises are DR drills and chaos game-days: practice on purpose, so the
//! runbooks are proven before a real incident needs them. This holds their
//! pure models.

pub mod experiment;

pub use experiment::*;
