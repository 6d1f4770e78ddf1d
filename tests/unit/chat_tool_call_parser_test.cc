// Targeted cases for the tool-call parsers: malformed and truncated blocks,
// tag text in odd places, argument spellings, ids, parser reuse. Expected
// values derive from the input (content == input) or from the JSON library,
// never from hand-written serializations.
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "chat/python_json.h"
#include "chat/tool_call_parser.h"

namespace qwenrt {
namespace {

ParsedOutput parse(ToolCallFormat format, std::string_view text, Json tools = Json::array()) {
  ToolCallParserOptions options;
  options.tools = std::move(tools);
  options.next_id = seeded_tool_call_ids(1);
  return parse_tool_calls(format, text, std::move(options));
}

// Every two-way split streams to the one-shot result.
void expect_split_invariant(ToolCallFormat format, const std::string& text, const Json& tools = Json::array()) {
  const ParsedOutput whole = parse(format, text, tools);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    ToolCallParserOptions options;
    options.tools = tools;
    options.next_id = seeded_tool_call_ids(1);
    auto parser = make_tool_call_parser(format, std::move(options));
    ParsedOutput streamed;
    streamed.append(parser->feed(std::string_view(text).substr(0, cut)));
    streamed.append(parser->feed(std::string_view(text).substr(cut)));
    streamed.append(parser->finish());
    ASSERT_EQ(streamed, whole) << "split at " << cut << " of " << text;
  }
}

const std::string kValidHermes = "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n</tool_call>";
const std::string kValidCoder = "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call>";

TEST(HermesToolCalls, MalformedBlocksAreContentAndParsingResumes) {
  const std::vector<std::string> malformed = {
      "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": }}\n</tool_call>",
      "<tool_call>\n{\"arguments\": {}}\n</tool_call>",
      "<tool_call>\n{\"name\": 3, \"arguments\": {}}\n</tool_call>",
      "<tool_call>\n{\"name\": \"\", \"arguments\": {}}\n</tool_call>",
      "<tool_call>\n{\"name\": \"f\", \"arguments\": [1]}\n</tool_call>",
      "<tool_call>\n{\"name\": \"f\", \"arguments\": \"not json\"}\n</tool_call>",
      "<tool_call>\n{\"name\": \"f\"} extra\n</tool_call>",
      "<tool_call>\nhello\n</tool_call>",
      "<tool_call>\n{\"name\": \"f\"]\n</tool_call>",
      "<tool_call>\n{\"name\": \"f\nx\"}\n</tool_call>",
      "<tool_call>\n{\"name\": \"f\"}{\"name\": \"g\"}\n</tool_call>",
      "<tool_call>\n[\"name\", \"f\"]\n</tool_call>",
      "<tool_call></tool_call>",
      "<tool_call><tool_call>",
      "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_cal>",
  };
  for (const std::string& bad : malformed) {
    const ParsedOutput alone = parse(ToolCallFormat::kHermes, bad);
    EXPECT_EQ(alone.content, bad);
    EXPECT_TRUE(alone.tool_calls.empty()) << bad;
    // A good call after the bad block is still found.
    const ParsedOutput then_valid = parse(ToolCallFormat::kHermes, bad + "\n" + kValidHermes);
    EXPECT_EQ(then_valid.content, bad + "\n");
    ASSERT_EQ(then_valid.tool_calls.size(), 1u) << bad;
    EXPECT_EQ(then_valid.tool_calls[0].name, "f");
    expect_split_invariant(ToolCallFormat::kHermes, bad + "\n" + kValidHermes);
  }
}

TEST(HermesToolCalls, TruncatedCallIsContentVerbatim) {
  const std::string text = "Let me check. " + kValidHermes;
  for (std::size_t n = 0; n < text.size(); ++n) {
    const ParsedOutput parsed = parse(ToolCallFormat::kHermes, text.substr(0, n));
    EXPECT_EQ(parsed.content, text.substr(0, n));
    EXPECT_TRUE(parsed.tool_calls.empty());
  }
  EXPECT_EQ(parse(ToolCallFormat::kHermes, text).tool_calls.size(), 1u);
}

TEST(HermesToolCalls, TagsInsideJsonStringsDoNotSplitTheCall) {
  Json arguments = {{"code", "print('</tool_call>')\n<tool_call>\n{\"name\": \"x\"}"}, {"q", "\\\"</tool_call>"}};
  const std::string text = "<tool_call>\n{\"name\": \"run\", \"arguments\": " + arguments.dump() + "}\n</tool_call>";
  const ParsedOutput parsed = parse(ToolCallFormat::kHermes, text);
  ASSERT_EQ(parsed.tool_calls.size(), 1u);
  EXPECT_EQ(parse_json(parsed.tool_calls[0].arguments), std::optional<Json>(arguments));
  EXPECT_TRUE(parsed.content.empty());
  expect_split_invariant(ToolCallFormat::kHermes, text);
}

TEST(HermesToolCalls, ArgumentSpellings) {
  const Json object = {{"city", "Zürich"}, {"n", 2.5}, {"list", {1, nullptr, true}}};
  const std::string expected = python_json_dumps(object);
  const std::vector<std::pair<std::string, std::string>> spellings = {
      {"\"arguments\": " + object.dump(), expected},
      {"\"arguments\": " + Json(object.dump()).dump(), expected},  // double-encoded
      {"\"arguments\": null", "{}"},
      {"\"other\": 1", "{}"},
  };
  for (const auto& [arguments, want] : spellings) {
    const ParsedOutput parsed =
        parse(ToolCallFormat::kHermes, "<tool_call>\n{\"name\": \"f\", " + arguments + "}\n</tool_call>");
    ASSERT_EQ(parsed.tool_calls.size(), 1u) << arguments;
    EXPECT_EQ(parsed.tool_calls[0].arguments, want);
  }
}

TEST(HermesToolCalls, NestingBeyondTheLimitIsContent) {
  const int depth = kMaxJsonDepth + 5;
  const std::string text = "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": " + std::string(depth, '[') +
                           std::string(depth, ']') + "}}\n</tool_call>";
  const ParsedOutput parsed = parse(ToolCallFormat::kHermes, text);
  EXPECT_TRUE(parsed.tool_calls.empty());
  EXPECT_EQ(parsed.content, text);
}

TEST(HermesToolCalls, WhitespaceAroundCallsIsFormattingButTextIsKept) {
  const std::string text = "Hi\n\n" + kValidHermes + "\n\n" + kValidHermes + "\n \n" + kValidHermes + "\nBye\n";
  const ParsedOutput parsed = parse(ToolCallFormat::kHermes, text);
  EXPECT_EQ(parsed.tool_calls.size(), 3u);
  EXPECT_EQ(parsed.content, "Hi\n\n\nBye\n");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(parsed.tool_calls[static_cast<std::size_t>(i)].arguments, "{\"a\": 1}");
  expect_split_invariant(ToolCallFormat::kHermes, text);
}

TEST(Qwen3CoderToolCalls, ClosingTagTextInsideAValueStaysInTheValue) {
  const std::string value = "a</parameter>b\n</parameter> x <parameter=q>\n</function> </tool_call>";
  const std::string text = "<tool_call>\n<function=f>\n<parameter=v>\n" + value + "\n</parameter>\n</function>\n</tool_call>";
  const ParsedOutput parsed = parse(ToolCallFormat::kQwen3Coder, text);
  ASSERT_EQ(parsed.tool_calls.size(), 1u);
  EXPECT_EQ(parse_json(parsed.tool_calls[0].arguments), std::optional<Json>(Json{{"v", value}}));
  expect_split_invariant(ToolCallFormat::kQwen3Coder, text);
}

TEST(Qwen3CoderToolCalls, SchemaTypesTheValuesAndNoSchemaMeansStrings) {
  const std::string text =
      "<tool_call>\n<function=f>\n<parameter=n>\n42\n</parameter>\n<parameter=b>\nTrue\n</parameter>\n"
      "<parameter=o>\n{'k': [1, None]}\n</parameter>\n<parameter=s>\n42\n</parameter>\n</function>\n</tool_call>";
  const Json tools = Json::parse(R"([{"type": "function", "function": {"name": "f", "parameters": {"type": "object",
      "properties": {"n": {"type": "integer"}, "b": {"type": "boolean"}, "o": {"type": "object"},
                     "s": {"type": "string"}}}}}])");
  const ParsedOutput typed = parse(ToolCallFormat::kQwen3Coder, text, tools);
  ASSERT_EQ(typed.tool_calls.size(), 1u);
  const Json expected = {{"n", 42}, {"b", true}, {"o", {{"k", {1, nullptr}}}}, {"s", "42"}};
  EXPECT_EQ(typed.tool_calls[0].arguments, python_json_dumps(expected));
  const ParsedOutput untyped = parse(ToolCallFormat::kQwen3Coder, text);
  ASSERT_EQ(untyped.tool_calls.size(), 1u);
  const Json strings = {{"n", "42"}, {"b", "True"}, {"o", "{'k': [1, None]}"}, {"s", "42"}};
  EXPECT_EQ(untyped.tool_calls[0].arguments, python_json_dumps(strings));
}

TEST(Qwen3CoderToolCalls, NoParametersAndRepeatedParameters) {
  EXPECT_EQ(parse(ToolCallFormat::kQwen3Coder, "<tool_call>\n<function=f>\n</function>\n</tool_call>").tool_calls.at(0).arguments,
            "{}");
  const ParsedOutput repeated = parse(ToolCallFormat::kQwen3Coder,
                                      "<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n<parameter=b>\n2\n"
                                      "</parameter>\n<parameter=a>\n3\n</parameter>\n</function>\n</tool_call>");
  Json expected = Json::object();  // a Python dict: first position, last value
  expected["a"] = "1";
  expected["b"] = "2";
  expected["a"] = "3";
  EXPECT_EQ(repeated.tool_calls.at(0).arguments, python_json_dumps(expected));
}

TEST(Qwen3CoderToolCalls, MalformedBlocksAreContentAndParsingResumes) {
  const std::vector<std::string> malformed = {
      "<tool_call>\n{\"name\": \"f\"}\n</tool_call>",
      "<tool_call>\n<function=>\n</function>\n</tool_call>",
      "<tool_call>\n<function=my tool>\n</function>\n</tool_call>",
      "<tool_call>\n<function=f>\nstray\n</function>\n</tool_call>",
      "<tool_call>\n<function=f>\n<parameter=a\nb>\n1\n</parameter>\n</function>\n</tool_call>",
      "<tool_call>\n<function=f>\n<parameter=a>\n1\n</function>\n</tool_call>",  // no </parameter>: never closes
      "<tool_call>\n<function=f>\n</function>\ntrailing</tool_call>",
      "<tool_call>\n<function=f>",
  };
  for (const std::string& bad : malformed) {
    const ParsedOutput alone = parse(ToolCallFormat::kQwen3Coder, bad);
    EXPECT_EQ(alone.content, bad);
    EXPECT_TRUE(alone.tool_calls.empty()) << bad;
    expect_split_invariant(ToolCallFormat::kQwen3Coder, bad + "\n" + kValidCoder);
  }
  // A rejected block's text is content and the next call is still found.
  const ParsedOutput then_valid = parse(ToolCallFormat::kQwen3Coder, malformed[2] + "\n" + kValidCoder);
  EXPECT_EQ(then_valid.content, malformed[2] + "\n");
  EXPECT_EQ(then_valid.tool_calls.size(), 1u);
}

TEST(Qwen3CoderToolCalls, TruncatedCallIsContentVerbatim) {
  const std::string text = "Running it. " + kValidCoder;
  for (std::size_t n = 0; n < text.size(); ++n) {
    const ParsedOutput parsed = parse(ToolCallFormat::kQwen3Coder, text.substr(0, n));
    EXPECT_EQ(parsed.content, text.substr(0, n));
    EXPECT_TRUE(parsed.tool_calls.empty());
  }
}

TEST(ToolCallIds, RandomIdsHaveOpenAiShapeAndDoNotRepeat) {
  const std::regex shape("call_[A-Za-z0-9]{24}");
  ToolCallIdGenerator ids = random_tool_call_ids();
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = ids();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_NE(random_tool_call_ids()(), random_tool_call_ids()());
}

TEST(ToolCallIds, SeededIdsRepeatAndParsersUseThem) {
  ToolCallIdGenerator a = seeded_tool_call_ids(3), b = seeded_tool_call_ids(3);
  EXPECT_EQ(a(), b());
  ToolCallIdGenerator expected = seeded_tool_call_ids(1);
  const ParsedOutput parsed = parse(ToolCallFormat::kHermes, kValidHermes + kValidHermes);
  ASSERT_EQ(parsed.tool_calls.size(), 2u);
  EXPECT_EQ(parsed.tool_calls[0].id, expected());
  EXPECT_EQ(parsed.tool_calls[1].id, expected());
}

TEST(ToolCallParser, ReusableAfterFinishWithIndicesFromZero) {
  ToolCallParserOptions options;
  options.next_id = seeded_tool_call_ids(1);
  auto parser = make_tool_call_parser(ToolCallFormat::kHermes, std::move(options));
  for (int round = 0; round < 2; ++round) {
    ChatDelta first = parser->feed("text " + kValidHermes + kValidHermes.substr(0, 20));
    ASSERT_EQ(first.tool_calls.size(), 1u);
    EXPECT_EQ(first.tool_calls[0].index, 0);
    ChatDelta last = parser->finish();
    EXPECT_EQ(last.content, kValidHermes.substr(0, 20));  // the unclosed second call
  }
}

TEST(ToolCallParser, FormatNames) {
  EXPECT_EQ(tool_call_format_from_name("hermes"), ToolCallFormat::kHermes);
  EXPECT_EQ(tool_call_format_from_name("qwen3_coder"), ToolCallFormat::kQwen3Coder);
  EXPECT_EQ(tool_call_format_from_name("qwen3_xml"), ToolCallFormat::kQwen3Coder);
  EXPECT_FALSE(tool_call_format_from_name("mistral").has_value());
}

}  // namespace
}  // namespace qwenrt
