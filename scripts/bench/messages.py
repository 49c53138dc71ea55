"""Load generator for scripts/bench-messages.sh: end-to-end message delivery and SSE capacity.

Usage: messages.py BASE_URL API_TOKEN DEPLOYMENT_ID [SERVER_PID]

1. Opens 100 anonymous visitor sessions, each with one conversation and one event stream.
2. Agents reply to those conversations (REST API, 50 at a time) for 10 seconds; each stream
   notes when each message arrives. Prints messages/s stored (201) and delivered, and the
   p50/p99 of post-to-event latency.
3. With SERVER_PID: prints the server's RSS, then opens 10,000 event streams and prints it
   again.
"""

import asyncio
import json
import statistics
import sys
import time

import aiohttp

BASE, TOKEN, DEPLOYMENT = sys.argv[1], sys.argv[2], sys.argv[3]
PID = int(sys.argv[4]) if len(sys.argv) > 4 else None
VISITORS = 100
POSTERS = 50
SECONDS = 10
STREAMS = 10_000


def rss_mib() -> float:
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def visitor(http: aiohttp.ClientSession) -> tuple[str, str]:
    async with http.post(f"{BASE}/messenger/v1/sessions", json={"deploymentId": DEPLOYMENT}) as r:
        assert r.status == 201, await r.text()
        token = (await r.json())["token"]
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(f"{BASE}/messenger/v1/messages", json={"text": "hello"}, headers=headers) as r:
        assert r.status == 201, await r.text()
    async with http.get(f"{BASE}/messenger/v1/conversation", headers=headers) as r:
        conversation = (await r.json())["id"]
    return token, conversation


async def follow(http, token, latencies, ready, stop):
    """Reads one event stream; each timed message carries its send time in its text."""
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{BASE}/messenger/v1/events", headers=headers, timeout=aiohttp.ClientTimeout(total=None)) as r:
        ready.set()
        async for raw in r.content:
            line = raw.decode().strip()
            if line.startswith("data:"):
                text = json.loads(line[5:])["text"]
                if text.startswith("sent at "):
                    latencies.append(time.perf_counter() - float(text[8:]))
            if stop.is_set():
                return


async def main() -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        # The sign-in rate limit allows 120 new sessions a minute from one address: enough.
        sessions = [await visitor(http) for _ in range(VISITORS)]
        latencies: list[float] = []
        stop = asyncio.Event()
        readers = []
        for token, _ in sessions:
            ready = asyncio.Event()
            readers.append(asyncio.create_task(follow(http, token, latencies, ready, stop)))
            await ready.wait()
        # The backlog ("hello") is not timed: only messages posted from here on.
        await asyncio.sleep(0.5)

        stored = 0
        deadline = time.perf_counter() + SECONDS
        agent = {"Authorization": f"Bearer {TOKEN}"}

        async def poster(n: int) -> None:
            nonlocal stored
            i = n
            while time.perf_counter() < deadline:
                _, conversation = sessions[i % VISITORS]
                i += POSTERS
                text = f"sent at {time.perf_counter():.6f}"
                async with http.post(f"{BASE}/api/v2/conversations/{conversation}/messages",
                                     json={"text": text}, headers=agent) as r:
                    assert r.status == 201, await r.text()
                    stored += 1

        began = time.perf_counter()
        await asyncio.gather(*(poster(n) for n in range(POSTERS)))
        elapsed = time.perf_counter() - began
        await asyncio.sleep(2)  # let the last events arrive
        stop.set()
        for task in readers:
            task.cancel()
        delivered = len(latencies)
        latencies.sort()
        print(f"messages stored:    {stored / elapsed:8.0f}/s ({stored} in {elapsed:.1f} s, {POSTERS} agents posting, {VISITORS} visitors listening)")
        print(f"messages delivered: {delivered / elapsed:8.0f}/s ({delivered} of {stored} seen on the event streams)")
        if latencies:
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
            print(f"post-to-event latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")

        if PID is None:
            for task in readers:
                task.cancel()
            return
        idle = rss_mib()
        print(f"server RSS with {VISITORS} streams open: {idle:.1f} MiB")
        ready_all = []
        held = []
        for k in range(STREAMS):
            token, _ = sessions[k % VISITORS]
            ready = asyncio.Event()
            ready_all.append(ready)
            held.append(asyncio.create_task(follow(http, token, [], ready, asyncio.Event())))
            if k % 500 == 499:
                await asyncio.gather(*(r.wait() for r in ready_all))
        await asyncio.gather(*(r.wait() for r in ready_all))
        await asyncio.sleep(1)
        print(f"server RSS with {STREAMS + VISITORS} streams open: {rss_mib():.1f} MiB")
        for task in held:
            task.cancel()


asyncio.run(main())
