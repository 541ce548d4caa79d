//! The `:` command line: parsing only. The reducer decides what each command does.

use std::path::PathBuf;
use std::time::Duration;

use crate::domain::severity::Sev;
use crate::domain::time::parse_duration;

/// A parsed command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Open an incident by hand, with no alert: a title and, optionally,
    /// a severity (default: the severity map's fallback).
    Declare(String, Option<Sev>),
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
    /// Free text for the timeline, optionally about an earlier time (UTC
    /// hour and minute, from `:note @14:32 text`).
    Note(String, Option<(i8, i8)>),
    /// Give someone an incident role.
    Role(crate::domain::incident::Role, String),
    /// Show who is on call.
    OnCall,
    /// List the status updates.
    Updates,
    /// Add a follow-up action item.
    Action {
        /// What to do.
        text: String,
        /// `owner=NAME`.
        owner: Option<String>,
        /// `due=YYYY-MM-DD`.
        due: Option<String>,
        /// `ticket=ID`.
        ticket: Option<String>,
    },
    /// Write the postmortem draft, to the default place or a file.
    Export(Option<PathBuf>),
    /// Use another runbook as the checklist (or preview it).
    Runbook(String),
    /// Silence the alert in Alertmanager for this long.
    Silence(Duration),
    /// Expire a silence: the given id, else the incident's latest.
    Unsilence(Option<String>),
    /// Chart range.
    Range(Duration),
    /// Watch pods in this namespace (`None`: back to automatic).
    Namespace(Option<String>),
    /// Watch pods matching this label selector (`None`: back to automatic).
    Selector(Option<String>),
    /// A pod's events and logs (default: the selected pod).
    Logs(Option<String>),
    /// Delete a pod (default: the selected pod).
    Delete(Option<String>),
    /// Rollout-restart a pod's workload (default: the selected pod's).
    Restart(Option<String>),
    /// Scale a workload (`deploy/NAME`, `sts/NAME`; default: the selected pod's).
    Scale(u32, Option<String>),
    /// Show secrets at this terminal, or mask them again.
    Reveal,
    /// Write a deleted journal again from what this cockpit holds.
    Recreate,
    /// Open an incident by id (a teammate's "join …").
    Join(String),
    /// Pin the Metrics pane's chart to the timeline, with a caption.
    Pin(String),
    /// Pin the latest command's output to the timeline, with a caption.
    PinOutput(String),
    /// Pin the open pod details (events, last log lines), with a caption.
    PinPod(String),
    /// Start a DR drill of a drill runbook.
    Drill(String),
    /// A drill's fault is in: the RTO clock starts.
    Inject,
    /// A drill's service works again: the RTO clock stops.
    Recovered,
    /// How much data a drill lost.
    Rpo(Duration),
    /// Load a chaos experiment and show its pre-flight.
    Gameday(PathBuf),
    /// Stop a running game-day now: its fault is deleted.
    Abort,
    /// Delete chaos faults warroom applied that are still present.
    Cleanup,
    /// Show the help overlay.
    Help,
    /// Leave the cockpit (asks while an incident is open).
    Quit,
}

/// Name, arguments and meaning of every command, for parsing errors and help.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "declare",
        "TITLE [P0|P1|P2]",
        "open an incident by hand, with no alert (default severity: the config's fallback, P2)",
    ),
    ("ack", "", "acknowledge the incident"),
    ("mitigated", "", "record that the impact has stopped"),
    ("resolve", "", "resolve the incident"),
    ("reopen", "", "reopen a resolved incident"),
    ("sev", "P0|P1|P2", "change the severity"),
    (
        "note",
        "[@HH:MM] TEXT",
        "add a note to the timeline (@HH:MM: about an earlier time, UTC)",
    ),
    (
        "role",
        "ic|comms|ops|scribe NAME",
        "give someone an incident role",
    ),
    ("oncall", "", "show the primary and secondary on call"),
    ("updates", "", "list the status updates"),
    (
        "action",
        "TEXT [owner=] [due=] [ticket=]",
        "add a follow-up action item",
    ),
    (
        "export",
        "[FILE]",
        "write the postmortem draft (default: <data dir>/exports/<id>.md)",
    ),
    ("runbook", "NAME", "open a runbook by id or file name"),
    (
        "silence",
        "DURATION",
        "silence the alert in Alertmanager, e.g. :silence 1h",
    ),
    (
        "unsilence",
        "[ID]",
        "expire a silence (default: the incident's latest)",
    ),
    ("range", "15m|1h|6h", "time range of the chart"),
    (
        "ns",
        "[NAME]",
        "watch pods in this namespace (all: every namespace; none: automatic)",
    ),
    (
        "selector",
        "[SEL]",
        "watch pods matching a label selector (none: automatic)",
    ),
    ("logs", "[POD]", "a pod's events and last 200 log lines"),
    ("delete", "[POD]", "delete a pod (asks y/n)"),
    (
        "restart",
        "[POD]",
        "rollout restart the pod's workload (asks y/n)",
    ),
    (
        "scale",
        "N [WORKLOAD]",
        "scale deploy/NAME or sts/NAME (asks y/n)",
    ),
    (
        "reveal",
        "",
        "show secrets in notes, commands and output at this terminal (again: mask them)",
    ),
    (
        "join",
        "ID",
        "open an incident by id and follow it (a teammate's \"join …\")",
    ),
    (
        "recreate",
        "",
        "write a deleted journal again from what this cockpit holds",
    ),
    (
        "pin",
        "[output|pod] [CAPTION]",
        "pin the chart as it is now to the timeline (p in the Metrics pane); pin output: the latest command's output (p in the output panel); pin pod: the pod details shown (P there)",
    ),
    (
        "drill",
        "RUNBOOK",
        "start a DR drill of a drill runbook (targets frozen from its front matter)",
    ),
    ("inject", "", "drill: the fault is in, the RTO clock starts"),
    (
        "recovered",
        "",
        "drill: the service works again, the RTO clock stops",
    ),
    (
        "rpo",
        "DURATION",
        "drill: how much data was lost, e.g. :rpo 3s",
    ),
    (
        "gameday",
        "FILE",
        "load a chaos experiment (YAML) and show its pre-flight",
    ),
    ("abort", "", "game-day: stop now and delete the fault"),
    (
        "cleanup",
        "",
        "delete chaos faults warroom applied that are still present",
    ),
    ("help", "", "show help"),
    ("quit", "", "quit (same as q)"),
];

/// Other names the parser takes for a command, and the command they mean.
pub const ALIASES: &[(&str, &str)] = &[
    ("acknowledge", "ack"),
    ("mitigate", "mitigated"),
    ("resolved", "resolve"),
    ("severity", "sev"),
    ("on-call", "oncall"),
    ("rb", "runbook"),
    ("expire", "unsilence"),
    ("namespace", "ns"),
    ("sel", "selector"),
    ("log", "logs"),
    ("h", "help"),
    ("q", "quit"),
];

/// The command a name or alias stands for: `rb` is `runbook`.
pub fn canonical(name: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|c| c.0)
        .find(|c| *c == name)
        .or_else(|| ALIASES.iter().find(|(a, _)| *a == name).map(|(_, c)| *c))
}

/// What to say about a command nobody knows: the commands it begins, else
/// the nearest one by spelling (a transposition counts as one slip), rather
/// than every command, which no message line has room for.
pub fn unknown(typed: &str) -> String {
    let lower = typed.to_ascii_lowercase();
    // A long slip is cut so the suggestion still fits the line.
    let name: String = if typed.chars().count() > 20 {
        typed.chars().take(19).chain(['…']).collect()
    } else {
        typed.to_string()
    };
    let begun: Vec<&str> = COMMANDS
        .iter()
        .map(|c| c.0)
        .filter(|c| c.starts_with(&lower))
        .collect();
    let suggest = |names: &[&str]| {
        let mut list: Vec<String> = names.iter().take(4).map(|c| format!(":{c}")).collect();
        if names.len() > 4 {
            list.push("…".into());
        }
        format!(
            "unknown command :{name} — did you mean {}?",
            list.join(", ")
        )
    };
    if !begun.is_empty() {
        return suggest(&begun);
    }
    // Two letters are too few to guess a slip from.
    let nearest = COMMANDS
        .iter()
        .map(|c| (c.0, c.0))
        .chain(ALIASES.iter().copied())
        .filter(|_| lower.chars().count() >= 3)
        .map(|(n, c)| (strsim::osa_distance(&lower, n), n, c))
        .filter(|(d, n, _)| *d <= (n.len() / 3).clamp(1, 2))
        .min_by_key(|(d, _, _)| *d);
    match nearest {
        Some((_, _, c)) => suggest(&[c]),
        None => format!("unknown command :{name} — ? lists the commands, Tab completes"),
    }
}

/// A path as a shell would read it: `~/x` is in the home folder.
fn home_relative(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// `TITLE [SEV]`: a last word that is a severity is the severity.
fn declare(rest: &str) -> Result<Command, String> {
    let (title, sev) = match rest.rsplit_once(char::is_whitespace) {
        Some((t, last)) if last.parse::<Sev>().is_ok() => (t.trim(), last.parse().ok()),
        _ => (rest, None),
    };
    if title.is_empty() {
        return Err(":declare needs a title, e.g. :declare checkout errors after deploy P1".into());
    }
    Ok(Command::Declare(title.to_string(), sev))
}

/// `@14:32 text` or `text`.
fn note(rest: &str) -> Result<Command, String> {
    let Some(stamped) = rest.strip_prefix('@') else {
        return Ok(Command::Note(rest.to_string(), None));
    };
    let (time, text) = stamped
        .split_once(char::is_whitespace)
        .ok_or(":note @HH:MM needs text after the time")?;
    let bad = || format!("'@{time}' is not a time: use @HH:MM (UTC)");
    let (h, m) = time.split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(Command::Note(text.trim().to_string(), Some((h, m))))
}

/// `TEXT owner=NAME due=DATE ticket=ID`, the keys in any order after the text.
fn action(rest: &str) -> Command {
    let (mut owner, mut due, mut ticket) = (None, None, None);
    let mut words = Vec::new();
    for w in rest.split_whitespace() {
        match w.split_once('=') {
            Some(("owner", v)) => owner = Some(v.to_string()),
            Some(("due", v)) => due = Some(v.to_string()),
            Some(("ticket", v)) => ticket = Some(v.to_string()),
            _ => words.push(w),
        }
    }
    Command::Action {
        text: words.join(" "),
        owner,
        due,
        ticket,
    }
}

fn opt(rest: &str) -> Option<String> {
    (!rest.is_empty()).then(|| rest.to_string())
}

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
        "declare" => declare(rest),
        "pin" => Ok(match rest.split_once(char::is_whitespace) {
            Some(("output", caption)) => Command::PinOutput(caption.trim().to_string()),
            None if rest == "output" => Command::PinOutput(String::new()),
            Some(("pod", caption)) => Command::PinPod(caption.trim().to_string()),
            None if rest == "pod" => Command::PinPod(String::new()),
            _ => Command::Pin(rest.to_string()),
        }),
        "drill" if rest.is_empty() => {
            Err(":drill needs a drill runbook, e.g. :drill regional-failover-drill".into())
        }
        "drill" => Ok(Command::Drill(rest.to_string())),
        "inject" => no_args(Command::Inject),
        "recovered" => no_args(Command::Recovered),
        "rpo" if rest.is_empty() => Err(":rpo needs the data lost, e.g. :rpo 3s or :rpo 0s".into()),
        "rpo" => crate::domain::exercise::drill::parse_target(rest)
            .map(|ms| Command::Rpo(Duration::from_millis(ms))),
        "gameday" if rest.is_empty() => Err(
            ":gameday needs an experiment file, e.g. :gameday runbooks/experiments/checkout-pod-kill.yaml"
                .into(),
        ),
        "gameday" => Ok(Command::Gameday(home_relative(rest))),
        "abort" => no_args(Command::Abort),
        "cleanup" => no_args(Command::Cleanup),
        "ack" | "acknowledge" => no_args(Command::Ack),
        "mitigated" | "mitigate" => no_args(Command::Mitigated),
        "resolve" | "resolved" => no_args(Command::Resolve),
        "reopen" => no_args(Command::Reopen),
        "sev" | "severity" => rest.parse().map(Command::Sev),
        "note" if rest.is_empty() => Err(":note needs text, e.g. :note rolled back to v1.4".into()),
        "note" => note(rest),
        "role" => {
            let (role, name) = rest
                .split_once(char::is_whitespace)
                .ok_or(":role needs a role and a name, e.g. :role ic alice")?;
            Ok(Command::Role(role.parse()?, name.trim().to_string()))
        }
        "oncall" | "on-call" => no_args(Command::OnCall),
        "updates" => no_args(Command::Updates),
        "action" if rest.is_empty() => Err(
            ":action needs text, e.g. :action add a latency alert owner=bob due=2026-12-01".into(),
        ),
        "action" => Ok(action(rest)),
        "export" => Ok(Command::Export(
            (!rest.is_empty()).then(|| PathBuf::from(rest)),
        )),
        "runbook" | "rb" if rest.is_empty() => {
            Err(":runbook needs a name, e.g. :runbook pod-crash-loop".into())
        }
        "runbook" | "rb" => Ok(Command::Runbook(rest.to_string())),
        "silence" if rest.is_empty() => Err(":silence needs a duration, e.g. :silence 1h".into()),
        "silence" => parse_duration(rest).map(Command::Silence),
        "unsilence" | "expire" => Ok(Command::Unsilence(
            (!rest.is_empty()).then(|| rest.to_string()),
        )),
        "range" => parse_duration(rest).map(Command::Range),
        "ns" | "namespace" => Ok(Command::Namespace(opt(rest))),
        "selector" | "sel" => Ok(Command::Selector(opt(rest))),
        "logs" | "log" => Ok(Command::Logs(opt(rest))),
        "delete" => Ok(Command::Delete(opt(rest))),
        "restart" => Ok(Command::Restart(opt(rest))),
        "scale" => {
            let mut words = rest.split_whitespace();
            let n = words
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or(":scale needs a replica count, e.g. :scale 6 deploy/catalog")?;
            let target = words.next().map(str::to_string);
            if words.next().is_some() {
                return Err(":scale takes a count and one workload".into());
            }
            Ok(Command::Scale(n, target))
        }
        "reveal" => no_args(Command::Reveal),
        "recreate" => no_args(Command::Recreate),
        "join" => match rest.split_whitespace().collect::<Vec<_>>().as_slice() {
            [id] => Ok(Command::Join((*id).to_string())),
            _ => {
                Err(":join needs an incident id, e.g. :join 2026-11-29-catalog-p99-latency".into())
            }
        },
        "help" | "h" => no_args(Command::Help),
        "q" | "quit" => no_args(Command::Quit),
        other => Err(unknown(other)),
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
            Ok(Command::Note("db failover done".into(), None))
        );
        assert_eq!(
            parse("note @14:32 customer reported errors"),
            Ok(Command::Note(
                "customer reported errors".into(),
                Some((14, 32))
            ))
        );
        assert!(parse("note @25:00 x").is_err());
        assert!(parse("note @14:32").is_err());
        assert_eq!(
            parse("role ic Alice Smith"),
            Ok(Command::Role(
                crate::domain::incident::Role::Ic,
                "Alice Smith".into()
            ))
        );
        assert!(parse("role boss bob").is_err());
        assert_eq!(
            parse("action add p99 alert for checkout owner=bob due=2026-12-01 ticket=OPS-42"),
            Ok(Command::Action {
                text: "add p99 alert for checkout".into(),
                owner: Some("bob".into()),
                due: Some("2026-12-01".into()),
                ticket: Some("OPS-42".into()),
            })
        );
        assert_eq!(parse("export"), Ok(Command::Export(None)));
        assert_eq!(
            parse("runbook TargetDown"),
            Ok(Command::Runbook("TargetDown".into()))
        );
        assert_eq!(
            parse("silence 1h"),
            Ok(Command::Silence(Duration::from_secs(3600)))
        );
        assert_eq!(parse("unsilence"), Ok(Command::Unsilence(None)));
        assert_eq!(
            parse("unsilence abc-1"),
            Ok(Command::Unsilence(Some("abc-1".into())))
        );
        assert_eq!(
            parse("range 6h"),
            Ok(Command::Range(Duration::from_secs(21_600)))
        );
        assert_eq!(
            parse("ns payments"),
            Ok(Command::Namespace(Some("payments".into())))
        );
        assert_eq!(parse("ns"), Ok(Command::Namespace(None)));
        assert_eq!(
            parse("selector app=catalog,tier!=cache"),
            Ok(Command::Selector(Some("app=catalog,tier!=cache".into())))
        );
        assert_eq!(parse("delete"), Ok(Command::Delete(None)));
        assert_eq!(parse("logs web-1"), Ok(Command::Logs(Some("web-1".into()))));
        assert_eq!(
            parse("scale 6 deploy/catalog"),
            Ok(Command::Scale(6, Some("deploy/catalog".into())))
        );
        assert_eq!(parse("scale 0"), Ok(Command::Scale(0, None)));
        assert_eq!(
            parse("export /tmp/pm.md"),
            Ok(Command::Export(Some("/tmp/pm.md".into())))
        );
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert!(parse("sev P7").expect_err("bad").contains("P0, P1 or P2"));
        assert!(parse("note").expect_err("empty").contains("needs text"));
        assert!(parse("silence").expect_err("empty").contains("duration"));
        assert!(
            parse("silence forever")
                .expect_err("bad")
                .contains("bad duration")
        );
        assert!(
            parse("runbook")
                .expect_err("empty")
                .contains("needs a name")
        );
        assert!(parse("ack now").expect_err("args").contains("no arguments"));
        assert!(
            parse("frobnicate")
                .expect_err("unknown")
                .contains("unknown command")
        );
    }

    #[test]
    fn an_unknown_command_suggests_the_nearest() {
        assert_eq!(
            parse("reslove").expect_err("typo"),
            "unknown command :reslove — did you mean :resolve?"
        );
        assert_eq!(
            unknown("sevv"),
            "unknown command :sevv — did you mean :sev?"
        );
        assert_eq!(unknown("akc"), "unknown command :akc — did you mean :ack?");
        assert_eq!(
            unknown("ak"),
            "unknown command :ak — ? lists the commands, Tab completes"
        );
        assert_eq!(
            unknown("runbok"),
            "unknown command :runbok — did you mean :runbook?"
        );
        // An alias's slip suggests the command it stands for.
        assert_eq!(
            unknown("namespac"),
            "unknown command :namespac — did you mean :ns?"
        );
        // A beginning shared by several names them, not every command.
        assert_eq!(
            unknown("re"),
            "unknown command :re — did you mean :resolve, :reopen, :restart, :reveal, …?"
        );
        assert_eq!(
            unknown("res"),
            "unknown command :res — did you mean :resolve, :restart?"
        );
        let far = unknown("frobnicate");
        assert_eq!(
            far,
            "unknown command :frobnicate — ? lists the commands, Tab completes"
        );
        for name in ["reslove", "frobnicate", "xyzzy-long-typo-of-something"] {
            assert!(unknown(name).chars().count() <= 80, "{}", unknown(name));
        }
        assert_eq!(canonical("rb"), Some("runbook"));
        assert_eq!(canonical("logs"), Some("logs"));
        assert_eq!(canonical("nope"), None);
    }
}
