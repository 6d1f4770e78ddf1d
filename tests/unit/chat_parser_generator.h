// Random assistant turns for the output-parser tests: reasoning, text, and
// 0-4 tool calls with nested arguments full of the things that break parsers
// (tag text inside strings, quotes, backslashes, control characters, UTF-8).
// A turn is rendered into model output the way the Qwen chat templates write
// it, and the renderer records where every piece of markup sits, so a test
// knows the exact expected parse of the whole output and of every prefix.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "chat/python_json.h"
#include "chat/parsed_output.h"
#include "chat/tool_call_parser.h"

namespace qwenrt::testing {

using Rng = std::mt19937_64;

inline std::size_t pick(Rng& rng, std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
inline bool coin(Rng& rng, double p = 0.5) { return std::bernoulli_distribution(p)(rng); }

template <typename T>
const T& pick_from(Rng& rng, const std::vector<T>& items) {
  return items[pick(rng, items.size())];
}

// Words start with a letter so a text never begins with a tag or a newline.
inline const std::vector<std::string> kWords = {
    "hello", "world", "Sure", "call", "café", "naïve", "日本語", "emoji🎉", "Ω", "value", "x<y", "a>b",
    "quote\"d", "back\\slash", "{brace}", "[1,2]", "tab\there", "done.", "ünïcödé", "ok"};

// Text around calls: mentions of the markup that must stay text.
inline const std::vector<std::string> kTextPieces = {
    "<tool_call> is the tag", "</tool_call>", "{\"name\": \"fake\"}", "<think>", "</think>", "<function=f>",
    "</parameter>", "<parameter=p>", "<tool_call", "<", "</", "\n", "  ", "<think", "</tool_call"};

// Reasoning: anything but "</think>".
inline const std::vector<std::string> kReasoningPieces = {
    "<tool_call>", "{\"name\": \"x\", \"arguments\": {}}", "<think>", "\n", "</tool_call>", "<function=f>",
    "</thinking", "\n\n", "<"};

// Inside argument strings. A "</parameter>" is only ever followed by text that
// is not markup: raw Qwen3-Coder values cannot hold a closing tag followed by
// another tag (vLLM cannot tell those apart from structure either).
inline const std::vector<std::string> kStringPieces = {
    "", " ", "</tool_call>", "<tool_call>", "\"quoted\"", "back\\slash", "\n", "\t", "\x01", "😀", "日本",
    "</parameter> not really", "<parameter=y>", "</function>", "<function=g>", "null", "{\"k\": 1}", "}",
    "\\n", "</think>", "<think>", "\r\n", "ﬀ"};

inline const std::vector<std::string> kKeys = {"city", "count", "ключ", "x_1", "a.b", "日付", "query", "deep",
                                               "with space", "n", "list", "flag"};
inline const std::vector<std::string> kToolNames = {"get_weather", "search", "run_code", "wetter_prüfen",
                                                    "ns.tool-2", "f"};

inline std::string random_text(Rng& rng, const std::vector<std::string>& pieces, std::size_t max_pieces) {
  std::string out = pick_from(rng, kWords);
  const std::size_t n = pick(rng, max_pieces + 1);
  for (std::size_t i = 0; i < n; ++i) {
    out += " ";
    out += coin(rng, 0.6) ? pick_from(rng, kWords) : pick_from(rng, pieces);
  }
  return out + " " + pick_from(rng, kWords);  // ends with a word: no trailing newline
}

inline std::string random_string(Rng& rng) {
  std::string out;
  const std::size_t n = pick(rng, 5);
  for (std::size_t i = 0; i < n; ++i) out += coin(rng) ? pick_from(rng, kWords) : pick_from(rng, kStringPieces);
  return out;
}

inline double random_double(Rng& rng) {
  switch (pick(rng, 4)) {
    case 0: {  // any finite double
      double x;
      do {
        const std::uint64_t bits = rng();
        static_assert(sizeof(x) == sizeof(bits));
        std::memcpy(&x, &bits, sizeof(x));
      } while (!std::isfinite(x));
      return x;
    }
    case 1: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 2: return std::ldexp(std::uniform_real_distribution<double>(0.5, 1.0)(rng), static_cast<int>(pick(rng, 120)) - 60);
    default: return static_cast<double>(static_cast<int>(pick(rng, 2001)) - 1000) / 8.0 + 0.125;
  }
}

inline Json random_value(Rng& rng, int depth) {
  const std::size_t kind = pick(rng, depth >= 3 ? 6 : 8);
  switch (kind) {
    case 0: return random_string(rng);
    case 1: return static_cast<std::int64_t>(rng()) >> pick(rng, 64);
    case 2: return random_double(rng);
    case 3: return coin(rng);
    case 4: return nullptr;
    case 5: return random_string(rng);
    case 6: {
      Json array = Json::array();
      for (std::size_t n = pick(rng, 5); n > 0; --n) array.push_back(random_value(rng, depth + 1));
      return array;
    }
    default: {
      Json object = Json::object();
      for (std::size_t n = pick(rng, 5); n > 0; --n) {
        object[coin(rng, 0.8) ? pick_from(rng, kKeys) : random_string(rng)] = random_value(rng, depth + 1);
      }
      return object;
    }
  }
}

struct GeneratedCall {
  std::string name;
  Json arguments = Json::object();
  Json properties = Json::object();  // JSON schema per parameter (Qwen3-Coder types values by it)
};

// A top-level Qwen3-Coder parameter: its value and a schema that reads the
// bare text back into the same JSON value.
inline void add_parameter(Rng& rng, GeneratedCall& call, const std::string& key) {
  Json value;
  Json schema;
  switch (pick(rng, 7)) {
    case 0: value = random_string(rng); schema = {{"type", "string"}}; break;
    case 1: value = static_cast<std::int64_t>(rng()) >> pick(rng, 64); schema = {{"type", "integer"}}; break;
    case 2:  // non-integral: an integral "number" reads back as an integer, as in vLLM
      value = std::uniform_real_distribution<double>(-1e6, 1e6)(rng) + 0.5e-3;
      schema = {{"type", "number"}};
      break;
    case 3: value = coin(rng); schema = {{"type", "boolean"}}; break;
    case 4:
      value = nullptr;
      schema = coin(rng) ? Json{{"anyOf", Json::array({{{"type", "string"}}, {{"type", "null"}}})}}
                         : Json{{"type", Json::array({"integer", "null"})}};
      break;
    case 5: value = random_value(rng, 1); if (!value.is_array()) value = Json::array({value}); schema = {{"type", "array"}}; break;
    default: {
      value = Json::object();
      for (std::size_t n = pick(rng, 4); n > 0; --n) value[pick_from(rng, kKeys)] = random_value(rng, 1);
      schema = {{"type", "object"}};
    }
  }
  call.arguments[key] = value;
  call.properties[key] = schema;
}

inline GeneratedCall random_call(Rng& rng) {
  GeneratedCall call;
  call.name = pick_from(rng, kToolNames);
  for (std::size_t n = pick(rng, 6); n > 0; --n) {
    const std::string& key = pick_from(rng, kKeys);
    if (!call.arguments.contains(key)) add_parameter(rng, call, key);
  }
  return call;
}

struct Turn {
  bool has_think = false;
  bool think_in_prompt = false;  // the prompt opened <think>: no opening tag in the output
  std::string reasoning;         // no leading/trailing newline, no "</think>"
  std::vector<std::string> texts;  // texts[i] precedes call i; texts.back() follows the last call
  std::vector<GeneratedCall> calls;
};

inline Turn random_turn(Rng& rng) {
  Turn turn;
  turn.has_think = coin(rng, 0.6);
  turn.think_in_prompt = turn.has_think && coin(rng);
  if (turn.has_think && coin(rng, 0.8)) turn.reasoning = random_text(rng, kReasoningPieces, 8);
  const std::size_t calls = pick(rng, 5);
  while (turn.calls.size() < calls) {
    // One schema per tool name: a repeated name would have two.
    GeneratedCall call = random_call(rng);
    bool repeated = false;
    for (const GeneratedCall& other : turn.calls) repeated = repeated || other.name == call.name;
    if (!repeated) turn.calls.push_back(std::move(call));
  }
  for (std::size_t i = 0; i <= calls; ++i) turn.texts.push_back(coin(rng, 0.5) ? random_text(rng, kTextPieces, 6) : "");
  if (calls == 0 && turn.texts[0].empty()) turn.texts[0] = random_text(rng, kTextPieces, 6);
  return turn;
}

inline Json tools_of(const Turn& turn) {
  Json tools = Json::array();
  for (const GeneratedCall& call : turn.calls) {
    tools.push_back({{"type", "function"},
                     {"function", {{"name", call.name}, {"parameters", {{"type", "object"}, {"properties", call.properties}}}}}});
  }
  return tools;
}

// ---- rendering -------------------------------------------------------------

// The output text of a turn, where its markup is, and what a parser must
// return for it (tool-call ids left empty: the test supplies them).
struct Rendered {
  std::string text;
  std::size_t reasoning_begin = 0;  // first byte after "<think>" (0 when the prompt opened it)
  std::size_t close_begin = std::string::npos;  // "</think>", npos without a think block
  std::size_t close_end = std::string::npos;
  std::vector<std::pair<std::size_t, std::size_t>> call_spans;  // "<tool_call>" ... "</tool_call>"
  ParsedOutput expected;
};

// How a Qwen3-Coder template writes a bare value: Python str() for scalars
// (True, None, repr of floats), tojson for containers.
inline std::string bare_value(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  if (value.is_number_float()) return python_float_repr(value.get<double>());
  return python_json_dumps(value);
}

// Hermes calls in several spellings a model may produce; `style` picks one.
inline std::string hermes_block(const GeneratedCall& call, int style) {
  Json object = Json::object();
  switch (style) {
    case 0:  // Qwen2.5 / Qwen3 template: tojson of the arguments
      return "<tool_call>\n{\"name\": " + python_json_dumps(call.name) + ", \"arguments\": " +
             python_json_dumps(call.arguments) + "}\n</tool_call>";
    case 1:  // compact
      object["name"] = call.name;
      object["arguments"] = call.arguments;
      return "<tool_call>\n" + object.dump() + "\n</tool_call>";
    case 2:  // pretty-printed, arguments first
      object["arguments"] = call.arguments;
      object["name"] = call.name;
      return "<tool_call>\n" + object.dump(2) + "\n</tool_call>";
    default:  // ASCII-escaped, no newlines around the object
      object["name"] = call.name;
      object["arguments"] = call.arguments;
      return "<tool_call>" + object.dump(-1, ' ', /*ensure_ascii=*/true) + "</tool_call>";
  }
}

inline std::string qwen3_coder_block(const GeneratedCall& call) {
  std::string out = "<tool_call>\n<function=" + call.name + ">\n";
  for (const auto& [key, value] : call.arguments.items()) {
    out += "<parameter=" + key + ">\n" + bare_value(value) + "\n</parameter>\n";
  }
  return out + "</function>\n</tool_call>";
}

inline bool all_space(const std::string& text) {
  return text.find_first_not_of(" \t\n\r") == std::string::npos;
}

inline Rendered render(const Turn& turn, ToolCallFormat format, int hermes_style) {
  Rendered r;
  std::string& out = r.text;
  if (turn.has_think) {
    if (!turn.think_in_prompt) out += "<think>";
    r.reasoning_begin = out.size();
    out += turn.think_in_prompt ? "" : "\n";
    out += turn.reasoning + "\n";
    r.close_begin = out.size();
    out += "</think>";
    r.close_end = out.size();
    out += "\n\n";
    r.expected.reasoning_content = turn.reasoning;
  }
  // Qwen templates put a newline before each call that follows text or a call.
  std::string segment = turn.texts[0];
  for (std::size_t i = 0; i < turn.calls.size(); ++i) {
    if (i > 0 || !turn.texts[0].empty()) segment += "\n";
    out += segment;
    // Whitespace-only text after a call is formatting; the first segment is kept.
    if (i == 0 || !all_space(segment)) r.expected.content += segment;
    const std::size_t begin = out.size();
    out += format == ToolCallFormat::kHermes ? hermes_block(turn.calls[i], hermes_style)
                                             : qwen3_coder_block(turn.calls[i]);
    r.call_spans.emplace_back(begin, out.size());
    r.expected.tool_calls.push_back({"", turn.calls[i].name, python_json_dumps(turn.calls[i].arguments)});
    segment = turn.texts[i + 1];
  }
  out += segment;
  if (turn.calls.empty() || !all_space(segment)) r.expected.content += segment;
  return r;
}

}  // namespace qwenrt::testing
