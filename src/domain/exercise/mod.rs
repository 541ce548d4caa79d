//! Exercises: scheduled DR drills and chaos game-days, the two rhythms that
//! keep runbooks true between real incidents. Pure models, like the rest
//! of `domain`.

pub mod drill;
