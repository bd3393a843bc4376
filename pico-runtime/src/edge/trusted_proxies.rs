//! The addresses the app trusts as its proxies (`App::trusted_proxies`):
//! single addresses and ranges, IPv4 and IPv6 (as `ipnet` reads and
//! matches them), IPv4-mapped IPv6 peers matched as the IPv4 addresses
//! they are.

use std::net::IpAddr;

use ipnet::IpNet;

/// Addresses and ranges of trusted proxies (`App::trusted_proxies`);
/// loopback unless told otherwise, as a proxy on the same machine is.
#[derive(Debug, Clone)]
pub(crate) struct TrustedProxies(Vec<IpNet>);

impl Default for TrustedProxies {
    fn default() -> Self {
        TrustedProxies(vec![
            IpNet::new_assert(IpAddr::from([127, 0, 0, 0]), 8),
            IpNet::from(IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1])),
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
                let address: IpAddr = address.parse().unwrap_or_else(|_| {
                    panic!("pico: trusted proxy `{entry}` is not an address or a range such as `10.0.0.0/8`")
                });
                let max = if address.is_ipv4() { 32 } else { 128 };
                let bits = bits.map_or(Some(max), |b| b.parse::<u8>().ok());
                bits.and_then(|bits| IpNet::new(address, bits).ok())
                    .unwrap_or_else(|| panic!("pico: the prefix length of `{entry}` is not 0 to {max}"))
            })
            .collect();
        TrustedProxies(ranges)
    }

    pub(crate) fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|range| range.contains(&address))
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
        // A range written from one of its hosts is still the range.
        assert!(TrustedProxies::parse(["10.1.2.3/8"]).contains("10.200.0.1".parse().unwrap()));
    }

    #[test]
    #[should_panic(expected = "is not an address or a range")]
    fn a_bad_address_is_refused() {
        TrustedProxies::parse(["10.0.0/8"]);
    }

    #[test]
    #[should_panic(expected = "prefix length")]
    fn a_bad_prefix_is_refused() {
        TrustedProxies::parse(["10.0.0.0/33"]);
    }
}
