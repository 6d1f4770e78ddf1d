#!/usr/bin/env python3
"""Serving load, side by side: `qwenrt serve` against llama.cpp's server
(`python -m llama_cpp.server` from llama-cpp-python[server], the pinned 0.3.36) on the
same Q8_0 GGUF, a random-weight checkpoint of Qwen2.5-0.5B's exact shape.

At each concurrency (default 1, 4, 16, 64) every client streams `--rounds` completions
of `--max-tokens` tokens back to back; reported per server: generated tokens/s over the
level's wall time, and P50/P95 of time-to-first-token and inter-token latency (gaps
between streamed token events as the client receives them). Then the ratios.

Usage:
  .venv/bin/python bench/serve_load.py [--qwenrt build/qwenrt] [--gguf FILE]
      [--llama-python /root/venvs/llama/bin/python] [--levels 1,4,16,64] [--threads N]
Without --gguf the model is made once under --workdir: tools/make_random_checkpoint.py
qwen2.5-0.5b, then `qwenrt quantize --type q8_0`.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPT = "Write a short story about a robot who learns to paint. Once upon a time, in a city of glass"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, path, proc, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("server did not become ready")


def make_gguf(args):
    path = os.path.join(args.workdir, "qwen2.5-0.5b-random-q8_0.gguf")
    if os.path.exists(path):
        return path
    hf = os.path.join(args.workdir, "qwen2.5-0.5b-random")
    os.makedirs(args.workdir, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "make_random_checkpoint.py"), "qwen2.5-0.5b", hf],
                   check=True)
    subprocess.run([args.qwenrt, "quantize", hf, path, "--type", "q8_0"], check=True)
    return path


def one_stream(port, model, max_tokens):
    """(ttft, [gaps], tokens) of one streamed completion."""
    body = {"model": model, "prompt": PROMPT, "max_tokens": max_tokens, "temperature": 0, "stream": True,
            "stream_options": {"include_usage": True}}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    conn.request("POST", "/v1/completions", json.dumps(body), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {resp.read()[:200]}")
    times, usage_tokens, empty_events = [], None, 0
    for line in resp:
        if line.strip() == b"data: [DONE]":
            break  # do not wait for the server to close the stream
        if not line.startswith(b"data: "):
            continue
        event = json.loads(line[6:])
        if event.get("usage"):
            usage_tokens = event["usage"]["completion_tokens"]
        if event.get("choices") and event["choices"][0].get("text"):
            times.append(time.perf_counter())
        elif event.get("choices") and event["choices"][0].get("finish_reason") is None:
            empty_events += 1  # a token whose text is not whole yet (llama.cpp streams one per event)
    conn.close()
    if not times:
        return None, [], 0
    gaps = [b - a for a, b in zip(times, times[1:])]
    # qwenrt reports usage; llama-cpp-python does not, and sends one event per token.
    return times[0] - start, gaps, usage_tokens if usage_tokens is not None else len(times) + empty_events


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_level(port, model, concurrency, rounds, max_tokens):
    ttfts, gaps, tokens = [], [], 0
    start = time.perf_counter()

    def client(_):
        out = []
        for _ in range(rounds):
            out.append(one_stream(port, model, max_tokens))
        return out

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        for results in pool.map(client, range(concurrency)):
            for ttft, g, n in results:
                if ttft is not None:
                    ttfts.append(ttft)
                gaps += g
                tokens += n
    wall = time.perf_counter() - start
    return {"tps": tokens / wall, "ttft50": percentile(ttfts, 50), "ttft95": percentile(ttfts, 95),
            "itl50": percentile(gaps, 50), "itl95": percentile(gaps, 95), "tokens": tokens, "wall": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qwenrt", default=os.path.join(ROOT, "build", "qwenrt"))
    ap.add_argument("--llama-python", default="/root/venvs/llama/bin/python")
    ap.add_argument("--gguf")
    ap.add_argument("--workdir", default="/tmp/qwenrt-serve-load")
    ap.add_argument("--levels", default="1,4,16,64")
    ap.add_argument("--rounds", type=int, default=1, help="completions per client per level")
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--ctx", type=int, default=2048)
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    gguf = args.gguf or make_gguf(args)

    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"threads {args.threads}; model {gguf}; {args.max_tokens} tokens x {args.rounds} round(s) per client")
    results = {}
    servers = {
        "qwenrt": lambda port: [args.qwenrt, "serve", gguf, "--port", str(port), "-t", str(args.threads),
                                "-c", str(args.ctx), "--max-batch", str(max(levels)),
                                "--served-model-name", "bench"],
        "llama.cpp": lambda port: [args.llama_python, "-m", "llama_cpp.server", "--model", gguf, "--port", str(port),
                                   "--n_ctx", str(args.ctx), "--n_threads", str(args.threads),
                                   "--model_alias", "bench", "--interrupt_requests", "False"],
    }
    for name, command in servers.items():
        port = free_port()
        proc = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(port, "/v1/models", proc)
            one_stream(port, "bench", 4)  # warm-up
            for c in levels:
                results[(name, c)] = run_level(port, "bench", c, args.rounds, args.max_tokens)
                r = results[(name, c)]
                print(f"{name:10s} c={c:3d}: {r['tps']:8.1f} tok/s ({r['tokens']} tokens in {r['wall']:.1f} s)",
                      flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    ms = lambda s: f"{s * 1000:8.1f}"
    print("\n| conc | qwenrt tok/s | llama.cpp tok/s | ratio | TTFT P50/P95 ms qwenrt | llama.cpp "
          "| ITL P50/P95 ms qwenrt | llama.cpp |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in levels:
        q, l = results[("qwenrt", c)], results[("llama.cpp", c)]
        print(f"| {c} | {q['tps']:.1f} | {l['tps']:.1f} | {q['tps'] / l['tps']:.2f}x "
              f"| {ms(q['ttft50'])}/{ms(q['ttft95'])} | {ms(l['ttft50'])}/{ms(l['ttft95'])} "
              f"| {ms(q['itl50'])}/{ms(q['itl95'])} | {ms(l['itl50'])}/{ms(l['itl95'])} |")


if __name__ == "__main__":
    main()
