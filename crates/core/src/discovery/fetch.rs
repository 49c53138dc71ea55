//! The HTTP client for provider documents (discovery, JWKS): the second SSRF fence.
//!
//! It never follows redirects, gives up after a timeout, reads at most [`MAX_BODY_BYTES`], and
//! connects only to public addresses: host names are resolved by [`GuardedResolver`], which
//! refuses the whole name if any address it resolves to is internal (so a name cannot smuggle
//! in a private address next to a public one), and literal addresses are checked before the
//! request. Loopback is allowed only with `SWITCHBOARD_ALLOW_INSECURE_LOCALHOST`. System
//! proxies are never used, since a proxy would resolve the name itself.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::address_is_public;

/// The largest document read.
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// How long one request may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// How long a kept-alive connection to a provider may sit idle before it is dropped.
const POOL_IDLE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error(
        "{0} is not allowed: only https to public addresses (and http to this machine with SWITCHBOARD_ALLOW_INSECURE_LOCALHOST)"
    )]
    Refused(String),
    #[error("no answer within {seconds} s")]
    Timeout { seconds: f32 },
    #[error(
        "the server answered with a redirect ({status}) to {location}; redirects are not followed, use the final URI"
    )]
    Redirect { status: u16, location: String },
    #[error("the server answered HTTP {0}")]
    Status(u16),
    #[error("the document is larger than {} KiB", MAX_BODY_BYTES / 1024)]
    TooLarge,
    #[error("the document is not JSON ({0})")]
    NotJson(String),
    #[error("cannot connect: {0}")]
    Network(String),
}

/// Fetches provider documents under the rules above.
#[derive(Debug, Clone)]
pub struct GuardedClient {
    client: reqwest::Client,
    allow_loopback: bool,
    timeout: Duration,
}

impl GuardedClient {
    pub fn new(allow_loopback: bool) -> Self {
        Self::with_timeout(allow_loopback, TIMEOUT)
    }

    /// A client with another timeout (tests use a short one).
    pub fn with_timeout(allow_loopback: bool, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            // A system proxy (HTTPS_PROXY, ALL_PROXY) would resolve names itself, past the
            // guarded resolver: never use one.
            .no_proxy()
            // Servers close idle keep-alive connections (Node after 5 s, Apache after 5 s); a
            // request sent on one just as it closes fails at once. Never reuse a connection
            // idle for that long.
            .pool_idle_timeout(POOL_IDLE)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .dns_resolver(Arc::new(GuardedResolver { allow_loopback }))
            .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client with static settings builds");
        Self {
            client,
            allow_loopback,
            timeout,
        }
    }

    pub fn allows_loopback(&self) -> bool {
        self.allow_loopback
    }

    /// GETs `url` and parses the body as JSON.
    pub async fn get_json(&self, url: &Url) -> Result<serde_json::Value, FetchError> {
        let response = self.send(self.client.get(url.clone()), url).await?;
        response.success()
    }

    /// GETs `url` and parses the body as JSON, with how long the answer may be cached.
    pub async fn get_cacheable_json(&self, url: &Url) -> Result<JsonResponse, FetchError> {
        let response = self.send(self.client.get(url.clone()), url).await?;
        if !(200..300).contains(&response.status) {
            return Err(FetchError::Status(response.status));
        }
        Ok(response)
    }

    /// GETs `url` with `Authorization: {scheme} {credential}` (userinfo, Okta's API).
    pub async fn get_json_authorized(
        &self,
        url: &Url,
        scheme: &str,
        credential: &str,
    ) -> Result<JsonResponse, FetchError> {
        let request = self.client.get(url.clone()).header(
            reqwest::header::AUTHORIZATION,
            format!("{scheme} {credential}"),
        );
        self.send(request, url).await
    }

    /// POSTs a JSON body to `url` with `Authorization: Bearer {token}` (Microsoft Graph).
    pub async fn post_json_authorized(
        &self,
        url: &Url,
        body: &serde_json::Value,
        token: &str,
    ) -> Result<JsonResponse, FetchError> {
        let request = self
            .client
            .post(url.clone())
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {token}"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        self.send(request, url).await
    }

    /// POSTs a form to `url` (a token endpoint), with HTTP Basic client authentication when
    /// `basic` holds a client id and secret. Error answers are returned, not turned into
    /// errors: a token endpoint explains itself in a JSON body with status 400 or 401.
    pub async fn post_form(
        &self,
        url: &Url,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<JsonResponse, FetchError> {
        let mut request = self.client.post(url.clone()).form(form);
        if let Some((user, password)) = basic {
            request = request.basic_auth(user, Some(password));
        }
        self.send(request, url).await
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
    ) -> Result<JsonResponse, FetchError> {
        check_target(url, self.allow_loopback)?;
        let started = std::time::Instant::now();
        let answer = self.answer(request).await;
        super::provider_wait::count_since(started);
        answer
    }

    async fn answer(&self, request: reqwest::RequestBuilder) -> Result<JsonResponse, FetchError> {
        let mut response = request
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| self.classify(e))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("an unnamed place")
                .to_owned();
            return Err(FetchError::Redirect {
                status: status.as_u16(),
                location,
            });
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_BODY_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let max_age = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .and_then(cache_lifetime);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let parsed = serde_json::from_slice(&body);
        let status = status.as_u16();
        let body = match parsed {
            Ok(body) => body,
            // An error page in HTML still says what went wrong through its status.
            Err(_) if !(200..300).contains(&status) => serde_json::Value::Null,
            Err(error) => return Err(FetchError::NotJson(error.to_string())),
        };
        Ok(JsonResponse {
            status,
            max_age,
            body,
        })
    }
}

/// A JSON answer, whatever its status.
#[derive(Debug, Clone)]
pub struct JsonResponse {
    pub status: u16,
    /// From `Cache-Control`: `Some(ZERO)` for `no-store`/`no-cache`, `None` when not said.
    pub max_age: Option<Duration>,
    pub body: serde_json::Value,
}

impl JsonResponse {
    /// The body of a 2xx answer, or the status as an error.
    pub fn success(self) -> Result<serde_json::Value, FetchError> {
        if (200..300).contains(&self.status) {
            Ok(self.body)
        } else {
            Err(FetchError::Status(self.status))
        }
    }
}

/// How long a `Cache-Control` value lets an answer be kept, when it says.
fn cache_lifetime(value: &str) -> Option<Duration> {
    let mut max_age = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(seconds) = lower.strip_prefix("max-age=") {
            max_age = seconds
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs);
        }
    }
    max_age
}

/// The scheme and literal-address rules, checked before any connection.
pub fn check_target(url: &Url, allow_loopback: bool) -> Result<(), FetchError> {
    let refused = || Err(FetchError::Refused(url.to_string()));
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(domain)) => domain == "localhost",
        None => return refused(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback && allow_loopback => {}
        _ => return refused(),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refused();
    }
    let literal = match url.host() {
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    match literal {
        Some(ip) if !allowed(ip, allow_loopback) => refused(),
        _ => Ok(()),
    }
}

fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    address_is_public(ip) || (allow_loopback && ip.is_loopback())
}

impl GuardedClient {
    fn classify(&self, error: reqwest::Error) -> FetchError {
        if error.is_timeout() {
            return FetchError::Timeout {
                seconds: self.timeout.as_secs_f32(),
            };
        }
        classify(error)
    }
}

fn classify(error: reqwest::Error) -> FetchError {
    // The resolver's refusal arrives wrapped in the connect error; find it by its source chain.
    let mut source: Option<&dyn std::error::Error> = Some(&error);
    while let Some(current) = source {
        if let Some(refused) = current.downcast_ref::<AddressRefused>() {
            return FetchError::Refused(refused.0.clone());
        }
        source = current.source();
    }
    FetchError::Network(
        std::error::Error::source(&error).map_or_else(|| error.to_string(), ToString::to_string),
    )
}

#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to an internal address")]
struct AddressRefused(String);

/// Resolves names with the system resolver and refuses internal addresses.
#[derive(Debug)]
struct GuardedResolver {
    allow_loopback: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addresses.is_empty()
                || addresses
                    .iter()
                    .any(|address| !allowed(address.ip(), allow_loopback))
            {
                return Err(
                    Box::new(AddressRefused(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, allow_loopback: bool) -> Result<(), FetchError> {
        check_target(&Url::parse(url).unwrap(), allow_loopback)
    }

    #[test]
    fn only_https_to_public_hosts_passes_before_connecting() {
        assert!(target("https://acme.okta.com/x", false).is_ok());
        assert!(target("https://8.8.8.8/", false).is_ok());
        for refused in [
            "http://acme.okta.com/",
            "file:///etc/passwd",
            "https://10.0.0.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/",
            "https://u:p@acme.okta.com/",
            "http://127.0.0.1:9/",
        ] {
            assert!(
                matches!(target(refused, false), Err(FetchError::Refused(_))),
                "{refused}"
            );
        }
        assert!(target("http://127.0.0.1:9/", true).is_ok());
        assert!(target("http://10.0.0.1/", true).is_err());
    }

    #[test]
    fn cache_control_gives_the_lifetime() {
        assert_eq!(
            cache_lifetime("public, max-age=3600"),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(cache_lifetime("max-age=60, no-cache"), Some(Duration::ZERO));
        assert_eq!(cache_lifetime("no-store"), Some(Duration::ZERO));
        assert_eq!(cache_lifetime("private"), None);
    }

    /// The environment variable that makes the test binary, started again by
    /// [`system_proxies_are_never_used`], act as its child.
    const PROXY_CHILD: &str = "SWITCHBOARD_TEST_PROXY_CHILD";

    #[test]
    fn system_proxies_are_never_used() {
        // Setting proxy variables inside this process would race the other tests, so the
        // test binary runs itself again with them set, pointing at a listener we watch.
        let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        proxy.set_nonblocking(true).unwrap();
        let address = format!("http://{}", proxy.local_addr().unwrap());
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "discovery::fetch::tests::child_with_proxy_variables",
                "--include-ignored",
                "--test-threads=1",
            ])
            .env(PROXY_CHILD, "1")
            .env("HTTPS_PROXY", &address)
            .env("HTTP_PROXY", &address)
            .env("ALL_PROXY", &address)
            .env("https_proxy", &address)
            .env("all_proxy", &address)
            .status()
            .unwrap();
        assert!(status.success(), "the child's fetch was not refused");
        assert!(
            proxy.accept().is_err(),
            "the guarded client connected to the system proxy"
        );
    }

    #[tokio::test]
    #[ignore = "run by system_proxies_are_never_used, with proxy variables set"]
    async fn child_with_proxy_variables() {
        assert!(std::env::var_os(PROXY_CHILD).is_some(), "run by its parent");
        // Through a proxy this name would never meet our resolver, which refuses it.
        let client = GuardedClient::with_timeout(false, Duration::from_secs(2));
        let url = Url::parse("https://localhost:9/.well-known/openid-configuration").unwrap();
        let error = client.get_json(&url).await.unwrap_err();
        assert!(matches!(error, FetchError::Refused(_)), "{error:?}");
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused_without_the_flag() {
        // `localhost` resolves to loopback: refused by the resolver before any connection.
        let client = GuardedClient::new(false);
        let url = Url::parse("https://localhost:9/.well-known/openid-configuration").unwrap();
        let error = client.get_json(&url).await.unwrap_err();
        assert!(matches!(error, FetchError::Refused(_)), "{error:?}");
    }
}
