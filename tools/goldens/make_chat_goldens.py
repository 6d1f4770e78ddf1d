#!/usr/bin/env python3
"""Golden fixtures for src/chat/chat_template.*, produced by the reference:
transformers' tokenizer.apply_chat_template(..., tokenize=False).

Usage (from the repository root, with the venv of tools/goldens/requirements.txt):
    python tools/goldens/make_chat_goldens.py

For every official Qwen-family template found in ../shared/data/qwen-models, the script
copies the template files into tests/goldens/chat/models/<id>/ (byte for byte). Templates
not in ../shared come from elsewhere (see TEMPLATES): the Qwen2.5-Coder-Instruct one is
extracted from the official GGUF's `tokenizer.chat_template` metadata when that file is in
~/.cache/qwenrt (the fixture is committed, so a machine without it re-renders the
committed copy); the QwQ-32B one is a committed fixture with a SOURCES note. It loads them
with AutoTokenizer.from_pretrained exactly as transformers loads a model directory (the
Qwen3 tokenizer.json only supplies a vocabulary; with tokenize=False it plays no part in
the output), and renders every conversation of the corpus below.

Writes
  tests/goldens/chat/conversations.json   the inputs, shared by all templates:
      {"format": 1, "cases": [{"name", "messages", "tools", "add_generation_prompt",
                               "kwargs"}]}
  tests/goldens/chat/<id>.json             per template:
      {"format": 1, "id", "model_dir", "sha256": {file: hash}, "reference": {versions},
       "special_tokens": the tokenizer's special_tokens_map,
       "results": {case name: {"text": rendered} or {"error": "Type: message"}}}
  tests/goldens/chat/models/<id>/...       the template files themselves

Templates that fail on a conversation (e.g. a text-only template given image parts) are
recorded as errors: the C++ renderer must fail on the same inputs.
"""
import copy
import hashlib
import json
import os
import shutil
import sys
import tempfile

import jinja2
import transformers
from transformers import AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared", "data")
GOLDEN_DIR = os.path.join(ROOT, "tests", "goldens", "chat")
FORMAT_VERSION = 1

CODER_GGUF = os.path.expanduser("~/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
GGUF = "gguf:"        # folder prefix: the template is this GGUF file's tokenizer.chat_template
COMMITTED = "committed:"  # folder prefix: the fixture is committed as is (see its SOURCES)

# id -> (folder in shared/data/qwen-models, or a GGUF / COMMITTED source; template files)
TEMPLATES = {
    "qwen2.5-instruct": ("Qwen--Qwen2.5-7B-Instruct", ["tokenizer_config.json"]),
    "qwen2.5-vl": ("Qwen--Qwen2.5-VL-7B-Instruct", ["tokenizer_config.json", "chat_template.json"]),
    "qwen3-4b": ("Qwen--Qwen3-4B", ["tokenizer_config.json"]),
    "qwen3-0.6b": ("Qwen--Qwen3-0.6B", ["tokenizer_config.json"]),
    "qwen3-coder": ("Qwen--Qwen3-Coder-30B-A3B-Instruct", ["chat_template.jinja"]),
    # Qwen/QwQ-32B's template is not in ../shared; the SOURCES file says where it comes from.
    "qwq-32b": (COMMITTED + "Qwen/QwQ-32B", ["chat_template.jinja"]),
    # The official Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF file carries the model's template.
    "qwen2.5-coder-instruct": (GGUF + CODER_GGUF, ["chat_template.jinja"]),
    # Qwen2-VL: Qwen2-VL-7B-Instruct ships the same template as the qwen2.5-vl fixture above
    # (content parts: image, video, image_url, add_vision_id), so that one covers both.
    "deepseek-r1-distill-qwen": ("deepseek-ai--DeepSeek-R1-Distill-Qwen-32B", ["tokenizer_config.json"]),
    # Not a Qwen template: prints every variable apply_chat_template passes, so the goldens
    # pin down its input handling (null keys dropped, reasoning aliased, special tokens from
    # AddedToken objects, kwargs). chat_template.jinja takes precedence over the config's.
    "inputs-probe": ("deepseek-ai--DeepSeek-R1-Distill-Qwen-32B", ["tokenizer_config.json"]),
}
PROBE_TEMPLATE = (
    "{{ messages | tojson }}\n{{ tools | tojson }}\n{{ documents }}|{{ add_generation_prompt }}|"
    "{{ bos_token }}|{{ eos_token }}|{{ pad_token }}|{{ unk_token is defined }}|{{ enable_thinking }}|"
    "{{ add_vision_id }}|{{ custom_flag }}|{{ date_string }}\n"
)

# ---------------------------------------------------------------------------------------
# Corpus

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a given city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. 北京 or São Paulo"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
            },
            "required": ["city"],
        },
    },
}
SEARCH = {
    "type": "function",
    "function": {
        "name": "search_docs",
        "description": "  Search the documentation.\nReturns the best matches.  ",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to look for"},
                "filters": {
                    "type": "object",
                    "description": "Optional filters",
                    "properties": {"lang": {"type": "string"}, "since": {"type": "integer", "minimum": 2000}},
                },
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
                "limit": {"type": ["integer", "null"], "default": 10},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
    },
}
# A tool given without the {"type": "function", "function": ...} wrapper, no description.
FLAT_TOOL = {
    "name": "run_code",
    "parameters": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "timeout": {"type": "number", "description": "Seconds"}},
    },
}
NO_PARAMS_TOOL = {"type": "function", "function": {"name": "get_time", "description": "Current UTC time."}}


def call(name, arguments, call_id=None, wrap=True):
    c = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id:
        c["id"] = call_id
    return c if wrap else {"name": name, "arguments": arguments}


NESTED_ARGS = {
    "query": "línea \"quoted\" \\ back\tslash",
    "filters": {"lang": "zh", "since": 2021, "deep": {"a": [1, 2.5, None, True], "b": {}}},
    "tags": ["α", "β", "emoji 😀"],
    "limit": None,
}


def corpus():
    """(name, messages, tools, add_generation_prompt, kwargs) for every case."""
    sys_msg = {"role": "system", "content": "You are a careful assistant."}
    u1 = {"role": "user", "content": "Hello! Who are you?"}
    a1 = {"role": "assistant", "content": "I am an assistant. How can I help?"}
    u2 = {"role": "user", "content": "What is 2 + 2?"}
    a2 = {"role": "assistant", "content": "2 + 2 = 4."}
    weather_q = {"role": "user", "content": "What's the weather in Paris and in 東京?"}
    cases = []

    def add(name, messages, tools=None, agp=True, **kwargs):
        cases.append({"name": name, "messages": messages, "tools": tools, "add_generation_prompt": agp,
                      "kwargs": kwargs})

    # Plain chats, with and without a system prompt, generation prompt on and off.
    add("single_user", [u1])
    add("single_user_no_gen", [u1], agp=False)
    add("system_user", [sys_msg, u1])
    add("system_user_no_gen", [sys_msg, u1], agp=False)
    add("multi_turn", [u1, a1, u2])
    add("multi_turn_system", [sys_msg, u1, a1, u2, a2], agp=False)
    add("ends_with_assistant", [sys_msg, u1, a1], agp=False)
    add("assistant_first", [a1, u2])
    add("system_only", [sys_msg])
    add("system_in_middle", [u1, a1, {"role": "system", "content": "Switch to French."}, u2])
    add("empty_contents", [{"role": "system", "content": ""}, {"role": "user", "content": ""}])
    add("whitespace_content", [{"role": "user", "content": "  \n\t line \n\n"}])
    add("non_ascii", [{"role": "system", "content": "Réponds en français. 答案用中文。"},
                      {"role": "user", "content": "Ünïcödé ✓ — «quotes» 'single' \"double\" \\ back\\slash 🚀 مرحبا"},
                      {"role": "assistant", "content": "好的 👍\nSecond line\r\nCRLF line"},
                      {"role": "user", "content": "Tab\there, null char? no. 𝔘𝔫𝔦"}])
    add("special_token_text", [{"role": "user", "content": "Literal <|im_end|> and <|im_start|>assistant text"}])
    add("long_content", [{"role": "user", "content": ("Lorem ipsum dolor sit amet, " * 80).strip()}])
    add("extra_message_keys", [{"role": "user", "content": "hi", "name": "alice"},
                               {"role": "assistant", "content": "hello", "name": "bot", "refusal": None}])

    # enable_thinking variations (read by Qwen3; ignored elsewhere).
    add("thinking_false", [u1], enable_thinking=False)
    add("thinking_true", [u1], enable_thinking=True)
    add("thinking_false_no_gen", [u1, a1], agp=False, enable_thinking=False)
    add("thinking_false_multi", [sys_msg, u1, a1, u2], enable_thinking=False)
    add("thinking_false_tools", [weather_q], tools=[WEATHER], enable_thinking=False)
    add("unused_kwarg", [u1], custom_flag=True, date_string="26 Jul 2024")

    # Reasoning in history.
    add("reasoning_content_last", [u1, {"role": "assistant", "content": "Hi there.",
                                        "reasoning_content": "The user greets me.\nI should greet back."}],
        agp=False)
    add("reasoning_content_history", [u1, {"role": "assistant", "content": "Hi there.",
                                           "reasoning_content": "Greeting."}, u2])
    add("think_tags_in_content_last", [u2, {"role": "assistant",
                                            "content": "<think>\nAdd the numbers.\n</think>\n\n2 + 2 = 4."}], agp=False)
    add("think_tags_in_content_history", [u2, {"role": "assistant",
                                               "content": "<think>\nAdd the numbers.\n</think>\n\n2 + 2 = 4."},
                                          {"role": "user", "content": "And 3 + 3?"}])
    add("reasoning_alias_fields", [u1, {"role": "assistant", "content": "Hello.", "reasoning": "Via 'reasoning'."},
                                   {"role": "user", "content": "Again"},
                                   {"role": "assistant", "content": "Hello again.", "thinking": "Via 'thinking'."}],
        agp=False)
    add("reasoning_null", [u1, {"role": "assistant", "content": "Hello.", "reasoning_content": None}], agp=False)
    add("reasoning_empty", [u1, {"role": "assistant", "content": "Hello.", "reasoning_content": ""}], agp=False)

    # Tools.
    add("tools_no_system", [weather_q], tools=[WEATHER])
    add("tools_with_system", [sys_msg, weather_q], tools=[WEATHER, SEARCH])
    add("tools_all_kinds", [weather_q], tools=[WEATHER, SEARCH, FLAT_TOOL, NO_PARAMS_TOOL])
    add("tools_empty_list", [u1], tools=[])
    single_call = [weather_q,
                   {"role": "assistant", "content": "", "tool_calls": [call("get_weather", {"city": "Paris"}, "c1")]},
                   {"role": "tool", "content": "{\"temp\": 21, \"sky\": \"clear\"}", "tool_call_id": "c1"},
                   {"role": "assistant", "content": "It is 21 °C and clear in Paris."}]
    add("tool_call_roundtrip", single_call, tools=[WEATHER], agp=False)
    add("tool_call_then_user", single_call + [{"role": "user", "content": "Thanks!"}], tools=[WEATHER])
    add("tool_response_pending", single_call[:3], tools=[WEATHER])
    add("parallel_tool_calls", [sys_msg, weather_q,
                                {"role": "assistant", "content": "Let me check both.",
                                 "tool_calls": [call("get_weather", {"city": "Paris", "unit": "celsius"}, "a"),
                                                call("get_weather", {"city": "東京", "unit": "celsius"}, "b")]},
                                {"role": "tool", "content": "18", "tool_call_id": "a"},
                                {"role": "tool", "content": "25", "tool_call_id": "b"}],
        tools=[WEATHER])
    add("nested_arguments", [{"role": "user", "content": "Search please"},
                             {"role": "assistant", "content": None,
                              "tool_calls": [call("search_docs", NESTED_ARGS)]},
                             {"role": "tool", "content": "[]"}],
        tools=[SEARCH])
    add("unwrapped_tool_call", [{"role": "user", "content": "Run it"},
                                {"role": "assistant", "content": "",
                                 "tool_calls": [call("run_code", {"code": "print('hi')\n", "timeout": 1.5},
                                                     wrap=False)]},
                                {"role": "tool", "content": "hi"}],
        tools=[FLAT_TOOL], agp=False)
    add("string_arguments", [weather_q,
                             {"role": "assistant", "content": None,
                              "tool_calls": [call("get_weather", "{\"city\": \"Paris\"}", "s1"),
                                             call("get_weather", "{\"city\": \"Rome\"}", "s2")]},
                             {"role": "tool", "content": "20"},
                             {"role": "tool", "content": "24"},
                             {"role": "assistant", "content": "Paris 20, Rome 24."}],
        tools=[WEATHER], agp=False)
    add("tool_call_with_reasoning", [weather_q,
                                     {"role": "assistant", "content": "",
                                      "reasoning_content": "I need the weather tool.",
                                      "tool_calls": [call("get_weather", {"city": "Paris"})]},
                                     {"role": "tool", "content": "21"},
                                     {"role": "assistant", "content": "21 °C.",
                                      "reasoning_content": "The tool said 21."}],
        tools=[WEATHER], agp=False)
    add("multi_step_tools", [weather_q,
                             {"role": "assistant", "content": "", "reasoning_content": "Paris first.",
                              "tool_calls": [call("get_weather", {"city": "Paris"})]},
                             {"role": "tool", "content": "21"},
                             {"role": "assistant", "content": "", "reasoning_content": "Now Tokyo.",
                              "tool_calls": [call("get_weather", {"city": "東京"})]},
                             {"role": "tool", "content": "25"}],
        tools=[WEATHER])
    add("tool_response_as_user", [{"role": "user", "content": "<tool_response>\n42\n</tool_response>"},
                                  {"role": "assistant", "content": "ok", "reasoning_content": "r"}],
        agp=False)
    add("coder_argument_types", [{"role": "user", "content": "Do it"},
                                 {"role": "assistant", "content": "Calling.",
                                  "tool_calls": [call("search_docs", {"query": "x", "limit": 3, "exact": True,
                                                                      "ratio": 0.25, "tags": ["a", "b"],
                                                                      "filters": {"lang": "en"}, "none": None})]},
                                 {"role": "tool", "content": "done"}],
        tools=[SEARCH], agp=False)
    add("tool_content_parts", [weather_q,
                               {"role": "assistant", "content": "",
                                "tool_calls": [call("get_weather", {"city": "Paris"})]},
                               {"role": "tool", "content": [{"type": "text", "text": "21 degrees"}]}],
        tools=[WEATHER])

    # Thinking on/off around tool use and reasoning history (Qwen3 reads enable_thinking;
    # QwQ always opens <think>).
    multi_step = [c for c in cases if c["name"] == "multi_step_tools"][0]["messages"]
    add("multi_step_tools_thinking_false", multi_step, tools=[WEATHER], enable_thinking=False)
    add("multi_step_tools_thinking_true", multi_step, tools=[WEATHER], enable_thinking=True)
    add("multi_step_tools_answered", multi_step + [{"role": "assistant", "content": "Paris 21, 東京 25.",
                                                    "reasoning_content": "Both temperatures are in."},
                                                   {"role": "user", "content": "Which is warmer?"}],
        tools=[WEATHER], enable_thinking=True)
    add("thinking_true_tools", [sys_msg, weather_q], tools=[WEATHER, SEARCH], enable_thinking=True)
    add("reasoning_history_thinking_false", [u1, {"role": "assistant", "content": "Hi there.",
                                                  "reasoning_content": "Greeting."}, u2],
        enable_thinking=False)
    add("think_tags_multi_history", [u1, {"role": "assistant", "content": "<think>\nA\n</think>\n\nOne."},
                                     u2, {"role": "assistant", "content": "<think>B</think>Two."},
                                     {"role": "user", "content": "Three?"}], enable_thinking=True)

    # Content parts (multimodal).
    add("image_and_text", [{"role": "user", "content": [{"type": "image", "image": "file:///a.png"},
                                                        {"type": "text", "text": "Describe this image."}]}])
    add("video_and_text", [{"role": "user", "content": [{"type": "video", "video": "file:///v.mp4"},
                                                        {"type": "text", "text": "What happens?"}]}])
    add("multi_images_vision_id", [sys_msg,
                                   {"role": "user", "content": [{"type": "text", "text": "Compare:"},
                                                                {"type": "image_url", "image_url": {"url": "http://x/1.png"}},
                                                                {"type": "image"},
                                                                {"type": "video"}]},
                                   {"role": "assistant", "content": [{"type": "text", "text": "They differ."}]},
                                   {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "And this?"}]}],
        add_vision_id=True)
    add("text_parts_only", [{"role": "user", "content": [{"type": "text", "text": "Part one. "},
                                                         {"type": "text", "text": "Part two."}]}])
    add("parts_multi_turn", [{"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
                             {"role": "user", "content": [{"type": "image", "image": "file:///a.png"},
                                                          {"type": "text", "text": "What is it?"}]},
                             {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
                             {"role": "user", "content": [{"type": "text", "text": "And its colour?"}]}])
    return cases


# ---------------------------------------------------------------------------------------

def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_tokenizer(model_dir):
    """AutoTokenizer over the fixture files, as transformers loads a model directory."""
    tmp = tempfile.mkdtemp(prefix="chat_goldens_")
    for name in os.listdir(model_dir):
        shutil.copy(os.path.join(model_dir, name), tmp)
    os.symlink(os.path.abspath(os.path.join(SHARED, "qwen3-tokenizer", "tokenizer.json")),
               os.path.join(tmp, "tokenizer.json"))
    if not os.path.exists(os.path.join(tmp, "tokenizer_config.json")):
        with open(os.path.join(tmp, "tokenizer_config.json"), "w") as f:
            json.dump({"tokenizer_class": "Qwen2Tokenizer"}, f)
    return AutoTokenizer.from_pretrained(tmp)


def gguf_chat_template(path):
    """The tokenizer.chat_template string of a GGUF file, read with the gguf package."""
    import gguf
    field = gguf.GGUFReader(path).fields["tokenizer.chat_template"]
    return bytes(field.parts[field.data[0]]).decode("utf-8")


def write_fixture(folder, files, fixture):
    """Puts the template files of one template into `fixture`; returns where they came from."""
    if folder.startswith(COMMITTED):
        for name in files + ["SOURCES"]:
            assert os.path.exists(os.path.join(fixture, name)), f"committed fixture missing: {fixture}/{name}"
        return folder[len(COMMITTED):]
    if folder.startswith(GGUF):
        path = folder[len(GGUF):]
        if not os.path.exists(path):
            print(f"{path} not found: rendering the committed {fixture}", file=sys.stderr)
            return f"gguf:{os.path.basename(path)}"
        shutil.rmtree(fixture, ignore_errors=True)
        os.makedirs(fixture)
        with open(os.path.join(fixture, files[0]), "w", encoding="utf-8", newline="") as f:
            f.write(gguf_chat_template(path))
        with open(os.path.join(fixture, "SOURCES"), "w", encoding="utf-8") as f:
            f.write(f"{files[0]}: metadata key tokenizer.chat_template of {os.path.basename(path)}\n"
                    f"(sha256 {sha256(path)}), the official Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF file,\n"
                    "extracted by tools/goldens/make_chat_goldens.py.\n")
        return f"gguf:{os.path.basename(path)}"
    shutil.rmtree(fixture, ignore_errors=True)
    os.makedirs(fixture)
    for name in files:
        shutil.copy(os.path.join(SHARED, "qwen-models", folder, name), fixture)
    return f"qwen-models/{folder}"


def render(tok, case):
    try:
        text = tok.apply_chat_template(copy.deepcopy(case["messages"]), tools=copy.deepcopy(case["tools"]),
                                       add_generation_prompt=case["add_generation_prompt"], tokenize=False,
                                       **copy.deepcopy(case["kwargs"]))
        return {"text": text}
    except Exception as e:  # the C++ side must fail too
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    os.makedirs(os.path.join(GOLDEN_DIR, "models"), exist_ok=True)
    cases = corpus()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    with open(os.path.join(GOLDEN_DIR, "conversations.json"), "w", encoding="utf-8") as f:
        json.dump({"format": FORMAT_VERSION, "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    reference = {"transformers": transformers.__version__, "jinja2": jinja2.__version__}
    for tid, (folder, files) in TEMPLATES.items():
        fixture = os.path.join(GOLDEN_DIR, "models", tid)
        model_dir = write_fixture(folder, files, fixture)
        if tid == "inputs-probe":
            with open(os.path.join(fixture, "chat_template.jinja"), "w", encoding="utf-8") as f:
                f.write(PROBE_TEMPLATE)
            files = files + ["chat_template.jinja"]
        tok = load_tokenizer(fixture)
        results = {c["name"]: render(tok, c) for c in cases}
        ok = sum("text" in r for r in results.values())
        assert ok >= 40 or tid == "inputs-probe", f"{tid}: only {ok} conversations render"
        print(f"{tid}: {ok} rendered, {len(cases) - ok} errors", file=sys.stderr)
        out = {"format": FORMAT_VERSION, "id": tid, "model_dir": model_dir,
               "sha256": {name: sha256(os.path.join(fixture, name)) for name in files},
               "reference": reference, "special_tokens": tok.special_tokens_map, "results": results}
        with open(os.path.join(GOLDEN_DIR, f"{tid}.json"), "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
