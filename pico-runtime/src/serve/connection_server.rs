//! `ConnectionServer`: the app's own server, one connection at a time, over
//! any byte stream: what the fuzz target of the serve loop drives.

use std::net::SocketAddr;
use std::sync::Arc;

use http::HeaderName;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::application::app::App;
use crate::application::into_router::AppService;
use crate::errors::refusal::Refusals;
use crate::serve::accept_loop::{PeerService, http_connection};
use crate::serve::connection::ConnectionLimits;
use crate::serve::connection::{Activity, expiry};
use crate::serve::protocol::Protocols;

/// Serves single connections over any byte stream as [`Server`](crate::Server) serves
/// those it accepts: the same HTTP layer, limits and app. The fuzz target of
/// the serve loop feeds it raw bytes over an in-memory stream; not an API.
#[doc(hidden)]
pub struct ConnectionServer {
    stack: AppService,
    protocols: Arc<Protocols>,
    limits: ConnectionLimits,
    id_header: HeaderName,
}

impl ConnectionServer {
    pub fn new(app: App) -> ConnectionServer {
        let limits = ConnectionLimits::default();
        let id_header = app.request_id_header.clone();
        ConnectionServer {
            stack: app.into_service(),
            protocols: Protocols::new(),
            limits,
            id_header,
        }
    }

    /// Serves `io` until the connection closes or expires; `addr` is the
    /// peer's address its requests carry.
    pub async fn serve<IO>(&self, io: IO, addr: SocketAddr)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        match &self.stack {
            AppService::Plain(service) => self.serve_with(io, addr, service.clone()).await,
            AppService::Cors(service) => self.serve_with(io, addr, (**service).clone()).await,
        }
    }

    async fn serve_with<S, IO>(&self, io: IO, addr: SocketAddr, service: S)
    where
        S: PeerService + Clone,
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let activity = Arc::new(Activity::default());
        let watched = Arc::clone(&activity);
        let io = Refusals::new(io, self.id_header.clone());
        let connection = http_connection(io, addr, service, &self.protocols, activity);
        tokio::select! {
            _ = connection => {}
            _ = expiry(watched, self.limits) => {}
        }
    }
}
