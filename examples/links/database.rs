//! The links' database: SQLite in a file by default, PostgreSQL when
//! `DATABASE_URL` says so, behind one pool that the app keeps as state.
//! On PostgreSQL, news of a link made on any instance reaches every
//! instance by `LISTEN`/`NOTIFY`.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::postgres::PgListener;
use sqlx::{AnyConnection, AnyPool, Executor};
use tokio::sync::broadcast;

use super::link::{self, Link, now_ms};

/// The channel of `NOTIFY` that carries new links, as JSON.
const CHANNEL: &str = "links";

/// Where the database is, and how many connections to it a server keeps.
#[derive(Clone, Debug)]
pub struct Config {
    pub url: String,
    pub connections: u32,
    /// How long a request waits for a connection before it answers 503.
    pub acquire_timeout: Duration,
}

impl Config {
    /// `DATABASE_URL`, `links.db` in the working directory unless set.
    pub fn from_env() -> Config {
        Config {
            url: std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://links.db?mode=rwc".to_owned()),
            connections: 10,
            acquire_timeout: Duration::from_secs(2),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Database {
    pub pool: AnyPool,
    pub backend: Backend,
    url: String,
    news: broadcast::Sender<Link>,
}

impl Database {
    /// The pool, which connects when first asked: the server can start its
    /// checks before the database answers.
    pub fn open(config: &Config) -> Result<Database, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = match config.url.split(':').next() {
            Some("sqlite") => Backend::Sqlite,
            Some("postgres" | "postgresql") => Backend::Postgres,
            _ => {
                return Err(sqlx::Error::Configuration("DATABASE_URL is neither sqlite:// nor postgres://".into()));
            }
        };
        let pool = AnyPoolOptions::new()
            .max_connections(config.connections)
            .acquire_timeout(config.acquire_timeout)
            .connect_lazy(&config.url)?;
        // A feed that falls this far behind is ended, and its client resumes
        // with `since`.
        let (news, _) = broadcast::channel(1024);
        Ok(Database { pool, backend, url: config.url.clone(), news })
    }

    /// Brings the schema up to date, then listens for news: the app's start hook.
    pub async fn start(self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Sqlite {
            // Readers do not wait for the writer. The mode stays with the
            // file, and cannot be set inside the migrations' transaction.
            self.pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        sqlx::migrate!("examples/links/migrations").run(&self.pool).await?;
        if self.backend == Backend::Postgres {
            // Connected before the first request, so no news is missed.
            let listener = listen(&self.url).await?;
            tokio::spawn(self.relay(listener));
        }
        Ok(())
    }

    /// Whether the database answers: the readiness check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.pool.execute("SELECT 1").await.map(drop)
    }

    /// The news of links made from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Link> {
        self.news.subscribe()
    }

    /// Tells every feed of `links`, made in the transaction on `conn`. On
    /// PostgreSQL the notice goes out with the commit, to every instance;
    /// on SQLite, the caller announces them after it, to this one.
    pub async fn notify(&self, conn: &mut AnyConnection, links: &[Link]) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            for link in links {
                let payload = serde_json::to_string(link).expect("a link is JSON");
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&mut *conn).await?;
            }
        }
        Ok(())
    }

    /// After the commit: the links of [`notify`](Self::notify), to this
    /// instance's feeds, where no `NOTIFY` will bring them.
    pub fn committed(&self, links: Vec<Link>) {
        if self.backend == Backend::Sqlite {
            for link in links {
                let _ = self.news.send(link);
            }
        }
    }

    /// Forwards each `NOTIFY` to this instance's feeds, for as long as the
    /// server runs. Notices sent while the connection was lost are lost
    /// with it, so once it is made again the links made since the last
    /// notice (less a margin for commits that overtook each other) are
    /// read from the table and sent again: a feed may see a link twice,
    /// never not at all.
    async fn relay(self, mut listener: PgListener) {
        const MARGIN_MS: i64 = 5_000;
        let mut last = now_ms();
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) => match serde_json::from_str::<Link>(notice.payload()) {
                    Ok(link) => {
                        last = last.max(link.created_ms);
                        let _ = self.news.send(link);
                    }
                    Err(e) => tracing::warn!(error = %e, "a notice that is not a link"),
                },
                Ok(None) | Err(_) => {
                    tracing::warn!("the feed's connection to the database was lost; connecting again");
                    listener = self.reconnect().await;
                    last = self.catch_up(last - MARGIN_MS).await.unwrap_or(last);
                }
            }
        }
    }

    /// A new listener, tried again with growing pauses while the database
    /// is away.
    async fn reconnect(&self) -> PgListener {
        let mut pause = Duration::from_millis(100);
        loop {
            match listen(&self.url).await {
                Ok(listener) => return listener,
                Err(e) => tracing::debug!(error = %e, "the database is still away"),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// Sends the links made since `since` to this instance's feeds; the
    /// newest one's time.
    async fn catch_up(&self, since: i64) -> Result<i64, sqlx::Error> {
        let (mut created_ms, mut slug) = (since, String::new());
        loop {
            let page = link::made_after(&self.pool, created_ms, &slug, 500).await?;
            let Some(last) = page.last() else {
                return Ok(created_ms);
            };
            (created_ms, slug) = (last.created_ms, last.slug.clone());
            for link in page {
                let _ = self.news.send(link);
            }
        }
    }
}

async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
