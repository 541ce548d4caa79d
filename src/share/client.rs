//! Writing and reading a shared incident's objects through the API server:
//! create-only (409 AlreadyExists is the object already there, so a retry
//! is harmless), get, list by label, delete, and a watch that lists, then
//! follows from its resourceVersion with bookmarks, and lists again when
//! the server says 410 Gone (kube's watcher does both).

use futures_util::{Stream, StreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event as WatchEvent};
use serde_json::Value;

use super::objects::{INCIDENT_LABEL, MANAGED_BY_LABEL};
use crate::sources::kubernetes::{Kube, QuickBackoff};

/// Why the cluster did not take or give what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// RBAC refused it, or the share namespace does not exist: said
    /// plainly, and the incident stays local.
    #[error("refused by the cluster: {0}")]
    Forbidden(String),
    /// The API server did not answer: the events wait and go later.
    #[error("the API server is unreachable: {0}")]
    Unreachable(String),
    /// The server answered with an error of another kind.
    #[error("the API server refused it: {0}")]
    Refused(String),
}

impl From<kube::Error> for ShareError {
    fn from(e: kube::Error) -> Self {
        match e {
            // 404 on a create: the share namespace is missing.
            kube::Error::Api(s) if s.code == 403 || s.code == 404 => {
                ShareError::Forbidden(s.message)
            }
            kube::Error::Api(s) => ShareError::Refused(format!("{} ({})", s.message, s.code)),
            other => ShareError::Unreachable(other.to_string()),
        }
    }
}

/// How long one request may take. A frozen API server (one that accepts
/// connections and never answers) would otherwise hold a declaration or a
/// publish for the client's five-minute read timeout.
pub const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// `call`'s result, or unreachable when it is not back within
/// [`ANSWER_WITHIN`].
async fn within<T>(
    call: impl std::future::Future<Output = Result<T, kube::Error>>,
) -> Result<Result<T, kube::Error>, ShareError> {
    tokio::time::timeout(ANSWER_WITHIN, call)
        .await
        .map_err(|_| {
            ShareError::Unreachable(format!("no answer within {}s", ANSWER_WITHIN.as_secs()))
        })
}

/// A create that went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// This call made it.
    New,
    /// It was there already (an earlier try, or another host).
    AlreadyThere,
}

/// What a watch brings.
#[derive(Debug, Clone, PartialEq)]
pub enum Watched {
    /// The watch lists again (at its start, or after 410 Gone): what
    /// follows until [`Watched::Listed`] is everything the cluster holds.
    Relisting,
    /// An object, listed or new.
    Object(Value),
    /// The list is complete.
    Listed,
}

/// The share namespace's ConfigMaps on one cluster.
#[derive(Clone)]
pub struct ShareClient {
    api: kube::Api<ConfigMap>,
    namespace: String,
}

/// The label selector of one incident's objects.
pub fn selector(label: &str) -> String {
    format!("{MANAGED_BY_LABEL}=warroom,{INCIDENT_LABEL}={label}")
}

fn config_map(obj: &Value) -> Result<ConfigMap, ShareError> {
    serde_json::from_value(obj.clone()).map_err(|e| ShareError::Refused(e.to_string()))
}

fn value(cm: &ConfigMap) -> Value {
    serde_json::to_value(cm).unwrap_or(Value::Null)
}

impl ShareClient {
    /// The ConfigMaps of `namespace` on `kube`'s cluster.
    pub fn new(kube: &Kube, namespace: &str) -> Self {
        ShareClient {
            api: kube.configmaps(namespace),
            namespace: namespace.to_string(),
        }
    }

    /// The share namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Creates `obj`; one that exists already is a success.
    pub async fn create(&self, obj: &Value) -> Result<Created, ShareError> {
        let cm = config_map(obj)?;
        match within(self.api.create(&PostParams::default(), &cm)).await? {
            Ok(_) => Ok(Created::New),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(Created::AlreadyThere),
            Err(e) => Err(e.into()),
        }
    }

    /// The object named `name`, if there is one.
    pub async fn get(&self, name: &str) -> Result<Option<Value>, ShareError> {
        Ok(within(self.api.get_opt(name)).await??.as_ref().map(value))
    }

    /// Every object the selector matches, with the list's resourceVersion.
    pub async fn list(&self, selector: &str) -> Result<(Vec<Value>, String), ShareError> {
        let list = within(self.api.list(&ListParams::default().labels(selector))).await??;
        let rv = list.metadata.resource_version.clone().unwrap_or_default();
        Ok((list.items.iter().map(value).collect(), rv))
    }

    /// Whether the API server answers, and whether it still holds the
    /// event object `name` (whole, or its first part): a server that
    /// accepts connections and never answers leaves a watch silent, and so
    /// may one rebuilt empty; only asking tells.
    pub async fn probe(&self, name: &str) -> Result<bool, ShareError> {
        if self.get(name).await?.is_some() {
            return Ok(true);
        }
        Ok(self.get(&format!("{name}-p0")).await?.is_some())
    }

    /// Deletes `name`; one already gone is a success.
    pub async fn delete(&self, name: &str) -> Result<(), ShareError> {
        match within(self.api.delete(name, &DeleteParams::default())).await? {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The objects the selector matches, as they are listed and then as
    /// they are created; a failure is reported and the watch goes on
    /// (relisting after 410 Gone, with bookmarks between changes).
    pub fn watch(&self, selector: &str) -> impl Stream<Item = Result<Watched, ShareError>> + use<> {
        let cfg = watcher::Config::default().labels(selector).any_semantic();
        // Retried after 0.5 s, doubling to 4 s while the server is away:
        // never a busy loop, and back within seconds when it returns.
        let stream = watcher::watcher(self.api.clone(), cfg).backoff(QuickBackoff::default());
        stream.filter_map(|ev| async move {
            match ev {
                Ok(WatchEvent::Apply(cm) | WatchEvent::InitApply(cm)) => {
                    Some(Ok(Watched::Object(value(&cm))))
                }
                Ok(WatchEvent::Init) => Some(Ok(Watched::Relisting)),
                Ok(WatchEvent::InitDone) => Some(Ok(Watched::Listed)),
                Ok(WatchEvent::Delete(_)) => None,
                Err(watcher::Error::WatchError(s)) if s.code == 410 => None,
                Err(watcher::Error::InitialListFailed(e) | watcher::Error::WatchStartFailed(e)) => {
                    Some(Err(e.into()))
                }
                Err(e) => Some(Err(ShareError::Unreachable(e.to_string()))),
            }
        })
    }
}
