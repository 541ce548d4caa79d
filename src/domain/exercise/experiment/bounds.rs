//! The pre-flight checklist: before anything is applied, the Chaos Mesh
//! object is read against the blast radius the responder agreed to, and
//! every way it could reach further is refused with its reason.
//!
//! What counts as proof, where Chaos Mesh leaves room:
//! - Selectors other than labels (`expressionSelectors`,
//!   `annotationSelectors`, `fieldSelectors`, `podPhaseSelectors`,
//!   `nodeSelectors`, `nodes`) are accepted as narrowing: Chaos Mesh
//!   documents that a target must meet every selector given, so each is
//!   ANDed with the labels. `expressionSelectors` also count towards the
//!   bound (`!canary` can only be written there).
//! - `pods` (pods by name) is refused: when it is set Chaos Mesh ignores
//!   every other selector, so nothing proves the named pods carry the
//!   bound's labels.
//! - Requirements are compared one by one: a bound requirement is met when
//!   a single requirement of the manifest implies it (`tier=web` implies
//!   `tier in (web,api)`). Sound, not complete: a bound met only by two
//!   requirements together is refused.
//! - Counts are upper bounds: percentages round up, `fixed` counts its value
//!   even if fewer pods match.

use std::time::Duration;

use serde_json::{Map, Value};

use super::aim::aim;
use super::{Experiment, shown};
use crate::domain::selector::{Selector, is_object_name};
use crate::domain::time::short_duration;

/// The only API group and version warroom reads.
pub const API_VERSION: &str = "chaos-mesh.org/v1alpha1";
/// The fault kinds whose blast radius warroom can check: each aims with one
/// `spec.selector` plus `mode`/`value`, and ends after `spec.duration`.
pub const KINDS: &[&str] = &[
    "PodChaos",
    "NetworkChaos",
    "StressChaos",
    "DNSChaos",
    "HTTPChaos",
];

/// One line of the pre-flight checklist shown to the responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What is checked, e.g. `Pod count`.
    pub label: String,
    /// Whether it passes; any failure refuses the run.
    pub ok: bool,
    /// What was found, or why it is refused.
    pub detail: String,
}

/// Whether the experiment may run in a kube context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextVerdict {
    /// Listed, and not production.
    Allowed,
    /// Not in `blast_radius.contexts`: refused.
    NotListed,
    /// A production context the file allows: the responder must type
    /// `needs_typed` (the context's name) to go on.
    Production {
        /// The text the responder must type.
        needs_typed: String,
    },
    /// A production context the file does not allow: refused.
    RefusedProduction,
}

impl ContextVerdict {
    /// Whether the run must not start, whatever the responder types.
    pub fn refused(&self) -> bool {
        matches!(
            self,
            ContextVerdict::NotListed | ContextVerdict::RefusedProduction
        )
    }
}

impl Experiment {
    /// The checklist shown before anything is applied. `matching_pods` is
    /// how many pods the selector matches now, when known: modes whose count
    /// depends on it are refused without it.
    pub fn check_bounds(&self, matching_pods: Option<usize>) -> Vec<Check> {
        let spec = self.manifest.get("spec").and_then(Value::as_object);
        let source = spec
            .ok_or_else(|| "the manifest has no spec".to_string())
            .and_then(|s| mode(s, "spec"))
            .and_then(|m| {
                // Refused whatever the count: said before asking for it.
                let count = match (m, self.blast_radius.max_pods) {
                    (Mode::All, 1) => 1,
                    _ => m.count(matching_pods, "the selector")?,
                };
                Ok((count, m))
            });
        let mut checks = vec![
            check("Fault kind", self.kind_check()),
            check("Name", self.name_check()),
            check("Namespace", self.namespace_check()),
            check("Selector", self.selector_check(spec)),
        ];
        if let Some(s) = spec
            && self.fault_kind() == "NetworkChaos"
            && s.get("target").is_some_and(|t| !t.is_null())
        {
            let pods = source.as_ref().map(|(n, _)| *n).map_err(Clone::clone);
            checks.push(check("Target", self.target_check(s, pods)));
        }
        checks.push(check("Pod count", self.count_check(source)));
        checks.push(check("Duration", self.duration_check(spec)));
        if let Some(n) = matching_pods {
            checks.push(check(
                "Matching pods",
                match n {
                    0 => Err("the selector matches no pod now: there is nothing to fault".into()),
                    1 => Ok("the selector matches 1 pod now".into()),
                    n => Ok(format!("the selector matches {n} pods now")),
                },
            ));
        }
        checks
    }

    /// Whether the run may start in `context`: it must be listed in
    /// `blast_radius.contexts`; a production context also needs
    /// `allow_production: true` and the responder typing its name.
    pub fn check_context(&self, context: &str, production_contexts: &[String]) -> ContextVerdict {
        if !self.blast_radius.contexts.iter().any(|c| c == context) {
            return ContextVerdict::NotListed;
        }
        if !production_contexts.iter().any(|c| c == context) {
            return ContextVerdict::Allowed;
        }
        if self.allow_production {
            ContextVerdict::Production {
                needs_typed: context.to_string(),
            }
        } else {
            ContextVerdict::RefusedProduction
        }
    }

    fn bound(&self) -> Result<Selector, String> {
        Selector::parse(&self.blast_radius.selector)
            .ok()
            .filter(|s| !s.requirements.is_empty())
            .ok_or_else(|| "blast_radius.selector is empty or does not parse".to_string())
    }

    fn kind_check(&self) -> Result<String, String> {
        let kind = self.fault_kind();
        if kind.is_empty() {
            return Err("the manifest has no kind".into());
        }
        if !KINDS.contains(&kind) {
            let why = match kind {
                "Schedule" | "Workflow" => " (it creates other faults, on its own clock)",
                _ => "",
            };
            return Err(format!(
                "warroom cannot check the blast radius of a fault of kind {}{why}",
                shown(kind)
            ));
        }
        let api = self.manifest.get("apiVersion").and_then(Value::as_str);
        if api != Some(API_VERSION) {
            return Err(format!(
                "apiVersion must be {API_VERSION}, found '{}'",
                shown(api.unwrap_or_default())
            ));
        }
        Ok(format!("{kind} ({API_VERSION})"))
    }

    fn name_check(&self) -> Result<String, String> {
        let meta = self.manifest.get("metadata");
        match self.fault_name() {
            Some(name) if is_object_name(name) => Ok(name.to_string()),
            Some(name) => Err(format!(
                "metadata.name '{}' is not a valid Kubernetes name",
                shown(name)
            )),
            None if meta.and_then(|m| m.get("generateName")).is_some() => {
                Err("metadata.generateName: warroom needs a fixed name to delete the fault".into())
            }
            None => Err("metadata.name is missing: warroom deletes the fault by name".into()),
        }
    }

    fn namespace_check(&self) -> Result<String, String> {
        let want = &self.blast_radius.namespace;
        let ns = self
            .manifest
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str);
        match ns {
            Some(ns) if ns == want => Ok(format!("{want}, the blast radius namespace")),
            Some(ns) => Err(format!(
                "metadata.namespace '{}' is not the blast radius namespace '{want}'",
                shown(ns)
            )),
            None => Err(format!(
                "metadata.namespace is missing: write it, equal to blast_radius.namespace '{want}'"
            )),
        }
    }

    fn selector_check(&self, spec: Option<&Map<String, Value>>) -> Result<String, String> {
        let bound = self.bound()?;
        let sel = spec.and_then(|s| s.get("selector"));
        aim(
            sel,
            "spec.selector",
            &self.blast_radius.namespace,
            Some(&bound),
        )
    }

    /// NetworkChaos's other side. With `direction: to` (Chaos Mesh's
    /// default) the fault is set on the selected pods only and the target is
    /// a filter on where their traffic goes, so it must stay in the namespace
    /// and be aimed, but may be another app. With `from` the fault is set on
    /// the target pods instead, with `both` on both sides: the target must
    /// then meet the bound selector and count against `max_pods`.
    fn target_check(
        &self,
        spec: &Map<String, Value>,
        source: Result<u64, String>,
    ) -> Result<String, String> {
        let Some(target) = spec.get("target").and_then(Value::as_object) else {
            return Err("spec.target must be a mapping with selector and mode".into());
        };
        if let Some(k) = target
            .keys()
            .find(|k| !["selector", "mode", "value"].contains(&k.as_str()))
        {
            return Err(format!(
                "spec.target.{} is not a key warroom knows",
                shown(k)
            ));
        }
        let direction = match spec.get("direction") {
            None | Some(Value::Null) => "to",
            Some(Value::String(d)) if ["to", "from", "both"].contains(&d.as_str()) => d.as_str(),
            Some(other) => {
                return Err(format!(
                    "spec.direction must be to, from or both, found {}",
                    shown(&other.to_string())
                ));
            }
        };
        let ns = &self.blast_radius.namespace;
        let sel = target.get("selector");
        let mode = mode(target, "spec.target")?;
        if direction == "to" {
            let aimed = aim(sel, "spec.target.selector", ns, None)?;
            return Ok(format!(
                "traffic toward {aimed} (direction to: the target pods are not faulted)"
            ));
        }
        let bound = self.bound()?;
        let aimed = aim(sel, "spec.target.selector", ns, Some(&bound))?;
        let on_target = mode.count(None, "the target")?;
        let total = if direction == "both" {
            source.map_err(|_| "cannot count the selected pods".to_string())? + on_target
        } else {
            on_target
        };
        let max = u64::from(self.blast_radius.max_pods);
        if total > max {
            return Err(format!(
                "direction {direction} faults the target pods too: {total} pods, more than max_pods {max}"
            ));
        }
        Ok(format!(
            "{aimed}, direction {direction}: at most {total} pods faulted"
        ))
    }

    /// `mode: all` is refused when the pods matching now exceed `max_pods`,
    /// and also whenever `max_pods` is 1: a replica added during the window
    /// would be faulted too, doubling the agreed blast radius.
    fn count_check(&self, source: Result<(u64, Mode), String>) -> Result<String, String> {
        let (count, mode) = source?;
        let max = u64::from(self.blast_radius.max_pods);
        if mode == Mode::All && max == 1 {
            return Err(
                "mode all with max_pods 1: a replica added during the window would be \
                        faulted too; use mode one"
                    .into(),
            );
        }
        let plural = if count == 1 { "pod" } else { "pods" };
        if count > max {
            return Err(format!(
                "{mode}: {count} {plural}, more than max_pods {max}"
            ));
        }
        Ok(format!("{mode}: at most {count} {plural} (max_pods {max})"))
    }

    /// The fault must end by itself, inside the window and the bound, so
    /// the cluster removes it even if warroom dies.
    fn duration_check(&self, spec: Option<&Map<String, Value>>) -> Result<String, String> {
        let spec = spec.ok_or("the manifest has no spec")?;
        if spec.get("scheduler").is_some() || spec.get("schedule").is_some() {
            return Err(
                "spec repeats the fault on a schedule, so it would not end by itself".into(),
            );
        }
        let text = match spec.get("duration") {
            None | Some(Value::Null) => {
                return Err(
                    "spec.duration is missing: without it the fault lasts until deleted, \
                            and must end by itself even if warroom dies"
                        .into(),
                );
            }
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(format!(
                    "spec.duration must be text such as 30s, found {}",
                    shown(&other.to_string())
                ));
            }
        };
        let d = go_duration(text)?;
        let (window, max) = (self.window, self.blast_radius.max_duration);
        let shown_d = shown(text);
        if d > window {
            return Err(format!(
                "spec.duration {shown_d} is longer than the window {}",
                short_duration(window)
            ));
        }
        if d > max {
            return Err(format!(
                "spec.duration {shown_d} is longer than max_duration {}",
                short_duration(max)
            ));
        }
        Ok(format!(
            "{shown_d}, within the window {} and max_duration {}: the cluster ends it by itself",
            short_duration(window),
            short_duration(max)
        ))
    }
}

fn check(label: &str, result: Result<String, String>) -> Check {
    let ok = result.is_ok();
    Check {
        label: label.to_string(),
        ok,
        detail: result.unwrap_or_else(|e| e),
    }
}

/// How Chaos Mesh picks among the pods a selector matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    One,
    Fixed(u64),
    FixedPercent(u64),
    RandomMaxPercent(u64),
    All,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::One => f.write_str("mode one"),
            Mode::Fixed(v) => write!(f, "mode fixed {v}"),
            Mode::FixedPercent(p) => write!(f, "mode fixed-percent {p}%"),
            Mode::RandomMaxPercent(p) => write!(f, "mode random-max-percent {p}%"),
            Mode::All => f.write_str("mode all"),
        }
    }
}

impl Mode {
    /// The most pods it touches, given how many `what` matches.
    fn count(self, matching: Option<usize>, what: &str) -> Result<u64, String> {
        let need = || format!("{self}: cannot count the pods {what} matches");
        Ok(match self {
            Mode::One => 1,
            Mode::Fixed(v) => v,
            Mode::FixedPercent(p) | Mode::RandomMaxPercent(p) => {
                let n = matching.ok_or_else(need)? as u64;
                (p * n).div_ceil(100)
            }
            Mode::All => matching.ok_or_else(need)? as u64,
        })
    }
}

/// `mode` and `value` of a spec (or a NetworkChaos target), `at` naming it.
fn mode(obj: &Map<String, Value>, at: &str) -> Result<Mode, String> {
    let mode = match obj.get("mode") {
        None | Some(Value::Null) => {
            return Err(format!(
                "{at}.mode is missing: warroom cannot tell how many pods it touches"
            ));
        }
        Some(Value::String(m)) => m.as_str(),
        Some(other) => {
            return Err(format!(
                "{at}.mode must be text, found {}",
                shown(&other.to_string())
            ));
        }
    };
    // Chaos Mesh writes `value` as text; a number is read the same.
    let value = match obj.get("value") {
        Some(Value::String(v)) => Some(v.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let whole = |lo: u64, hi: u64| -> Result<u64, String> {
        let v = value
            .as_deref()
            .ok_or_else(|| format!("{at}.value is missing: {mode} needs it"))?;
        v.parse::<u64>()
            .ok()
            .filter(|n| (lo..=hi).contains(n) && v.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                format!(
                    "{at}.value '{}' must be a whole number from {lo} to {hi}",
                    shown(v)
                )
            })
    };
    match mode {
        "one" => Ok(Mode::One),
        "all" => Ok(Mode::All),
        "fixed" => whole(1, u64::from(u32::MAX)).map(Mode::Fixed),
        "fixed-percent" => whole(1, 100).map(Mode::FixedPercent),
        "random-max-percent" => whole(1, 100).map(Mode::RandomMaxPercent),
        other => Err(format!(
            "{at}.mode '{}' is not one of one, fixed, fixed-percent, random-max-percent, all",
            shown(other)
        )),
    }
}

/// Reads a duration as Chaos Mesh does (Go's `time.ParseDuration`): one or
/// more decimal numbers with a unit each (`ns`, `us`, `µs`, `ms`, `s`, `m`,
/// `h`), as in `30s`, `1m30s`, `1.5h`, `800ms`. Signs and zero are refused: a
/// fault must last a while and end. Days are not Go units, so `1d` is
/// refused here as the cluster would refuse it.
pub(super) fn go_duration(text: &str) -> Result<Duration, String> {
    const UNITS: &[(&str, u128)] = &[
        ("ns", 1),
        ("us", 1_000),
        ("\u{b5}s", 1_000),
        ("\u{3bc}s", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
    ];
    let bad = || {
        format!(
            "spec.duration '{}' is not a duration Chaos Mesh reads (e.g. 30s, 5m, 1m30s)",
            shown(text)
        )
    };
    let mut rest = text;
    let mut nanos: u128 = 0;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        // Longest unit first, so `ms` is not read as `m`.
        let (unit, scale) = UNITS
            .iter()
            .filter(|(u, _)| after.starts_with(u))
            .max_by_key(|(u, _)| u.len())
            .ok_or_else(bad)?;
        rest = &after[unit.len()..];
        let whole: u128 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        // Digits past nanoseconds change nothing.
        let frac = &frac[..frac.len().min(18)];
        let part: u128 = if frac.is_empty() {
            0
        } else {
            let digits: u128 = frac.parse().map_err(|_| bad())?;
            digits * scale / 10u128.pow(frac.len() as u32)
        };
        nanos = whole
            .checked_mul(*scale)
            .and_then(|n| n.checked_add(part))
            .and_then(|n| n.checked_add(nanos))
            .filter(|n| *n <= i64::MAX as u128)
            .ok_or_else(bad)?;
    }
    if nanos == 0 {
        return Err(format!("spec.duration '{}' is zero", shown(text)));
    }
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| bad())?;
    let sub = u32::try_from(nanos % 1_000_000_000).map_err(|_| bad())?;
    Ok(Duration::new(secs, sub))
}

#[cfg(test)]
mod selector_tests;
#[cfg(test)]
mod tests;
