//! What `warroom open` was given, read from what a page or a teammate
//! pastes: an Alertmanager link (its `filter` matchers and flags), a
//! Prometheus alerts or graph link that names an alert, an alert
//! fingerprint, an alert name with `label=value` matchers, or an incident
//! id. Pure: nothing here reaches a server.

#[cfg(test)]
#[allow(clippy::panic)]
mod tests;

use regex::Regex;

use super::alert::Alert;

/// How a matcher compares a label's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`: equal.
    Eq,
    /// `!=`: not equal.
    Ne,
    /// `=~`: the whole value matches the regular expression.
    Re,
    /// `!~`: the whole value does not match it.
    NotRe,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Re => "=~",
            Op::NotRe => "!~",
        }
    }
}

/// One label matcher, as Alertmanager and Prometheus write them.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The label.
    pub name: String,
    /// The comparison.
    pub op: Op,
    /// The value or expression.
    pub value: String,
    /// The expression compiled (anchored), for `=~` and `!~`.
    re: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        (&self.name, self.op, &self.value) == (&other.name, other.op, &other.value)
    }
}

impl Matcher {
    /// A matcher; a regular expression that does not compile is an error.
    pub fn new(name: &str, op: Op, value: &str) -> Result<Matcher, String> {
        if !valid_label_name(name) {
            return Err(format!("'{name}' is not a label name"));
        }
        let re = match op {
            Op::Re | Op::NotRe => Some(
                Regex::new(&format!("^(?:{value})$"))
                    .map_err(|e| format!("{name}{}\"{value}\": {e}", op.as_str()))?,
            ),
            Op::Eq | Op::Ne => None,
        };
        Ok(Matcher {
            name: name.to_string(),
            op,
            value: value.to_string(),
            re,
        })
    }

    /// Whether an alert's labels satisfy it (a missing label is empty, as
    /// in Alertmanager).
    pub fn matches(&self, alert: &Alert) -> bool {
        let v = alert.label(&self.name).unwrap_or("");
        match (self.op, &self.re) {
            (Op::Eq, _) => v == self.value,
            (Op::Ne, _) => v != self.value,
            (Op::Re, Some(re)) => re.is_match(v),
            (Op::NotRe, Some(re)) => !re.is_match(v),
            (_, None) => false,
        }
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op.as_str(), self.value)
    }
}

/// Which alerts a link or a name asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertQuery {
    /// Every matcher must hold.
    pub matchers: Vec<Matcher>,
    /// `silenced=false` in a link: leave silenced alerts out.
    pub silenced: Option<bool>,
    /// `inhibited=false` in a link: leave inhibited alerts out.
    pub inhibited: Option<bool>,
    /// The link's `receiver`, kept to say what was asked (warroom's alerts
    /// do not carry their receivers).
    pub receiver: Option<String>,
}

impl AlertQuery {
    /// Whether `alert` is one of those asked for.
    pub fn matches(&self, alert: &Alert) -> bool {
        use super::alert::AlertState;
        if self.silenced == Some(false) && alert.state == AlertState::Silenced {
            return false;
        }
        if self.inhibited == Some(false) && alert.state == AlertState::Inhibited {
            return false;
        }
        self.matchers.iter().all(|m| m.matches(alert))
    }
}

impl std::fmt::Display for AlertQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.matchers.iter().map(ToString::to_string).collect();
        write!(f, "{{{}}}", parts.join(","))?;
        // Alerts do not carry their routes: the receiver is said, not checked.
        if let Some(r) = &self.receiver {
            write!(f, " (receiver {r:?} not checked)")?;
        }
        Ok(())
    }
}

/// What `warroom open` goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Alerts matching a query.
    Alerts(AlertQuery),
    /// One alert by its fingerprint.
    Fingerprint(String),
    /// An incident by its id.
    Incident(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Alerts(q) => write!(f, "{q}"),
            Target::Fingerprint(fp) => write!(f, "the alert with fingerprint {fp}"),
            Target::Incident(id) => write!(f, "incident {id}"),
        }
    }
}

/// What a link or argument list can be, said when it is none of them.
pub const EXPECTED: &str = "an Alertmanager link (…/#/alerts?filter={alertname=\"X\"}), a Prometheus alerts or graph link naming an alert (…/graph?g0.expr=ALERTS{alertname=\"X\"}), an alert fingerprint (16 hex digits), an alert name with label=value matchers (CatalogP99Latency namespace=shop), a matcher list ({alertname=\"X\"}) or an incident id (2026-11-29-catalog-p99-latency)";

/// Reads the arguments of `warroom open`.
pub fn parse(args: &[String]) -> Result<Target, String> {
    let Some(first) = args.first().map(|a| a.trim()) else {
        return Err(format!("nothing to open: give {EXPECTED}"));
    };
    let rest = &args[1..];
    if first.starts_with("http://") || first.starts_with("https://") {
        if !rest.is_empty() {
            return Err("a link stands alone: give nothing after it".into());
        }
        return link(first).map(Target::Alerts);
    }
    if first.contains("://") {
        return Err(format!("'{first}' is not a web link; expected {EXPECTED}"));
    }
    if first.starts_with('{') {
        let mut q = AlertQuery {
            matchers: matchers(first)?,
            ..AlertQuery::default()
        };
        for a in rest {
            q.matchers.push(one_matcher(a)?);
        }
        return Ok(Target::Alerts(q));
    }
    if rest.is_empty() && is_fingerprint(first) {
        return Ok(Target::Fingerprint(first.to_ascii_lowercase()));
    }
    if rest.is_empty() && is_incident_id(first) {
        return Ok(Target::Incident(first.to_string()));
    }
    if !valid_label_value_word(first) {
        return Err(format!(
            "'{first}' is not an alert name; expected {EXPECTED}"
        ));
    }
    let mut q = AlertQuery {
        matchers: vec![Matcher::new("alertname", Op::Eq, first)?],
        ..AlertQuery::default()
    };
    for a in rest {
        q.matchers.push(one_matcher(a)?);
    }
    Ok(Target::Alerts(q))
}

/// An Alertmanager or Prometheus link's query. The host is not checked:
/// the configured Alertmanager is asked, whatever host the page named.
fn link(text: &str) -> Result<AlertQuery, String> {
    let url = url::Url::parse(text).map_err(|e| format!("'{text}' is not a link ({e})"))?;
    // The UI keeps its state after `#` (`#/alerts?filter=…`), newer ones in
    // the query string.
    let fragment = url.fragment().unwrap_or("");
    let (route, query) = match fragment.split_once('?') {
        Some((r, q)) => (r.to_string(), q.to_string()),
        None if !fragment.is_empty() => (fragment.to_string(), String::new()),
        None => (
            url.path().to_string(),
            url.query().unwrap_or("").to_string(),
        ),
    };
    let query = if query.is_empty() {
        url.query().unwrap_or("").to_string()
    } else {
        query
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let flag = |k: &str| get(k).and_then(|v| v.parse::<bool>().ok());
    let route = route.trim_end_matches('/');
    if route.ends_with("/alerts") || route.ends_with("#/alerts") || route == "/alerts" {
        if let Some(filter) = get("filter") {
            return Ok(AlertQuery {
                matchers: matchers(&filter)?,
                silenced: flag("silenced"),
                inhibited: flag("inhibited"),
                receiver: get("receiver").filter(|r| !r.is_empty()),
            });
        }
        // Prometheus's own alerts page: `?search=` finds alert names
        // containing the term, whatever their case.
        if let Some(term) = get("search")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        {
            let re = format!("(?i).*{}.*", regex::escape(&term));
            return Ok(AlertQuery {
                matchers: vec![Matcher::new("alertname", Op::Re, &re)?],
                ..AlertQuery::default()
            });
        }
        return Err(format!(
            "the link names no alert (no filter= or search= in it); expected {EXPECTED}"
        ));
    }
    if route.ends_with("/graph") || route.ends_with("/query") {
        // g0.expr=ALERTS{alertname="X",…}: the alert's own series.
        let expr = get("g0.expr").or_else(|| get("expr")).unwrap_or_default();
        if expr.matches('{').count() != expr.matches('}').count() {
            return Err(format!("unbalanced braces in the link's expression {expr}"));
        }
        if let Some(start) = expr.find('{')
            && expr[..start].trim_end().ends_with("ALERTS")
            && let Some(end) = expr[start..].find('}')
        {
            let ms = matchers(&expr[start..start + end + 1])?;
            if ms.iter().any(|m| m.name == "alertname") {
                let ms = ms.into_iter().filter(|m| m.name != "alertstate").collect();
                return Ok(AlertQuery {
                    matchers: ms,
                    ..AlertQuery::default()
                });
            }
        }
        return Err(format!(
            "the Prometheus link's expression names no alert (expected ALERTS{{alertname=\"…\"}}); expected {EXPECTED}"
        ));
    }
    Err(format!(
        "'{text}' is neither an Alertmanager alerts link nor a Prometheus alerts or graph link; expected {EXPECTED}"
    ))
}

/// `{a="1",b=~"x|y"}` (the braces optional), values quoted or bare.
pub fn matchers(text: &str) -> Result<Vec<Matcher>, String> {
    let inner = text.trim();
    if inner.starts_with('{') != inner.ends_with('}') {
        return Err(format!("unbalanced braces in {text}"));
    }
    let inner = inner.strip_prefix('{').unwrap_or(inner);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    let mut out = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        let op = [
            ("=~", Op::Re),
            ("!~", Op::NotRe),
            ("!=", Op::Ne),
            ("=", Op::Eq),
        ]
        .into_iter()
        .find(|(s, _)| rest.starts_with(s));
        let Some((sym, op)) = op else {
            let near = if rest.is_empty() { name } else { rest };
            return Err(format!(
                "malformed matcher near '{near}' in {text}: expected name=\"value\" (or != =~ !~)"
            ));
        };
        rest = rest[sym.len()..].trim_start();
        let (value, after) = if let Some(q) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut escaped = false;
            let mut end = None;
            for (i, c) in q.char_indices() {
                match (escaped, c) {
                    (true, c) => {
                        value.push(match c {
                            'n' => '\n',
                            c => c,
                        });
                        escaped = false;
                    }
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        end = Some(i + 1);
                        break;
                    }
                    (false, c) => value.push(c),
                }
            }
            let end = end.ok_or_else(|| format!("unclosed quote in {text}"))?;
            (value, &q[end..])
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            (rest[..end].trim().to_string(), &rest[end..])
        };
        out.push(Matcher::new(name, op, &value)?);
        rest = after.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    if out.is_empty() {
        return Err(format!("no matchers in {text}"));
    }
    Ok(out)
}

/// `label=value` (or `!=`, `=~`, `!~`) as typed after an alert name.
fn one_matcher(text: &str) -> Result<Matcher, String> {
    let ms = matchers(text)?;
    match <[Matcher; 1]>::try_from(ms) {
        Ok([m]) => Ok(m),
        Err(_) => Err(format!("'{text}': one label=value per argument")),
    }
}

fn valid_label_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An alert name as typed: a word of letters, digits, `_`, `:`, `-`, `.`.
fn valid_label_value_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

/// Alertmanager fingerprints are 16 hexadecimal digits.
fn is_fingerprint(s: &str) -> bool {
    s.len() == 16 && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// warroom's incident ids: a date, then a slug (`2026-11-29-catalog-…`);
/// a drill's or game-day's has its kind first (`drill-2026-11-29-…`).
fn is_incident_id(s: &str) -> bool {
    let s = s
        .strip_prefix("drill-")
        .or_else(|| s.strip_prefix("gameday-"))
        .unwrap_or(s);
    let b = s.as_bytes();
    b.len() > 11
        && s[..10].chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        })
        && b[10] == b'-'
        && s[11..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
