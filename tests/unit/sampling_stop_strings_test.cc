// StopStringMatcher over every way of splitting a text into streamed pieces: the emitted
// text, the stop and the hold-back must not depend on the split.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "sampling/stop_strings.h"

namespace qwenrt {
namespace {

struct Outcome {
  std::string text;  // everything emitted, flush() included when no stop
  int stop_index = -1;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{\"" << o.text << "\", stop " << o.stop_index << "}";
}

// The definition, computed on the whole text at once: the stop is the occurrence that
// ends first (the longer stop string when two end together).
Outcome reference(const std::string& text, const std::vector<std::string>& stops) {
  size_t best_end = std::string::npos, best_start = 0;
  int index = -1;
  for (size_t i = 0; i < stops.size(); ++i) {
    const size_t start = text.find(stops[i]);
    if (start == std::string::npos) continue;
    const size_t end = start + stops[i].size();
    if (end < best_end || (end == best_end && start < best_start)) {
      best_end = end;
      best_start = start;
      index = static_cast<int>(i);
    }
  }
  return index < 0 ? Outcome{text, -1} : Outcome{text.substr(0, best_start), index};
}

// Streams `text` cut at `cuts` (increasing offsets), checking the invariants at each step.
Outcome stream(const std::string& text, const std::vector<size_t>& cuts,
               const std::vector<std::string>& stops) {
  const Outcome want = reference(text, stops);
  StopStringMatcher matcher(stops);
  Outcome got;
  size_t begin = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(text.size());
  for (size_t end : ends) {
    const StopStringMatcher::Step step =
        matcher.push(std::string_view(text).substr(begin, end - begin));
    got.text += step.text;
    // Never emit anything the final answer does not start with.
    EXPECT_EQ(want.text.compare(0, got.text.size(), got.text), 0)
        << "emitted \"" << got.text << "\"";
    if (step.stopped) {
      got.stop_index = step.stop_index;
      EXPECT_TRUE(matcher.stopped());
      EXPECT_TRUE(matcher.push("more").text.empty());  // ignored after the stop
      EXPECT_TRUE(matcher.flush().empty());
      return got;
    }
    begin = end;
  }
  got.text += matcher.flush();
  return got;
}

const std::vector<std::vector<std::string>> kStopSets = {
    {"</tool_call>"},
    {"abc", "b"},             // one inside another: the shorter ends first
    {"xab", "ab"},            // same end: the longer wins
    {"aab", "aaa"},           // self-overlapping prefixes
    {"\n\n", "User:", "。"},  // multi-byte UTF-8
    {"<|im_end|>", "<|endoftext|>"},
};

const std::vector<std::string> kTexts = {
    "Sure.<tool_call>{\"a\":1}</tool_call> after",
    "no stop here at all, but </tool_ca almost",
    "zabcd",
    "zxabq",
    "aaaab aab",
    "aaxaab",
    "line one\nline\n\nUser: hi",
    "你好。世界",
    "text<|im_end|>",
    "<|im_end|>",
    "abab<|endoftex<|endoftext|>",
    "",
};

TEST(StopStrings, EveryTwoAndThreeWaySplitGivesTheSameResult) {
  for (const auto& stops : kStopSets) {
    for (const std::string& text : kTexts) {
      SCOPED_TRACE("text \"" + text + "\" first stop \"" + stops[0] + "\"");
      const Outcome want = reference(text, stops);
      ASSERT_EQ(stream(text, {}, stops), want);
      for (size_t a = 0; a <= text.size(); ++a) {
        ASSERT_EQ(stream(text, {a}, stops), want) << "cut " << a;
        for (size_t b = a; b <= text.size(); ++b) {
          ASSERT_EQ(stream(text, {a, b}, stops), want) << "cuts " << a << " " << b;
        }
      }
    }
  }
}

TEST(StopStrings, ByteByByteAndRandomSplits) {
  std::mt19937 rng(1);
  for (const auto& stops : kStopSets) {
    for (const std::string& text : kTexts) {
      std::vector<size_t> every;
      for (size_t i = 1; i < text.size(); ++i) every.push_back(i);
      EXPECT_EQ(stream(text, every, stops), reference(text, stops)) << text;
      for (int trial = 0; trial < 50; ++trial) {
        std::vector<size_t> cuts;
        for (size_t i = 1; i < text.size(); ++i) {
          if (rng() % 3 == 0) cuts.push_back(i);
        }
        EXPECT_EQ(stream(text, cuts, stops), reference(text, stops)) << text;
      }
    }
  }
}

TEST(StopStrings, HoldsBackOnlyAPossibleStart) {
  StopStringMatcher matcher({"</tool_call>", "<|im_end|>"});
  StopStringMatcher::Step step = matcher.push("abc</to");
  EXPECT_EQ(step.text, "abc");  // "</to" could begin "</tool_call>"
  EXPECT_FALSE(step.stopped);
  step = matcher.push("ol");
  EXPECT_EQ(step.text, "");
  step = matcher.push("box> <");
  EXPECT_EQ(step.text, "</toolbox> ");  // no longer a prefix: released; "<" held
  step = matcher.push("|im_end|>tail");
  EXPECT_EQ(step.text, "");
  EXPECT_TRUE(step.stopped);
  EXPECT_EQ(step.stop_index, 1);
}

TEST(StopStrings, NeverSplitsAUtf8CharacterItReceivedWhole) {
  // "。" is E3 80 82; "、" (E3 80 81) shares its first two bytes.
  StopStringMatcher matcher({"。"});
  const std::string text = "一、二、三。四";
  std::string emitted;
  size_t i = 0;
  while (i < text.size()) {  // one whole character per piece
    size_t len = 1;
    while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80)
      ++len;
    const std::string step_text = matcher.push(text.substr(i, len)).text;
    emitted += step_text;
    // Each emitted piece ends on a character boundary: its last byte completes a character.
    if (!step_text.empty()) {
      const unsigned char last = static_cast<unsigned char>(step_text.back());
      EXPECT_TRUE(last < 0x80 || (last & 0xC0) == 0x80) << emitted;
      EXPECT_NE(static_cast<unsigned char>(step_text.front()) & 0xC0, 0x80) << emitted;
    }
    i += len;
  }
  EXPECT_TRUE(matcher.stopped());
  EXPECT_EQ(emitted, "一、二、三");
}

TEST(StopStrings, PassesTextThroughWithoutStopStrings) {
  StopStringMatcher matcher({});
  EXPECT_EQ(matcher.push("hello ").text, "hello ");
  EXPECT_EQ(matcher.push("world").text, "world");
  EXPECT_EQ(matcher.flush(), "");
  EXPECT_FALSE(matcher.stopped());
}

TEST(StopStrings, FlushReleasesHeldText) {
  StopStringMatcher matcher({"STOP"});
  EXPECT_EQ(matcher.push("the end ST").text, "the end ");
  EXPECT_EQ(matcher.flush(), "ST");
  EXPECT_EQ(matcher.flush(), "");
}

TEST(StopStrings, RejectsEmptyStopString) { EXPECT_THROW(StopStringMatcher({"ok", ""}), Error); }

}  // namespace
}  // namespace qwenrt
