//! [`Networks`]: addresses and CIDR blocks looked up in time bounded by the address width.

use std::collections::HashMap;
use std::net::IpAddr;

use super::hash::BuildFast;

/// A set of IPv4 and IPv6 networks, each with a value. A lookup tries each prefix length that the set
/// holds once (at most 33 for IPv4 and 129 for IPv6, whatever the number of networks), longest first,
/// so the most specific network wins.
#[derive(Debug, Default, Clone)]
pub(super) struct Networks {
    /// Per prefix length present, longest first: the masked network addresses.
    v4: Vec<(u8, HashMap<u32, usize, BuildFast>)>,
    v6: Vec<(u8, HashMap<u128, usize, BuildFast>)>,
}

/// Reads `192.0.2.0/24`, `2001:db8::/32` or a single address (host bits are cleared when inserted).
pub(super) fn parse_network(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (
            address.trim().parse::<IpAddr>().ok()?,
            prefix.trim().parse::<u8>().ok()?,
        ),
        None => {
            let address = text.parse::<IpAddr>().ok()?;
            (address, if address.is_ipv4() { 32 } else { 128 })
        }
    };
    let address = canonical(address);
    let bits = if address.is_ipv4() { 32 } else { 128 };
    (prefix <= bits).then_some((address, prefix))
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are their IPv4 address.
pub(super) fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

fn mask4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl Networks {
    /// Adds a network; an equal network added before keeps its value.
    pub(super) fn insert(&mut self, address: IpAddr, prefix: u8, value: usize) {
        match address {
            IpAddr::V4(v4) => {
                let key = u32::from(v4) & mask4(prefix);
                table(&mut self.v4, prefix).entry(key).or_insert(value);
            }
            IpAddr::V6(v6) => {
                let key = u128::from(v6) & mask6(prefix);
                table(&mut self.v6, prefix).entry(key).or_insert(value);
            }
        }
    }

    /// The value of the most specific network holding `address`.
    pub(super) fn lookup(&self, address: IpAddr) -> Option<usize> {
        match canonical(address) {
            IpAddr::V4(v4) => {
                let ip = u32::from(v4);
                self.v4
                    .iter()
                    .find_map(|(prefix, nets)| nets.get(&(ip & mask4(*prefix))).copied())
            }
            IpAddr::V6(v6) => {
                let ip = u128::from(v6);
                self.v6
                    .iter()
                    .find_map(|(prefix, nets)| nets.get(&(ip & mask6(*prefix))).copied())
            }
        }
    }

    pub(super) fn len(&self) -> usize {
        self.v4.iter().map(|(_, n)| n.len()).sum::<usize>()
            + self.v6.iter().map(|(_, n)| n.len()).sum::<usize>()
    }
}

fn table<K>(
    tables: &mut Vec<(u8, HashMap<K, usize, BuildFast>)>,
    prefix: u8,
) -> &mut HashMap<K, usize, BuildFast> {
    let position = match tables.iter().position(|(p, _)| *p <= prefix) {
        Some(i) if tables[i].0 == prefix => i,
        Some(i) => {
            tables.insert(i, (prefix, HashMap::default()));
            i
        }
        None => {
            tables.push((prefix, HashMap::default()));
            tables.len() - 1
        }
    };
    &mut tables[position].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_network_wins_and_mapped_addresses_are_ipv4() {
        let mut nets = Networks::default();
        for (i, text) in [
            "0.0.0.0/0",
            "198.51.100.0/24",
            "198.51.100.7",
            "2001:db8::/32",
        ]
        .into_iter()
        .enumerate()
        {
            let (address, prefix) = parse_network(text).unwrap();
            nets.insert(address, prefix, i);
        }
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(nets.lookup(ip("198.51.100.7")), Some(2));
        assert_eq!(nets.lookup(ip("198.51.100.8")), Some(1));
        assert_eq!(nets.lookup(ip("::ffff:198.51.100.9")), Some(1));
        assert_eq!(nets.lookup(ip("203.0.113.1")), Some(0));
        assert_eq!(nets.lookup(ip("2001:db8:1::5")), Some(3));
        assert_eq!(nets.lookup(ip("2001:db9::5")), None);
        assert_eq!(
            nets.lookup(ip("198.51.100.77")),
            Some(1),
            "host bits of a lookup are masked"
        );
        assert!(parse_network("198.51.100.0/33").is_none());
    }
}
