//! The `:` command line: parsing only. The reducer decides what each command does.

use std::path::PathBuf;

use crate::domain::severity::Sev;

/// A parsed command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Acknowledge: someone owns the response.
    Ack,
    /// The impact has stopped, even if the cause is not fixed.
    Mitigated,
    /// The incident is over.
    Resolve,
    /// Back to work on a resolved incident.
    Reopen,
    /// Re-rate the incident as the impact becomes clearer.
    Sev(Sev),
    /// Free text for the timeline.
    Note(String),
    /// Write the postmortem draft, to the default place or a file.
    Export(Option<PathBuf>),
    /// Show the help overlay.
    Help,
    /// Leave the cockpit (asks while an incident is open).
    Quit,
}

/// Name, arguments and meaning of every command, for parsing errors and help.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("ack", "", "acknowledge the incident"),
    ("mitigated", "", "record that the impact has stopped"),
    ("resolve", "", "resolve the incident"),
    ("reopen", "", "reopen a resolved incident"),
    ("sev", "P0|P1|P2", "change the severity"),
    ("note", "TEXT", "add a note to the timeline"),
    (
        "export",
        "[FILE]",
        "write the postmortem draft (default: <data dir>/exports/<id>.md)",
    ),
    ("help", "", "show help"),
    ("quit", "", "quit (same as q)"),
];

/// Parses a command line without the leading `:`.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim().trim_start_matches(':').trim();
    let (name, rest) = match line.split_once(char::is_whitespace) {
        Some((n, r)) => (n, r.trim()),
        None => (line, ""),
    };
    let no_args = |c: Command| {
        if rest.is_empty() {
            Ok(c)
        } else {
            Err(format!(":{name} takes no arguments"))
        }
    };
    match name {
        "" => Err("type a command, e.g. :ack — see ? for the list".into()),
        "ack" | "acknowledge" => no_args(Command::Ack),
        "mitigated" | "mitigate" => no_args(Command::Mitigated),
        "resolve" | "resolved" => no_args(Command::Resolve),
        "reopen" => no_args(Command::Reopen),
        "sev" | "severity" => rest.parse().map(Command::Sev),
        "note" if rest.is_empty() => Err(":note needs text, e.g. :note rolled back to v1.4".into()),
        "note" => Ok(Command::Note(rest.to_string())),
        "export" => Ok(Command::Export(
            (!rest.is_empty()).then(|| PathBuf::from(rest)),
        )),
        "help" | "h" => no_args(Command::Help),
        "q" | "quit" => no_args(Command::Quit),
        other => Err(format!(
            "unknown command :{other} (known: {})",
            COMMANDS.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_command() {
        assert_eq!(parse("ack"), Ok(Command::Ack));
        assert_eq!(parse(":mitigated"), Ok(Command::Mitigated));
        assert_eq!(parse(" resolve "), Ok(Command::Resolve));
        assert_eq!(parse("sev p0"), Ok(Command::Sev(Sev::P0)));
        assert_eq!(
            parse("note  db failover done "),
            Ok(Command::Note("db failover done".into()))
        );
        assert_eq!(parse("export"), Ok(Command::Export(None)));
        assert_eq!(
            parse("export /tmp/pm.md"),
            Ok(Command::Export(Some("/tmp/pm.md".into())))
        );
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert!(parse("sev P7").expect_err("bad").contains("P0, P1 or P2"));
        assert!(parse("note").expect_err("empty").contains("needs text"));
        assert!(parse("ack now").expect_err("args").contains("no arguments"));
        assert!(
            parse("frobnicate")
                .expect_err("unknown")
                .contains("unknown command")
        );
    }
}
