"""`qwenrt chat`: multi-turn chat through the checkpoint's chat template, structured output
validated by jsonschema, tools and thinking passed to the template, clear errors.

Two models: `tiny_model` (the golden fixture: 320 logit rows, the real vocabulary's first
320 ids, so it can only read text such as digits that tokenizes into them) given a
digits-only chat template; and `qwen_vocab_model`, random weights with all 151,936 rows
(hidden size 32, one layer), so Qwen3's own template, special tokens included, runs end
to end. Random weights never choose to call a tool, so the parsing and printing of tool
calls is tested at unit level (tests/unit/chat_assistant_message_test.cc); here --tools is
checked to reach the template, and bad tools files to fail clearly."""
import importlib.util
import json
import struct
import subprocess

import jsonschema
import numpy as np
import pytest

from conftest import QWENRT, ROOT, SHARED

# The tiny model reads only ids < 320: the template writes nothing but the contents.
DIGITS_TEMPLATE = "{%- for m in messages %}{{ m.content }}\n{% endfor %}"

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 12},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "units": {"enum": ["metric", "imperial"]},
    },
    "required": ["city", "days", "units"],
    "additionalProperties": False,
}

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@pytest.fixture
def plain_model(tiny_model):
    (tiny_model / "chat_template.jinja").write_text(DIGITS_TEMPLATE, encoding="utf-8")
    return tiny_model


@pytest.fixture(scope="module")
def qwen_vocab_model(tmp_path_factory):
    """Qwen3 layout, hidden size 32, one layer, the real vocabulary and tokenizer files."""
    spec = importlib.util.spec_from_file_location("make_random_checkpoint",
                                                  ROOT / "tools" / "make_random_checkpoint.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    cfg = dict(maker.SHAPES["qwen3-0.6b"], **maker.COMMON)
    cfg.update(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
               num_key_value_heads=1, head_dim=16, torch_dtype="float32")
    out = tmp_path_factory.mktemp("qwen_vocab_model")
    tensors = maker.tensor_list(cfg)
    header, offset = {}, 0
    for name, shape in tensors:
        size = int(np.prod(shape)) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    header_bytes = json.dumps(header).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    rng = np.random.default_rng(0)
    with open(out / "model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes)
        for name, shape in tensors:
            ones = name.endswith("norm.weight")
            values = np.ones(shape, np.float32) if ones else rng.standard_normal(shape, dtype=np.float32) * 0.02
            f.write(maker.encode(values, "f32"))
    (out / "config.json").write_text(json.dumps(cfg))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (out / name).write_bytes((SHARED / "data" / "qwen3-tokenizer" / name).read_bytes())
    return out


def chat(model, *args, stdin=None, timeout=120):
    return subprocess.run([str(QWENRT), "chat", str(model), *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def assert_clear_error(result, *needles):
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_multi_turn_keeps_the_history(qwen_vocab_model):
    r = chat(qwen_vocab_model, "--system", "Be brief.", "--no-think", "--show-prompt", "-n", "6", "--temp", "1.0",
             "-s", "3", stdin="first question\nsecond question\n")
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("[6 tokens, finish: length]") == 2
    first_prompt, second_prompt = r.stderr.split("[6 tokens, finish: length]\n")[:2]
    head = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nfirst question<|im_end|>\n<|im_start|>assistant\n"
    assert first_prompt == head + "<think>\n\n</think>\n\n"
    # The second prompt holds the whole conversation, the first reply included as it was
    # streamed to stdout.
    tail = "<|im_end|>\n<|im_start|>user\nsecond question<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
    assert second_prompt.startswith(head) and second_prompt.endswith(tail)
    first_reply = second_prompt[len(head):-len(tail)]
    assert first_reply.strip() and first_reply.strip("\n") in r.stdout


def test_single_turn_prompt_flag_is_deterministic_with_seed(qwen_vocab_model):
    args = ("-p", "hello", "-n", "8", "--temp", "1.3", "-s", "9")
    a, b = chat(qwen_vocab_model, *args), chat(qwen_vocab_model, *args)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout and a.stdout.strip()
    c = chat(qwen_vocab_model, *args[:-1], "10")
    assert c.stdout != a.stdout


@pytest.mark.parametrize("seed", range(6))
def test_json_schema_reply_validates_on_the_tiny_model(plain_model, tmp_path, seed):
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(SCHEMA))
    r = chat(plain_model, "--json-schema", schema_file, "-p", "31415", "-n", "80", "--temp", "1.5", "-s", seed)
    assert r.returncode == 0, r.stderr
    jsonschema.validate(json.loads(r.stdout), SCHEMA)
    assert r.stdout.endswith("}\n") and "finish: stop" in r.stderr
    # The check means something: the same sampling without the schema is not JSON.
    free = chat(plain_model, "-p", "31415", "-n", "40", "--temp", "1.5", "-s", seed)
    assert free.returncode == 0, free.stderr
    with pytest.raises(ValueError):
        json.loads(free.stdout)


def test_qwen3_template_thinking_and_tools_reach_the_prompt(qwen_vocab_model, tmp_path):
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([WEATHER_TOOL]))
    off = chat(qwen_vocab_model, "--no-think", "--tools", tools, "--show-prompt", "-p", "Weather in Paris?",
               "-n", "4")
    assert off.returncode == 0, off.stderr
    assert "<tools>\n" + json.dumps(WEATHER_TOOL, ensure_ascii=False) + "\n</tools>" in off.stderr
    assert off.stderr.split("[4 tokens")[0].endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    on = chat(qwen_vocab_model, "--think", "--show-prompt", "-p", "Hi", "-n", "4")
    assert on.returncode == 0, on.stderr
    assert on.stderr.split("[4 tokens")[0].endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")


def test_json_schema_with_the_real_vocabulary(qwen_vocab_model, tmp_path):
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(SCHEMA))
    r = chat(qwen_vocab_model, "--json-schema", schema_file, "--show-prompt", "-n", "60", "--temp", "1.5",
             "-s", "2", stdin="first\nsecond\nthird\n", timeout=300)
    assert r.returncode == 0, r.stderr
    replies = r.stdout.splitlines()
    assert len(replies) == 3
    for reply in replies:
        jsonschema.validate(json.loads(reply), SCHEMA)
    # Structured replies are not thought: thinking is switched off in the template.
    assert r.stderr.count("<|im_start|>assistant\n<think>\n\n</think>\n\n[") == 3
    # Each reply goes back into the history for the next turn.
    assert "<|im_start|>assistant\n" + replies[0] + "<|im_end|>" in r.stderr


def test_no_template_is_a_clear_error(tiny_model):
    assert_clear_error(chat(tiny_model.parent / "missing", "-p", "x"))
    bare = tiny_model
    (bare / "tokenizer_config.json").write_text(json.dumps({"eos_token": "<|im_end|>"}))
    assert_clear_error(chat(bare, "-p", "x"), "no chat template")


def test_bad_files_are_clear_errors(plain_model, tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    assert_clear_error(chat(plain_model, "--tools", bad_json, "-p", "x"), "--tools", "not valid JSON")
    not_list = tmp_path / "tools.json"
    not_list.write_text(json.dumps(WEATHER_TOOL))
    assert_clear_error(chat(plain_model, "--tools", not_list, "-p", "x"), "expected a JSON array")
    nameless = tmp_path / "nameless.json"
    nameless.write_text(json.dumps([WEATHER_TOOL, {"type": "function", "function": {"description": "x"}}]))
    assert_clear_error(chat(plain_model, "--tools", nameless, "-p", "x"), "nameless.json: /1")
    assert_clear_error(chat(plain_model, "--tools", tmp_path / "absent.json", "-p", "x"), "cannot open")
    assert_clear_error(chat(plain_model, "--json-schema", bad_json, "-p", "x"), "--json-schema", "bad.json",
                       "not valid JSON")
    unsupported = tmp_path / "unsupported.json"
    unsupported.write_text(json.dumps({"type": "string", "minLength": 5, "maxLength": 2}))
    assert_clear_error(chat(plain_model, "--json-schema", unsupported, "-p", "x"), "unsupported.json")
    assert_clear_error(chat(plain_model, "--json-schema", tmp_path / "absent.json", "-p", "x"), "cannot open")


def test_broken_template_is_a_clear_error(plain_model):
    (plain_model / "chat_template.jinja").write_text("{% for m in messages %}{{ m.content ")
    r = chat(plain_model, "-p", "x")
    assert_clear_error(r, str(plain_model), "line 1, column 37")


@pytest.fixture
def qwq_model(qwen_vocab_model, tmp_path):
    """QwQ's template opens <think> in the prompt: the whole reply is reasoning."""
    model = tmp_path / "qwq"
    model.mkdir()
    for f in qwen_vocab_model.iterdir():
        (model / f.name).symlink_to(f)
    template = ROOT / "tests" / "goldens" / "chat" / "models" / "qwq-32b" / "chat_template.jinja"
    (model / "chat_template.jinja").write_bytes(template.read_bytes())
    return model


def run_on_terminal(*args):
    """Runs qwenrt with stdout on a pseudo-terminal; returns (exit code, what it printed)."""
    import os
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(QWENRT), *map(str, args)], stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=120), out.decode("utf-8", "replace")


def test_reasoning_is_dimmed_only_on_a_terminal(qwq_model):
    args = ("chat", qwq_model, "-p", "Hi", "-n", "6", "--temp", "1.0", "-s", "4")
    code, shown = run_on_terminal(*args)
    assert code == 0
    assert shown.startswith("\x1b[2m") and "\x1b[0m" in shown
    piped = chat(*args[1:])
    assert piped.returncode == 0, piped.stderr
    assert "\x1b[" not in piped.stdout and piped.stdout.strip()
    # Same text either way (the terminal turns "\n" into "\r\n").
    assert shown.replace("\x1b[2m", "").replace("\x1b[0m", "").replace("\r\n", "\n") == piped.stdout
