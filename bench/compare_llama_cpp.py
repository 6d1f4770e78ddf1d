#!/usr/bin/env python3
"""Speed, side by side: `qwenrt bench` against llama.cpp (llama-cpp-python, the pinned
0.3.36 of bench/requirements-llama.txt) on the same GGUF files, one table with ratios.

The files are random-weight checkpoints of the exact Qwen2.5-0.5B / 1.5B / 7B shapes, and
of Qwen3-30B-A3B's (mixture of experts) at 8 of its 48 layers (tools/make_random_checkpoint.py, BF16), quantized by `qwenrt quantize` to each type and
cached under --workdir. Both engines run the llama-bench tests at the same thread count,
one after the other, never at the same time:
  pp512  one 512-token prompt evaluated in a single batch, tokens/s
  tg128  128 tokens decoded one at a time from an empty context, tokens/s
Each is the mean of --reps runs, the engines alternating run by run, each run after its own
warm-up. qwenrt's decode is also reported as a fraction of its memory-bandwidth roofline,
as `qwenrt bench` measures it: 128 more decode steps, each preceded by a 128 MB read of
the model's own weights, the roofline being the bandwidth of those reads over the same
seconds (on a shared machine the bandwidth swings by half within seconds, so a probe
taken at another moment judges another machine). The last column is what each run's decode
prefetch trial settled on (kernels/cpu/decode_prefetch.h).

Usage:
  .venv/bin/python bench/compare_llama_cpp.py [--qwenrt build/qwenrt]
      [--llama-python /root/venvs/llama/bin/python] [--shapes 0.5b,1.5b,7b]
      [--types q8_0,q4_0,q4_k_m] [--threads 2] [--reps 3]
"""
import argparse
import os
import re
import subprocess
import sys
from statistics import mean

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs inside the llama-cpp-python venv: one warm-up, then prints "pp <t/s>" and "tg <t/s>".
LLAMA_TIMER = r"""
import sys, time, random
from llama_cpp import Llama
path, threads, n_prompt, n_gen = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
llm = Llama(model_path=path, n_ctx=n_prompt + n_gen + 16, n_batch=n_prompt, n_ubatch=n_prompt,
            n_threads=threads, n_threads_batch=threads, verbose=False)
rng = random.Random(42)
vocab = min(llm.n_vocab(), 100000)
prompt = [rng.randrange(vocab) for _ in range(n_prompt)]
llm.reset(); llm.eval(prompt[:16])  # warm-up: page in the weights
llm.reset(); t0 = time.perf_counter(); llm.eval(prompt); dt = time.perf_counter() - t0
print("pp", n_prompt / dt, flush=True)
llm.reset(); tok = prompt[0]; t0 = time.perf_counter()
for _ in range(n_gen):
    llm.eval([tok]); tok = rng.randrange(vocab)
dt = time.perf_counter() - t0
print("tg", n_gen / dt, flush=True)
"""

SHAPES = {"0.5b": "qwen2.5-0.5b", "1.5b": "qwen2.5-1.5b", "7b": "qwen2.5-7b", "30b-a3b": "qwen3-30b-a3b"}
# Shapes too large for a test machine's memory at full depth run with fewer of their
# layers: every layer is the real one, the output head is then a larger share of a step.
LAYERS = {"30b-a3b": 8}


def label(shape):
    return SHAPES[shape] + (f"/{LAYERS[shape]}L" if shape in LAYERS else "")


def gguf_for(args, shape, qtype):
    stem = SHAPES[shape] + (f"-{LAYERS[shape]}l" if shape in LAYERS else "")
    out = os.path.join(args.workdir, f"{stem}-random-{qtype}.gguf")
    if os.path.exists(out):
        return out
    hf = os.path.join(args.workdir, f"{stem}-random-bf16")
    if not os.path.exists(os.path.join(hf, "config.json")):
        layers = ["--layers", str(LAYERS[shape])] if shape in LAYERS else []
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "make_random_checkpoint.py"),
                        SHAPES[shape], hf, *layers], check=True)
    subprocess.run([args.qwenrt, "quantize", hf, out + ".tmp", "--type", qtype], check=True)
    os.replace(out + ".tmp", out)
    return out


def time_qwenrt(args, path):
    out = subprocess.run([args.qwenrt, "bench", path, "-t", str(args.threads), "-p", "512", "-n", "128",
                          "-r", "1"], check=True, capture_output=True, text=True).stdout
    rates = {m.group(1): float(m.group(2)) for m in re.finditer(r"\|\s*(pp512|tg128)\s*\|\s*([\d.]+)", out)}
    roof = re.search(r"= ([\d.]+)% of the ([\d.]+) t/s roofline", out)
    prefetch = re.search(r"decode prefetch: (\S+)", out)
    return (rates["pp512"], rates["tg128"], float(roof.group(1)) if roof else None,
            prefetch.group(1) if prefetch else "?")


def time_llama(args, path):
    # llama.cpp as its users run it: OMP_WAIT_POLICY=passive (which the fidelity scripts set to
    # share the cores with qwenrt) cut its decode speed by up to half here, so OpenMP settings are dropped.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_"))}
    out = subprocess.run([args.llama_python, "-c", LLAMA_TIMER, path, str(args.threads), "512", "128"],
                         check=True, capture_output=True, text=True, env=env).stdout
    rates = dict(line.split() for line in out.splitlines() if line.startswith(("pp ", "tg ")))
    return float(rates["pp"]), float(rates["tg"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qwenrt", default=os.path.join(ROOT, "build", "qwenrt"))
    ap.add_argument("--llama-python", default="/root/venvs/llama/bin/python")
    ap.add_argument("--shapes", default="0.5b,1.5b,7b")
    ap.add_argument("--types", default="q8_0,q4_0,q4_k_m")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--workdir", default=os.path.expanduser("~/.cache/qwenrt/bench"))
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    header = (f"| {'model':<14} | {'type':<7} | {'test':<5} | {'qwenrt t/s':>10} | {'llama.cpp t/s':>13} |"
              f" {'ratio':>6} | {'qwenrt % roofline':>17} | {'decode prefetch':<15} |")
    rows = []
    for shape in args.shapes.split(","):
        for qtype in args.types.split(","):
            path = gguf_for(args, shape, qtype)
            # The engines alternate run by run: this machine's read bandwidth changes regime
            # within minutes, and back-to-back blocks of runs would each see a different one.
            runs = [(time_qwenrt(args, path), time_llama(args, path)) for _ in range(args.reps)]
            q_pp, q_tg = mean(q[0] for q, _ in runs), mean(q[1] for q, _ in runs)
            roofs = [q[2] for q, _ in runs if q[2] is not None]
            roof = mean(roofs) if roofs else None
            l_pp, l_tg = mean(l[0] for _, l in runs), mean(l[1] for _, l in runs)
            prefetch = " ".join(q[3] for q, _ in runs)  # what each run's trial settled on
            for test, q, l, r, pf in (("pp512", q_pp, l_pp, "", ""),
                                      ("tg128", q_tg, l_tg, f"{roof:.1f}%" if roof else "n/a", prefetch)):
                row = (f"| {label(shape):<14} | {qtype:<7} | {test:<5} | {q:>10.2f} | {l:>13.2f} |"
                       f" {q / l:>5.2f}x | {r:>17} | {pf:<15} |")
                rows.append(row)
                print(row, file=sys.stderr, flush=True)
    print(f"threads: {args.threads}, reps: {args.reps}, llama.cpp: llama-cpp-python 0.3.36")
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header[1:-1].split("|")) + "|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
