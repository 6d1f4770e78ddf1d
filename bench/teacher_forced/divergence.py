"""Teacher-forced divergence analysis shared by bench/llama_cpp_fidelity.py and
bench/llama_cpp_real_model.py.

Two greedy decodes that differ share a prefix of identical tokens, then part at the first
position where the engines' argmaxes differ. Feeding llama.cpp's greedy ids to both engines
(teacher forcing) finds that position exactly and gives each engine's logits row there. Its
margins say how close the call was:
  llama margin  = llama[llama_top] - llama[other_top]   (how much llama.cpp prefers its token)
  other margin  = other[other_top] - other[llama_top]   (how much the other engine prefers its)
A *near-tie divergence* is one where both margins are below eps, the noise level the engines
are measured to have anyway (the caller picks eps and says why); otherwise it is *clear*.
"""
import os
import subprocess
import tempfile

import numpy as np


def llama_greedy(llm, ids, n_tokens, eos=frozenset()):
    """llama.cpp's greedy continuation of ids: the new ids (ending with an id of eos if one
    was chosen) and the logits rows that chose them."""
    llm.reset()
    llm.eval(ids)
    out = []
    for _ in range(n_tokens):
        out.append(int(np.argmax(llm.scores[llm.n_tokens - 1])))
        if out[-1] in eos or len(out) == n_tokens:
            break
        llm.eval([out[-1]])
    return out, np.array(llm.scores[len(ids) - 1:len(ids) - 1 + len(out)], dtype=np.float32)


def qwenrt_rows(binary, gguf, seqs, threads=2):
    """Teacher-forced qwenrt logits (bench/teacher_forced/qwenrt_logits.cc, build target
    teacher_forced_logits). seqs: list of (n_prompt, ids). Returns, per sequence, the float32
    rows [len(ids) - n_prompt, vocab] predicting ids[n_prompt] .. ids[-1]: the prompt is
    prefilled in one forward, as `qwenrt run` does, the rest fed one token at a time."""
    if not seqs:
        return []
    with tempfile.TemporaryDirectory(prefix="qwenrt-tf-") as tmp:
        src, dst = os.path.join(tmp, "seqs.txt"), os.path.join(tmp, "rows.bin")
        with open(src, "w") as f:
            for n_prompt, ids in seqs:
                f.write(" ".join(map(str, [n_prompt, *ids])) + "\n")
        subprocess.run([binary, gguf, src, dst, str(threads)], check=True, capture_output=True, timeout=3600)
        raw = np.fromfile(dst, dtype=np.float32)
    counts = [len(ids) - n_prompt for n_prompt, ids in seqs]
    raw = raw.reshape(sum(counts), -1)
    return np.split(raw, np.cumsum(counts)[:-1])


def first_divergence(ref_rows, other_rows):
    """First row where the argmaxes differ: (k, ref_top, other_top, ref_margin, other_margin),
    or None if the argmaxes agree on every row."""
    n = min(len(ref_rows), len(other_rows))
    a, b = ref_rows[:n].argmax(1), other_rows[:n].argmax(1)
    diff = np.nonzero(a != b)[0]
    if len(diff) == 0:
        return None
    k = int(diff[0])
    r, o = ref_rows[k], other_rows[k]
    rt, ot = int(a[k]), int(b[k])
    return k, rt, ot, float(r[rt] - r[ot]), float(o[ot] - o[rt])


def classify(same_text, ref_rows, other_rows, eps, names=("llama", "qwenrt")):
    """(kind, line): kind is "identical", "near-tie" or "clear". A text difference with no
    teacher-forced argmax difference is unexplained and counted as clear."""
    if same_text:
        return "identical", "identical"
    d = first_divergence(ref_rows, other_rows)
    if d is None:
        return "clear", f"CLEAR divergence: texts differ but the teacher-forced argmaxes agree (eps {eps:.3f})"
    k, rt, ot, mr, mo = d
    kind = "near-tie" if mr < eps and mo < eps else "clear"
    head = f"near-tie divergence at token {k}" if kind == "near-tie" else f"CLEAR divergence at token {k}"
    return kind, (f"{head}: margins {names[0]} {mr:.3f} ({rt} over {ot}), {names[1]} {mo:.3f} "
                  f"({ot} over {rt}); eps {eps:.3f}")


def summary(kinds):
    n = {k: sum(1 for x in kinds if x == k) for k in ("identical", "near-tie", "clear")}
    return (f"identical {n['identical']} of {len(kinds)}; diverging only at a near-tie {n['near-tie']}; "
            f"clear divergences {n['clear']}")
