use std::sync::Arc;

use axum::response::{IntoResponse, Redirect};
use futures_util::{Stream, StreamExt, stream};
use pico::{Located, Request, Response, Upload, expose};

use super::admin::Admin;
use super::csv_import::{self, Rejected};
use super::database::Database;
use super::errors::{LinkError, is_taken};
use super::fields::{Slug, Tag, Target};
use super::link::{self, Link, NewLink};

/// A link may carry this many tags: `create`'s constraint, and the
/// import's check.
const MAX_TAGS: usize = 10;
/// A made-up slug is tried this many times before a taken one is an error.
const SLUG_TRIES: usize = 5;

/// Makes a link, with a made-up slug unless one is given: 201, with its
/// URL. A retry with the same `Idempotency-Key` makes nothing and answers
/// the link the first try made.
#[expose]
#[route(POST, "/links")]
#[request_args(root = root_url, key = pico::header("idempotency-key"))]
pub async fn create(
    #[state] db: &Database,
    root: String,
    key: Option<String>,
    target: Target,
    slug: Option<Slug>,
    #[garde(length(max = 10))] tags: Option<Vec<Tag>>,
) -> Result<Located<Link>, LinkError> {
    let tags = tags.unwrap_or_default();
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 255) {
        return Err(LinkError::BadKey);
    }
    let located = |link: Link| Located::new(format!("{root}links/{}", link.slug), link);
    for _ in 0..SLUG_TRIES {
        let new =
            NewLink { slug: slug.clone().unwrap_or_else(Slug::random), target: target.clone(), tags: tags.clone() };
        let mut tx = db.pool.begin().await?;
        let made = match link::insert(&mut tx, &new, key.as_deref()).await {
            Ok(made) => made,
            Err(e) if is_taken(&e, "Idempotency-Key") => {
                drop(tx);
                return replay(db, key.as_deref().unwrap_or_default(), &target, slug.as_ref()).await.map(located);
            }
            Err(e) if is_taken(&e, "slug") && slug.is_none() => continue,
            Err(e) if is_taken(&e, "slug") => {
                return Err(LinkError::Taken { field: "slug", value: Some(new.slug.to_string()) });
            }
            Err(e) => return Err(e.into()),
        };
        db.notify(&mut tx, std::slice::from_ref(&made)).await?;
        tx.commit().await?;
        db.committed(vec![made.clone()]);
        return Ok(located(made));
    }
    Err(LinkError::Database(sqlx::Error::Protocol("every made-up slug was taken".to_owned())))
}

/// The link an earlier request with `key` made, if it asked for the same.
async fn replay(db: &Database, key: &str, target: &Target, slug: Option<&Slug>) -> Result<Link, LinkError> {
    let sql = "SELECT slug, target, visits, created_ms FROM links WHERE idempotency_key = $1";
    let made: Option<Link> = sqlx::query_as(sql).bind(key).fetch_optional(&db.pool).await?;
    // Deleted since: the key is free again, but this retry is too late.
    let made = made.ok_or(LinkError::KeyReused)?;
    if made.target != target.as_str() || slug.is_some_and(|s| s.as_str() != made.slug) {
        return Err(LinkError::KeyReused);
    }
    Ok(link::with_tags(&db.pool, vec![made]).await?.remove(0))
}

/// One link.
#[expose]
#[route(GET, "/links/{slug}")]
pub async fn read(#[state] db: &Database, slug: String) -> Result<Link, LinkError> {
    link::find(&db.pool, &slug).await?.ok_or(LinkError::NotFound(slug))
}

/// A page of links, in the order of their slugs.
#[derive(serde::Serialize, pico::JsonSchema)]
#[schemars(crate = "pico::schemars")]
pub struct Page {
    pub links: Vec<Link>,
    /// What to pass as `after` for the next page; none on the last.
    pub next: Option<String>,
}

/// Lists the links, `limit` at a time, those with `tag` if one is given;
/// `after` is the `next` of the page before.
#[expose]
#[route(GET, "/links")]
pub async fn list(
    #[state] db: &Database,
    tag: Option<Tag>,
    #[default(20)]
    #[garde(range(min = 1, max = 100))]
    limit: u32,
    after: Option<String>,
) -> Result<Page, LinkError> {
    let after = after.unwrap_or_default();
    // One more than asked: whether it comes tells whether a next page does.
    let fetch = i64::from(limit) + 1;
    let mut links: Vec<Link> = match &tag {
        Some(tag) => {
            let sql = "SELECT l.slug, l.target, l.visits, l.created_ms FROM links l JOIN tags t ON t.slug = l.slug \
                       WHERE t.tag = $1 AND l.slug > $2 ORDER BY l.slug LIMIT $3";
            sqlx::query_as(sql).bind(tag.as_str()).bind(after).bind(fetch).fetch_all(&db.pool).await?
        }
        None => {
            let sql = "SELECT slug, target, visits, created_ms FROM links WHERE slug > $1 ORDER BY slug LIMIT $2";
            sqlx::query_as(sql).bind(after).bind(fetch).fetch_all(&db.pool).await?
        }
    };
    let next = (links.len() > limit as usize).then(|| {
        links.truncate(limit as usize);
        links.last().map(|l| l.slug.clone()).unwrap_or_default()
    });
    Ok(Page { links: link::with_tags(&db.pool, links).await?, next })
}

/// Removes a link: 204. The admin's only.
#[expose]
#[route(DELETE, "/links/{slug}")]
#[status(204)]
pub async fn remove(#[state] db: &Database, #[from_request] _admin: Admin, slug: String) -> Result<(), LinkError> {
    let gone = sqlx::query("DELETE FROM links WHERE slug = $1").bind(&slug).execute(&db.pool).await?;
    if gone.rows_affected() == 0 { Err(LinkError::NotFound(slug)) } else { Ok(()) }
}

/// Sends the browser on to the link's target, counting the visit.
#[expose]
#[route(GET, "/go/{slug}")]
#[responses(307)]
pub async fn go(#[state] db: &Database, slug: String) -> Result<Response, LinkError> {
    let sql = "UPDATE links SET visits = visits + 1 WHERE slug = $1 RETURNING target";
    let target: Option<String> = sqlx::query_scalar(sql).bind(&slug).fetch_optional(&db.pool).await?;
    let target = target.ok_or(LinkError::NotFound(slug))?;
    Ok(Redirect::temporary(&target).into_response())
}

/// What an import made, and the lines it refused.
#[derive(serde::Serialize, pico::JsonSchema)]
#[schemars(crate = "pico::schemars")]
pub struct Imported {
    /// The slugs made, in the file's order.
    pub created: Vec<String>,
    pub rejected: Vec<Rejected>,
}

/// Makes the links of a CSV file (`slug,target,tags`, with a header), 1,000
/// and 1 MiB at most. A bad line or a slug taken is reported by its number;
/// the other lines are made, all in one transaction.
#[expose]
#[route(POST, "/import")]
pub async fn import(#[state] db: &Database, file: Upload) -> Result<Imported, LinkError> {
    let csv_import::Lines { links, mut rejected } = csv_import::read(&file.data)?;
    let mut tx = db.pool.begin().await?;
    let mut made = Vec::new();
    for (line, new) in links {
        if new.tags.len() > MAX_TAGS {
            rejected.push(Rejected { line, error: format!("over {MAX_TAGS} tags") });
            continue;
        }
        // A slug taken must not undo the others: PostgreSQL ends a
        // transaction at its first error, so the savepoint keeps it to
        // this line.
        let mut line_tx = sqlx::Connection::begin(&mut *tx).await?;
        match link::insert(&mut line_tx, &new, None).await {
            Ok(link) => {
                line_tx.commit().await?;
                made.push(link);
            }
            Err(e) if is_taken(&e, "slug") => {
                line_tx.rollback().await?;
                rejected.push(Rejected { line, error: format!("the slug {:?} is taken", new.slug.as_str()) });
            }
            Err(e) => return Err(e.into()),
        }
    }
    db.notify(&mut tx, &made).await?;
    tx.commit().await?;
    rejected.sort_by_key(|r| r.line);
    let created = made.iter().map(|l| l.slug.clone()).collect();
    db.committed(made);
    Ok(Imported { created, rejected })
}

/// The links made from now on, one event each, on every instance; with
/// `since` (milliseconds since 1970, a link's `created_ms`), first those
/// made since then, so that a client that reconnects misses none (it may
/// see one twice). A client that falls far behind is ended, to resume.
#[expose]
#[stream]
#[route(GET, "/feed")]
pub fn feed(#[state] db: Arc<Database>, since: Option<i64>) -> impl Stream<Item = Result<Link, LinkError>> {
    // Subscribed first: a link made during the replay is in the news.
    let news = db.subscribe();
    let replay = match since {
        Some(since) => made_since(db, since).boxed(),
        None => stream::empty().boxed(),
    };
    let live = stream::unfold(news, |mut news| async move {
        match news.recv().await {
            Ok(link) => Some((Ok(link), news)),
            Err(_lagged_or_closed) => None,
        }
    });
    replay.chain(live)
}

/// The links made at or after `since`, read a page at a time.
fn made_since(db: Arc<Database>, since: i64) -> impl Stream<Item = Result<Link, LinkError>> {
    const PAGE: i64 = 500;
    let start = Some((since, String::new()));
    stream::unfold(start, move |cursor| {
        let db = Arc::clone(&db);
        async move {
            let (created_ms, slug) = cursor?;
            let page = link::made_after(&db.pool, created_ms, &slug, PAGE).await;
            match page {
                Ok(page) => {
                    let next = (page.len() as i64 == PAGE)
                        .then(|| page.last().map(|l| (l.created_ms, l.slug.clone())))
                        .flatten();
                    Some((stream::iter(page.into_iter().map(Ok)).boxed(), next))
                }
                Err(e) => Some((stream::iter([Err(LinkError::from(e))]).boxed(), None)),
            }
        }
    })
    .flatten()
}

fn root_url(request: &Request) -> Result<String, pico::HttpError> {
    Ok(request.root_url())
}

pico::module! {
    /// Short links, kept in a database: a resource at `/links/{slug}`, `/go/{slug}`, an import and a live feed.
    create, read, list, remove, go, import, feed,
}
