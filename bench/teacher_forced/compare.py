#!/usr/bin/env python3
"""Teacher-forced comparison, step 4: per prompt and overall, each engine against the last
file (the reference): max |logit diff| per position, |logprob diff| of the reference's top
token, and flips (positions whose argmax differs from the reference's).

Usage: python compare.py NAME FILE.npz [NAME FILE.npz ...] ref REF.npz
A qwenrt_logits output is given as FILE.bin:SEQS.txt (raw rows, split by the sequences).
"""
import sys, numpy as np
names = sys.argv[1::2]; files = sys.argv[2::2]
def load(f):
    if ".bin:" not in f:
        return np.load(f)
    path, seqs = f.split(":")
    raw = np.fromfile(path, dtype=np.float32).reshape(-1, 151936)
    out, o = {}, 0
    for i, line in enumerate(l for l in open(seqs).read().split("\n") if l.strip()):
        v = list(map(int, line.split())); n = len(v) - 1 - v[0]
        out[f"p{i}"] = raw[o:o + n]; o += n
    assert o == len(raw), "rows do not match the sequences"
    return out
D = [load(f) for f in files]
keys = sorted(D[-1].keys() if isinstance(D[-1], dict) else D[-1].files, key=lambda k: int(k[1:]))
ref = D[-1]
tot = {n: [0, 0, [], []] for n in names}
for k in keys:
    R = ref[k]
    s = np.sort(R, axis=1); margin = s[:, -1] - s[:, -2]
    line = f"{k:4s} n={len(R):2d} minmargin={margin.min():.3f} "
    for n, d in zip(names[:-1], D[:-1]):
        X = d[k][:len(R)]
        diff = np.abs(X - R).max(axis=1)
        # logprob diff of the reference's top token
        def lsm(a): a = a - a.max(1, keepdims=True); return a - np.log(np.exp(a).sum(1, keepdims=True))
        top = R.argmax(1)
        lp = np.abs(lsm(X)[np.arange(len(R)), top] - lsm(R)[np.arange(len(R)), top])
        flips = int((X.argmax(1) != top).sum())
        tot[n][0] += flips; tot[n][1] += len(R); tot[n][2].append(diff); tot[n][3].append(lp)
        line += f"| {n}: maxdiff med {np.median(diff):.3f} max {diff.max():.3f} lp_med {np.median(lp):.4f} flips {flips} "
    print(line)
for n in names[:-1]:
    d = np.concatenate(tot[n][2]); lp = np.concatenate(tot[n][3])
    print(f"{n}: flips {tot[n][0]}/{tot[n][1]}  max|dlogit| median {np.median(d):.4f} mean {d.mean():.4f} p90 {np.percentile(d,90):.4f}; |dlogprob(top)| median {np.median(lp):.4f} mean {lp.mean():.4f}")
