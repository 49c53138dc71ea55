//! The Discovery URI of an integration, checked and normalised.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use switchboard_domain::FieldError;
use url::{Host, Url};

/// Where OpenID Connect Discovery 1.0 puts the provider's document, below its issuer.
pub const DISCOVERY_SUFFIX: &str = "/.well-known/openid-configuration";

/// The longest Discovery URI accepted.
const MAX_CHARS: usize = 2048;

/// A Discovery URI that passed every rule; its issuer is the URI without [`DISCOVERY_SUFFIX`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryUri(Url);

impl DiscoveryUri {
    /// Reads what an admin typed: a full discovery URI, an issuer URL (the suffix is added), or
    /// a bare host such as `acme.okta.com` (https and the suffix are added).
    pub fn parse(
        field: &str,
        input: &str,
        allow_insecure_localhost: bool,
    ) -> Result<Self, FieldError> {
        let fail = |message: &str| Err(FieldError::new(field, message));
        let input = input.trim();
        if input.is_empty() {
            return fail("Discovery URI is required.");
        }
        if input.chars().count() > MAX_CHARS {
            return fail("Discovery URI must be at most 2048 characters.");
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return fail("Discovery URI must not contain spaces.");
        }
        let has_scheme =
            input.contains("://") || input.contains(':') && !looks_like_host_port(input);
        let text = if has_scheme {
            input.to_owned()
        } else if input.starts_with('/') || input.starts_with('.') {
            return fail(
                "Discovery URI must be absolute, like https://acme.okta.com/.well-known/openid-configuration.",
            );
        } else {
            format!("https://{input}")
        };
        let Ok(mut url) = Url::parse(&text) else {
            return fail("Discovery URI is not a valid URL.");
        };
        match url.scheme() {
            "https" => {}
            "http" => {
                if !is_loopback(&url) {
                    return fail("Discovery URI must use https.");
                }
                if !allow_insecure_localhost {
                    return fail(
                        "Discovery URI must use https (http to this machine needs SWITCHBOARD_ALLOW_INSECURE_LOCALHOST).",
                    );
                }
            }
            _ => return fail("Discovery URI must use https."),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return fail("Discovery URI must not contain a user name or password.");
        }
        if url.fragment().is_some() {
            return fail("Discovery URI must not contain a #fragment.");
        }
        match url.host() {
            None => return fail("Discovery URI needs a host."),
            Some(Host::Domain(domain)) => {
                if !domain.contains('.') && domain != "localhost" {
                    return fail("Discovery URI needs a full host name, like acme.okta.com.");
                }
                if domain == "localhost" && !allow_insecure_localhost {
                    return fail(
                        "Discovery URI points at this machine; that needs SWITCHBOARD_ALLOW_INSECURE_LOCALHOST.",
                    );
                }
            }
            Some(Host::Ipv4(ip)) => check_address(field, IpAddr::V4(ip), allow_insecure_localhost)?,
            Some(Host::Ipv6(ip)) => check_address(field, IpAddr::V6(ip), allow_insecure_localhost)?,
        }
        if !url.path().ends_with(DISCOVERY_SUFFIX) {
            let path = url.path().trim_end_matches('/').to_owned();
            url.set_path(&format!("{path}{DISCOVERY_SUFFIX}"));
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The issuer the document must name, exactly: the URI without the discovery suffix.
    pub fn issuer(&self) -> String {
        let mut issuer = self.0.clone();
        let path = issuer.path().trim_end_matches(DISCOVERY_SUFFIX).to_owned();
        issuer.set_path(&path);
        issuer.set_query(None);
        let text = issuer.to_string();
        // `Url` writes an empty path as "/"; an issuer has no trailing slash unless it has one.
        if path.is_empty() {
            text.trim_end_matches('/').to_owned()
        } else {
            text
        }
    }
}

/// Whether a document's `issuer` is the one its Discovery URI implies: exactly, or, for an
/// issuer with no path, with the one `/` that URL parsers write for an empty path anyway
/// (`https://acme.us.auth0.com/`, Auth0's spelling, is the same URL as the slash-less form).
/// An issuer with a path must match exactly: `/p` and `/p/` are different URLs.
pub fn names_issuer(found: &str, implied: &str) -> bool {
    if found == implied {
        return true;
    }
    let host_only = |issuer: &str| {
        issuer
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.contains('/'))
    };
    found.strip_suffix('/') == Some(implied) && host_only(implied)
}

fn looks_like_host_port(input: &str) -> bool {
    // `acme.okta.com:8443/x` has a colon but no scheme.
    input.split_once(':').is_some_and(|(host, rest)| {
        host.contains('.') && rest.chars().next().is_some_and(|c| c.is_ascii_digit())
    })
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_address(field: &str, ip: IpAddr, allow_loopback: bool) -> Result<(), FieldError> {
    if ip.is_loopback() {
        return if allow_loopback {
            Ok(())
        } else {
            Err(FieldError::new(
                field,
                "Discovery URI points at this machine; that needs SWITCHBOARD_ALLOW_INSECURE_LOCALHOST.",
            ))
        };
    }
    if address_is_public(ip) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "Discovery URI points at a private, link-local or reserved address; use the provider's public host name.",
        ))
    }
}

/// Whether `ip` is an ordinary public address: not private, loopback, link-local (which holds
/// the cloud metadata service, 169.254.169.254), shared, documentation, multicast or reserved.
///
/// IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
/// `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) are judged by the IPv4
/// address inside, since that is where the packets end up.
pub fn address_is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, c, _] = ip.octets();
            !(ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.is_multicast()
                || ip.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240)
        }
        IpAddr::V6(ip) => {
            if let Some(v4) = embedded_ipv4(ip) {
                return address_is_public(IpAddr::V4(v4));
            }
            let segments = ip.segments();
            let first = segments[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed by some)
                || (first == 0x64 && segments[1] == 0xff9b) // NAT64, local-use 64:ff9b:1::/48
                || (first == 0x0100 && segments[1..4] == [0, 0, 0]) // discard-only
                || (first == 0x2001 && segments[1] == 0) // Teredo: hides the IPv4 address
                || (first == 0x2001 && segments[1] == 0x0db8)) // documentation
        }
    }
}

/// The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one.
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = ip.segments();
    let octets = ip.octets();
    let last_four = || Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15]);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    // IPv4-compatible ::a.b.c.d (but not :: and ::1, which are themselves).
    if segments[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(last_four());
    }
    // NAT64, well-known prefix 64:ff9b::/96.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(last_four());
    }
    // 6to4 2002:aabb:ccdd::/48.
    if segments[0] == 0x2002 {
        return Some(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<String, String> {
        DiscoveryUri::parse("discoveryUri", input, false)
            .map(|uri| uri.as_str().to_owned())
            .map_err(|e| e.message)
    }

    #[test]
    fn full_uris_issuers_and_bare_hosts_are_accepted() {
        let full = "https://acme.okta.com/.well-known/openid-configuration";
        assert_eq!(parse(full).unwrap(), full);
        assert_eq!(parse("  acme.okta.com ").unwrap(), full);
        assert_eq!(parse("https://acme.okta.com/").unwrap(), full);
        assert_eq!(
            parse("https://acme.okta.com/oauth2/default").unwrap(),
            "https://acme.okta.com/oauth2/default/.well-known/openid-configuration"
        );
        assert_eq!(
            parse("login.example.com:8443/realms/x").unwrap(),
            "https://login.example.com:8443/realms/x/.well-known/openid-configuration"
        );
    }

    #[test]
    fn an_issuer_may_end_in_the_slash_discovery_drops() {
        assert!(names_issuer(
            "https://acme.us.auth0.com/",
            "https://acme.us.auth0.com"
        ));
        assert!(names_issuer(
            "https://acme.okta.com",
            "https://acme.okta.com"
        ));
        assert!(!names_issuer(
            "https://acme.okta.com",
            "https://acme.okta.com/"
        ));
        assert!(!names_issuer(
            "https://acme.okta.com//",
            "https://acme.okta.com"
        ));
        assert!(!names_issuer(
            "https://evil.example/",
            "https://acme.okta.com"
        ));
    }

    #[test]
    fn the_issuer_is_the_uri_without_the_suffix() {
        let uri = DiscoveryUri::parse("d", "https://acme.okta.com/oauth2/default", false).unwrap();
        assert_eq!(uri.issuer(), "https://acme.okta.com/oauth2/default");
        let uri = DiscoveryUri::parse("d", "acme.okta.com", false).unwrap();
        assert_eq!(uri.issuer(), "https://acme.okta.com");
    }

    #[test]
    fn unsafe_or_malformed_uris_are_refused_with_a_reason() {
        for (input, reason) in [
            ("", "required"),
            (&"a".repeat(3000), "at most 2048"),
            ("https://acme .okta.com", "spaces"),
            ("http://acme.okta.com", "must use https"),
            ("javascript:alert(1)", "must use https"),
            ("file:///etc/passwd", "must use https"),
            ("ftp://acme.okta.com", "must use https"),
            ("/.well-known/openid-configuration", "absolute"),
            ("https://user:pass@acme.okta.com", "user name or password"),
            ("https://acme.okta.com/#x", "fragment"),
            ("https://intranet/", "full host name"),
            ("https://10.0.0.5/", "private"),
            ("https://192.168.1.1/", "private"),
            (
                "https://169.254.169.254/latest/meta-data",
                "private, link-local",
            ),
            ("https://[fe80::1]/", "link-local"),
            ("https://[fd00::1]/", "private"),
            ("https://100.64.0.1/", "reserved"),
            ("https://0.0.0.0/", "reserved"),
            ("https://127.0.0.1/", "SWITCHBOARD_ALLOW_INSECURE_LOCALHOST"),
            (
                "http://127.0.0.1:8080/",
                "SWITCHBOARD_ALLOW_INSECURE_LOCALHOST",
            ),
            ("https://localhost/", "SWITCHBOARD_ALLOW_INSECURE_LOCALHOST"),
        ] {
            let error = parse(input).expect_err(input);
            assert!(error.contains(reason), "{input:?}: {error}");
        }
    }

    #[test]
    fn loopback_http_needs_the_insecure_flag() {
        let uri = DiscoveryUri::parse("d", "http://127.0.0.1:4100", true).unwrap();
        assert_eq!(
            uri.as_str(),
            "http://127.0.0.1:4100/.well-known/openid-configuration"
        );
        assert_eq!(uri.issuer(), "http://127.0.0.1:4100");
        // The flag opens loopback only.
        assert!(DiscoveryUri::parse("d", "http://10.0.0.1/", true).is_err());
        assert!(DiscoveryUri::parse("d", "http://acme.okta.com/", true).is_err());
    }

    #[test]
    fn public_addresses_are_told_from_internal_ones() {
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(address_is_public(public.parse().unwrap()), "{public}");
        }
        for internal in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.0.1",
            "192.0.0.170",
            // IPv6 forms of internal IPv4 addresses.
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::1",     // local-use NAT64
            "2002:7f00:1::1",   // 6to4 of 127.0.0.1
            "2002:a00:1::1",    // 6to4 of 10.0.0.1
            "2002:a9fe:a9fe::", // 6to4 of 169.254.169.254
            "fec0::1",
            "fed0::1",
            "2001::1", // Teredo
            "100::1",
        ] {
            assert!(!address_is_public(internal.parse().unwrap()), "{internal}");
        }
        // The same forms of public addresses stay usable.
        for public in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"] {
            assert!(address_is_public(public.parse().unwrap()), "{public}");
        }
    }
}
