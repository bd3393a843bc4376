//! Which peers may speak for the client, and what they say: the proxies
//! the app trusts with `X-Forwarded-*`, `X-Script-Name` and `Forwarded`.
//! From anyone else these headers are ignored, so that a client cannot
//! move itself past a proxy's path rules, pass for another address, or put
//! a host of its choosing into the URLs the app builds.
//!
//! What a trusted proxy says is checked before it is believed: an address
//! that does not parse, a scheme other than `http` or `https`, a host that
//! is not a host name are ignored, as if the proxy had said nothing.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::header::HeaderName;
use http::{Extensions, HeaderMap};

use crate::edge::trusted_proxies::TrustedProxies;

/// Which headers the app's proxies set: every proxy sets one family, and a
/// header of the other family that reaches the app came from the client,
/// through a proxy that did not know to remove it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeaders {
    /// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`, and the
    /// prefix in `X-Forwarded-Prefix` or `X-Script-Name`: what nginx,
    /// HAProxy, Traefik and the cloud load balancers set. The default.
    #[default]
    XForwarded,
    /// RFC 7239's `Forwarded` (its `for`, `proto` and `host`), and the
    /// prefix in `X-Forwarded-Prefix` or `X-Script-Name`, which it has no
    /// parameter for.
    Forwarded,
}

/// The trusted proxies and the headers they set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Proxies {
    pub(crate) trusted: TrustedProxies,
    pub(crate) headers: ProxyHeaders,
}

/// What a trusted proxy said about the client and the URL it used. The
/// scheme and host are `None` when the proxy did not say, or said something
/// unusable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Forwarded {
    pub(crate) client: Client,
    /// Whether the client used https.
    pub(crate) https: Option<bool>,
    /// The host the client addressed, `example.com` or `example.com:8443`.
    pub(crate) host: Option<Box<str>>,
}

/// What a trusted proxy said of the client's address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Client {
    /// Nothing: the peer is the client.
    #[default]
    NotSaid,
    /// This address; its port is 0 when the proxy gave none.
    At(SocketAddr),
    /// Something that names no address: `unknown`, an obfuscated name,
    /// garbage, a chain too long. Not the peer either, which is the proxy.
    Unknown,
}

impl Client {
    /// The client's address, given the connection's peer.
    pub(crate) fn or_peer(self, peer: Option<SocketAddr>) -> Option<SocketAddr> {
        match self {
            Client::NotSaid => peer,
            Client::At(address) => Some(address),
            Client::Unknown => None,
        }
    }
}

/// The most hops of a forwarded chain looked at, and the most parameters of
/// one of its elements: more than this in front of one app is not a
/// deployment but a header made up to cost time.
const MAX_HOPS: usize = 32;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static FORWARDED: HeaderName = HeaderName::from_static("forwarded");

impl Proxies {
    /// Whether the request came straight from a trusted proxy. A request
    /// without its peer's address (a server started without connection
    /// info) did not.
    pub(crate) fn trusts(&self, peer: Option<SocketAddr>) -> bool {
        peer.is_some_and(|peer| self.trusted.contains(peer.ip()))
    }

    /// What the proxy said, for a request from a trusted proxy.
    pub(crate) fn forwarded(&self, headers: &HeaderMap) -> Forwarded {
        match self.headers {
            ProxyHeaders::XForwarded => Forwarded {
                client: self.x_forwarded_for(headers),
                https: last_value(headers, &X_FORWARDED_PROTO).and_then(https),
                host: last_value(headers, &X_FORWARDED_HOST)
                    .filter(|h| is_host(h))
                    .map(Box::from),
            },
            ProxyHeaders::Forwarded => self.rfc7239(headers),
        }
    }

    /// The client's address: the one a trusted proxy forwarded, else the
    /// peer's; `None` when a trusted proxy named none usable.
    pub(crate) fn client_address(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<SocketAddr> {
        let peer = peer?;
        if !self.trusted.contains(peer.ip()) {
            return Some(peer);
        }
        let client = match self.headers {
            ProxyHeaders::XForwarded => self.x_forwarded_for(headers),
            ProxyHeaders::Forwarded => self.rfc7239(headers).client,
        };
        client.or_peer(Some(peer)).map(canonical)
    }

    /// The client in `X-Forwarded-For: client, proxy1, proxy2`: each proxy
    /// appends the address it was reached from, so the list is read from
    /// the right, past the trusted proxies; whatever is left of the first
    /// address that is not one could have been written by the client, and
    /// is not looked at, even to see whether it parses.
    fn x_forwarded_for(&self, headers: &HeaderMap) -> Client {
        let mut lines = headers.get_all(&X_FORWARDED_FOR).iter().rev().peekable();
        if lines.peek().is_none() {
            return Client::NotSaid;
        }
        let mut hops = lines
            .flat_map(|line| line.as_bytes().rsplit(|b| *b == b','))
            .peekable();
        for _ in 0..MAX_HOPS {
            let Some(address) = hops
                .next()
                .and_then(|hop| node(std::str::from_utf8(hop).ok()?.trim()))
            else {
                return Client::Unknown;
            };
            if hops.peek().is_none() || !self.trusted.contains(address.ip()) {
                return Client::At(address);
            }
        }
        Client::Unknown
    }

    /// `Forwarded: for=client;proto=https;host=example.com, for=proxy1`,
    /// read as `X-Forwarded-For` is, from the right: the element of the
    /// first hop that is not a trusted proxy says who the client is and
    /// what URL it used. Elements left of it are not looked at; that one
    /// malformed, nothing is believed.
    fn rfc7239(&self, headers: &HeaderMap) -> Forwarded {
        let mut lines = headers.get_all(&FORWARDED).iter().rev().peekable();
        if lines.peek().is_none() {
            return Forwarded::default();
        }
        let unknown = Forwarded {
            client: Client::Unknown,
            ..Forwarded::default()
        };
        let mut elements = lines
            .flat_map(|line| QuoteAwareSplit::new(line.as_bytes(), b','))
            .peekable();
        for _ in 0..MAX_HOPS {
            let Some(element) = elements.next().and_then(Element::parse) else {
                return unknown;
            };
            // `unknown`, an obfuscated name, or no `for` at all: a hop
            // nobody could trust, so the walk ends there.
            let last = elements.peek().is_none();
            match element.client {
                Client::At(address) if !last && self.trusted.contains(address.ip()) => continue,
                client => {
                    return Forwarded {
                        client,
                        https: element.proto.and_then(https),
                        host: element.host.filter(|h| is_host(h)).map(Box::from),
                    };
                }
            }
        }
        unknown
    }
}

/// One element of a `Forwarded` header: its `for`, `proto` and `host`.
struct Element<'a> {
    client: Client,
    proto: Option<&'a str>,
    host: Option<&'a str>,
}

impl<'a> Element<'a> {
    /// `for=192.0.2.60;proto=http;by=203.0.113.43`, parameter names in any
    /// case, values as tokens or quoted strings. `None` when malformed.
    fn parse(text: &'a [u8]) -> Option<Element<'a>> {
        let text = std::str::from_utf8(text).ok()?;
        let mut element = Element {
            client: Client::Unknown,
            proto: None,
            host: None,
        };
        let mut pairs = text.split(';');
        for pair in pairs.by_ref().take(MAX_HOPS) {
            let (name, value) = pair.trim().split_once('=')?;
            let value = unquote(value.trim())?;
            if name.trim().eq_ignore_ascii_case("for") {
                element.client = node(value).map_or(Client::Unknown, Client::At);
            } else if name.trim().eq_ignore_ascii_case("proto") {
                element.proto = Some(value);
            } else if name.trim().eq_ignore_ascii_case("host") {
                element.host = Some(value);
            }
        }
        pairs.next().is_none().then_some(element)
    }
}

/// A quoted string's content, or a bare token; `None` for an empty value,
/// a quote that is not closed, or escapes, which no address, scheme or host
/// needs (nor `;` or `,`, which a quoted value may not hold here).
fn unquote(value: &str) -> Option<&str> {
    let inner = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?,
        None => value,
    };
    (!inner.is_empty() && !inner.contains(['"', '\\', ';', ','])).then_some(inner)
}

/// A header's comma-separated elements from the last to the first, commas
/// inside quoted strings kept: read from the right, the elements the
/// nearest proxy wrote come first whatever the client put before them.
struct QuoteAwareSplit<'a> {
    rest: Option<&'a [u8]>,
    separator: u8,
}

impl<'a> QuoteAwareSplit<'a> {
    fn new(text: &'a [u8], separator: u8) -> Self {
        QuoteAwareSplit {
            rest: Some(text),
            separator,
        }
    }
}

impl<'a> Iterator for QuoteAwareSplit<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let text = self.rest?;
        let mut quoted = false;
        for i in (0..text.len()).rev() {
            match text[i] {
                b'"' => quoted = !quoted,
                b if b == self.separator && !quoted => {
                    self.rest = Some(&text[..i]);
                    return Some(&text[i + 1..]);
                }
                _ => {}
            }
        }
        self.rest = None;
        Some(text)
    }
}

/// An address as proxies write it: `192.0.2.60`, `192.0.2.60:4711`,
/// `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:4711`. The port is 0
/// when not given.
fn node(text: &str) -> Option<SocketAddr> {
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Some(address);
    }
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    bare.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 0))
}

/// The last of a header's comma-separated values: what the nearest proxy
/// said, when several did.
fn last_value<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    let line = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    line.rsplit(',').next().map(str::trim)
}

fn https(proto: &str) -> Option<bool> {
    if proto.eq_ignore_ascii_case("https") {
        Some(true)
    } else if proto.eq_ignore_ascii_case("http") {
        Some(false)
    } else {
        None
    }
}

/// A host worth putting into URLs: a name or an IPv4 address, or an IPv6
/// address in brackets, and an optional port.
pub(crate) fn is_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && (name.starts_with('[') == name.ends_with(']')) => {
            (name, Some(port))
        }
        _ => (host, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let name_ok = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !name.is_empty()
                && name.len() <= 253
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        }
    };
    port_ok && name_ok
}

/// The connection's other end. An IPv4 client of a dual-stack listener
/// arrives as `::ffff:a.b.c.d`: it is `a.b.c.d`, for trusted proxies as for
/// logs.
pub(crate) fn peer(extensions: &Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| canonical(c.0))
}

/// `address` with an IPv4-mapped IPv6 address written as the IPv4 one.
pub(crate) fn canonical(address: SocketAddr) -> SocketAddr {
    SocketAddr::new(address.ip().to_canonical(), address.port())
}

#[cfg(test)]
mod tests {
    use http::request::Parts;

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
        h
    }

    fn proxies(headers: ProxyHeaders) -> Proxies {
        Proxies {
            trusted: TrustedProxies::parse(["10.0.0.0/8", "::1"]),
            headers,
        }
    }

    fn client(headers_: &[(&str, &str)]) -> String {
        match proxies(ProxyHeaders::XForwarded)
            .forwarded(&headers(headers_))
            .client
        {
            Client::At(address) => address.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn x_forwarded_for_is_read_from_the_right_past_trusted_proxies() {
        let xff = |v: &str| client(&[("x-forwarded-for", v)]);
        assert_eq!(client(&[]), "NotSaid");
        assert_eq!(xff("203.0.113.7"), "203.0.113.7:0");
        // The client's own entry comes first; only the proxy's append is believed.
        assert_eq!(xff("1.2.3.4, 203.0.113.7"), "203.0.113.7:0");
        assert_eq!(xff("1.2.3.4, 203.0.113.7, 10.0.0.2"), "203.0.113.7:0");
        // Every hop trusted: the first is the client.
        assert_eq!(xff("10.1.1.1, 10.0.0.2"), "10.1.1.1:0");
        assert_eq!(xff("[2001:db8::1]:4711"), "[2001:db8::1]:4711");
        assert_eq!(xff("2001:db8::1"), "[2001:db8::1]:0");
        assert_eq!(xff("[2001:db8::1]"), "[2001:db8::1]:0");
        assert_eq!(xff("198.51.100.1:8080"), "198.51.100.1:8080");
        // Garbage where the walk needs an address: no address, and not the
        // peer's either (the peer is the proxy).
        assert_eq!(xff("203.0.113.7, garbage"), "Unknown");
        assert_eq!(xff("<script>"), "Unknown");
        assert_eq!(xff(""), "Unknown");
        assert_eq!(xff("10.0.0.1, , 10.0.0.2"), "Unknown");
        // Garbage left of the client is not read at all.
        assert_eq!(xff("garbage, 203.0.113.7"), "203.0.113.7:0");
        // Two header lines are one list.
        assert_eq!(
            client(&[
                ("x-forwarded-for", "203.0.113.7"),
                ("x-forwarded-for", "10.0.0.3")
            ]),
            "203.0.113.7:0"
        );
        // A chain longer than any deployment is refused, not walked.
        let long = vec!["10.0.0.1"; MAX_HOPS + 5].join(", ");
        assert_eq!(xff(&long), "Unknown");
    }

    #[test]
    fn bytes_a_client_puts_left_of_the_proxys_entry_change_nothing() {
        let mut h = HeaderMap::new();
        h.insert(
            &X_FORWARDED_FOR,
            http::HeaderValue::from_bytes(b"\xff\xfe 6.6.6.6, 203.0.113.7").unwrap(),
        );
        let p = proxies(ProxyHeaders::XForwarded);
        assert_eq!(
            p.forwarded(&h).client,
            Client::At("203.0.113.7:0".parse().unwrap())
        );
        let mut h = HeaderMap::new();
        h.insert(
            &FORWARDED,
            http::HeaderValue::from_bytes(b"for=\"\xff, for=\"unclosed, for=203.0.113.7;proto=https")
                .unwrap(),
        );
        let f = proxies(ProxyHeaders::Forwarded).forwarded(&h);
        assert_eq!(f.client, Client::At("203.0.113.7:0".parse().unwrap()));
        assert_eq!(f.https, Some(true));
        // Padding on the left costs nothing and moves nothing.
        let padded = format!("{}for=203.0.113.7", "for=10.0.0.1, ".repeat(10_000));
        let mut h = HeaderMap::new();
        h.insert(&FORWARDED, http::HeaderValue::from_str(&padded).unwrap());
        let f = proxies(ProxyHeaders::Forwarded).forwarded(&h);
        assert_eq!(f.client, Client::At("203.0.113.7:0".parse().unwrap()));
    }

    #[test]
    fn schemes_and_hosts_are_checked() {
        let read = |pairs: &[(&str, &str)]| proxies(ProxyHeaders::XForwarded).forwarded(&headers(pairs));
        assert_eq!(read(&[("x-forwarded-proto", "https")]).https, Some(true));
        assert_eq!(read(&[("x-forwarded-proto", "HTTP")]).https, Some(false));
        assert_eq!(read(&[("x-forwarded-proto", "javascript")]).https, None);
        assert_eq!(read(&[("x-forwarded-proto", "http, https")]).https, Some(true));
        let host = |h: &str| read(&[("x-forwarded-host", h)]).host.map(String::from);
        assert_eq!(host("api.example.com").as_deref(), Some("api.example.com"));
        assert_eq!(
            host("api.example.com:8443").as_deref(),
            Some("api.example.com:8443")
        );
        assert_eq!(host("[2001:db8::1]:8443").as_deref(), Some("[2001:db8::1]:8443"));
        for bad in [
            "evil.com/path",
            "a@b",
            "x:y:z",
            "[nothere]",
            "host:99999999",
            "\"q\"",
            "",
        ] {
            assert_eq!(host(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc_7239_elements_are_read_like_x_forwarded_for() {
        let read = |v: &str| proxies(ProxyHeaders::Forwarded).forwarded(&headers(&[("forwarded", v)]));
        let at = |a: &str| Client::At(a.parse().unwrap());
        let f = read("for=192.0.2.60;proto=https;host=api.example.com;by=10.0.0.2");
        assert_eq!(f.client, at("192.0.2.60:0"));
        assert_eq!(f.https, Some(true));
        assert_eq!(f.host.as_deref(), Some("api.example.com"));
        // The proxy's element names the client; the client's own is ignored.
        let f =
            read("for=1.2.3.4;host=evil.com, For=\"[2001:db8:cafe::17]:4711\";Proto=http;host=\"a.example\"");
        assert_eq!(f.client, at("[2001:db8:cafe::17]:4711"));
        assert_eq!(f.https, Some(false));
        assert_eq!(f.host.as_deref(), Some("a.example"));
        // Past trusted hops, to the client's element.
        let f = read("for=192.0.2.60;proto=https, for=10.0.0.9;proto=http");
        assert_eq!(f.client, at("192.0.2.60:0"));
        assert_eq!(f.https, Some(true));
        // `unknown` and obfuscated names are no address; the element's
        // other parameters still count.
        let f = read("for=unknown;proto=https");
        assert_eq!(f.client, Client::Unknown);
        assert_eq!(f.https, Some(true));
        assert_eq!(read("for=_hidden").client, Client::Unknown);
        // Malformed where it is read: nothing believed.
        let unknown = Forwarded {
            client: Client::Unknown,
            ..Forwarded::default()
        };
        assert_eq!(read("for=\"1.2.3.4"), unknown);
        assert_eq!(read("for"), unknown);
        assert_eq!(read("for=192.0.2.1;host=\"a,b\""), unknown);
        assert_eq!(read("for=192.0.2.1;host=\"a;b\""), unknown);
        assert_eq!(read("for=1.2.3.4;proto=ftp").https, None);
        assert_eq!(read(&"for=10.0.0.1, ".repeat(MAX_HOPS + 1)), unknown);
    }

    #[test]
    fn each_family_ignores_the_other() {
        let both = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("forwarded", "for=198.51.100.9"),
        ]);
        assert_eq!(
            proxies(ProxyHeaders::XForwarded).forwarded(&both).client,
            Client::At("203.0.113.7:0".parse().unwrap())
        );
        assert_eq!(
            proxies(ProxyHeaders::Forwarded).forwarded(&both).client,
            Client::At("198.51.100.9:0".parse().unwrap())
        );
    }

    #[test]
    fn untrusted_peers_speak_for_themselves() {
        let request = |peer: &str| {
            let mut parts = http::Request::builder()
                .header("x-forwarded-for", "203.0.113.7")
                .body(())
                .unwrap()
                .into_parts()
                .0;
            parts
                .extensions
                .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
            parts
        };
        let p = proxies(ProxyHeaders::XForwarded);
        let address = |parts: Parts| p.client_address(&parts.headers, peer(&parts.extensions));
        assert_eq!(
            address(request("10.0.0.2:5000")),
            Some("203.0.113.7:0".parse().unwrap())
        );
        assert_eq!(
            address(request("192.0.2.99:5000")),
            Some("192.0.2.99:5000".parse().unwrap())
        );
        assert!(!p.trusts(peer(&request("192.0.2.99:5000").extensions)));
        // From a trusted peer, garbage names nobody: not the proxy either.
        let mut garbled = request("10.0.0.2:5000");
        garbled
            .headers
            .insert("x-forwarded-for", http::HeaderValue::from_static("garbage"));
        assert_eq!(address(garbled), None);
    }
}
