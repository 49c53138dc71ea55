//! Where a messenger deployment may run: exact hosts (`www.example.com`) or every subdomain of
//! a domain (`*.example.com`). The same rules decide which pages may embed the messenger and
//! which origins the public deployment config answers (CORS), so they live here, shared by the
//! server and the console's form.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The most patterns one deployment may list.
pub const MAX_PATTERNS: usize = 100;

/// One allowed-domain pattern, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum DomainPattern {
    /// Exactly this host.
    Exact(String),
    /// Any subdomain of this domain, at any depth; not the domain itself.
    Subdomains(String),
}

impl DomainPattern {
    /// Reads one line of the "Allowed domains" field. The message says what to type instead.
    pub fn parse(line: &str) -> Result<Self, String> {
        let text = line.trim().to_ascii_lowercase();
        let text = text.strip_suffix('.').unwrap_or(&text);
        if text.contains("://") {
            return Err(format!(
                "{line:?}: enter the host alone, without http:// or https://."
            ));
        }
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
        Ok(if wildcard {
            Self::Subdomains(host.to_owned())
        } else {
            Self::Exact(host.to_owned())
        })
    }

    /// Whether a page on `host` matches this pattern.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        match self {
            Self::Exact(exact) => host == *exact,
            Self::Subdomains(domain) => host
                .strip_suffix(domain.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
        }
    }
}

impl From<DomainPattern> for String {
    fn from(pattern: DomainPattern) -> Self {
        match pattern {
            DomainPattern::Exact(host) => host,
            DomainPattern::Subdomains(domain) => format!("*.{domain}"),
        }
    }
}

impl TryFrom<String> for DomainPattern {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
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
pub fn origin_allowed(origin: &str, patterns: &[DomainPattern], allow_all: bool) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    if !matches!(scheme, "http" | "https") || rest.contains(['/', '@']) {
        return false;
    }
    if allow_all {
        return true;
    }
    // `rest` is `host` or `host:port`; IPv6 literals never match a host pattern.
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => rest,
    };
    patterns.iter().any(|pattern| pattern.matches(host))
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
            ("https://example.com", "without http"),
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
            "http://www.example.com:8080",
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
    fn every_bad_line_is_reported_at_once() {
        let error = parse_lines(
            "allowedDomains",
            &[
                "https://a.example".into(),
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
        assert_eq!(back, DomainPattern::Exact("www.example.com".into()));
        assert!(serde_json::from_str::<DomainPattern>("\"https://x.example\"").is_err());
    }
}
