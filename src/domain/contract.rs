//! Step contracts and branches: the machine-readable promises a runbook step
//! makes (what it needs first, how to check it worked, how to undo it, who owns
//! it, how dangerous it is) and the "go to step N" jumps written in its prose.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Deserializer};

use super::time::ConfigDuration;

/// Which team's systems a step touches, so the right people are pulled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    /// Clusters, nodes, networking, DNS, certificates.
    Platform,
    /// Databases and their replicas.
    Database,
    /// The service's own code and config.
    Application,
}

impl Owner {
    /// Name as written in runbooks and drawn in the pane.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Platform => "platform",
            Owner::Database => "database",
            Owner::Application => "application",
        }
    }
}

/// A step's contract, from a fenced `yaml` block inside the step.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// Stable step id, replacing the positional `mitigate-2` so ticks, gates and
    /// branches survive steps being added above it.
    pub id: Option<String>,
    /// Steps that must be done before this one may run or be ticked.
    #[serde(default, deserialize_with = "one_or_many")]
    pub requires: Vec<String>,
    /// A command whose exit status 0 confirms the step's postcondition.
    pub verify: Option<String>,
    /// A PromQL condition: a non-empty answer means the step took effect.
    pub verify_query: Option<String>,
    /// The command that undoes the step, offered when it fails or is regretted.
    pub rollback: Option<String>,
    /// Whose systems the step changes.
    pub owner: Option<Owner>,
    /// Running it needs the step id or the resource name typed, not just `y`.
    #[serde(default)]
    pub danger: bool,
    /// Whether it changes anything; guessed from the commands when not given.
    pub mutating: Option<bool>,
    /// What a dangerous step acts on (placeholders allowed); may be typed to
    /// confirm instead of the step id.
    pub resource: Option<String>,
    /// How long its command may run before it is stopped.
    pub timeout: Option<ConfigDuration>,
    /// In a drill runbook: ticking or running this step injects the fault,
    /// which starts the RTO clock.
    #[serde(default)]
    pub inject: bool,
}

/// Keys only a contract has; a `yaml` block with one of them (and no
/// Kubernetes `kind`) is read as the step's contract rather than as an example.
const CONTRACT_KEYS: &[&str] = &[
    "id",
    "timeout",
    "requires",
    "verify",
    "verify_query",
    "rollback",
    "owner",
    "danger",
    "mutating",
    "resource",
    "inject",
];

/// Whether a fenced block is meant as a contract: its info string says
/// `contract`, or it is YAML with contract keys and is not a manifest.
pub fn is_contract_block(lang: &str, code: &str) -> bool {
    let mut words = lang.split_whitespace();
    let first = words.next().unwrap_or("");
    if first == "contract" || words.any(|w| w == "contract") {
        return true;
    }
    if !matches!(first, "yaml" | "yml") {
        return false;
    }
    let keys: Vec<&str> = code
        .lines()
        .filter(|l| !l.starts_with([' ', '\t', '-', '#']))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
        .collect();
    // A misspelt key (`requries`) still marks a contract, so lint reports
    // the typo instead of silently showing the block as an example.
    keys.iter().any(|k| {
        CONTRACT_KEYS
            .iter()
            .any(|c| c == k || (k.len() > 4 && close(c, k)))
    }) && !keys.iter().any(|k| *k == "apiVersion" || *k == "kind")
}

/// Whether two words differ by at most two letters (edit distance).
pub fn close(a: &str, b: &str) -> bool {
    strsim::levenshtein(a, b) <= 2
}

/// Reads a contract block; the error carries the 0-based line inside the block.
pub fn parse_contract(code: &str) -> Result<Contract, (usize, String)> {
    let c: Contract = serde_yaml::from_str(code).map_err(|e| {
        let mut msg = e.to_string();
        // The caller gives the file line; the block-relative one would mislead.
        if let Some(i) = msg.rfind(" at line ") {
            msg.truncate(i);
        }
        (e.location().map_or(0, |l| l.line().saturating_sub(1)), msg)
    })?;
    if let Some(id) = &c.id
        && !is_step_id(id)
    {
        return Err((
            0,
            format!("id '{id}' must be letters, digits, '-', '_' or '.'"),
        ));
    }
    Ok(c)
}

fn is_step_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Where a branch in a step's prose points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// "go to step 4": the 4th step of the same section.
    Number(usize),
    /// "go to step mitigate-2" or a `[link](#mitigate-2)`: a step id, or a
    /// section heading's anchor (its first step).
    Id(String),
}

/// A jump written in a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// What the runbook says, for the picker and the timeline.
    pub label: String,
    /// Where it goes.
    pub target: Target,
}

static BRANCH: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:go|jump|skip|continue|proceed|move|return)\s+(?:on\s+|straight\s+|back\s+)?to\s+step\s+#?([A-Za-z0-9](?:[\w.-]*\w)?)",
    )
    .ok()
});

/// The "go to step N" / "jump to step N" phrases in `text`, in order.
pub fn branches_in(text: &str) -> Vec<Branch> {
    let Some(re) = BRANCH.as_ref() else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?.as_str();
            let t = c.get(1)?.as_str();
            let target = match t.parse::<usize>() {
                Ok(n) => Target::Number(n),
                Err(_) => Target::Id(t.to_string()),
            };
            Some(Branch {
                label: whole.to_string(),
                target,
            })
        })
        .collect()
}

/// GitHub-style anchor of a heading: lower case, spaces to dashes,
/// punctuation dropped.
pub fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Whether a command changes something. Used when a step does not say: a
/// read-only session refuses these, so the guess errs towards "changes".
pub fn looks_mutating(command: &str) -> bool {
    command
        .split(['|', ';', '&', '\n'])
        .any(|part| segment_mutates(part.trim()))
}

fn segment_mutates(part: &str) -> bool {
    let mut words: Vec<&str> = part.split_whitespace().collect();
    // `sudo kubectl …`, `xargs rm`: the wrapped program is what runs.
    while let Some(first) = words.first() {
        let wrapper = matches!(*first, "sudo" | "xargs" | "env" | "nohup" | "time" | "exec")
            || first.starts_with('-')
            || (first.contains('=') && !first.starts_with('='));
        if !wrapper {
            break;
        }
        words.remove(0);
    }
    let Some(&prog) = words.first() else {
        return false;
    };
    let prog = prog.rsplit('/').next().unwrap_or(prog);
    // The first word that is not a flag or a flag's value is the verb.
    let verbs: Vec<&str> = words[1..]
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    let verb = verbs.first().copied().unwrap_or("");
    let lower = part.to_lowercase();
    match prog {
        "kubectl" | "oc" => {
            const CHANGES: &[&str] = &[
                "apply",
                "create",
                "delete",
                "patch",
                "replace",
                "edit",
                "scale",
                "drain",
                "cordon",
                "uncordon",
                "taint",
                "label",
                "annotate",
                "set",
                "autoscale",
                "expose",
                "run",
                "cp",
                "exec",
            ];
            let rollout_change = words.contains(&"rollout")
                && words
                    .iter()
                    .any(|w| matches!(*w, "restart" | "undo" | "pause" | "resume"));
            CHANGES.iter().any(|v| verbs.contains(v)) || rollout_change
        }
        "helm" => matches!(
            verb,
            "install" | "upgrade" | "rollback" | "uninstall" | "delete"
        ),
        "psql" | "mysql" => {
            const SQL: &[&str] = &[
                "update ",
                "delete ",
                "insert ",
                "drop ",
                "alter ",
                "truncate ",
                "create ",
                "grant ",
                "revoke ",
                "select pg_promote",
                "pg_terminate_backend",
            ];
            SQL.iter().any(|s| lower.contains(s))
        }
        "curl" => {
            words.windows(2).any(|w| {
                matches!(w[0], "-X" | "--request")
                    && matches!(
                        w[1].to_uppercase().as_str(),
                        "POST" | "PUT" | "DELETE" | "PATCH"
                    )
            }) || words
                .iter()
                .any(|w| w.starts_with("-XPOST") || *w == "--data")
        }
        "systemctl" | "service" => verbs
            .iter()
            .any(|v| matches!(*v, "restart" | "stop" | "start" | "reload" | "disable")),
        "rm" | "mv" | "dd" | "mkfs" | "reboot" | "shutdown" | "kill" | "pkill" | "iptables" => true,
        "terraform" => !matches!(verb, "plan" | "show" | "validate"),
        "aws" | "gcloud" | "az" => !verbs
            .iter()
            .any(|v| v.starts_with("describe") || v.starts_with("list") || v.starts_with("get")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_blocks_are_told_from_examples() {
        assert!(is_contract_block(
            "yaml",
            "id: drain\nrequires: [check-1]\n"
        ));
        assert!(is_contract_block("yml", "verify: kubectl get pods\n"));
        assert!(is_contract_block("contract", "id: x\n"));
        assert!(is_contract_block("yaml contract", "id: x\n"));
        assert!(!is_contract_block(
            "yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  owner: x\n"
        ));
        assert!(!is_contract_block("yaml", "replicas: 3\n"));
        assert!(
            is_contract_block("yaml", "requries: [a]\n"),
            "a typo still counts"
        );
        assert!(!is_contract_block("yaml", "data:\n  key: v\n"));
        assert!(!is_contract_block("sh", "verify: x\n"));
    }

    #[test]
    fn contracts_parse_strictly() {
        let c = parse_contract(
            "id: failover\nrequires: check-1\nowner: database\ndanger: true\ntimeout: 2m\nresource: db-0\n",
        )
        .expect("parses");
        assert_eq!(c.id.as_deref(), Some("failover"));
        assert_eq!(c.requires, ["check-1"]);
        assert_eq!(c.owner, Some(Owner::Database));
        assert!(c.danger);
        assert_eq!(c.timeout.map(|t| t.0.as_secs()), Some(120));
        let (line, msg) = parse_contract("id: x\nrequries: [a]\n").expect_err("typo");
        assert_eq!(line, 1);
        assert!(msg.contains("requries"), "{msg}");
        let (_, msg) = parse_contract("owner: network\n").expect_err("bad owner");
        assert!(msg.contains("platform"), "{msg}");
        let (_, msg) = parse_contract("id: two words\n").expect_err("bad id");
        assert!(msg.contains("two words"), "{msg}");
        assert!(parse_contract("danger: maybe\n").is_err());
    }

    #[test]
    fn branches_are_found_in_prose() {
        let b =
            branches_in("If the pool is full, go to step 4. Otherwise jump to step mitigate-2.");
        assert_eq!(
            b.iter().map(|b| b.target.clone()).collect::<Vec<_>>(),
            [Target::Number(4), Target::Id("mitigate-2".into())]
        );
        assert_eq!(b[0].label, "go to step 4");
        assert!(branches_in("Skip straight to step 3").len() == 1);
        assert!(branches_in("step 4 is optional").is_empty());
    }

    #[test]
    fn anchors_follow_github() {
        assert_eq!(anchor("Mitigate"), "mitigate");
        assert_eq!(anchor("2. Roll back (fast)"), "2-roll-back-fast");
    }

    #[test]
    fn mutating_commands_are_recognised() {
        for c in [
            "kubectl -n shop delete pod x",
            "kubectl rollout restart deploy/x",
            "kubectl -n shop rollout undo deploy/catalog",
            "kubectl scale --replicas=3 deploy/x",
            "helm rollback shop 3",
            "psql -c 'SELECT pg_promote()'",
            "curl -X POST http://x/api",
            "kubectl get pods | xargs rm",
        ] {
            assert!(looks_mutating(c), "{c}");
        }
        for c in [
            "kubectl -n shop get pods",
            "kubectl rollout status deploy/x",
            "kubectl logs deploy/x --previous",
            "promtool query instant http://p 'up'",
            "psql -c 'select now() - pg_last_xact_replay_timestamp()'",
            "curl -s http://x/metrics",
            "aws ec2 describe-instances",
        ] {
            assert!(!looks_mutating(c), "{c}");
        }
    }
}
