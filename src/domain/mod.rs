//! Plain types and pure logic with no terminal, files or async: everything here is
//! deterministic and unit-tested.

pub mod alert;
pub mod contract;
pub mod exercise;
pub mod export;
pub mod incident;
pub mod lint;
pub mod metric;
pub mod open;
pub mod placeholder;
pub mod pod;
pub mod policy;
pub mod redact;
pub mod runbook;
pub mod selector;
pub mod severity;
pub mod shell;
pub mod template;
pub mod time;
pub mod unit;
