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
use http::request::Parts;
use http::{Extensions, HeaderMap};

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

/// What a trusted proxy said about the client and the URL it used. Each
/// part is `None` when the proxy did not say, or said something unusable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Forwarded {
    /// The client's address; its port is 0 when the proxy gave none.
    pub(crate) client: Option<SocketAddr>,
    /// Whether the client used https.
    pub(crate) https: Option<bool>,
    /// The host the client addressed, `example.com` or `example.com:8443`.
    pub(crate) host: Option<Box<str>>,
}

/// The most hops of a forwarded chain looked at: more proxies than this in
/// front of one app is not a deployment but a header made up to cost time.
const MAX_HOPS: usize = 32;

static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static FORWARDED: HeaderName = HeaderName::from_static("forwarded");

impl Proxies {
    /// Whether the request came straight from a trusted proxy. A request
    /// without its peer's address (a server started without connection
    /// info) did not.
    pub(crate) fn trusts(&self, parts: &Parts) -> bool {
        peer(&parts.extensions).is_some_and(|peer| self.trusted.contains(peer.ip()))
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
            ProxyHeaders::Forwarded => self.rfc7239(headers).unwrap_or_default(),
        }
    }

    /// The client's address: the one a trusted proxy forwarded, else the
    /// peer's.
    pub(crate) fn client_address(&self, headers: &HeaderMap, extensions: &Extensions) -> Option<SocketAddr> {
        let peer = peer(extensions)?;
        if !self.trusted.contains(peer.ip()) {
            return Some(peer);
        }
        let forwarded = match self.headers {
            ProxyHeaders::XForwarded => self.x_forwarded_for(headers),
            ProxyHeaders::Forwarded => self.rfc7239(headers).and_then(|f| f.client),
        };
        Some(forwarded.unwrap_or(peer))
    }

    /// The client in `X-Forwarded-For: client, proxy1, proxy2`: each proxy
    /// appends the address it was reached from, so the list is read from
    /// the right, past the trusted proxies; everything left of the first
    /// address that is not one could have been written by the client.
    fn x_forwarded_for(&self, headers: &HeaderMap) -> Option<SocketAddr> {
        let mut hops = headers
            .get_all(&X_FORWARDED_FOR)
            .iter()
            .rev()
            .flat_map(|line| line.to_str().unwrap_or("").rsplit(','))
            .map(str::trim)
            .take(MAX_HOPS + 1)
            .peekable();
        let mut walked = 0;
        while let Some(hop) = hops.next() {
            walked += 1;
            if walked > MAX_HOPS {
                return None;
            }
            let address = node(hop)?;
            if hops.peek().is_none() || !self.trusted.contains(address.ip()) {
                return Some(address);
            }
        }
        None
    }

    /// `Forwarded: for=client;proto=https;host=example.com, for=proxy1`,
    /// read as `X-Forwarded-For` is: the element of the first hop from the
    /// right that is not a trusted proxy says who the client is and what
    /// URL it used. `None` when the header is missing or malformed.
    fn rfc7239(&self, headers: &HeaderMap) -> Option<Forwarded> {
        let mut elements = Vec::new();
        for line in headers.get_all(&FORWARDED) {
            for element in split_outside_quotes(line.to_str().ok()?, b',') {
                if elements.len() == MAX_HOPS {
                    return None;
                }
                elements.push(Element::parse(element)?);
            }
        }
        let mut chosen = None;
        for (index, element) in elements.iter().enumerate().rev() {
            chosen = Some(element);
            let Some(client) = element.client else {
                // `unknown`, an obfuscated name, or no `for` at all: the
                // hop is not an address anyone could trust.
                break;
            };
            if index == 0 || !self.trusted.contains(client.ip()) {
                break;
            }
        }
        let element = chosen?;
        Some(Forwarded {
            client: element.client,
            https: element.proto.and_then(https),
            host: element.host.filter(|h| is_host(h)).map(Box::from),
        })
    }
}

/// One element of a `Forwarded` header: its `for`, `proto` and `host`.
struct Element<'a> {
    client: Option<SocketAddr>,
    proto: Option<&'a str>,
    host: Option<&'a str>,
}

impl<'a> Element<'a> {
    /// `for=192.0.2.60;proto=http;by=203.0.113.43`, parameter names in any
    /// case, values as tokens or quoted strings.
    fn parse(text: &'a str) -> Option<Element<'a>> {
        let mut element = Element {
            client: None,
            proto: None,
            host: None,
        };
        for pair in split_outside_quotes(text, b';') {
            let (name, value) = pair.trim().split_once('=')?;
            let value = unquote(value.trim())?;
            match name.trim().to_ascii_lowercase().as_str() {
                "for" => element.client = node(value),
                "proto" => element.proto = Some(value),
                "host" => element.host = Some(value),
                _ => {}
            }
        }
        Some(element)
    }
}

/// A quoted string's content, or a bare token; `None` for a quote that is
/// not closed, or escapes, which no address, scheme or host needs.
fn unquote(value: &str) -> Option<&str> {
    match value.strip_prefix('"') {
        Some(rest) => rest
            .strip_suffix('"')
            .filter(|inner| !inner.contains(['"', '\\'])),
        None => (!value.contains('"')).then_some(value),
    }
}

/// `text` split at each `separator` outside quoted strings.
fn split_outside_quotes(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut quoted = false;
    let mut pieces = Vec::new();
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b if b == separator && !quoted => {
                pieces.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces.into_iter().filter(|p| !p.trim().is_empty())
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

fn peer(extensions: &Extensions) -> Option<SocketAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// Addresses and ranges of trusted proxies (`App::trusted_proxies`);
/// loopback unless told otherwise, as a proxy on the same machine is.
#[derive(Debug, Clone)]
pub(crate) struct TrustedProxies(Vec<Range>);

#[derive(Debug, Clone, Copy)]
struct Range {
    network: IpAddr,
    bits: u8,
}

impl Default for TrustedProxies {
    fn default() -> Self {
        TrustedProxies(vec![
            Range {
                network: IpAddr::from([127, 0, 0, 0]),
                bits: 8,
            },
            Range {
                network: IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
                bits: 128,
            },
        ])
    }
}

impl TrustedProxies {
    /// Parses `10.0.0.0/8`, `192.168.1.5`, `::1`, `fd00::/8`.
    ///
    /// # Panics
    /// On a malformed entry: a mistake in the app's own code.
    pub(crate) fn parse<I, S>(entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let ranges = entries
            .into_iter()
            .map(|entry| {
                let entry = entry.as_ref();
                let (address, bits) = match entry.split_once('/') {
                    Some((address, bits)) => (address, Some(bits)),
                    None => (entry, None),
                };
                let network: IpAddr = address.parse().unwrap_or_else(|_| {
                    panic!("pico: trusted proxy `{entry}` is not an address or a range such as `10.0.0.0/8`")
                });
                let max = if network.is_ipv4() { 32 } else { 128 };
                let bits = bits.map_or(Some(max), |b| b.parse::<u8>().ok().filter(|b| *b <= max));
                let bits =
                    bits.unwrap_or_else(|| panic!("pico: the prefix length of `{entry}` is not 0 to {max}"));
                Range { network, bits }
            })
            .collect();
        TrustedProxies(ranges)
    }

    fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|range| range.contains(address))
    }
}

impl Range {
    fn contains(self, address: IpAddr) -> bool {
        let (a, n, width) = match (address, self.network) {
            (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
            (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
            _ => return false,
        };
        let shift = width - u32::from(self.bits);
        shift >= width || (a >> shift) == (n >> shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_their_addresses() {
        let trusted = TrustedProxies::parse(["10.0.0.0/8", "192.168.1.5", "fd00::/8"]);
        assert!(trusted.contains("10.1.2.3".parse().unwrap()));
        assert!(!trusted.contains("11.0.0.1".parse().unwrap()));
        assert!(trusted.contains("192.168.1.5".parse().unwrap()));
        assert!(!trusted.contains("192.168.1.6".parse().unwrap()));
        assert!(trusted.contains("fd12::1".parse().unwrap()));
        assert!(trusted.contains("::ffff:10.9.9.9".parse().unwrap()));
        let default = TrustedProxies::default();
        assert!(default.contains("127.0.0.1".parse().unwrap()));
        assert!(default.contains("::1".parse().unwrap()));
        assert!(!default.contains("203.0.113.7".parse().unwrap()));
        assert!(TrustedProxies::parse(["0.0.0.0/0"]).contains("8.8.8.8".parse().unwrap()));
        assert!(!TrustedProxies::parse(Vec::<String>::new()).contains("127.0.0.1".parse().unwrap()));
    }

    #[test]
    #[should_panic(expected = "prefix length")]
    fn a_bad_prefix_is_refused() {
        TrustedProxies::parse(["10.0.0.0/33"]);
    }

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

    fn client(headers_: &[(&str, &str)]) -> Option<String> {
        proxies(ProxyHeaders::XForwarded)
            .forwarded(&headers(headers_))
            .client
            .map(|a| a.to_string())
    }

    #[test]
    fn x_forwarded_for_is_read_from_the_right_past_trusted_proxies() {
        let xff = |v: &str| client(&[("x-forwarded-for", v)]);
        assert_eq!(xff("203.0.113.7").as_deref(), Some("203.0.113.7:0"));
        // The client's own entry comes first; only the proxy's append is believed.
        assert_eq!(xff("1.2.3.4, 203.0.113.7").as_deref(), Some("203.0.113.7:0"));
        assert_eq!(
            xff("1.2.3.4, 203.0.113.7, 10.0.0.2").as_deref(),
            Some("203.0.113.7:0")
        );
        // Every hop trusted: the first is the client.
        assert_eq!(xff("10.1.1.1, 10.0.0.2").as_deref(), Some("10.1.1.1:0"));
        assert_eq!(xff("[2001:db8::1]:4711").as_deref(), Some("[2001:db8::1]:4711"));
        assert_eq!(xff("2001:db8::1").as_deref(), Some("[2001:db8::1]:0"));
        assert_eq!(xff("[2001:db8::1]").as_deref(), Some("[2001:db8::1]:0"));
        assert_eq!(xff("198.51.100.1:8080").as_deref(), Some("198.51.100.1:8080"));
        // Garbage where the walk needs an address: nothing is believed.
        assert_eq!(xff("203.0.113.7, garbage"), None);
        assert_eq!(xff("<script>"), None);
        assert_eq!(xff(""), None);
        // Garbage left of the client is not read at all.
        assert_eq!(xff("garbage, 203.0.113.7").as_deref(), Some("203.0.113.7:0"));
        // Two header lines are one list.
        assert_eq!(
            client(&[
                ("x-forwarded-for", "203.0.113.7"),
                ("x-forwarded-for", "10.0.0.3")
            ])
            .as_deref(),
            Some("203.0.113.7:0")
        );
        // A chain longer than any deployment is refused, not walked.
        let long = vec!["10.0.0.1"; MAX_HOPS + 5].join(", ");
        assert_eq!(xff(&long), None);
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
        let f = read("for=192.0.2.60;proto=https;host=api.example.com;by=10.0.0.2");
        assert_eq!(f.client, Some("192.0.2.60:0".parse().unwrap()));
        assert_eq!(f.https, Some(true));
        assert_eq!(f.host.as_deref(), Some("api.example.com"));
        // The proxy's element names the client; the client's own is ignored.
        let f =
            read("for=1.2.3.4;host=evil.com, For=\"[2001:db8:cafe::17]:4711\";Proto=http;host=\"a.example\"");
        assert_eq!(f.client, Some("[2001:db8:cafe::17]:4711".parse().unwrap()));
        assert_eq!(f.https, Some(false));
        assert_eq!(f.host.as_deref(), Some("a.example"));
        // Past trusted hops, to the client's element.
        let f = read("for=192.0.2.60;proto=https, for=10.0.0.9;proto=http");
        assert_eq!(f.client, Some("192.0.2.60:0".parse().unwrap()));
        assert_eq!(f.https, Some(true));
        // `unknown` and obfuscated names are no address.
        assert_eq!(read("for=unknown;proto=https").client, None);
        assert_eq!(read("for=_hidden").client, None);
        // Malformed: nothing believed.
        assert_eq!(read("for=\"1.2.3.4"), Forwarded::default());
        assert_eq!(read("for"), Forwarded::default());
        assert_eq!(read("for=1.2.3.4;proto=ftp").https, None);
        // Commas inside quotes do not split elements.
        assert_eq!(read("for=192.0.2.1;host=\"a,b\"").host, None);
    }

    #[test]
    fn each_family_ignores_the_other() {
        let both = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("forwarded", "for=198.51.100.9"),
        ]);
        assert_eq!(
            proxies(ProxyHeaders::XForwarded).forwarded(&both).client,
            Some("203.0.113.7:0".parse().unwrap())
        );
        assert_eq!(
            proxies(ProxyHeaders::Forwarded).forwarded(&both).client,
            Some("198.51.100.9:0".parse().unwrap())
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
        let address = |parts: Parts| p.client_address(&parts.headers, &parts.extensions);
        assert_eq!(
            address(request("10.0.0.2:5000")),
            Some("203.0.113.7:0".parse().unwrap())
        );
        assert_eq!(
            address(request("192.0.2.99:5000")),
            Some("192.0.2.99:5000".parse().unwrap())
        );
        assert!(!p.trusts(&request("192.0.2.99:5000")));
    }
}
