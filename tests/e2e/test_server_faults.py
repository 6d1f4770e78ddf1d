"""Faults `qwenrt serve` must survive (issue 5, point 5): a client leaving mid-stream, or
before a non-streaming answer is ready, frees its key/value blocks, a flood beyond capacity is answered 429 while accepted
streams complete, and thousands of malformed bodies leave the server up without
growing its memory."""
import concurrent.futures
import http.client
import json
import random
import time

import pytest

from test_server_harness import API_KEY, MODEL_ID, Server, post_raw, write_random_qwen3

HEADERS = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    model = write_random_qwen3(tmp_path_factory.mktemp("faults") / "model")
    s = Server(model, "-c", "1024", "--max-batch", "2", "--max-queue", "2")
    yield s
    s.stop()


def open_stream(server, max_tokens):
    """Starts a streaming completion; returns the connection and its response."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    body = {"model": MODEL_ID, "prompt": "1 2 3 4 5 6 7 8", "max_tokens": max_tokens, "stream": True,
            "ignore_eos": True, "temperature": 0}
    conn.request("POST", "/v1/completions", json.dumps(body), HEADERS)
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    return conn, resp


def read_events(resp):
    """Yields the JSON of each SSE event until [DONE]."""
    for line in resp:
        line = line.strip()
        if not line.startswith(b"data: "):
            continue
        if line == b"data: [DONE]":
            return
        yield json.loads(line[6:])


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_client_leaving_mid_stream_frees_its_blocks(server):
    assert server.metrics()["qwenrt_kv_blocks_used"] == 0
    aborted = server.metrics()["qwenrt_sequences_aborted_total"]
    conn, resp = open_stream(server, max_tokens=900)
    events = read_events(resp)
    for _ in range(5):
        next(events)
    assert server.metrics()["qwenrt_kv_blocks_used"] > 0  # the stream holds blocks while it runs
    conn.sock.close()  # the client goes away without a word
    conn.close()
    assert wait_for(lambda: server.metrics()["qwenrt_kv_blocks_used"] == 0), server.metrics()
    m = server.metrics()
    assert m["qwenrt_sequences_aborted_total"] == aborted + 1
    assert m["qwenrt_requests_running"] == 0


def test_client_leaving_a_non_streaming_request_frees_its_blocks(server):
    assert wait_for(lambda: server.metrics()["qwenrt_kv_blocks_used"] == 0), server.metrics()
    aborted = server.metrics()["qwenrt_sequences_aborted_total"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "count"}], "max_tokens": 900,
            "ignore_eos": True, "temperature": 0}
    conn.request("POST", "/v1/chat/completions", json.dumps(body), HEADERS)
    assert wait_for(lambda: server.metrics()["qwenrt_kv_blocks_used"] > 0)  # it is generating
    conn.sock.close()  # the client gives up without reading the answer
    conn.close()
    assert wait_for(lambda: server.metrics()["qwenrt_kv_blocks_used"] == 0), server.metrics()
    m = server.metrics()
    assert m["qwenrt_sequences_aborted_total"] == aborted + 1
    assert m['qwenrt_requests_total{endpoint="/v1/chat/completions",status="499"}'] == 1


def test_flood_beyond_capacity_gets_429_while_streams_complete(server):
    streams = [open_stream(server, max_tokens=120) for _ in range(2)]
    body = json.dumps({"model": MODEL_ID, "prompt": "9 9", "max_tokens": 4}).encode()

    def one(_):
        status, headers, data = post_raw(server.base, "/v1/completions", body)
        return status, headers.get("Retry-After"), data

    with concurrent.futures.ThreadPoolExecutor(48) as pool:
        results = list(pool.map(one, range(1000)))
    statuses = [r[0] for r in results]
    assert set(statuses) <= {200, 429}, [r for r in results if r[0] not in (200, 429)][:3]
    busy = [r for r in results if r[0] == 429]
    assert len(busy) > 500, f"{len(busy)} of 1000 refused"
    assert all(r[1] == "1" and r[2]["error"]["code"] == "rate_limit_exceeded" for r in busy)
    for conn, resp in streams:  # accepted work is never dropped
        events = list(read_events(resp))
        assert sum(len(e["choices"][0]["text"]) > 0 for e in events if e["choices"]) > 0
        assert events[-1]["choices"][0]["finish_reason"] == "length"
        conn.close()
    assert server.metrics()['qwenrt_requests_total{endpoint="/v1/completions",status="429"}'] >= len(busy)


def malformed_bodies(rng):
    valid = json.dumps({"model": MODEL_ID, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1})
    kinds = [
        lambda: valid[:rng.randrange(len(valid))],                                   # truncated
        lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))),     # noise
        lambda: "[" * rng.randrange(100, 5000),                                      # deep nesting
        lambda: json.dumps({"messages": rng.choice([None, 5, "x", [{}], [{"role": 1}]])}),
        lambda: json.dumps({"model": MODEL_ID, "messages": [{"role": "user", "content": "x"}],
                            rng.choice(["temperature", "n", "max_tokens", "stop", "tools", "top_logprobs"]):
                            rng.choice([-1, 1e300, True, [None], {"a": []}])}),
        lambda: valid.replace("}", "", 1) + "\x00",
    ]
    while True:
        body = rng.choice(kinds)()
        yield body if isinstance(body, bytes) else body.encode()


def send_many(server, n, rng):
    bodies = malformed_bodies(rng)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    statuses = {}
    for _ in range(n):
        for attempt in range(2):  # the server closes idle keep-alive connections
            try:
                conn.request("POST", "/v1/chat/completions", next(bodies), HEADERS)
                resp = conn.getresponse()
                resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
    conn.close()
    return statuses


def test_malformed_flood_leaves_server_up_without_memory_growth(server):
    rng = random.Random(5)
    send_many(server, 1000, rng)  # warm up allocator arenas and caches
    before = server.rss_kb()
    statuses = send_many(server, 10000, rng)
    after = server.rss_kb()
    assert statuses == {400: 10000}, statuses
    assert after - before < 4096, f"RSS grew from {before} kB to {after} kB"
    status, _, body = post_raw(server.base, "/v1/completions",
                               json.dumps({"model": MODEL_ID, "prompt": "1 2", "max_tokens": 2}).encode())
    assert status == 200 and body["usage"]["completion_tokens"] == 2
