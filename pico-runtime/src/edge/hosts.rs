//! The hosts the app answers for (`App::allowed_hosts`), and the
//! development server's rule when it listens on loopback: only loopback
//! names. A page of another site can make its own name resolve to
//! 127.0.0.1 (DNS rebinding) and then call a local server as if it were
//! the same origin; the `Host` it sends is still its own name.

use crate::errors::http_error::HttpError;

/// The hosts a request may name.
#[derive(Debug, Clone, Default)]
pub(crate) struct AllowedHosts {
    /// Names (`api.example.com`), and whole domains (`.example.com`:
    /// itself and any name under it), without ports.
    list: Vec<String>,
    /// Also `localhost`, names under `.localhost` and loopback addresses.
    loopback: bool,
}

impl AllowedHosts {
    /// Adds a name or `.domain`; a port, if written, is ignored.
    pub(crate) fn add(&mut self, host: &str) {
        self.list.push(without_port(host).to_ascii_lowercase());
    }

    /// Whether any rule is in force: none answers every host.
    pub(crate) fn is_set(&self) -> bool {
        self.loopback || !self.list.is_empty()
    }

    /// Loopback names only (and those listed): the development server's
    /// rule on a loopback address.
    pub(crate) fn with_loopback(&mut self) {
        self.loopback = true;
    }

    /// Refuses a request for another host. A request that names none
    /// (HTTP/1.0) is not a browser's, and passes.
    pub(crate) fn check(&self, host: Option<&str>) -> Result<(), HttpError> {
        let Some(host) = host else { return Ok(()) };
        if !self.is_set() || self.allows(host) {
            return Ok(());
        }
        Err(HttpError::misdirected_request().with_message(format!(
            "This server does not answer for the host `{}`: it is not among the app's allowed hosts \
             (App::allowed_hosts).",
            host.escape_debug()
        )))
    }

    fn allows(&self, host: &str) -> bool {
        let name = without_port(host).to_ascii_lowercase();
        let name = name.trim_end_matches('.');
        if self.loopback && is_loopback(name) {
            return true;
        }
        self.list.iter().any(|allowed| match allowed.strip_prefix('.') {
            Some(domain) => name == domain || name.strip_suffix(allowed.as_str()).is_some(),
            None => name == allowed,
        })
    }
}

/// `localhost`, a name under it, or a loopback address.
fn is_loopback(name: &str) -> bool {
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    let address = name.trim_start_matches('[').trim_end_matches(']');
    address
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// `host` without `:port`; an IPv6 address keeps its brackets.
fn without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(address, _)| &host[..=address.len()]);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_listed_hosts_pass() {
        let mut hosts = AllowedHosts::default();
        assert!(hosts.check(Some("anything.test")).is_ok(), "no rule, every host");
        hosts.with_loopback();
        for host in [
            "localhost:4242",
            "LOCALHOST",
            "app.localhost:1",
            "127.0.0.1:4242",
            "127.1.2.3",
            "[::1]:4242",
            "[::1]",
        ] {
            assert!(hosts.check(Some(host)).is_ok(), "{host}");
        }
        for host in [
            "rebind.evil:4311",
            "localhost.evil",
            "127.0.0.1.evil",
            "[::2]:80",
            "10.0.0.1",
        ] {
            assert!(hosts.check(Some(host)).is_err(), "{host}");
        }
        assert!(hosts.check(None).is_ok());
        hosts.add("api.example.com");
        hosts.add(".example.org");
        for host in [
            "api.example.com:443",
            "API.Example.com.",
            "example.org",
            "a.b.example.org",
        ] {
            assert!(hosts.check(Some(host)).is_ok(), "{host}");
        }
        for host in ["example.com", "badexample.org", "api.example.com.evil"] {
            assert!(hosts.check(Some(host)).is_err(), "{host}");
        }
    }
}
