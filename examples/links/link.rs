//! A link as the API answers it, and the queries that read and write links:
//! every value in them is a bound parameter (`$1`, which SQLite and
//! PostgreSQL both read), never text pasted into SQL.

use std::collections::BTreeMap;

use sqlx::{Any, AnyConnection, AnyPool, Executor};

use super::fields::{Slug, Tag, Target};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, sqlx::FromRow, pico::JsonSchema)]
#[schemars(crate = "pico::schemars")]
pub struct Link {
    pub slug: String,
    pub target: String,
    #[sqlx(skip)]
    pub tags: Vec<String>,
    pub visits: i64,
    /// When it was made, in milliseconds since 1970: what `feed?since=` takes.
    pub created_ms: i64,
}

/// A link about to be made.
pub struct NewLink {
    pub slug: Slug,
    pub target: Target,
    pub tags: Vec<Tag>,
}

pub fn now_ms() -> i64 {
    let since_1970 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_1970.as_millis()).unwrap_or(i64::MAX)
}

/// Writes `new` (its tags deduplicated) within the caller's transaction,
/// with the key of the request that made it, if any; a unique violation is
/// the caller's to read.
pub async fn insert(conn: &mut AnyConnection, new: &NewLink, key: Option<&str>) -> Result<Link, sqlx::Error> {
    let created_ms = now_ms();
    sqlx::query("INSERT INTO links (slug, target, created_ms, idempotency_key) VALUES ($1, $2, $3, $4)")
        .bind(new.slug.as_str())
        .bind(new.target.as_str())
        .bind(created_ms)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    let mut tags: Vec<String> = new.tags.iter().map(|t| t.as_str().to_owned()).collect();
    tags.sort();
    tags.dedup();
    for tag in &tags {
        sqlx::query("INSERT INTO tags (slug, tag) VALUES ($1, $2)")
            .bind(new.slug.as_str())
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Link { slug: new.slug.to_string(), target: new.target.as_str().to_owned(), tags, visits: 0, created_ms })
}

/// One link, with its tags.
pub async fn find<'c, E>(conn: E, slug: &str) -> Result<Option<Link>, sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    let sql = "SELECT slug, target, visits, created_ms FROM links WHERE slug = $1";
    let Some(link) = sqlx::query_as::<_, Link>(sql).bind(slug).fetch_optional(conn).await? else {
        return Ok(None);
    };
    Ok(with_tags(conn, vec![link]).await?.pop())
}

/// `links` with their tags, read in one query.
pub async fn with_tags<'c, E>(conn: E, mut links: Vec<Link>) -> Result<Vec<Link>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    if links.is_empty() {
        return Ok(links);
    }
    // `$1, $2, ...`: placeholders, one per slug, the slugs themselves bound.
    let marks: Vec<String> = (1..=links.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT slug, tag FROM tags WHERE slug IN ({}) ORDER BY slug, tag", marks.join(", "));
    let mut query = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
    for link in &links {
        query = query.bind(link.slug.clone());
    }
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (slug, tag) in query.fetch_all(conn).await? {
        tags.entry(slug).or_default().push(tag);
    }
    for link in &mut links {
        link.tags = tags.remove(&link.slug).unwrap_or_default();
    }
    Ok(links)
}

/// A page of the links made at or after `(created_ms, slug)`, in that
/// order, with their tags: what a feed replays.
pub async fn made_after(pool: &AnyPool, created_ms: i64, slug: &str, limit: i64) -> Result<Vec<Link>, sqlx::Error> {
    let sql = "SELECT slug, target, visits, created_ms FROM links \
               WHERE created_ms > $1 OR (created_ms = $1 AND slug > $2) ORDER BY created_ms, slug LIMIT $3";
    let page = sqlx::query_as::<_, Link>(sql).bind(created_ms).bind(slug).bind(limit).fetch_all(pool).await?;
    with_tags(pool, page).await
}
