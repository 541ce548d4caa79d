//! The pods the source reported, kept by (namespace, name), and the sorted,
//! filtered view the Pods pane draws. A change costs a lookup and a binary
//! search, so the cockpit's work under churn follows the change rate, not the
//! number of pods watched.

use std::collections::HashMap;
use std::sync::Arc;

mod rows;

pub use rows::SortedRows;

use crate::domain::pod::{Pod, PodChange};
use crate::domain::selector::Selector;
use crate::sources::kubernetes::PodScope;

/// What the view shows: the pods of a scope that pass the `/` filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewSpec {
    /// Namespace, selector and pod name in force.
    pub scope: PodScope,
    /// The `/` filter as typed.
    pub filter: String,
}

/// The spec made ready to test pods against.
struct Matcher {
    namespace: String,
    name: Option<String>,
    /// `None` when the selector cannot be read: nothing matches then.
    selector: Option<Option<Selector>>,
    words: Vec<String>,
}

impl Matcher {
    fn new(spec: &ViewSpec) -> Matcher {
        let selector = match spec.scope.selector.as_deref().map(Selector::parse) {
            None => Some(None),
            Some(Ok(s)) => Some(Some(s)),
            Some(Err(_)) => None,
        };
        Matcher {
            namespace: spec.scope.namespace.clone(),
            name: spec.scope.name.clone(),
            selector,
            words: spec
                .filter
                .split_whitespace()
                .map(str::to_lowercase)
                .collect(),
        }
    }

    fn matches(&self, p: &Pod) -> bool {
        let Some(selector) = &self.selector else {
            return false;
        };
        (self.namespace.is_empty()
            || self.namespace == crate::domain::pod::ALL_NAMESPACES
            || p.namespace == self.namespace)
            && selector.as_ref().is_none_or(|s| p.matches(s))
            && self.name.as_deref().is_none_or(|n| p.name == n)
            && self.words.iter().all(|w| {
                p.name.to_lowercase().contains(w)
                    || p.status.to_lowercase().contains(w)
                    || p.node.to_lowercase().contains(w)
            })
    }
}

/// Where a pod sorts: unhealthy first, then by name, then namespace.
fn rank(p: &Pod) -> (bool, &str, &str) {
    (p.is_healthy(), &p.name, &p.namespace)
}

/// Visible pods in order: the kept view's, or worked out for another spec.
#[derive(Debug, Clone)]
pub enum Rows<'a> {
    /// The kept view.
    Kept(&'a SortedRows),
    /// Worked out for this call.
    Fresh(Vec<Arc<Pod>>),
}

impl Rows<'_> {
    /// How many rows.
    pub fn len(&self) -> usize {
        match self {
            Rows::Kept(r) => r.len(),
            Rows::Fresh(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row at `i`.
    pub fn get(&self, i: usize) -> Option<&Arc<Pod>> {
        match self {
            Rows::Kept(r) => r.get(i),
            Rows::Fresh(v) => v.get(i),
        }
    }

    /// Rows from `start` on: what a window of the pane draws.
    pub fn iter_from(&self, start: usize) -> Box<dyn Iterator<Item = &Arc<Pod>> + '_> {
        match self {
            Rows::Kept(r) => Box::new(r.iter_from(start)),
            Rows::Fresh(v) => Box::new(v.iter().skip(start)),
        }
    }

    /// Every row, in order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = &Arc<Pod>> + '_> {
        self.iter_from(0)
    }
}

/// The rows the pane shows, in order, with the counts its title needs.
#[derive(Debug, Clone)]
pub struct PodRows<'a> {
    /// Visible pods, unhealthy first.
    pub rows: Rows<'a>,
    /// How many of them are healthy.
    pub healthy: usize,
    /// How many have restarted with a known time (the column is wider then).
    pub timed_restarts: usize,
}

#[derive(Debug, Default)]
struct View {
    spec: ViewSpec,
    rows: SortedRows,
    healthy: usize,
    timed_restarts: usize,
}

impl View {
    fn count(&mut self, p: &Pod, add: bool) {
        let (h, t) = (
            usize::from(p.is_healthy()),
            usize::from(p.restarts > 0 && p.last_restart.is_some()),
        );
        if add {
            self.healthy += h;
            self.timed_restarts += t;
        } else {
            self.healthy -= h;
            self.timed_restarts -= t;
        }
    }

    fn position(&self, p: &Pod) -> Result<usize, usize> {
        let want = rank(p);
        self.rows.position(|r| rank(r).cmp(&want))
    }

    fn insert(&mut self, p: &Arc<Pod>) {
        let want = rank(p);
        if self.rows.insert(p, |r| rank(r).cmp(&want)) {
            self.count(p, true);
        }
    }

    fn remove(&mut self, p: &Pod) {
        let want = rank(p);
        if self.rows.remove(|r| rank(r).cmp(&want)) {
            self.count(p, false);
        }
    }
}

/// How much work the store has done, for tests that count work, not time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Full replacements of the pod list (initial list, relist).
    pub replacements: usize,
    /// Times the view was rebuilt from every pod (replacement, scope or filter change).
    pub rebuilds: usize,
    /// Pods rebuilds went through.
    pub rebuilt_pods: usize,
    /// Single changes applied in place.
    pub changes: usize,
}

/// Pods by namespace, then name: looked up with borrowed names, no allocation.
#[derive(Debug, Default)]
struct ByKey {
    namespaces: HashMap<Box<str>, HashMap<Box<str>, Arc<Pod>>>,
    len: usize,
}

impl ByKey {
    fn insert(&mut self, p: Arc<Pod>) -> Option<Arc<Pod>> {
        let ns = match self.namespaces.get_mut(p.namespace.as_str()) {
            Some(ns) => ns,
            None => self
                .namespaces
                .entry(p.namespace.as_str().into())
                .or_default(),
        };
        let old = ns.insert(p.name.as_str().into(), p);
        self.len += usize::from(old.is_none());
        old
    }

    fn remove(&mut self, namespace: &str, name: &str) -> Option<Arc<Pod>> {
        let ns = self.namespaces.get_mut(namespace)?;
        let old = ns.remove(name)?;
        if ns.is_empty() {
            self.namespaces.remove(namespace);
        }
        self.len -= 1;
        Some(old)
    }

    fn get(&self, namespace: &str, name: &str) -> Option<&Arc<Pod>> {
        self.namespaces.get(namespace)?.get(name)
    }

    fn values(&self) -> impl Iterator<Item = &Arc<Pod>> {
        self.namespaces.values().flat_map(HashMap::values)
    }
}

/// Every pod reported, by (namespace, name), and the view for one spec.
#[derive(Debug, Default)]
pub struct PodStore {
    pods: ByKey,
    view: View,
    work: Work,
}

impl PodStore {
    /// A store holding these pods.
    pub fn from_pods(pods: Vec<Pod>) -> PodStore {
        let mut s = PodStore::default();
        s.replace(pods);
        s
    }

    /// Replaces every pod (a fresh list) and rebuilds the view.
    pub fn replace(&mut self, pods: Vec<Pod>) {
        self.work.replacements += 1;
        self.pods = ByKey::default();
        for p in pods {
            self.pods.insert(Arc::new(p));
        }
        self.rebuild();
    }

    /// Applies changes in order: the last change to a pod wins.
    pub fn apply(&mut self, changes: Vec<PodChange>) {
        let matcher = Matcher::new(&self.view.spec);
        for change in changes {
            self.work.changes += 1;
            let old = match change {
                PodChange::Upsert(p) => {
                    let new = Arc::new(*p);
                    let old = self.pods.insert(Arc::clone(&new));
                    if let Some(old) = &old {
                        self.view.remove(old);
                    }
                    if matcher.matches(&new) {
                        self.view.insert(&new);
                    }
                    continue;
                }
                PodChange::Remove { namespace, name } => self.pods.remove(&namespace, &name),
            };
            if let Some(old) = old {
                self.view.remove(&old);
            }
        }
    }

    /// Shows `spec` from now on; the view is rebuilt only when it differs.
    pub fn set_view(&mut self, spec: &ViewSpec) {
        if self.view.spec != *spec {
            self.view.spec = spec.clone();
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        self.work.rebuilds += 1;
        self.work.rebuilt_pods += self.pods.len;
        let matcher = Matcher::new(&self.view.spec);
        let mut rows: Vec<Arc<Pod>> = self
            .pods
            .values()
            .filter(|p| matcher.matches(p))
            .cloned()
            .collect();
        rows.sort_unstable_by(|a, b| rank(a).cmp(&rank(b)));
        let mut view = View {
            spec: std::mem::take(&mut self.view.spec),
            ..View::default()
        };
        for p in &rows {
            view.count(p, true);
        }
        view.rows = SortedRows::from_sorted(rows);
        self.view = view;
    }

    /// The rows for `spec`: the kept view when it is for that spec, else
    /// worked out afresh (a state changed outside the reducer).
    pub fn rows(&self, spec: &ViewSpec) -> PodRows<'_> {
        if self.view.spec == *spec {
            return PodRows {
                rows: Rows::Kept(&self.view.rows),
                healthy: self.view.healthy,
                timed_restarts: self.view.timed_restarts,
            };
        }
        let mut view = View::default();
        let matcher = Matcher::new(spec);
        let mut rows = Vec::new();
        for p in self.pods.values().filter(|p| matcher.matches(p)) {
            view.count(p, true);
            rows.push(Arc::clone(p));
        }
        rows.sort_unstable_by(|a, b| rank(a).cmp(&rank(b)));
        PodRows {
            rows: Rows::Fresh(rows),
            healthy: view.healthy,
            timed_restarts: view.timed_restarts,
        }
    }

    /// Where a pod is in the kept view, if it is shown.
    pub fn position(&self, namespace: &str, name: &str) -> Option<usize> {
        let p = self.get(namespace, name)?;
        self.view.position(p).ok()
    }

    /// The kept view's pod at `row`, as (namespace, name).
    pub fn key_at(&self, row: usize) -> Option<(String, String)> {
        self.view
            .rows
            .get(row)
            .map(|p| (p.namespace.clone(), p.name.clone()))
    }

    /// Rows in the kept view.
    pub fn shown(&self) -> usize {
        self.view.rows.len()
    }

    /// One pod by namespace and name.
    pub fn get(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.pods.get(namespace, name).map(|p| &**p)
    }

    /// Every pod, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Pod> {
        self.pods.values().map(|p| &**p)
    }

    /// How many pods are kept.
    pub fn len(&self) -> usize {
        self.pods.len
    }

    /// Whether no pod is kept.
    pub fn is_empty(&self) -> bool {
        self.pods.len == 0
    }

    /// The work done so far.
    pub fn work(&self) -> Work {
        self.work
    }
}

#[cfg(test)]
mod tests;
