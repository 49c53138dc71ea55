//! Where a messenger deployment may run: exact hosts (`www.example.com`) or every subdomain of
//! a domain (`*.example.com`). The same rules decide which pages may embed the messenger and
//! which origins the public deployment config answers (CORS), so they live here, shared by the
//! server and the console's form.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The most patterns one deployment may list.
pub const MAX_PATTERNS: usize = 100;

/// One allowed-domain pattern, lower-cased: which hosts, and whether plain-http pages on them
/// count too (only when the admin wrote `http://` in front).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct DomainPattern {
    pub hosts: Hosts,
    /// Pages on `http://` match as well as `https://`. Anyone on a visitor's network can play
    /// an http site, so this is only ever the admin's explicit choice.
    pub allows_http: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hosts {
    /// Exactly this host.
    Exact(String),
    /// Any subdomain of this domain, at any depth; not the domain itself.
    Subdomains(String),
}

impl DomainPattern {
    /// Reads one line of the "Allowed domains" field. The message says what to type instead.
    pub fn parse(line: &str) -> Result<Self, String> {
        let lower = line.trim().to_ascii_lowercase();
        let (allows_http, rest) = match lower.split_once("://") {
            None => (false, lower.as_str()),
            Some(("https", rest)) => (false, rest),
            Some(("http", rest)) => (true, rest),
            Some(_) => {
                return Err(format!(
                    "{line:?}: enter the host alone, or with https:// or http:// in front."
                ));
            }
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let text = rest.strip_suffix('.').unwrap_or(rest);
        if text.contains(['/', '?', '#']) {
            return Err(format!("{line:?}: enter the host alone, without a path."));
        }
        if text.contains(':') {
            return Err(format!("{line:?}: enter the host without a port."));
        }
        if text.contains('@') || text.contains(char::is_whitespace) {
            return Err(format!("{line:?} is not a host name."));
        }
        let (wildcard, host) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if host.contains('*') {
            return Err(format!(
                "{line:?}: a wildcard may only stand first, as in *.example.com."
            ));
        }
        if wildcard && !host.is_empty() && !host.contains('.') {
            return Err(format!(
                "{line:?} would allow every site under .{host}; name a domain, as in *.example.com."
            ));
        }
        check_host(host).map_err(|problem| format!("{line:?}: {problem}"))?;
        let hosts = if wildcard {
            Hosts::Subdomains(host.to_owned())
        } else {
            Hosts::Exact(host.to_owned())
        };
        Ok(Self { hosts, allows_http })
    }

    /// Whether a page on `host` matches this pattern's hosts.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        match &self.hosts {
            Hosts::Exact(exact) => host == *exact,
            Hosts::Subdomains(domain) => host
                .strip_suffix(domain.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
        }
    }
}

impl From<DomainPattern> for String {
    fn from(pattern: DomainPattern) -> Self {
        let scheme = if pattern.allows_http { "http://" } else { "" };
        match pattern.hosts {
            Hosts::Exact(host) => format!("{scheme}{host}"),
            Hosts::Subdomains(domain) => format!("{scheme}*.{domain}"),
        }
    }
}

impl TryFrom<String> for DomainPattern {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

/// The warning the console shows next to patterns that let plain-http pages in.
pub fn http_warning(patterns: &[String]) -> Option<String> {
    let insecure: Vec<&str> = patterns
        .iter()
        .map(String::as_str)
        .filter(|pattern| pattern.starts_with("http://"))
        .collect();
    (!insecure.is_empty()).then(|| {
        format!(
            "{} also allow{} pages on plain http: anyone on a visitor's network can play such a site and receive its visitors' verified sessions. Use https where you can.",
            insecure.join(", "),
            if insecure.len() == 1 { "s" } else { "" }
        )
    })
}

/// DNS host rules: labels of letters, digits and hyphens (1 to 63, not starting or ending with a
/// hyphen), at most 253 characters, and a dot somewhere (or `localhost`).
fn check_host(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("a host name is missing.");
    }
    if host.len() > 253 {
        return Err("a host name has at most 253 characters.");
    }
    if !host.is_ascii() {
        return Err("write international names in their xn-- (punycode) form.");
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if !labels_ok {
        return Err("that is not a valid host name.");
    }
    if !host.contains('.') && host != "localhost" {
        return Err("a host name needs a dot, as in example.com.");
    }
    Ok(())
}

/// Reads the "Allowed domains" field (one pattern per line; blank lines ignored, duplicates
/// dropped), reporting every bad line at once.
pub fn parse_lines(field: &str, lines: &[String]) -> Result<Vec<DomainPattern>, FieldError> {
    let mut patterns: Vec<DomainPattern> = Vec::new();
    let mut problems = Vec::new();
    for line in lines.iter().filter(|line| !line.trim().is_empty()) {
        match DomainPattern::parse(line) {
            Ok(pattern) if !patterns.contains(&pattern) => patterns.push(pattern),
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(FieldError::new(field, problems.join(" ")));
    }
    if patterns.len() > MAX_PATTERNS {
        return Err(FieldError::new(
            field,
            format!("At most {MAX_PATTERNS} allowed domains; use *.example.com to cover many."),
        ));
    }
    Ok(patterns)
}

/// Whether a page whose `Origin` header is `origin` may use a deployment.
///
/// Pages on https match the patterns (or "allow all domains"). Plain-http pages match only
/// on this machine (`localhost`, `*.localhost`, loopback addresses, where development
/// happens) or through a pattern the admin wrote with `http://`.
pub fn origin_allowed(origin: &str, patterns: &[DomainPattern], allow_all: bool) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    if !matches!(scheme, "http" | "https") || rest.contains(['/', '@']) {
        return false;
    }
    // `rest` is `host` or `host:port`; IPv6 literals keep their brackets.
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => rest,
    };
    let host = host.to_ascii_lowercase();
    let secure = scheme == "https" || is_loopback_host(&host);
    if secure && allow_all {
        return true;
    }
    patterns
        .iter()
        .any(|pattern| (secure || pattern.allows_http) && pattern.matches(&host))
}

/// Hosts that browsers treat as this machine.
fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<String, String> {
        DomainPattern::parse(line).map(String::from)
    }

    #[test]
    fn hosts_and_wildcards_are_read_and_normalised() {
        assert_eq!(parse(" WWW.Example.com. ").unwrap(), "www.example.com");
        assert_eq!(
            parse("https://www.example.com/").unwrap(),
            "www.example.com"
        );
        assert_eq!(
            parse("HTTP://Intranet.Local").unwrap(),
            "http://intranet.local"
        );
        assert_eq!(
            parse("http://*.corp.example").unwrap(),
            "http://*.corp.example"
        );
        assert_eq!(parse("*.example.com").unwrap(), "*.example.com");
        assert_eq!(parse("localhost").unwrap(), "localhost");
        assert_eq!(
            parse("xn--bcher-kva.example").unwrap(),
            "xn--bcher-kva.example"
        );
    }

    #[test]
    fn schemes_paths_ports_and_bad_wildcards_are_refused_with_a_reason() {
        for (line, reason) in [
            ("ftp://example.com", "with https:// or http://"),
            ("https://example.com/chat", "without a path"),
            ("example.com/chat", "without a path"),
            ("example.com:8443", "without a port"),
            ("*.com", "every site under"),
            ("www.*.example.com", "only stand first"),
            ("*example.com", "only stand first"),
            ("exa mple.com", "not a host name"),
            ("-bad.example.com", "not a valid host name"),
            ("intranet", "needs a dot"),
            ("bücher.example", "punycode"),
        ] {
            let error = parse(line).expect_err(line);
            assert!(error.contains(reason), "{line}: {error}");
        }
    }

    #[test]
    fn wildcards_match_subdomains_at_any_depth_but_not_the_domain_itself() {
        let pattern = DomainPattern::parse("*.example.com").unwrap();
        assert!(pattern.matches("shop.example.com"));
        assert!(pattern.matches("a.b.example.com"));
        assert!(pattern.matches("SHOP.EXAMPLE.COM."));
        assert!(!pattern.matches("example.com"));
        assert!(!pattern.matches("badexample.com"));
        assert!(!pattern.matches("example.com.evil.net"));
        let exact = DomainPattern::parse("www.example.com").unwrap();
        assert!(exact.matches("www.example.com"));
        assert!(!exact.matches("shop.www.example.com"));
    }

    #[test]
    fn origins_are_checked_against_the_patterns() {
        let patterns = parse_lines(
            "allowedDomains",
            &[
                "www.example.com".into(),
                "".into(),
                "*.shop.example".into(),
                "www.example.com".into(),
            ],
        )
        .unwrap();
        assert_eq!(patterns.len(), 2, "blank lines and duplicates are dropped");
        assert!(origin_allowed("https://www.example.com", &patterns, false));
        assert!(origin_allowed(
            "https://www.example.com:8443",
            &patterns,
            false
        ));
        assert!(origin_allowed("https://eu.shop.example", &patterns, false));
        assert!(!origin_allowed("https://evil.example", &patterns, false));
        assert!(!origin_allowed("null", &patterns, false));
        assert!(!origin_allowed("file://www.example.com", &patterns, true));
        assert!(origin_allowed("https://anything.example", &[], true));
    }

    #[test]
    fn plain_http_pages_match_only_on_loopback_or_when_written_out() {
        let patterns = parse_lines(
            "allowedDomains",
            &[
                "www.example.com".into(),
                "http://intranet.example".into(),
                "customer.localhost".into(),
            ],
        )
        .unwrap();
        // Anyone on the visitor's network can answer for http://www.example.com.
        assert!(!origin_allowed("http://www.example.com", &patterns, false));
        assert!(!origin_allowed(
            "http://www.example.com:8080",
            &patterns,
            false
        ));
        assert!(!origin_allowed("http://anything.example", &patterns, true));
        // Written with http:// by the admin: both schemes.
        assert!(origin_allowed("http://intranet.example", &patterns, false));
        assert!(origin_allowed("https://intranet.example", &patterns, false));
        // This machine, where development happens.
        assert!(origin_allowed(
            "http://customer.localhost:4000",
            &patterns,
            false
        ));
        assert!(origin_allowed("http://localhost:4000", &[], true));
        assert!(origin_allowed("http://127.0.0.1:4000", &[], true));
        assert!(origin_allowed("http://[::1]:4000", &[], true));
        assert!(!origin_allowed("http://localhost.evil.example", &[], true));
    }

    #[test]
    fn http_patterns_get_a_warning() {
        assert!(http_warning(&["www.example.com".into()]).is_none());
        let warning = http_warning(&["http://intranet.example".into()]).unwrap();
        assert!(warning.contains("http://intranet.example"), "{warning}");
    }

    #[test]
    fn every_bad_line_is_reported_at_once() {
        let error = parse_lines(
            "allowedDomains",
            &[
                "ftp://a.example".into(),
                "ok.example".into(),
                "b.example/x".into(),
            ],
        )
        .unwrap_err();
        assert_eq!(error.field, "allowedDomains");
        assert!(error.message.contains("a.example") && error.message.contains("b.example/x"));
    }

    #[test]
    fn patterns_serialise_as_the_text_admins_type() {
        let pattern = DomainPattern::parse("*.example.com").unwrap();
        assert_eq!(
            serde_json::to_string(&pattern).unwrap(),
            "\"*.example.com\""
        );
        let back: DomainPattern = serde_json::from_str("\"www.example.com\"").unwrap();
        assert_eq!(
            back,
            DomainPattern {
                hosts: Hosts::Exact("www.example.com".into()),
                allows_http: false
            }
        );
        let http: DomainPattern = serde_json::from_str("\"http://intranet.example\"").unwrap();
        assert_eq!(
            serde_json::to_string(&http).unwrap(),
            "\"http://intranet.example\""
        );
        assert!(serde_json::from_str::<DomainPattern>("\"ftp://x.example\"").is_err());
    }
}
