"""`qwenrt serve` through the official openai SDK: chat and completions, streaming and
not, tools, structured output, logprobs, fill-in-the-middle, usage, errors, metrics and
the tokenizer endpoints. The model is a random-weight Qwen3 with the real vocabulary, so
the texts are noise, but every structural promise (template, parsers, grammars, token
counts, greedy determinism) is checked."""
import json
import urllib.request

import jsonschema
import openai
import pytest

from test_server_harness import API_KEY, MODEL_ID, Server, post_raw, write_random_qwen3

USER = [{"role": "user", "content": "What is 2 + 2?"}]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    model = write_random_qwen3(tmp_path_factory.mktemp("serve") / "model")
    s = Server(model, "-c", "512", "--max-batch", "8", "--max-body-mb", "1")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def client(server):
    c = openai.OpenAI(base_url=server.base + "/v1", api_key=API_KEY, max_retries=0, timeout=60)
    yield c
    c.close()  # idle keep-alive connections would hold the server's shutdown


def tokenize(server, **body):
    status, _, data = post_raw(server.base, "/tokenize", json.dumps(body).encode())
    assert status == 200, data
    return data


def test_models_and_health(server, client):
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL_ID]
    with urllib.request.urlopen(server.base + "/health") as r:
        assert r.status == 200


def test_chat_usage_counts_the_rendered_prompt(server, client):
    r = client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=6)
    choice = r.choices[0]
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-")
    assert choice.message.role == "assistant" and isinstance(choice.message.content, str)
    assert choice.finish_reason in ("stop", "length")
    assert r.usage.prompt_tokens == tokenize(server, messages=USER)["count"]
    assert 1 <= r.usage.completion_tokens <= 6
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_chat_stream_equals_whole_answer(client):
    whole = client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=12, temperature=0)
    chunks = list(client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=12, temperature=0,
                                                 stream=True, stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join((c.choices[0].delta.content or "") + (getattr(c.choices[0].delta, "reasoning_content", None) or "")
                   for c in chunks if c.choices)
    whole_text = (whole.choices[0].message.content or "") + \
        (getattr(whole.choices[0].message, "reasoning_content", None) or "")
    assert text == whole_text
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == [whole.choices[0].finish_reason]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert all(c.usage is None for c in chunks[:-1])


def test_seed_repeats_and_n_gives_distinct_choices(client):
    args = dict(model=MODEL_ID, messages=USER, max_tokens=10, temperature=1.5, seed=11, n=3)
    a = client.chat.completions.create(**args)
    b = client.chat.completions.create(**args)
    texts = [c.message.content for c in a.choices]
    assert texts == [c.message.content for c in b.choices]
    assert [c.index for c in a.choices] == [0, 1, 2]
    assert len(set(texts)) > 1  # each choice samples with its own seed
    assert a.usage.prompt_tokens == b.usage.prompt_tokens  # the prompt counts once


def test_chat_logprobs(client):
    r = client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=5, temperature=0,
                                       logprobs=True, top_logprobs=3)
    entries = r.choices[0].logprobs.content
    assert len(entries) == r.usage.completion_tokens
    for e in entries:
        assert len(e.top_logprobs) == 3 and e.logprob <= 0
        assert [t.logprob for t in e.top_logprobs] == sorted((t.logprob for t in e.top_logprobs), reverse=True)
        # Greedy picks the most likely token: the chosen one is the first alternative.
        assert e.token == e.top_logprobs[0].token and e.logprob == pytest.approx(e.top_logprobs[0].logprob)
        try:
            assert bytes(e.bytes).decode() == e.token
        except UnicodeDecodeError:  # part of a character: the text shows U+FFFD
            assert "\ufffd" in e.token


def test_completions_text_tokens_echo_and_stream(server, client):
    prompt = "The quick brown fox"
    r = client.completions.create(model=MODEL_ID, prompt=prompt, max_tokens=8, temperature=0)
    assert r.object == "text_completion" and r.usage.prompt_tokens == tokenize(server, prompt=prompt)["count"]
    ids = tokenize(server, prompt=prompt)["tokens"]
    by_ids = client.completions.create(model=MODEL_ID, prompt=ids, max_tokens=8, temperature=0)
    assert by_ids.choices[0].text == r.choices[0].text
    echoed = client.completions.create(model=MODEL_ID, prompt=prompt, max_tokens=8, temperature=0, echo=True)
    assert echoed.choices[0].text == prompt + r.choices[0].text
    streamed = client.completions.create(model=MODEL_ID, prompt=prompt, max_tokens=8, temperature=0, stream=True)
    assert "".join(c.choices[0].text for c in streamed) == r.choices[0].text
    batch = client.completions.create(model=MODEL_ID, prompt=[prompt, "Hello"], max_tokens=4, temperature=0)
    assert [c.index for c in batch.choices] == [0, 1] and batch.choices[0].text.startswith(r.choices[0].text[:1])


def test_completion_logprobs(client):
    r = client.completions.create(model=MODEL_ID, prompt="1, 2, 3,", max_tokens=6, temperature=0, logprobs=2)
    lp = r.choices[0].logprobs
    assert len(lp.tokens) == len(lp.token_logprobs) == len(lp.top_logprobs) == r.usage.completion_tokens
    assert all(len(t) <= 2 and max(t.values()) == pytest.approx(v) for t, v in zip(lp.top_logprobs, lp.token_logprobs))
    assert lp.text_offset == [sum(len(t) for t in lp.tokens[:i]) for i in range(len(lp.tokens))]


def test_fill_in_the_middle(server, client):
    prefix, suffix = "def add(a, b):\n    ", "\n    return c\n"
    r = client.completions.create(model=MODEL_ID, prompt=prefix, suffix=suffix, max_tokens=4, temperature=0)
    fim = tokenize(server, prompt=f"<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>")
    assert r.usage.prompt_tokens == fim["count"]
    assert fim["tokens"][0] == 151659  # <|fim_prefix|> is one special token, not text


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Forecast for a city",
    "parameters": {"type": "object", "properties": {"unit": {"enum": ["c", "f"]},
                                                     "days": {"type": "integer", "minimum": 1, "maximum": 7}},
                   "required": ["unit", "days"], "additionalProperties": False}}}
TIME = {"type": "function", "function": {
    "name": "get_time", "parameters": {"type": "object", "properties": {"utc": {"type": "boolean"}},
                                       "required": ["utc"], "additionalProperties": False}}}
SCHEMAS = {"get_weather": WEATHER["function"]["parameters"], "get_time": TIME["function"]["parameters"]}


def check_calls(calls):
    assert calls
    for call in calls:
        assert call.type == "function" and call.id.startswith("call_")
        jsonschema.validate(json.loads(call.function.arguments), SCHEMAS[call.function.name])


def test_named_tool_choice_forces_that_call(client):
    r = client.chat.completions.create(model=MODEL_ID, messages=USER, tools=[WEATHER, TIME], max_tokens=80,
                                       tool_choice={"type": "function", "function": {"name": "get_time"}})
    calls = r.choices[0].message.tool_calls
    check_calls(calls)
    assert [c.function.name for c in calls] == ["get_time"]
    assert r.choices[0].finish_reason == "tool_calls" and r.choices[0].message.content is None


def test_required_tool_choice_streams_calls_by_index(client):
    stream = client.chat.completions.create(model=MODEL_ID, messages=USER, tools=[WEATHER, TIME], max_tokens=120,
                                            tool_choice="required", stream=True)
    calls = {}
    for chunk in stream:
        for d in chunk.choices[0].delta.tool_calls or []:
            call = calls.setdefault(d.index, {"id": d.id, "name": d.function.name, "arguments": ""})
            call["arguments"] += d.function.arguments or ""
    assert calls and sorted(calls) == list(range(len(calls)))
    for c in calls.values():
        assert c["id"].startswith("call_")
        jsonschema.validate(json.loads(c["arguments"]), SCHEMAS[c["name"]])


def test_auto_tools_and_tool_history_round_trip(client):
    history = USER + [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "get_time", "arguments": "{\"utc\": true}"}},
            {"id": "call_b", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"unit\": \"c\", \"days\": 2}"}}]},
        {"role": "tool", "tool_call_id": "call_a", "content": "12:00"},
        {"role": "tool", "tool_call_id": "call_b", "content": "sunny"}]
    r = client.chat.completions.create(model=MODEL_ID, messages=history, tools=[WEATHER, TIME], max_tokens=6)
    assert r.choices[0].finish_reason in ("stop", "length", "tool_calls")


def test_json_schema_output_validates(client):
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 6},
                                                "age": {"type": "integer", "minimum": 0, "maximum": 120},
                                                "tags": {"type": "array", "items": {"enum": ["a", "b"]},
                                                         "maxItems": 3}},
              "required": ["name", "age", "tags"], "additionalProperties": False}
    r = client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=120, temperature=1.0, seed=3,
                                       response_format={"type": "json_schema",
                                                        "json_schema": {"name": "person", "schema": schema}})
    assert r.choices[0].finish_reason == "stop"
    jsonschema.validate(json.loads(r.choices[0].message.content), schema)
    obj = client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=200,
                                         response_format={"type": "json_object"})
    if obj.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(obj.choices[0].message.content), dict)
    else:  # cut off by max_tokens: still the start of an object
        assert obj.choices[0].message.content.lstrip().startswith("{")


def test_errors_have_openai_shape(server, client):
    with openai.OpenAI(base_url=server.base + "/v1", api_key="wrong", max_retries=0) as bad_key:
        with pytest.raises(openai.AuthenticationError) as e:
            bad_key.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=2)
    assert e.value.status_code == 401
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-4o", messages=USER, max_tokens=2)
    assert e.value.body["code"] == "model_not_found"
    with pytest.raises(openai.BadRequestError) as e:
        client.completions.create(model=MODEL_ID, prompt="7 " * 600, max_tokens=4)
    assert e.value.body["code"] == "context_length_exceeded"
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=2, temperature=5)
    assert e.value.body["param"] == "temperature"

    status, _, body = post_raw(server.base, "/v1/chat/completions", b'{"model": "x", "messages": [')
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
    status, _, body = post_raw(server.base, "/v1/completions", b'{"prompt": "' + b"a" * (2 << 20) + b'"}')
    assert status == 413 and body["error"]["code"] == "request_too_large"
    status, _, body = post_raw(server.base, "/v1/nothing", b"{}")
    assert status == 404 and "error" in body


def test_tokenize_round_trip(server):
    text = "Grüße, 世界! <|im_start|> 123"
    tokens = tokenize(server, prompt=text)["tokens"]
    assert 151644 in tokens  # special tokens written in the text are parsed
    status, _, body = post_raw(server.base, "/detokenize", json.dumps({"tokens": tokens}).encode())
    assert status == 200 and body["prompt"] == text
    status, _, body = post_raw(server.base, "/detokenize", json.dumps({"tokens": [10**9]}).encode())
    assert status == 400 and body["error"]["param"] == "tokens"


def test_metrics_count_requests_tokens_and_latency(server, client):
    before = server.metrics()
    client.chat.completions.create(model=MODEL_ID, messages=USER, max_tokens=4)
    after = server.metrics()
    key = 'qwenrt_requests_total{endpoint="/v1/chat/completions",status="200"}'
    assert after[key] == before.get(key, 0) + 1
    assert after["qwenrt_generation_tokens_total"] > before["qwenrt_generation_tokens_total"]
    assert after["qwenrt_time_to_first_token_seconds_count"] == before["qwenrt_time_to_first_token_seconds_count"] + 1
    assert after["qwenrt_inter_token_latency_seconds_count"] > before["qwenrt_inter_token_latency_seconds_count"]
    assert after["qwenrt_kv_blocks_total"] > 0 and after["qwenrt_kv_blocks_used"] == 0
    assert 'qwenrt_requests_total{endpoint="/v1/chat/completions",status="401"}' in after
