//! Where a webhook may point. Targets are HTTPS on public addresses, or hosts and CIDRs listed in
//! `SAMVERKAN_WEBHOOK_ALLOW` (the only way to reach private or loopback addresses; listed targets
//! may use plain HTTP). Every resolved address is checked, and the checked addresses are the ones
//! connected to (see `CheckedResolver`), so DNS cannot change its answer between check and use.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;

/// The parsed `SAMVERKAN_WEBHOOK_ALLOW`: comma-separated host names, IP addresses and CIDRs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

impl AllowList {
    /// Parses the entries; a bad entry is an error (the service refuses to start).
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        let mut list = AllowList::default();
        for raw in entries {
            let entry = raw.trim();
            if let Ok(net) = entry.parse::<IpNet>() {
                list.nets.push(net.trunc());
            } else if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip));
            } else if is_host_name(entry) {
                list.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "SAMVERKAN_WEBHOOK_ALLOW: '{entry}' is neither a host name, an IP address nor a CIDR"
                ));
            }
        }
        Ok(list)
    }

    pub fn lists_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    pub fn lists_address(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|n| n.contains(&ip))
    }
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// Addresses that are not on the public internet: loopback, private, link-local, CGNAT,
/// unspecified, multicast, broadcast, documentation, benchmarking and reserved ranges, and IPv6
/// forms that embed an IPv4 address which is itself refused.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || a >= 240 // reserved
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64: may reach any IPv4 address
        || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard-only 100::/64
        || (s[0..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated)
        || (s[0] == 0x2002 && forbidden_v4(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ))) // 6to4 carrying a refused IPv4 address
}

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotAUrl,
    Scheme,
    Credentials,
    NoHost,
    /// Plain HTTP to a target that is not listed.
    PlainHttp,
    /// An address that is not public and not listed.
    Address(IpAddr),
}

impl Refusal {
    /// A sentence for logs and `lastError` (never the URL: it may carry a token).
    pub fn describe(&self) -> String {
        match self {
            Refusal::NotAUrl => "not an absolute URL".into(),
            Refusal::Scheme => "only https (or http to a listed target) is allowed".into(),
            Refusal::Credentials => "user names and passwords in the URL are not allowed".into(),
            Refusal::NoHost => "the URL has no host".into(),
            Refusal::PlainHttp => {
                "plain http is allowed only to targets listed in SAMVERKAN_WEBHOOK_ALLOW".into()
            }
            Refusal::Address(ip) => format!(
                "the target resolves to {ip}, which is not a public address and not listed in SAMVERKAN_WEBHOOK_ALLOW"
            ),
        }
    }
}

/// A URL that passed the checks that need no DNS.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: url::Url,
    pub host: Host,
    /// The host name itself is listed: any address it resolves to is allowed.
    pub host_listed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ip(IpAddr),
    Name(String),
}

/// Checks the scheme, credentials and, for an IP literal, the address. Names are checked when
/// they are resolved (`check_addresses`).
pub fn parse(raw: &str, allow: &AllowList) -> Result<Target, Refusal> {
    let url = url::Url::parse(raw).map_err(|_| Refusal::NotAUrl)?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Refusal::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    let host = match url.host() {
        None => return Err(Refusal::NoHost),
        Some(url::Host::Ipv4(ip)) => Host::Ip(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Host::Ip(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => Host::Name(d.trim_end_matches('.').to_ascii_lowercase()),
    };
    let host_listed = match &host {
        Host::Name(n) => allow.lists_host(n),
        Host::Ip(ip) => allow.lists_address(*ip),
    };
    if let Host::Ip(ip) = host
        && !host_listed
        && is_forbidden(ip)
    {
        return Err(Refusal::Address(ip));
    }
    // `localhost` and every name below it are loopback by definition (RFC 6761 §6.3), whatever a
    // resolver answers for them.
    if let Host::Name(name) = &host
        && !host_listed
        && (name == "localhost" || name.ends_with(".localhost"))
    {
        return Err(Refusal::Address(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)));
    }
    if url.scheme() == "http" && !host_listed {
        // A name may still be listed through its addresses; `check_addresses` decides then.
        if matches!(host, Host::Ip(_)) {
            return Err(Refusal::PlainHttp);
        }
    }
    Ok(Target {
        url,
        host,
        host_listed,
    })
}

/// Checks the addresses a name resolved to: every one must be public or listed, and plain HTTP
/// needs every one listed.
pub fn check_addresses(
    target: &Target,
    addrs: &[IpAddr],
    allow: &AllowList,
) -> Result<(), Refusal> {
    if target.host_listed {
        return Ok(());
    }
    for ip in addrs {
        let listed = allow.lists_address(*ip);
        if !listed && is_forbidden(*ip) {
            return Err(Refusal::Address(*ip));
        }
        if !listed && target.url.scheme() == "http" {
            return Err(Refusal::PlainHttp);
        }
    }
    Ok(())
}

/// Resolves a host name with the system resolver.
pub async fn lookup(host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
    Ok(tokio::net::lookup_host((host, port)).await?.collect())
}

/// The resolver the delivery client uses: it resolves, refuses the whole name when any address
/// is refused, and hands exactly the checked addresses to the connector.
pub struct CheckedResolver {
    pub allow: Arc<AllowList>,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        Box::pin(async move {
            let addrs = lookup(&host, 0).await?;
            if !allow.lists_host(&host) {
                for addr in &addrs {
                    if !allow.lists_address(addr.ip()) && is_forbidden(addr.ip()) {
                        let refusal = Refusal::Address(addr.ip());
                        return Err(refusal.describe().into());
                    }
                }
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(entries: &[&str]) -> AllowList {
        AllowList::parse(&entries.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn non_public_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::1",
        ] {
            assert!(is_forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.215.14",
            "8.8.8.8",
            "172.32.0.1",
            "2a00:1450::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn the_allow_list_takes_hosts_addresses_and_cidrs_and_refuses_anything_else() {
        let list = allow(&[
            "127.0.0.1/32",
            "10.0.0.0/8",
            "::1",
            "Hooks.Intranet.Boras.se",
        ]);
        assert!(list.lists_address("127.0.0.1".parse().unwrap()));
        assert!(!list.lists_address("127.0.0.2".parse().unwrap()));
        assert!(list.lists_address("10.200.1.1".parse().unwrap()));
        assert!(list.lists_address("::1".parse().unwrap()));
        assert!(list.lists_address("::ffff:127.0.0.1".parse().unwrap()));
        assert!(list.lists_host("hooks.intranet.boras.se"));
        for bad in ["http://x", "10.0.0.0/33", "a b", "*.boras.se", "-x.se"] {
            assert!(
                AllowList::parse(&[bad.to_string()]).is_err(),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn loopback_and_plain_http_need_the_allow_list() {
        let none = AllowList::default();
        assert_eq!(
            parse("https://127.0.0.1:8443/x", &none).unwrap_err(),
            Refusal::Address("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            parse("http://93.184.215.14/x", &none).unwrap_err(),
            Refusal::PlainHttp
        );
        assert_eq!(
            parse("ftp://example.org/", &none).unwrap_err(),
            Refusal::Scheme
        );
        assert_eq!(
            parse("https://u:p@example.org/", &none).unwrap_err(),
            Refusal::Credentials
        );
        assert!(parse("https://93.184.215.14/x", &none).is_ok());
        // Other spellings of loopback are normalised by the URL parser and refused the same way.
        for spelled in [
            "https://0x7f000001/",
            "https://127.1/",
            "https://2130706433/",
            "https://[::ffff:7f00:1]/",
        ] {
            assert!(parse(spelled, &none).is_err(), "{spelled}");
        }
        assert!(parse("https://[::1]/x", &none).is_err());
        let local = allow(&["127.0.0.1/32"]);
        assert!(parse("http://127.0.0.1:9000/hook", &local).is_ok());
    }

    #[test]
    fn every_resolved_address_is_checked() {
        let none = AllowList::default();
        let target = parse("https://hooks.example.org/x", &none).unwrap();
        let public: IpAddr = "93.184.215.14".parse().unwrap();
        let private: IpAddr = "10.0.0.5".parse().unwrap();
        assert!(check_addresses(&target, &[public], &none).is_ok());
        assert_eq!(
            check_addresses(&target, &[public, private], &none).unwrap_err(),
            Refusal::Address(private)
        );
        let nets = allow(&["10.0.0.0/8"]);
        assert!(check_addresses(&target, &[private], &nets).is_ok());
        let plain = parse("http://hooks.example.org/x", &nets).unwrap();
        assert!(check_addresses(&plain, &[private], &nets).is_ok());
        assert_eq!(
            check_addresses(&plain, &[public], &nets).unwrap_err(),
            Refusal::PlainHttp
        );
        let named = allow(&["hooks.example.org"]);
        let listed = parse("http://hooks.example.org/x", &named).unwrap();
        assert!(check_addresses(&listed, &[private], &named).is_ok());
    }
}
