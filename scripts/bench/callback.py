"""Times the sign-in callback: what Switchboard adds on top of the provider's own answers.

Usage: callback.py BASE TOKEN SIGN_INS. Starts the end-to-end tests' OpenID provider (panva's
oidc-provider, end2end/fixtures/standalone-provider.ts), installs it as an integration, deploys
a messenger that signs in with it, then plays a browser through SIGN_INS sign-ins one after
another. For each callback it takes the latency the browser saw and the provider's share that
the server reports in `Server-Timing`; the difference is the callback's own cost. The first
sign-ins fetch the provider's metadata and keys and are left out: the figures are for cached
metadata and keys.
"""

import http.client
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

WARM_UP = 5


class Browser:
    """Keep-alive connections and cookies per origin, redirects followed by hand."""

    def __init__(self, server):
        self.server = urlsplit(server).netloc
        self.connections = {}
        self.cookies = {}
        # The visitor's address as the trusted proxy in front of the server reports it: each
        # sign-in comes from a visitor of its own, as on a real site, not 300 from one address
        # (which the sign-in rate limit would stop).
        self.forwarded_for = None

    def request(self, method, url, body=None, headers=None):
        parts = urlsplit(url)
        origin = parts.netloc
        connection = self.connections.get(origin)
        if connection is None:
            connection = self.connections[origin] = http.client.HTTPConnection(origin)
        headers = dict(headers or {})
        if origin == self.server and self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        jar = self.cookies.setdefault(origin, {})
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return response, data, elapsed


def api(browser, base, token, method, path, payload=None):
    body = None if payload is None else json.dumps(payload)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response, data, _ = browser.request(method, base + path, body, headers)
    if response.status >= 300:
        sys.exit(f"{method} {path}: HTTP {response.status} {data[:300]!r}")
    return json.loads(data) if data else None


def deploy(browser, base, token, provider):
    integration = api(browser, base, token, "POST", "/api/v2/integrations", {})["id"]
    path = f"/api/v2/integrations/{integration}"
    api(browser, base, token, "PUT", path, {
        "name": "Benchmark provider", "discoveryUri": provider["issuer"],
        "scopes": ["openid", "profile", "email"], "maxRefreshTokenLifetimeSeconds": 86400,
        "allowedGroups": [], "clockSkewSeconds": 60})
    api(browser, base, token, "PUT", f"{path}/credentials", {
        "clientId": provider["client"]["clientId"],
        "clientSecret": provider["client"]["clientSecret"]})
    api(browser, base, token, "PATCH", path, {"status": "active"})
    configuration = api(browser, base, token, "POST", "/api/v2/messenger/configurations", {
        "name": "Benchmark", "draft": {
            "authentication": {"enabled": True, "integrationId": integration,
                               "allowSessionUpgrade": False},
            "appearance": {"primaryColor": "#0f766e", "launcherLabel": "Chat",
                           "greeting": "Hi", "defaultLanguage": "en"},
            "sessionLifetimeSeconds": 3600}})["id"]
    api(browser, base, token, "POST",
        f"/api/v2/messenger/configurations/{configuration}/versions/draft/publish")
    return api(browser, base, token, "POST", "/api/v2/messenger/deployments", {
        "name": "Site", "configuration": {"id": configuration, "version": None},
        "allowedDomains": ["customer.example"], "allowAllDomains": False,
        "status": "active"})["id"]


def sign_in(browser, base, deployment, provider, visitor):
    """One sign-in; returns (callback latency seen by the browser, provider share), in ms."""
    browser.forwarded_for = f"198.51.{visitor // 250}.{visitor % 250 + 1}"
    response, body, _ = browser.request("GET", f"{base}/messenger/auth/start?deployment={deployment}")
    if response.status != 302:
        sys.exit(f"start: HTTP {response.status} {body[:300]!r}")
    next_url, form = response.getheader("Location"), None
    for _ in range(10):
        if next_url.startswith(base):
            break
        url = urljoin(provider["issuer"] + "/", next_url)
        if form is None:
            response, page, _ = browser.request("GET", url)
        else:
            response, page, _ = browser.request(
                "POST", url, urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"})
            form = None
        if response.getheader("Location"):
            next_url = response.getheader("Location")
            continue
        action = re.search(rb'action="([^"]+)"', page)
        if not action:
            sys.exit(f"no login form at {url}: {page[:300]!r}")
        next_url = action.group(1).decode()
        form = {"username": provider["user"]["username"], "password": provider["user"]["password"]}
    else:
        sys.exit("the provider never sent the browser back")
    response, body, elapsed = browser.request("GET", next_url)
    if response.status != 200:
        sys.exit(f"callback: HTTP {response.status} {body[:300]!r}")
    timing = response.getheader("Server-Timing") or ""
    provider_ms = re.search(r"provider;dur=([0-9.]+)", timing)
    if not provider_ms:
        sys.exit(f"callback without a provider timing: {timing!r}")
    return elapsed * 1000, float(provider_ms.group(1))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    base, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    end2end = Path(__file__).resolve().parents[2] / "end2end"
    node = subprocess.Popen(
        [str(end2end / "node_modules/.bin/tsx"), "fixtures/standalone-provider.ts",
         f"{base}/messenger/auth/callback"],
        cwd=end2end, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        provider = json.loads(node.stdout.readline())
        browser = Browser(base)
        deployment = deploy(browser, base, token, provider)
        samples = [sign_in(browser, base, deployment, provider, visitor)
                   for visitor in range(WARM_UP + count)]
    finally:
        node.stdin.close()
        node.wait(timeout=10)
    samples = samples[WARM_UP:]
    seen = [latency for latency, _ in samples]
    waited = [share for _, share in samples]
    own = [latency - share for latency, share in samples]
    print(f"{count} sign-ins, cached metadata and keys (after {WARM_UP} to warm up)")
    print(f"{'':32} {'p50':>8} {'p90':>8} {'p99':>8}")
    for name, values in [("callback, as the browser saw it", seen),
                         ("  of which the provider", waited),
                         ("  of which Switchboard", own)]:
        print(f"{name:32} " + " ".join(f"{percentile(values, q):6.2f}ms" for q in (0.5, 0.9, 0.99)))
    print(f"goal: Switchboard's share <= 3.00 ms at p50; measured {percentile(own, 0.5):.2f} ms")


if __name__ == "__main__":
    main()
