// Round trips through the output parsers: random turns (reasoning, text, 0-4
// tool calls with hostile arguments) are rendered as a Qwen model writes them,
// in both tool-call formats, and must parse back to exactly what was
// generated: one-shot, streamed split at every byte boundary, byte by byte, in
// random chunks; and every prefix (a truncated generation) must parse without
// losing any text.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "chat/chat_output_parser.h"
#include "chat_parser_generator.h"

namespace qwenrt {
namespace {

using testing::Rendered;
using testing::Rng;
using testing::Turn;

constexpr int kTurnsPerFormat = 150;
constexpr std::uint64_t kIdSeed = 7;

std::string visible(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\x" + std::to_string(static_cast<int>(c));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string without_space(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

struct Case {
  std::string name;
  Turn turn;
  ToolCallFormat format;
  Rendered rendered;
  bool parse_reasoning;  // run the reasoning parser (always when the turn thinks)
};

std::vector<Case> make_cases() {
  std::vector<Case> cases;
  for (ToolCallFormat format : {ToolCallFormat::kHermes, ToolCallFormat::kQwen3Coder}) {
    Rng rng(format == ToolCallFormat::kHermes ? 1001 : 2002);
    for (int i = 0; i < kTurnsPerFormat; ++i) {
      Case c;
      c.turn = testing::random_turn(rng);
      c.format = format;
      c.rendered = testing::render(c.turn, format, static_cast<int>(testing::pick(rng, 4)));
      c.parse_reasoning = c.turn.has_think || testing::coin(rng);
      c.name = std::string(format == ToolCallFormat::kHermes ? "hermes" : "qwen3_coder") + " #" + std::to_string(i);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = make_cases();
  return all;
}

ChatOutputOptions options_for(const Case& c) {
  ChatOutputOptions options;
  if (c.parse_reasoning) options.reasoning = ReasoningParserOptions{c.turn.think_in_prompt};
  options.tool_call_format = c.format;
  options.tool_calls.tools = testing::tools_of(c.turn);
  options.tool_calls.next_id = seeded_tool_call_ids(kIdSeed);
  return options;
}

ParsedOutput expected_for(const Case& c) {
  ParsedOutput expected = c.rendered.expected;
  ToolCallIdGenerator ids = seeded_tool_call_ids(kIdSeed);
  for (ToolCall& call : expected.tool_calls) call.id = ids();
  return expected;
}

// Feeds `text` cut at `cuts` (sorted offsets) and accumulates the deltas.
ParsedOutput stream(const Case& c, std::string_view text, const std::vector<std::size_t>& cuts) {
  ChatOutputParser parser(options_for(c));
  ParsedOutput result;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    result.append(parser.feed(text.substr(from, cut - from)));
    from = cut;
  }
  result.append(parser.feed(text.substr(from)));
  result.append(parser.finish());
  return result;
}

void expect_same(const ParsedOutput& actual, const ParsedOutput& expected, const Case& c, const std::string& how) {
  EXPECT_EQ(visible(actual.reasoning_content), visible(expected.reasoning_content)) << c.name << " " << how;
  EXPECT_EQ(visible(actual.content), visible(expected.content)) << c.name << " " << how;
  ASSERT_EQ(actual.tool_calls.size(), expected.tool_calls.size())
      << c.name << " " << how << "\noutput: " << visible(c.rendered.text);
  for (std::size_t i = 0; i < expected.tool_calls.size(); ++i) {
    EXPECT_EQ(actual.tool_calls[i], expected.tool_calls[i]) << c.name << " " << how << " call " << i;
  }
}

TEST(ChatParsers, GeneratorCoversTheInterestingShapes) {
  int with_calls = 0, many_calls = 0, thinking = 0, prompt_thinking = 0, bare_text = 0;
  for (const Case& c : cases()) {
    with_calls += !c.turn.calls.empty();
    many_calls += c.turn.calls.size() >= 3;
    thinking += c.turn.has_think;
    prompt_thinking += c.turn.think_in_prompt;
    bare_text += c.turn.calls.empty() && !c.turn.has_think;
  }
  EXPECT_GE(cases().size(), 300u);
  EXPECT_GE(with_calls, 150);
  EXPECT_GE(many_calls, 40);
  EXPECT_GE(thinking, 100);
  EXPECT_GE(prompt_thinking, 40);
  EXPECT_GE(bare_text, 10);
}

TEST(ChatParsers, OneShotRecoversGeneratedTurn) {
  for (const Case& c : cases()) {
    const ParsedOutput parsed = parse_chat_output(c.rendered.text, options_for(c));
    expect_same(parsed, expected_for(c), c, "one-shot");
    // Arguments are the generated values, whatever spelling the model used.
    for (std::size_t i = 0; i < parsed.tool_calls.size() && i < c.turn.calls.size(); ++i) {
      const std::optional<Json> arguments = parse_json(parsed.tool_calls[i].arguments);
      ASSERT_TRUE(arguments.has_value()) << c.name;
      EXPECT_EQ(*arguments, c.turn.calls[i].arguments) << c.name;
    }
  }
}

TEST(ChatParsers, EveryTwoWaySplitEqualsOneShot) {
  for (const Case& c : cases()) {
    const ParsedOutput expected = expected_for(c);
    for (std::size_t cut = 0; cut <= c.rendered.text.size(); ++cut) {
      expect_same(stream(c, c.rendered.text, {cut}), expected, c, "split at " + std::to_string(cut));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(ChatParsers, ByteByByteAndRandomChunksEqualOneShot) {
  Rng rng(99);
  for (const Case& c : cases()) {
    const ParsedOutput expected = expected_for(c);
    std::vector<std::size_t> every_byte;
    for (std::size_t i = 1; i < c.rendered.text.size(); ++i) every_byte.push_back(i);
    expect_same(stream(c, c.rendered.text, every_byte), expected, c, "byte by byte");
    for (int round = 0; round < 5; ++round) {
      std::vector<std::size_t> cuts;
      for (std::size_t at = 1 + testing::pick(rng, 8); at < c.rendered.text.size(); at += 1 + testing::pick(rng, 16)) {
        cuts.push_back(at);
      }
      expect_same(stream(c, c.rendered.text, cuts), expected, c, "random chunks");
    }
    if (::testing::Test::HasFailure()) return;
  }
}

// A prefix is what a generation cut off by max_tokens leaves. The calls whose
// closing tag made it are recovered; everything else is text, none lost.
TEST(ChatParsers, EveryPrefixKeepsAllText) {
  Rng rng(5);
  for (const Case& c : cases()) {
    const Rendered& r = c.rendered;
    const ParsedOutput full = expected_for(c);
    for (std::size_t n = 0; n <= r.text.size(); ++n) {
      const std::string_view prefix = std::string_view(r.text).substr(0, n);
      const ParsedOutput parsed = parse_chat_output(prefix, options_for(c));
      const std::string how = "prefix " + std::to_string(n) + ": " + visible(prefix);

      std::size_t complete = 0;
      while (complete < r.call_spans.size() && r.call_spans[complete].second <= n) ++complete;
      ASSERT_EQ(parsed.tool_calls.size(), complete) << c.name << " " << how;
      for (std::size_t i = 0; i < complete; ++i) EXPECT_EQ(parsed.tool_calls[i], full.tool_calls[i]) << how;

      // Where reasoning and content come from in this prefix.
      std::string reasoning_region;
      std::size_t content_begin = 0;  // "<think>" cut off, or no think block: all content
      if (c.turn.has_think && n >= r.reasoning_begin) {
        const bool closed = n >= r.close_end;
        reasoning_region = prefix.substr(r.reasoning_begin, (closed ? r.close_begin : n) - r.reasoning_begin);
        content_begin = closed ? r.close_end : n;
      }
      std::string content_region;  // the content part minus the recovered calls
      std::size_t at = content_begin;
      for (std::size_t i = 0; i < complete; ++i) {
        content_region += r.text.substr(at, r.call_spans[i].first - at);
        at = r.call_spans[i].second;
      }
      content_region += prefix.substr(at);
      EXPECT_EQ(without_space(parsed.reasoning_content), without_space(reasoning_region)) << c.name << " " << how;
      EXPECT_EQ(without_space(parsed.content), without_space(content_region)) << c.name << " " << how;

      if (n % 17 == 0) {  // streaming the prefix agrees with its one-shot parse
        const std::size_t cut = testing::pick(rng, n + 1);
        expect_same(stream(c, prefix, {cut}), parsed, c, how + " split at " + std::to_string(cut));
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(ChatParsers, ToolParserAloneKeepsThinkMarkupAsContent) {
  // Without a reasoning parser, <think> blocks are plain text to the tool parser.
  for (const Case& c : cases()) {
    if (!c.turn.has_think || c.turn.calls.empty()) continue;
    ToolCallParserOptions options;
    options.tools = testing::tools_of(c.turn);
    options.next_id = seeded_tool_call_ids(kIdSeed);
    const ParsedOutput parsed = parse_tool_calls(c.format, c.rendered.text, std::move(options));
    EXPECT_EQ(parsed.tool_calls, expected_for(c).tool_calls) << c.name;
    EXPECT_TRUE(parsed.reasoning_content.empty());
    EXPECT_NE(parsed.content.find("</think>"), std::string::npos) << c.name;
  }
}

}  // namespace
}  // namespace qwenrt
