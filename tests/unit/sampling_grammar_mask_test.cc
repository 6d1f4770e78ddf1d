// Token masks over the real Qwen vocabulary: the cached masks (per-state cache plus
// tails checked in context) must equal both slow twins, a walk of the whole
// vocabulary trie and token-by-token simulation, at every step of random walks
// through many schemas.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>

#include "base/error.h"
#include "sampling/grammar/grammar_constraint.h"
#include "sampling/grammar/json_schema.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::grammar {
namespace {

constexpr int32_t kModelRows = 151936;  // Qwen's logits row: more than the tokenizer's ids

const Tokenizer& tokenizer() {
  static const Tokenizer t = Tokenizer::from_directory(std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer");
  return t;
}

std::shared_ptr<const VocabularyIndex> vocab() {
  static const auto v = VocabularyIndex::build(tokenizer(), kModelRows);
  return v;
}

// Follows random allowed tokens from the start of `schema`, checking every mask.
void check_random_walk(const std::shared_ptr<const CompiledGrammar>& grammar, uint32_t seed, int steps) {
  GrammarMatcher m(grammar);
  TokenBitmask cached, walked;
  std::mt19937 rng(seed);
  std::string text;
  for (int step = 0; step < steps && !m.must_end(); ++step) {
    m.fill_mask(cached);
    m.fill_mask_uncached(walked);
    ASSERT_EQ(cached.ids(), walked.ids()) << "step " << step << " after: " << text;
    // Simulation, token by token, over the whole vocabulary.
    for (int32_t id = 0; id < kModelRows; ++id) {
      const bool allowed = m.min_bytes_to_end_after(id) >= 0;
      ASSERT_EQ(cached.test(id), allowed) << "token " << id << " step " << step << " after: " << text;
    }
    for (int32_t id = 151643; id < tokenizer().vocab_size(); ++id) {
      if (tokenizer().is_special(id)) {
        ASSERT_FALSE(cached.test(id)) << id;
      }
    }
    const std::vector<int32_t> allowed = cached.ids();
    ASSERT_FALSE(allowed.empty()) << "dead end after: " << text;
    // Half the time the longest of a few candidates, so walks get deep quickly.
    std::uniform_int_distribution<size_t> any(0, allowed.size() - 1);
    int32_t pick = allowed[any(rng)];
    if (rng() % 2) {
      for (int k = 0; k < 8; ++k) {
        const int32_t other = allowed[any(rng)];
        if (tokenizer().token_bytes(other).size() > tokenizer().token_bytes(pick).size()) pick = other;
      }
    }
    ASSERT_TRUE(m.accept_token(pick));
    text += tokenizer().token_bytes(pick);
  }
}

// One cache of shared masks for every schema of the suite, so later schemas reuse
// the states earlier ones computed (the plain string's, mostly).
std::shared_ptr<SharedMaskCache> shared_masks() {
  static const auto cache = std::make_shared<SharedMaskCache>(vocab());
  return cache;
}

class MaskTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MaskTest, CachedMaskEqualsFullWalkAndSimulation) {
  const auto grammar = compile_json_schema(GetParam(), vocab());
  for (uint32_t seed = 1; seed <= 2; ++seed) check_random_walk(grammar, seed, 40);
  const auto sharing = compile_json_schema(GetParam(), vocab(), {}, shared_masks());
  check_random_walk(sharing, 3, 40);
}

TEST(GrammarMask, SharedMasksComeFromOtherGrammars) {
  auto cache = std::make_shared<SharedMaskCache>(vocab());
  compile_json_schema(R"({"type":"array","items":{"type":"string"}})", vocab(), {}, cache)->precompute();
  const size_t shared = cache->size();
  EXPECT_GT(shared, 5u);  // the string rule's states (content, escapes, UTF-8 continuations)
  const auto other = compile_json_schema(R"({"type":"object","properties":{"s":{"type":"string"}}})", vocab(), {}, cache);
  other->precompute();
  EXPECT_EQ(cache->size(), shared);  // nothing new: the same string states
  check_random_walk(other, 11, 40);
  EXPECT_THROW(compile_json_schema("{}", VocabularyIndex::from_tokens({"a"}), {}, cache), Error);
}

INSTANTIATE_TEST_SUITE_P(
    Schemas, MaskTest,
    ::testing::Values(
        R"({"type":"object","properties":{"name":{"const":"get_weather"},"arguments":{"type":"object","properties":{"location":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]}},"required":["location"]}},"required":["name","arguments"]})",
        R"({})",
        R"({"type":"array","items":{"type":"number"},"minItems":1})",
        R"({"type":"string","pattern":"^[A-Z][a-z]+( [A-Z][a-z]+)*$"})",
        R"({"type":"object","additionalProperties":{"type":"integer","minimum":-20,"maximum":20}})",
        R"({"$defs":{"t":{"type":"object","properties":{"v":{"type":"string","maxLength":4},"k":{"type":"array","items":{"$ref":"#/$defs/t"}}},"required":["v","k"]}},"$ref":"#/$defs/t"})",
        R"({"anyOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"type":"object","properties":{"ab":{"type":"boolean"}},"required":["ab"]}]})",
        R"({"type":"string","format":"date-time"})"));

TEST(GrammarMask, FlexibleWhitespace) {
  JsonSchemaOptions options;
  options.whitespace = JsonSchemaOptions::Whitespace::kFlexible;
  const auto grammar = compile_json_schema(R"({"type":"object","properties":{"xs":{"type":"array","items":{"type":"integer"}}}})",
                                           vocab(), options);
  for (uint32_t seed = 1; seed <= 3; ++seed) check_random_walk(grammar, seed, 40);
}

TEST(GrammarMask, BudgetMaskOnlyKeepsTokensThatCanFinish) {
  const auto grammar = compile_json_schema(R"({"type":"object","properties":{"s":{"type":"string"}},"required":["s"]})", vocab());
  GrammarMatcher m(grammar);
  ASSERT_TRUE(m.accept_bytes(R"({"s":"abc)"));
  EXPECT_EQ(m.min_bytes_to_end(), 2);  // "}
  TokenBitmask all, within;
  m.fill_mask(all);
  for (int64_t budget : {2, 1, 0}) {
    m.fill_mask_within(within, budget);
    for (int32_t id : within.ids()) {
      ASSERT_TRUE(all.test(id)) << id;
      ASSERT_LE(m.min_bytes_to_end_after(id), budget) << tokenizer().token_bytes(id);
    }
    // Every allowed token that fits is kept.
    int64_t fitting = 0;
    for (int32_t id : all.ids()) fitting += m.min_bytes_to_end_after(id) <= budget;
    EXPECT_EQ(within.count(), fitting) << budget;
    EXPECT_GT(within.count(), 0) << budget;
  }
  m.fill_mask_within(within, 2);
  EXPECT_GT(within.count(), 1000);  // string content keeps the distance at 2
  m.fill_mask_within(within, 0);
  for (int32_t id : within.ids()) {
    const std::string_view b = tokenizer().token_bytes(id);
    ASSERT_EQ(b.substr(b.size() - 2), "\"}") << b;
  }
}

TEST(GrammarConstraint, AppliesMaskAndEos) {
  const auto grammar = compile_json_schema(R"({"type":"integer","minimum":0,"maximum":99})", vocab());
  const int32_t eos = *tokenizer().eos_id();
  GrammarConstraint c(grammar, {eos, 151643});
  std::vector<float> logits(kModelRows, 0.0f);
  c.apply(logits.data(), kModelRows);
  EXPECT_TRUE(std::isinf(logits[eos]));  // nothing written yet
  const int32_t seven = tokenizer().encode("7")[0];
  EXPECT_EQ(logits[seven], 0.0f);
  EXPECT_TRUE(std::isinf(logits[kModelRows - 1]));  // padding rows
  c.accept(seven);
  std::fill(logits.begin(), logits.end(), 0.0f);
  c.apply(logits.data(), kModelRows);
  EXPECT_EQ(logits[eos], 0.0f);
  EXPECT_EQ(logits[151643], 0.0f);
  EXPECT_TRUE(c.is_complete());
  EXPECT_FALSE(c.is_finished());
  c.accept(tokenizer().encode("5")[0]);
  EXPECT_TRUE(c.is_finished());  // two digits: nothing may follow
  EXPECT_THROW(c.accept(seven), Error);
  GrammarConstraint d(grammar, {eos});
  EXPECT_THROW(d.accept(eos), Error);  // nothing complete yet
  EXPECT_THROW(d.accept(tokenizer().encode("x")[0]), Error);
}

TEST(GrammarConstraint, BudgetAlwaysFinishes) {
  const auto grammar = compile_json_schema(R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"string"}}},"required":["a"]})", vocab());
  const int32_t eos = *tokenizer().eos_id();
  std::mt19937 rng(7);
  for (int64_t budget : {9, 12, 20}) {
    GrammarConstraint c(grammar, {eos});
    ASSERT_LE(c.min_tokens_to_finish(), budget);
    std::vector<float> logits(kModelRows);
    for (int64_t left = budget; left > 0 && !c.is_finished(); --left) {
      std::fill(logits.begin(), logits.end(), 0.0f);
      c.apply(logits.data(), kModelRows);
      std::vector<int32_t> allowed = c.mask().ids();
      int32_t pick = allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)];
      if (!c.fits_budget(pick, left)) {
        c.apply_within_budget(logits.data(), kModelRows, left);
        allowed = c.mask().ids();
        ASSERT_FALSE(allowed.empty());
        pick = allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)];
        ASSERT_TRUE(c.fits_budget(pick, left));
      }
      c.accept(pick);
    }
    EXPECT_TRUE(c.is_finished()) << budget;
  }
}

TEST(GrammarMask, VocabularyExcludesSpecialTokens) {
  const auto& v = *vocab();
  EXPECT_EQ(v.mask_size(), kModelRows);
  EXPECT_FALSE(v.in_trie(*tokenizer().eos_id()));
  EXPECT_FALSE(v.in_trie(151643));
  EXPECT_TRUE(v.in_trie(tokenizer().encode("hello")[0]));
}

}  // namespace
}  // namespace qwenrt::grammar
