use axum::response::{IntoResponse, Redirect};
use pico::{HttpError, Located, Request, Response, expose};
use std::{collections::BTreeMap, sync::Mutex};

#[derive(Default)]
pub struct Shelf(Mutex<BTreeMap<String, Link>>);

#[derive(Clone, serde::Serialize, pico::JsonSchema)]
#[schemars(crate = "pico::schemars")]
pub struct Link {
    slug: String,
    target: String,
    visits: u64,
}

#[derive(Debug, thiserror::Error, pico::HttpError)]
pub enum LinkError {
    #[error("there is no link {0}")]
    #[http(status = 404)]
    NotFound(String),
    #[error("the link {0} exists already")]
    #[http(status = 409)]
    Taken(String),
}

/// Lists the links, `limit` at most.
#[expose]
#[route(GET, "/links")]
pub fn list(
    #[state] shelf: &Shelf,
    #[default(20)]
    #[garde(range(min = 1, max = 100))]
    limit: u32,
) -> Vec<Link> {
    shelf.0.lock().unwrap().values().take(limit as usize).cloned().collect()
}

/// Makes a link: answers it, 201, with its URL.
#[expose]
#[route(POST, "/links")]
#[request_args(root = root_url)]
pub fn create(
    #[state] shelf: &Shelf,
    root: String,
    #[garde(pattern("^[a-z0-9-]{3,32}$"))] slug: String,
    #[garde(url, length(max = 2000))] target: String,
) -> Result<Located<Link>, LinkError> {
    let mut links = shelf.0.lock().unwrap();
    if links.contains_key(&slug) {
        return Err(LinkError::Taken(slug));
    }
    let link = Link { slug: slug.clone(), target, visits: 0 };
    links.insert(slug.clone(), link.clone());
    Ok(Located::new(format!("{root}links/{slug}"), link))
}

/// One link.
#[expose]
#[route(GET, "/links/{slug}")]
pub fn read(#[state] shelf: &Shelf, slug: String) -> Result<Link, LinkError> {
    shelf.0.lock().unwrap().get(&slug).cloned().ok_or(LinkError::NotFound(slug))
}

/// Points a link elsewhere.
#[expose]
#[route(PUT, "/links/{slug}")]
pub fn update(
    #[state] shelf: &Shelf,
    slug: String,
    #[garde(url, length(max = 2000))] target: String,
) -> Result<Link, LinkError> {
    let mut links = shelf.0.lock().unwrap();
    let link = links.get_mut(&slug).ok_or(LinkError::NotFound(slug))?;
    link.target = target;
    Ok(link.clone())
}

/// Removes a link: 204, nothing to say.
#[expose]
#[route(DELETE, "/links/{slug}")]
#[status(204)]
pub fn remove(#[state] shelf: &Shelf, slug: String) -> Result<(), LinkError> {
    shelf.0.lock().unwrap().remove(&slug).map(drop).ok_or(LinkError::NotFound(slug))
}

/// Sends the browser on to the link's target, counting the visit.
#[expose]
#[route(GET, "/go/{slug}")]
#[responses(307)]
pub fn go(#[state] shelf: &Shelf, slug: String) -> Result<Response, LinkError> {
    let mut links = shelf.0.lock().unwrap();
    let link = links.get_mut(&slug).ok_or(LinkError::NotFound(slug))?;
    link.visits += 1;
    Ok(Redirect::temporary(&link.target).into_response())
}

fn root_url(request: &Request) -> Result<String, HttpError> {
    Ok(request.root_url())
}

pico::module! {
    /// Short links, kept in memory: a resource at `/links/{slug}`, and `/go/{slug}`.
    list, create, read, update, remove, go,
}
