//! The links service in process, on SQLite (a file of the test's own) and
//! on PostgreSQL (a cluster the test starts): each scenario runs on both.

use std::time::Duration;

use futures_util::StreamExt;
use pico::Upload;
use pico::client::Client;
use serde_json::{Value, json};

use super::database::{Config, Database};
use super::link::Link;

// Formatted with the tests it belongs to, not with this example's layout.
#[rustfmt::skip]
#[path = "../../tests/support/postgres.rs"]
mod postgres;

const TOKEN: &str = "the-admin-token";

/// A database of its own for one scenario.
struct Place {
    config: Config,
    /// The SQLite file's directory, removed when dropped.
    _dir: Option<TempDir>,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config(url: String) -> Config {
    Config { url, connections: 5, acquire_timeout: Duration::from_secs(2) }
}

fn sqlite(name: &str) -> Place {
    let dir = std::env::temp_dir().join(format!("pico-links-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("links.db").display());
    Place { config: config(url), _dir: Some(TempDir(dir)) }
}

/// The service, started (its schema made), and a client to it.
async fn serve(config: &Config) -> (Client, Database) {
    let db = Database::open(config).unwrap();
    let app = super::app(db.clone(), Some(TOKEN.to_owned())).start().await.unwrap();
    (Client::in_process(app), db)
}

async fn create(client: &Client, body: Value) -> pico::client::Answer {
    client.post("links").json(&body).send().await.unwrap()
}

macro_rules! on_both {
    ($($scenario:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let place = super::sqlite(stringify!($scenario));
                    super::$scenario(&place.config).await;
                }
            )*
        }

        /// One cluster for every scenario, each on a database of its own.
        #[tokio::test]
        async fn on_postgres() {
            let Some(bin) = postgres::Postgres::installed() else {
                assert!(std::env::var("CI").as_deref() != Ok("true"), "postgresql is missing: scripts/test-all installs it");
                eprintln!("*** SKIPPED: postgresql is missing (scripts/test-all installs it) ***");
                return;
            };
            let cluster = postgres::Postgres::start(bin);
            $(
                $scenario(&config(cluster.database(stringify!($scenario)))).await;
            )*
            unavailable_while_the_server_is_down(&cluster).await;
        }
    };
}

on_both!(
    a_link_is_made_found_listed_followed_and_removed,
    a_retry_with_its_key_makes_one_link,
    sql_in_values_stays_values,
    the_import_keeps_good_lines_and_numbers_bad_ones,
    the_feed_tells_of_new_links_and_replays_since,
    database_errors_answer_409_503_and_500,
);

async fn a_link_is_made_found_listed_followed_and_removed(config: &Config) {
    let (client, _db) = serve(config).await;
    let made =
        create(&client, json!({"slug": "pico", "target": "https://example.com/", "tags": ["web", "docs", "web"]}))
            .await;
    assert_eq!(made.status(), 201, "{}", made.text());
    assert_eq!(made.header("location"), Some("http://localhost/links/pico"));
    let link: Link = made.json().unwrap();
    assert_eq!((link.slug.as_str(), link.tags.clone(), link.visits), ("pico", vec!["docs".into(), "web".into()], 0));

    // No slug: one is made up.
    let made: Link = create(&client, json!({"target": "https://example.org/"})).await.json().unwrap();
    assert_eq!(made.slug.len(), 7);
    let read: Link = client.get(&format!("links/{}", made.slug)).send().await.unwrap().json().unwrap();
    assert_eq!(read, made);

    let taken = create(&client, json!({"slug": "pico", "target": "https://example.net/"})).await;
    assert_eq!(taken.status(), 409);
    assert_eq!(taken.error().unwrap().message(), r#"the slug "pico" is taken"#);
    let bad = create(&client, json!({"slug": "Pi Co", "target": "https://example.net/"})).await;
    assert_eq!(bad.status(), 400);
    assert!(bad.error().unwrap().message().contains("is not a slug"), "{}", bad.text());
    let bad = create(&client, json!({"target": "javascript:alert(1)"})).await;
    assert_eq!(bad.status(), 400, "{}", bad.text());
    let tags: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    let bad = create(&client, json!({"target": "https://example.net/", "tags": tags})).await;
    assert_eq!(bad.status(), 422, "{}", bad.text());

    // Pages, in the order of the slugs, with and without a tag.
    for slug in ["a-1", "a-2", "a-3", "a-4", "a-5"] {
        let tags = if slug < "a-4" { json!(["odd"]) } else { json!([]) };
        assert_eq!(
            create(&client, json!({"slug": slug, "target": "https://example.com/", "tags": tags})).await.status(),
            201
        );
    }
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value =
            client.get("links").query("limit", "2").query("after", &after).send().await.unwrap().json().unwrap();
        seen.extend(page["links"].as_array().unwrap().iter().map(|l| l["slug"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    let mut all = vec!["a-1", "a-2", "a-3", "a-4", "a-5", "pico", made.slug.as_str()];
    all.sort();
    assert_eq!(seen, all);
    let odd: Value = client.get("links?tag=odd").send().await.unwrap().json().unwrap();
    let odd: Vec<&str> = odd["links"].as_array().unwrap().iter().map(|l| l["slug"].as_str().unwrap()).collect();
    assert_eq!(odd, ["a-1", "a-2", "a-3"]);
    assert_eq!(client.get("links?limit=0").send().await.unwrap().status(), 422);

    let went = client.get("go/pico").send().await.unwrap();
    assert_eq!((went.status().as_u16(), went.header("location")), (307, Some("https://example.com/")));
    let read: Link = client.get("links/pico").send().await.unwrap().json().unwrap();
    assert_eq!(read.visits, 1);
    assert_eq!(client.get("go/nothing").send().await.unwrap().status(), 404);

    let anonymous = client.request(http::Method::DELETE, "links/pico").send().await.unwrap();
    assert_eq!((anonymous.status().as_u16(), anonymous.header("www-authenticate")), (401, Some("Bearer")));
    let wrong = client.clone().bearer("guess").request(http::Method::DELETE, "links/pico").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    let admin = client.clone().bearer(TOKEN);
    let gone = admin.request(http::Method::DELETE, "links/pico").send().await.unwrap();
    assert_eq!(gone.status(), 204);
    assert_eq!(client.get("links/pico").send().await.unwrap().status(), 404);
    assert_eq!(admin.request(http::Method::DELETE, "links/pico").send().await.unwrap().status(), 404);
    // Its tags went with it: a new link of that name starts bare.
    let again: Link = create(&client, json!({"slug": "pico", "target": "https://example.com/"})).await.json().unwrap();
    assert!(again.tags.is_empty());

    // What the document says of them: the checks, the statuses, the token.
    let doc: Value = client.get("openapi.json").send().await.unwrap().json().unwrap();
    assert_eq!(doc["components"]["schemas"]["Slug"]["pattern"], "^[a-z0-9-]{3,32}$");
    let made = &doc["paths"]["/links"]["post"]["responses"];
    assert!(["201", "400", "409", "422", "503"].iter().all(|s| made.get(s).is_some()), "{made}");
    assert_eq!(doc["paths"]["/links/{slug}"]["delete"]["security"], json!([{"bearer": []}]));
}

async fn a_retry_with_its_key_makes_one_link(config: &Config) {
    let (client, db) = serve(config).await;
    let send = |key: &'static str, body: Value| {
        let client = client.clone();
        async move { client.post("links").header("idempotency-key", key).json(&body).send().await.unwrap() }
    };
    let first = send("k-1", json!({"target": "https://example.com/once"})).await;
    let again = send("k-1", json!({"target": "https://example.com/once"})).await;
    assert_eq!((first.status().as_u16(), again.status().as_u16()), (201, 201));
    assert_eq!(first.json::<Link>().unwrap(), again.json::<Link>().unwrap());
    assert_eq!(first.header("location"), again.header("location"));
    let other = send("k-1", json!({"target": "https://example.com/other"})).await;
    assert_eq!(other.status(), 422, "{}", other.text());

    // Ten tries of one key at once: one link, the same answer to each.
    let tries = (0..10).map(|_| send("k-2", json!({"target": "https://example.com/race", "tags": ["r"]})));
    let answers = futures_util::future::join_all(tries).await;
    let slugs: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status(), 201, "{}", a.text());
            a.json::<Link>().unwrap().slug
        })
        .collect();
    assert_eq!(slugs.len(), 1, "{slugs:?}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM links WHERE target = $1")
        .bind("https://example.com/race")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    let long = "k".repeat(256);
    let refused = client
        .post("links")
        .header("idempotency-key", &long)
        .json(&json!({"target": "https://example.com/"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

async fn sql_in_values_stays_values(config: &Config) {
    let (client, db) = serve(config).await;
    let hostile = ["'; DROP TABLE links; --", "x' OR '1'='1", "\"; DELETE FROM tags; --", "a-1') --", "%' OR 1=1 --"];
    let target = "https://example.com/?q=';DROP TABLE links;--";
    assert_eq!(create(&client, json!({"slug": "kept", "target": target, "tags": ["t"]})).await.status(), 201);
    for text in hostile {
        // Where the value is checked, it is refused; where it is not (a
        // path's slug, a page's `after`), it is a value that finds nothing.
        let answer = create(&client, json!({"slug": text, "target": "https://example.com/"})).await;
        assert_eq!(answer.status(), 400, "{text}: {}", answer.text());
        let answer = client.get("links").query("tag", text).send().await.unwrap();
        assert_eq!(answer.status(), 400, "{text}: {}", answer.text());
        let encoded: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
        let encoded = encoded.replace('+', "%20");
        assert_eq!(client.get(&format!("links/{encoded}")).send().await.unwrap().status(), 404, "{text}");
        assert_eq!(client.get(&format!("go/{encoded}")).send().await.unwrap().status(), 404, "{text}");
        let delete = client
            .clone()
            .bearer(TOKEN)
            .request(http::Method::DELETE, &format!("links/{encoded}"))
            .send()
            .await
            .unwrap();
        assert_eq!(delete.status(), 404, "{text}");
        let page: Value = client.get("links").query("after", text).send().await.unwrap().json().unwrap();
        assert!(page["links"].is_array(), "{page}");
    }
    let read: Link = client.get("links/kept").send().await.unwrap().json().unwrap();
    assert_eq!((read.target.as_str(), read.tags.clone()), (target, vec!["t".to_owned()]));
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM links").fetch_one(&db.pool).await.unwrap();
    assert_eq!(count, 1);
}

fn csv(text: impl Into<Vec<u8>>) -> Upload {
    Upload { file_name: "links.csv".into(), content_type: "text/csv".into(), data: text.into().into() }
}

async fn the_import_keeps_good_lines_and_numbers_bad_ones(config: &Config) {
    let (client, _db) = serve(config).await;
    assert_eq!(create(&client, json!({"slug": "taken", "target": "https://example.com/"})).await.status(), 201);
    let mut file = b"slug,target,tags\n\
        one,https://example.com/1,a b\n\
        Bad Slug,https://example.com/2,\n\
        ,https://example.com/made-up,\n\
        taken,https://example.com/4,\n\
        two,ftp://example.com/5,\n\
        three,https://example.com/6,UPPER\n\
        four,https://example.com/7\n\
        only-one-field\n"
        .to_vec();
    file.extend(b"five,https://example.com/\xff,\n");
    let answer = client.post("import").file("file", csv(file)).send().await.unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text());
    let imported: Value = answer.json().unwrap();
    let created: Vec<&str> = imported["created"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(created.len(), 3, "{imported}");
    assert_eq!((created[0], created[2]), ("one", "four"));
    let lines: Vec<u64> =
        imported["rejected"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 5, 6, 7, 9, 10], "{imported}");
    assert_eq!(imported["rejected"][1]["error"], r#"the slug "taken" is taken"#);
    let one: Link = client.get("links/one").send().await.unwrap().json().unwrap();
    assert_eq!(one.tags, ["a", "b"]);

    let too_large = vec![b'x'; super::csv_import::MAX_BYTES + 1];
    let answer = client.post("import").file("file", csv(too_large)).send().await.unwrap();
    assert_eq!(answer.status(), 413);
    let mut too_long = String::from("slug,target,tags\n");
    for i in 0..=super::csv_import::MAX_ROWS {
        too_long.push_str(&format!("row-{i},https://example.com/,\n"));
    }
    let answer = client.post("import").file("file", csv(too_long)).send().await.unwrap();
    assert_eq!(answer.status(), 413, "{}", answer.text());
    assert_eq!(client.get("links/row-0").send().await.unwrap().status(), 404, "a refused file makes nothing");
}

async fn the_feed_tells_of_new_links_and_replays_since(config: &Config) {
    let (client, _db) = serve(config).await;
    let early: Link = create(&client, json!({"slug": "early", "target": "https://example.com/"})).await.json().unwrap();
    let mut live = client.stream::<Link>("feed", &json!({})).await.unwrap();
    let mut replayed = client.stream::<Link>("feed", &json!({"since": early.created_ms})).await.unwrap();
    assert_eq!(replayed.next().await.unwrap().unwrap().slug, "early");
    create(&client, json!({"slug": "later", "target": "https://example.com/", "tags": ["x"]})).await;
    let file = "slug,target\nfrom-file,https://example.com/\n";
    client.post("import").file("file", csv(file)).send().await.unwrap();
    for feed in [&mut live, &mut replayed] {
        let link = made_after_early(feed).await;
        assert_eq!((link.slug.as_str(), link.tags.clone()), ("later", vec!["x".to_owned()]));
        assert_eq!(made_after_early(feed).await.slug, "from-file");
    }
}

/// The feed's next link but `early`: on PostgreSQL the news of `early` may
/// come after the live feed opened, as the feed promises each link at
/// least once, not at most once.
async fn made_after_early(feed: &mut pico::client::Items<Link>) -> Link {
    loop {
        let link = tokio::time::timeout(Duration::from_secs(10), feed.next()).await.unwrap().unwrap().unwrap();
        if link.slug != "early" {
            return link;
        }
    }
}

async fn database_errors_answer_409_503_and_500(config: &Config) {
    let one = Config { connections: 1, acquire_timeout: Duration::from_millis(200), ..config.clone() };
    let (client, db) = serve(&one).await;
    assert_eq!(create(&client, json!({"slug": "first", "target": "https://example.com/"})).await.status(), 201);

    // Every connection taken: a 503 that says when to come back.
    let held = db.pool.acquire().await.unwrap();
    let busy = client.get("links/first").send().await.unwrap();
    assert_eq!(busy.status(), 503, "{}", busy.text());
    assert_eq!(busy.header("retry-after"), Some("1"));
    let ready = client.get("readyz").send().await.unwrap();
    assert_eq!(ready.status(), 503);
    drop(held);
    assert_eq!(client.get("links/first").send().await.unwrap().status(), 200);

    // A failure of the database's own: a 500 that tells the client nothing
    // of the SQL.
    sqlx::query("DROP TABLE tags").execute(&db.pool).await.unwrap();
    let failed = client.get("links/first").send().await.unwrap();
    assert_eq!(failed.status(), 500, "{}", failed.text());
    let text = failed.text().to_lowercase();
    assert!(!text.contains("tags") && !text.contains("select") && !text.contains("table"), "{text}");
}

/// The server stopped under the service: 503s, then service again once it
/// is back, with no restart of the service.
async fn unavailable_while_the_server_is_down(cluster: &postgres::Postgres) {
    let one = Config { acquire_timeout: Duration::from_millis(500), ..config(cluster.database("down")) };
    let (client, _db) = serve(&one).await;
    assert_eq!(create(&client, json!({"slug": "before", "target": "https://example.com/"})).await.status(), 201);
    let mut feed = client.stream::<Link>("feed", &json!({})).await.unwrap();
    cluster.halt();
    for _ in 0..3 {
        let answer = client.get("links/before").send().await.unwrap();
        assert_eq!(answer.status(), 503, "{}", answer.text());
        assert_eq!(answer.header("retry-after"), Some("1"));
        let answer = create(&client, json!({"target": "https://example.com/"})).await;
        assert_eq!(answer.status(), 503, "{}", answer.text());
    }
    assert_eq!(client.get("readyz").send().await.unwrap().status(), 503);
    cluster.resume();
    assert_eq!(client.get("links/before").send().await.unwrap().status(), 200);
    assert_eq!(create(&client, json!({"slug": "after", "target": "https://example.com/"})).await.status(), 201);
    assert_eq!(client.get("readyz").send().await.unwrap().status(), 200);
    // The feed, open all along, hears of the link made once the database
    // was back, whether its notice came before the feed's own connection
    // to the database was made again or after.
    loop {
        let link = tokio::time::timeout(Duration::from_secs(10), feed.next()).await.unwrap().unwrap().unwrap();
        if link.slug == "after" {
            break;
        }
        assert_eq!(link.slug, "before", "only a link made before may come again");
    }
}
