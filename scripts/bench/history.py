"""Times opening a conversation with 10 messages and one with 10,000 (the visitor's
GET /messenger/v1/conversation, a page back with ?before=, and the console's REST page), on one
kept-alive connection each. Prints p50 and p99 per case; the 10-message conversation is the
reference measured in the same run."""

import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlparse

base, token, deployment = sys.argv[1:4]
url = urlparse(base)
ROUNDS = 200


def connection():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def call(conn, method, path, bearer, body=None):
    headers = {"Authorization": f"Bearer {bearer}", "Origin": "https://customer.example"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:200]!r}")
    return json.loads(data) if data else None


def conversation_with(conn, count):
    session = call(conn, "POST", "/messenger/v1/sessions", "", {"deploymentId": deployment})["token"]
    call(conn, "POST", "/messenger/v1/messages", session, {"text": "The first question"})
    conversation = call(conn, "GET", "/messenger/v1/conversation", session)["id"]
    started = time.perf_counter()
    for n in range(count - 1):
        call(conn, "POST", f"/api/v2/conversations/{conversation}/messages", token, {"text": f"Reply {n}"})
    print(f"  stored {count:,} messages in {time.perf_counter() - started:.1f} s")
    return session, conversation


def timed(conn, path, bearer):
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call(conn, "GET", path, bearer)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


conn = connection()
cases = {}
for count in (10, 10_000):
    session, conversation = conversation_with(conn, count)
    latest = call(conn, "GET", "/messenger/v1/conversation", session)
    middle = latest["messages"][0]["id"] - count // 2
    cases[count] = {
        "visitor opens (latest 50)": timed(conn, "/messenger/v1/conversation", session),
        "visitor pages back (?before=)": timed(
            conn, f"/messenger/v1/conversation?before={max(middle, latest['messages'][0]['id'])}&limit=50", session
        ),
        "console page (REST ?before=)": timed(
            conn, f"/api/v2/conversations/{conversation}/messages?before={latest['messages'][-1]['id']}&limit=50", token
        ),
    }

print(f"\n  {'request':32} {'10 messages p50/p99':>22} {'10,000 messages p50/p99':>26}")
for name in cases[10]:
    small, large = cases[10][name], cases[10_000][name]
    print(f"  {name:32} {small[0]:9.2f} / {small[1]:6.2f} ms {large[0]:12.2f} / {large[1]:6.2f} ms")
