//! `/healthz` and `/readyz`, for what probes an instance (a balancer,
//! Kubernetes, systemd): alive while it answers at all; ready when the
//! app's own checks pass, and not ready from the moment the server is asked
//! to stop, so that the balancer stops sending before the drain begins.

use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

type BoxError = Box<dyn Error + Send + Sync>;
pub(crate) type Check =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>> + Send + Sync>;

/// How long a readiness check may take unless the app says otherwise.
const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The app's probes: its readiness checks, and whether it is stopping.
#[derive(Clone)]
pub(crate) struct Health {
    pub(crate) checks: Vec<(&'static str, Check)>,
    pub(crate) timeout: Duration,
    stopping: Arc<AtomicBool>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            checks: Vec::new(),
            timeout: DEFAULT_CHECK_TIMEOUT,
            stopping: Arc::default(),
        }
    }
}

/// Why the app is not ready.
pub(crate) enum NotReady {
    Stopping,
    /// The checks that failed, each with why, in the order they were added.
    Failed(Vec<(&'static str, String)>),
}

impl Health {
    /// Says "not ready" from now on: the server is stopping.
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// Runs every check at once, each within the timeout.
    pub(crate) async fn ready(&self) -> Result<(), NotReady> {
        if self.stopping.load(Ordering::Relaxed) {
            return Err(NotReady::Stopping);
        }
        let timeout = self.timeout;
        let runs = self.checks.iter().map(|(name, check)| async move {
            match tokio::time::timeout(timeout, check()).await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some((*name, e.to_string())),
                Err(_) => Some((*name, format!("no answer within {} s", timeout.as_secs_f32()))),
            }
        });
        let failed: Vec<_> = futures_util::future::join_all(runs)
            .await
            .into_iter()
            .flatten()
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(NotReady::Failed(failed))
        }
    }
}
