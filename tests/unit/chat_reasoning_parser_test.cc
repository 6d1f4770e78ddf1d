// The <think> split in each situation a Qwen template and model produce.
// Outputs are built as "<think>\n" + reasoning + "\n</think>\n\n" + content, the
// way the Qwen3 chat template writes a turn, so the expected fields are the
// pieces the output was built from.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "chat/reasoning_parser.h"

namespace qwenrt {
namespace {

std::string think_block(const std::string& reasoning) { return "<think>\n" + reasoning + "\n</think>\n\n"; }

void expect_split_invariant(const std::string& text, ReasoningParserOptions options) {
  const ParsedOutput whole = parse_reasoning(text, options);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    ReasoningParser parser(options);
    ParsedOutput streamed;
    streamed.append(parser.feed(std::string_view(text).substr(0, cut)));
    streamed.append(parser.feed(std::string_view(text).substr(cut)));
    streamed.append(parser.finish());
    ASSERT_EQ(streamed, whole) << "split at " << cut << " of " << text;
  }
}

const std::vector<std::string> kReasonings = {"Let me think.", "multi\nline\n\nthought", "mentions <think> and </thin",
                                              "x"};
const std::vector<std::string> kContents = {"Answer.", "", "text with </think> and <think> inside", "  spaced  "};

TEST(ReasoningParser, OutputOpensThink) {  // (a)
  for (const auto& reasoning : kReasonings) {
    for (const auto& content : kContents) {
      const std::string text = think_block(reasoning) + content;
      const ParsedOutput parsed = parse_reasoning(text);
      EXPECT_EQ(parsed.reasoning_content, reasoning);
      EXPECT_EQ(parsed.content, content);
      expect_split_invariant(text, {});
      expect_split_invariant("\n " + text, {});  // whitespace before <think> is formatting
      EXPECT_EQ(parse_reasoning("\n " + text), parsed);
    }
  }
}

TEST(ReasoningParser, PromptOpenedThink) {  // (b)
  for (const auto& reasoning : kReasonings) {
    for (const auto& content : kContents) {
      const std::string text = reasoning + "\n</think>\n\n" + content;
      const ParsedOutput parsed = parse_reasoning(text, {.starts_in_reasoning = true});
      EXPECT_EQ(parsed.reasoning_content, reasoning);
      EXPECT_EQ(parsed.content, content);
      expect_split_invariant(text, {.starts_in_reasoning = true});
      // A model that opens <think> again anyway.
      EXPECT_EQ(parse_reasoning(think_block(reasoning) + content, {.starts_in_reasoning = true}), parsed);
    }
  }
}

TEST(ReasoningParser, NoClosingTagMeansAllReasoning) {  // (c)
  for (const auto& reasoning : kReasonings) {
    EXPECT_EQ(parse_reasoning("<think>\n" + reasoning).reasoning_content, reasoning);
    EXPECT_EQ(parse_reasoning(reasoning, {.starts_in_reasoning = true}).reasoning_content, reasoning);
    EXPECT_TRUE(parse_reasoning(reasoning, {.starts_in_reasoning = true}).content.empty());
    expect_split_invariant("<think>\n" + reasoning, {});
  }
}

TEST(ReasoningParser, EmptyThinkBlockOfDisabledThinkingIsStripped) {  // (d)
  for (const auto& content : kContents) {
    const ParsedOutput parsed = parse_reasoning(think_block("") + content);
    EXPECT_EQ(parsed.reasoning_content, "");
    EXPECT_EQ(parsed.content, content);
    expect_split_invariant(think_block("") + content, {});
  }
}

TEST(ReasoningParser, ThinkTagNotAtTheStartIsContent) {
  for (const std::string text : {"Hello <think>x</think> y", "a\n<think>\nb\n</think>", "<thinking>x</thinking>", "<thi"}) {
    const ParsedOutput parsed = parse_reasoning(text);
    EXPECT_EQ(parsed.content, text);
    EXPECT_TRUE(parsed.reasoning_content.empty());
    expect_split_invariant(text, {});
  }
}

TEST(ReasoningParser, EveryPrefixKeepsAllText) {
  const std::string text = think_block("step one\nstep two") + "The answer.";
  for (std::size_t n = 0; n <= text.size(); ++n) {
    const ParsedOutput parsed = parse_reasoning(text.substr(0, n));
    std::string kept = parsed.reasoning_content + parsed.content;
    std::string original = text.substr(0, n);
    for (const std::string_view tag : {kThinkOpen, kThinkClose}) {
      if (const auto at = original.find(tag); at != std::string::npos) original.erase(at, tag.size());
    }
    auto squeeze = [](std::string s) { return std::erase(s, '\n'), s; };
    EXPECT_EQ(squeeze(kept), squeeze(original)) << "prefix " << n;
  }
}

TEST(ReasoningParser, ReusableAfterFinish) {
  ReasoningParser parser;
  for (int round = 0; round < 2; ++round) {
    ParsedOutput out;
    out.append(parser.feed(think_block("r")));
    out.append(parser.feed("c"));
    out.append(parser.finish());
    EXPECT_EQ(out.reasoning_content, "r");
    EXPECT_EQ(out.content, "c");
  }
}

TEST(ReasoningParser, PromptEndsInReasoning) {
  const std::string history =
      "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\nold\n</think>\n\nhello<|im_end|>\n"
      "<|im_start|>user\nagain<|im_end|>\n";
  EXPECT_TRUE(prompt_ends_in_reasoning(history + "<|im_start|>assistant\n<think>\n"));  // thinking templates
  EXPECT_FALSE(prompt_ends_in_reasoning(history + "<|im_start|>assistant\n"));           // Qwen3 hybrid, thinking on
  EXPECT_FALSE(prompt_ends_in_reasoning(history + "<|im_start|>assistant\n<think>\n\n</think>\n\n"));  // thinking off
  EXPECT_FALSE(prompt_ends_in_reasoning("<|im_start|>user\nwhat is <think>?<|im_end|>\n<|im_start|>assistant\n"));
}

}  // namespace
}  // namespace qwenrt
