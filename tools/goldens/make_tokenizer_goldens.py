#!/usr/bin/env python3
"""Golden fixtures for src/tokenizer/, produced by the reference: Hugging Face `tokenizers`.

Usage (from the repository root, with the venv of tools/goldens/requirements.txt):
    python tools/goldens/make_tokenizer_goldens.py            # goldens + tables
    python tools/goldens/make_tokenizer_goldens.py --only goldens
    python tools/goldens/make_tokenizer_goldens.py --only tables

Reads the input texts from tests/goldens/tokenizer/golden_inputs.json (plus the
generated ones below: whitespace runs, edge cases, seeded random mixtures).

Writes
  tests/goldens/tokenizer/qwen3_encode.jsonl     ~480 texts: ids, decode() outputs
  tests/goldens/tokenizer/qwen3_decode.jsonl     decode() of arbitrary id sequences
  tests/goldens/tokenizer/qwen3_pretokenize.jsonl  the Split regex's pieces of the texts
  tests/goldens/tokenizer/qwen3_added_flags.jsonl  extra added tokens (lstrip, rstrip,
                                                 single_word, normalized) and texts
  tests/goldens/tokenizer/qwen3_unicode.jsonl    characters where the reference's Unicode
                                                 data differs from PCRE2's / utf8proc's
  src/tokenizer/unicode_reference_tables.cc      those differences, as C++ tables

Format: JSON lines. The first line is a header (format version, reference versions,
extra added tokens). Every other line is one case:
  {"name", "text": base64 of the input bytes, "parse_special": bool, "ids": [...],
   "nfc": base64 of the reference's NFC of the text,
   "decoded": base64 of decode(ids, skip_special_tokens=False),
   "decoded_skip": base64 of decode(ids, skip_special_tokens=True)}

Input bytes that are not valid UTF-8 are given to the reference as
bytes.decode("utf-8", "replace") (each maximal ill-formed subpart -> U+FFFD); the C++
tokenizer takes bytes and does the same replacement, so both see the same text.

Why tables: the reference matches its Split regex with Oniguruma (Unicode 16 tables)
and normalizes with the `unicode-normalization-alignments` crate (Unicode 9 data).
PCRE2 10.42 knows Unicode 14 and utf8proc 2.8 knows Unicode 15, so a few hundred
recently assigned characters are classified differently. We ask the reference how it
classifies every code point and record where it disagrees with our libraries.
"""
import argparse
import base64
import ctypes
import ctypes.util
import json
import os
import random
import sys
import unicodedata

import tokenizers
from tokenizers import AddedToken, Tokenizer, normalizers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKENIZER_DIR = os.path.join(ROOT, "..", "shared", "data", "qwen3-tokenizer")
GOLDEN_DIR = os.path.join(ROOT, "tests", "goldens", "tokenizer")
TABLES_CC = os.path.join(ROOT, "src", "tokenizer", "unicode_reference_tables.cc")
FORMAT_VERSION = 1


def load_reference(encode_special_tokens=False):
    tok = Tokenizer.from_file(os.path.join(TOKENIZER_DIR, "tokenizer.json"))
    tok.encode_special_tokens = encode_special_tokens
    return tok


def all_code_points():
    return (cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000)


# ---------------------------------------------------------------------------
# Unicode tables: where the reference's character data differs from our libraries'.

def reference_char_class(pre_tokenizer, cp):
    """How the reference's Split regex sees `cp`: 'L' (\\p{L}), 'N' (\\p{N}), 'S' (\\s), 'O'.

    Probes, applied in order: a letter glues "aXa" into one piece; a number is
    always a piece of its own, so "XX" splits in two; whitespace splits "!X!"
    (" ?[^\\s\\p{L}\\p{N}]+" would otherwise take all three as one piece)."""
    x = chr(cp)
    if len(pre_tokenizer.pre_tokenize_str("a" + x + "a")) == 1:
        return "L"
    if len(pre_tokenizer.pre_tokenize_str(x + x)) == 2:
        return "N"
    if len(pre_tokenizer.pre_tokenize_str("!" + x + "!")) >= 2:
        return "S"
    return "O"


class Utf8proc:
    """The utf8proc the C++ links, called through ctypes, so the tables compare the
    reference with the very library our normalizer uses."""

    def __init__(self):
        path = ctypes.util.find_library("utf8proc")
        if not path:
            sys.exit("libutf8proc not found (apt install libutf8proc-dev)")
        self.lib = ctypes.CDLL(path)
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"))
        for fn in (self.lib.utf8proc_NFC, self.lib.utf8proc_NFD):
            fn.restype = ctypes.c_void_p
            fn.argtypes = [ctypes.c_char_p]
        self.libc.free.argtypes = [ctypes.c_void_p]
        self.lib.utf8proc_unicode_version.restype = ctypes.c_char_p

    def _call(self, fn, text):
        ptr = fn(text.encode("utf-8"))
        out = ctypes.string_at(ptr).decode("utf-8")
        self.libc.free(ptr)
        return out

    def nfc(self, text):
        return self._call(self.lib.utf8proc_NFC, text)

    def nfd(self, text):
        return self._call(self.lib.utf8proc_NFD, text)

    def version(self):
        return self.lib.utf8proc_unicode_version().decode()


def split_nfc(u8p, opaque, text):
    """What the C++ normalizer computes: utf8proc NFC on the runs between code points
    the reference does not know (those pass through untouched and block everything)."""
    out, run = [], []
    for ch in text:
        if ord(ch) in opaque:
            out.append(u8p.nfc("".join(run)) if run else "")
            out.append(ch)
            run = []
        else:
            run.append(ch)
    if run:
        out.append(u8p.nfc("".join(run)))
    return "".join(out)


def nfc_probes(cp):
    x = chr(cp)
    # U+0345 (ccc 240) then X then U+0334 (ccc 1): canonical ordering moves the marks
    # around X unless X is a starter (ccc 0) - so any disagreement on X's combining
    # class, decomposition or composition shows up in one of these.
    return [x, " \u0345" + x + "\u0334", "a" + x, x + x]


def compute_tables(ref):
    pre_tokenizer = ref.pre_tokenizer
    u8p = Utf8proc()
    ref_nfc = normalizers.NFC()
    letters, numbers, whitespace, missing = [], [], [], []
    for cp in all_code_points():
        cls = reference_char_class(pre_tokenizer, cp)
        cat = unicodedata.category(chr(cp))
        if cls == "S":
            whitespace.append(cp)
        elif cls == "L" and not cat.startswith("L"):
            letters.append(cp)
        elif cls == "N" and not cat.startswith("N"):
            numbers.append(cp)
        if (cls != "L" and cat.startswith("L")) or (cls != "N" and cat.startswith("N")):
            missing.append(cp)
    if missing:
        sys.exit("reference lacks letters/numbers PCRE2 has; tables cannot express that: "
                 + " ".join("%04X" % cp for cp in missing[:20]))

    opaque, composites = set(), []
    for cp in all_code_points():
        if cp == 0:
            continue
        if any(ref_nfc.normalize_str(p) != u8p.nfc(p) for p in nfc_probes(cp)):
            opaque.add(cp)
        nfd = u8p.nfd(chr(cp))
        if len(nfd) >= 2 and u8p.nfc(nfd) == chr(cp):
            composites.append(cp)
    # Compositions the reference does not make (pairs of recently assigned letters).
    for cp in composites:
        nfd = u8p.nfd(chr(cp))
        if ref_nfc.normalize_str(nfd) != chr(cp):
            opaque.add(cp)
            opaque.update(ord(c) for c in nfd if ord(c) >= 0x80)
    # Check the rule the C++ applies against the reference on every probe.
    for cp in list(all_code_points()) + composites:
        if cp == 0:
            continue
        probes = nfc_probes(cp) + ([u8p.nfd(chr(cp))] if cp in composites else [])
        for p in probes:
            if split_nfc(u8p, opaque, p) != ref_nfc.normalize_str(p):
                sys.exit("split NFC disagrees with the reference on %r" % p)
    return {
        "letters": letters,
        "numbers": numbers,
        "whitespace": whitespace,
        "nfc_opaque": sorted(opaque),
        "utf8proc_unicode": u8p.version(),
        "python_unicode": unicodedata.unidata_version,
    }


def to_ranges(cps):
    ranges = []
    for cp in cps:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def write_tables_cc(tables):
    def array(name, cps):
        rows = ["    {0x%04X, 0x%04X}," % (a, b) for a, b in to_ranges(cps)]
        return ("constexpr CodePointRange %s[] = {\n%s\n};\n" % (name, "\n".join(rows)))

    text = (
        "// GENERATED by tools/goldens/make_tokenizer_goldens.py --only tables; do not edit.\n"
        "// Reference: tokenizers %s (Oniguruma regex, unicode-normalization-alignments NFC).\n"
        "// Compared against: Python unicodedata %s (the Unicode version of PCRE2 10.42)\n"
        "// and utf8proc (Unicode %s).\n"
        '#include "tokenizer/unicode_tables.h"\n\n'
        "namespace qwenrt {\nnamespace {\n\n"
        "// Code points the reference's \\p{L} / \\p{N} include that Unicode %s does not\n"
        "// (characters assigned since).\n"
        "%s\n%s\n"
        "// The reference's \\s (Unicode White_Space).\n"
        "%s\n"
        "// Code points the reference's NFC does not know (assigned after its Unicode\n"
        "// data) while utf8proc gives them a combining class or (de)composition.\n"
        "%s\n"
        "}  // namespace\n\n"
        "std::span<const CodePointRange> reference_extra_letters() { return kExtraLetters; }\n"
        "std::span<const CodePointRange> reference_extra_numbers() { return kExtraNumbers; }\n"
        "std::span<const CodePointRange> reference_whitespace() { return kWhitespace; }\n"
        "std::span<const CodePointRange> reference_nfc_opaque() { return kNfcOpaque; }\n\n"
        "}  // namespace qwenrt\n"
    ) % (
        tokenizers.__version__, tables["python_unicode"], tables["utf8proc_unicode"],
        tables["python_unicode"],
        array("kExtraLetters", tables["letters"]), array("kExtraNumbers", tables["numbers"]),
        array("kWhitespace", tables["whitespace"]), array("kNfcOpaque", tables["nfc_opaque"]),
    )
    with open(TABLES_CC, "w") as f:
        f.write(text)
    print("wrote", os.path.relpath(TABLES_CC, ROOT))


# ---------------------------------------------------------------------------
# Golden texts.

INPUTS_JSON = os.path.join(GOLDEN_DIR, "golden_inputs.json")


def inputs(group):
    """[(name, text)] of one group of tests/goldens/tokenizer/golden_inputs.json;
    the "invalid_utf8" group gives bytes."""
    with open(INPUTS_JSON, encoding="utf-8") as f:
        data = json.load(f)
    if group == "invalid_utf8":
        return [(n, bytes.fromhex(h)) for n, h in data[group]]
    return [(n, t) for n, t in data[group]]


WHITESPACE_CHARS = ["\t", "\n", "\x0b", "\x0c", "\r", " ", "\x85", "\xa0", "\u1680",
                    "\u2000", "\u2003", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f",
                    "\u205f", "\u3000", "\u180e", "\u200b", "\ufeff", "\x1c", "\x1f"]


def texts_whitespace():
    out = []
    for ch in WHITESPACE_CHARS:
        n = "ws_%04x" % ord(ch)
        out.append((n + "_between", "a" + ch + "b"))
        out.append((n + "_double", "a" + ch + ch + "b"))
        out.append((n + "_edges", ch + "word" + ch))
    for k in (1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 64):
        out.append(("spaces_%d" % k, "x" + " " * k + "y"))
    out += [
        ("spaces_500", " " * 500),
        ("crlf", "line one\r\nline two\r\n"),
        ("newlines", "a\n\nb\n\n\nc\n\n\n\n"),
        ("newline_runs_spaces", "a \n \n  \n   b"),
        ("tabs_newlines", "\tindented\n\t\tmore\n\t\t\tdeeper\n"),
        ("mixed_ws", "  \t \n\n  x \u3000 y\u00a0\u00a0z  "),
        ("trailing_newline_spaces", "end   \n   "),
        ("only_newlines", "\n\n\n"),
        ("only_tabs", "\t\t\t"),
        ("cr_only", "a\rb\r\rc"),
        ("ws_before_punct", "x   !   ? \n ."),
        ("ws_before_letters", "   hello     world   "),
        ("ws_180e_after_space", "x \u180ea \u180e! \u180e1"),
    ]
    return out


def texts_edges():
    out = [
        ("nul", "a\x00b"),
        ("controls", "".join(chr(c) for c in range(0, 32) if c not in (10, 13))),
        ("ascii_printable", "".join(chr(c) for c in range(32, 127))),
        ("latin1", "".join(chr(c) for c in range(0xa0, 0x100))),
        ("del_c1", "\x7f\x80\x81\x9f"),
        ("long_word", "a" * 1000),
        ("long_letters_mixed", "abcdefghij" * 60),
        ("repeated_pair", "ab" * 300),
        ("long_cjk", "\u4e2d" * 300),
        ("long_punct", "-" * 400),
        ("long_mixed_line", ("lorem ipsum dolor sit amet, " * 40).strip()),
        ("private_use", "\ue000\uf8ff\U000f0000"),
        ("noncharacters", "\ufffe\uffff\U0010fffe"),
        ("replacement_char", "\ufffd already"),
        ("bom_start", "\ufeffBOM text"),
        ("zero_width", "zero\u200bwidth\u200cjoiner\u200dnon\u2060word"),
        ("bidi", "\u202eRTL override\u202c \u200fmark\u200e"),
        ("variation_selectors", "\u845b\U000e0100 \u845b\U000e0101"),
        ("supplementary_cjk", "\U00020000\U0002a6d6\U00030000"),
        ("single_space", " "),
        ("single_newline", "\n"),
        ("single_letter", "a"),
        ("single_digit", "7"),
        ("single_cjk", "\u4e2d"),
        # Long runs of combining marks: canonical ordering over hundreds of marks.
        ("long_mark_run", "e" + "\u0301\u0323" * 300),
        ("tibetan_decomposing_run", "\u0f40" + "\u0f73\u0f75\u0f81" * 100),
        ("precomposed_with_marks", "\u1ec7\u0301\u0323\u0302" * 50),
    ]
    for b in range(0x20, 0x7f, 5):
        out.append(("byte_%02x_ctx" % b, "x" + chr(b) + " " + chr(b) + chr(b) + "y"))
    return out


RANDOM_POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    " \t\n\r  \u3000\u00a0",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "\u4e00\u4e8c\u4e09\u4eba\u5927\u4e2d\u56fd\u6587\u5b57\u8a9e",
    "\u3042\u3044\u3046\u30a2\u30a4\u30a6\uac00\ub098\ub2e4",
    "\u0627\u0628\u062a\u0646\u0645\u0928\u092e\u0938\u0e01\u0e02\u0e03",
    "\u00e9\u00e8\u00ea\u00f1\u00fc\u00df\u0107\u0142\u1ebf\u01b0",
    "\u0301\u0308\u0323\u0330\u094d\u0e31",
    "\U0001f600\U0001f44d\u200d\U0001f3fb\ufe0f\u2764",
    "\u0430\u0431\u0432\u0413\u0414\u03b1\u03b2\u0393",
]
SPECIAL_SNIPPETS = ["<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>",
                    "<|endoftext|>", "<|im_", "|>", "<"]


def texts_random(count=110, seed=20240607):
    rng = random.Random(seed)
    out = []
    for i in range(count):
        pieces = []
        for _ in range(rng.randint(1, 12)):
            pool = rng.choice(RANDOM_POOLS)
            pieces.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 8))))
            if rng.random() < 0.15:
                pieces.append(rng.choice(SPECIAL_SNIPPETS))
        out.append(("random_%03d" % i, "".join(pieces)))
    return out


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode()


def make_case(ref, ref_plain, name, data, parse_special):
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    text = raw.decode("utf-8", "replace")
    tok = ref if parse_special else ref_plain
    ids = tok.encode(text, add_special_tokens=False).ids
    return {
        "name": name,
        "text": base64.b64encode(raw).decode(),
        "parse_special": parse_special,
        "ids": ids,
        "nfc": b64(normalizers.NFC().normalize_str(text)),
        "decoded": b64(ref.decode(ids, skip_special_tokens=False)),
        "decoded_skip": b64(ref.decode(ids, skip_special_tokens=True)),
    }


def write_jsonl(path, header, cases):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps(header, ensure_ascii=True) + "\n")
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=True, separators=(",", ":")) + "\n")
    print("wrote %s: %d cases, %d bytes" % (os.path.relpath(path, ROOT), len(cases),
                                            os.path.getsize(path)))


def header(extra=None):
    h = {"format": FORMAT_VERSION, "reference": "tokenizers " + tokenizers.__version__,
         "tokenizer": "shared/data/qwen3-tokenizer"}
    if extra:
        h.update(extra)
    return h


def reference_facts(ref):
    """What the C++ must agree on beyond ids: sizes, added tokens, config values
    (read by transformers, the reference for tokenizer_config.json)."""
    from transformers import AutoTokenizer
    hf = AutoTokenizer.from_pretrained(TOKENIZER_DIR)
    added = ref.get_added_tokens_decoder()
    spellings = ["\u0120the", "\u010a", "\u0120\u0120", "hello", "\u00e4\u00bd\u0142", "!"]
    return {
        "vocab_size": ref.get_vocab_size(with_added_tokens=True),
        "added_tokens": [{"id": i, "content": t.content, "special": t.special}
                         for i, t in sorted(added.items())],
        "token_to_id": {s: ref.token_to_id(s) for s in spellings},
        "config": {"eos_token": hf.eos_token, "pad_token": hf.pad_token,
                   "bos_token": hf.bos_token, "chat_template": b64(hf.chat_template or "")},
    }


def byte_level_spelling():
    """GPT-2's byte -> character map (bytes_to_unicode), to read the reference's
    byte-level pieces back as raw bytes."""
    printable = [b for b in range(256) if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or b >= 0xAE]
    others = [b for b in range(256) if b not in printable]
    spelling = {b: chr(b) for b in printable}
    spelling.update({b: chr(256 + i) for i, b in enumerate(others)})
    return spelling


def write_pretokenize_goldens():
    """The reference's pre-tokenizer pieces (Split regex only, no normalizer, no
    added tokens), so the regex translation is pinned even where the ids would not
    show a difference."""
    ref = load_reference()
    to_byte = {c: b for b, c in byte_level_spelling().items()}
    groups = [inputs("basic"), inputs("numbers"), texts_whitespace(), inputs("multilingual"),
              inputs("code"), inputs("emoji"), inputs("combining"), texts_edges(), texts_random()]
    cases = []
    for name, text in [c for g in groups for c in g]:
        pieces = [bytes(to_byte[ch] for ch in p) for p, _ in ref.pre_tokenizer.pre_tokenize_str(text)]
        cases.append({"name": name, "text": b64(text),
                      "pieces": [base64.b64encode(p).decode() for p in pieces]})
    write_jsonl(os.path.join(GOLDEN_DIR, "qwen3_pretokenize.jsonl"), header(), cases)


def write_decode_goldens():
    """decode() of id sequences no encode() would give: lone bytes of UTF-8
    characters, specials in between, and one line per sampled single token."""
    ref = load_reference()
    rng = random.Random(7)
    vocab_size = ref.get_vocab_size(with_added_tokens=True)
    # Tokens of single non-ASCII bytes: GPT-2's byte-level spelling of each byte.
    spelling = byte_level_spelling()
    byte_ids = [ref.token_to_id(spelling[b]) for b in range(0x80, 0x100)]
    assert None not in byte_ids
    specials = [ref.token_to_id(t) for t in ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>")]
    cases = []
    for i in range(120):
        ids = []
        for _ in range(rng.randint(1, 10)):
            r = rng.random()
            pool = byte_ids if r < 0.6 else specials if r < 0.75 else range(vocab_size)
            ids.append(rng.choice(pool))
        cases.append({"name": "random_%03d" % i, "ids": ids,
                      "decoded": b64(ref.decode(ids, skip_special_tokens=False)),
                      "decoded_skip": b64(ref.decode(ids, skip_special_tokens=True))})
    for tid in range(0, vocab_size, 241):
        cases.append({"name": "single_%d" % tid, "ids": [tid],
                      "decoded": b64(ref.decode([tid], skip_special_tokens=False)),
                      "decoded_skip": b64(ref.decode([tid], skip_special_tokens=True))})
    write_jsonl(os.path.join(GOLDEN_DIR, "qwen3_decode.jsonl"), header(), cases)


def write_encode_goldens():
    ref, ref_plain = load_reference(False), load_reference(True)
    groups = [inputs("basic"), inputs("numbers"), texts_whitespace(), inputs("multilingual"),
              inputs("code"), inputs("emoji"), inputs("combining"), inputs("special"),
              inputs("invalid_utf8"), texts_edges(), texts_random()]
    cases = [make_case(ref, ref_plain, n, t, True) for g in groups for n, t in g]
    # The same texts with special tokens taken as plain text (encode_special_tokens).
    plain = inputs("special") + [c for c in texts_random() if "<" in c[1]] + [
        c for c in inputs("invalid_utf8") if c[0] == "invalid_in_special"]
    cases += [make_case(ref, ref_plain, n + "_plain", t, False) for n, t in plain]
    for case in cases:  # the round trip the C++ test asserts holds for the reference
        if case["decoded"] != case["nfc"]:
            sys.exit("reference does not round-trip %s" % case["name"])
    write_jsonl(os.path.join(GOLDEN_DIR, "qwen3_encode.jsonl"), header(reference_facts(ref)),
                cases)


# Extra added tokens exercising every flag; the C++ test adds the same ones.
EXTRA_ADDED = [
    dict(content="<LSTRIP>", special=True, lstrip=True, rstrip=False, single_word=False, normalized=False),
    dict(content="<RSTRIP>", special=False, lstrip=False, rstrip=True, single_word=False, normalized=False),
    dict(content="<BOTH>", special=True, lstrip=True, rstrip=True, single_word=False, normalized=False),
    dict(content="word", special=False, lstrip=False, rstrip=False, single_word=True, normalized=False),
    dict(content="na\u00efve", special=False, lstrip=False, rstrip=False, single_word=False, normalized=True),
    dict(content="\u00c5", special=False, lstrip=False, rstrip=False, single_word=False, normalized=True),
    dict(content="<|im_start|>x", special=True, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content="\u65e5\u672c", special=False, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content="e\u0301!", special=False, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content=" spaced out ", special=False, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content="\u0120x\u0120", special=False, lstrip=False, rstrip=False, single_word=False, normalized=False),
    dict(content="<SW>", special=True, lstrip=True, rstrip=False, single_word=True, normalized=False),
]

def write_added_flag_goldens():
    def build(encode_special):
        tok = load_reference(encode_special)
        for spec in EXTRA_ADDED:
            t = AddedToken(spec["content"], single_word=spec["single_word"], lstrip=spec["lstrip"],
                           rstrip=spec["rstrip"], normalized=spec["normalized"],
                           special=spec["special"])
            (tok.add_special_tokens if spec["special"] else tok.add_tokens)([t])
        return tok

    ref, ref_plain = build(False), build(True)
    extra = []
    for spec in EXTRA_ADDED:
        spec = dict(spec)
        spec["id"] = ref.token_to_id(spec["content"])
        spec["content"] = base64.b64encode(spec["content"].encode()).decode()
        extra.append(spec)
    texts = inputs("added_flags")
    cases = [make_case(ref, ref_plain, n, t, True) for n, t in texts]
    cases += [make_case(ref, ref_plain, n + "_plain", t, False) for n, t in texts]
    write_jsonl(os.path.join(GOLDEN_DIR, "qwen3_added_flags.jsonl"),
                header({"extra_added_tokens": extra}), cases)


def write_unicode_goldens(tables):
    """Texts around every code point where the reference's Unicode data is not our
    libraries' (from the tables), so a table that drifts fails a test."""
    ref, ref_plain = load_reference(False), load_reference(True)
    cases = []
    def probes(kind, cps):
        for a, b in to_ranges(cps):
            for cp in sorted({a, (a + b) // 2, b}):
                x = chr(cp)
                text = "a" + x + "a " + x + x + " !" + x + "! \u0345" + x + "\u0334 " + x + "1"
                cases.append(make_case(ref, ref_plain, "%s_%04x" % (kind, cp), text, True))
    probes("letter", tables["letters"])
    probes("number", tables["numbers"])
    probes("space", tables["whitespace"])
    probes("nfc", tables["nfc_opaque"])
    write_jsonl(os.path.join(GOLDEN_DIR, "qwen3_unicode.jsonl"), header(), cases)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["goldens", "tables"])
    args = parser.parse_args()
    if args.only != "goldens":
        print("probing the reference's Unicode data (a few minutes)...")
        tables = compute_tables(load_reference())
        write_tables_cc(tables)
        write_unicode_goldens(tables)
    if args.only != "tables":
        write_encode_goldens()
        write_decode_goldens()
        write_pretokenize_goldens()
        write_added_flag_goldens()


if __name__ == "__main__":
    main()
