// Generation end to end on a golden fixture: greedy output equals transformers' greedy
// continuation, and EOS ids, stop strings, token limits and seeds behave as documented;
// a grammar constrains sampled output to JSON valid for its schema, within max_tokens.
#include "engine/generator.h"

#include <gtest/gtest.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/safetensors.h"
#include "sampling/grammar/json_schema.h"

namespace qwenrt {
namespace {

const std::string kFixture = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/models/qwen3_gqa2_hd32_f32";

size_t code_points(const std::string& utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = CausalLM::load(kFixture, pool_);
    auto ref = SafetensorsFile::open(kFixture + "/reference.safetensors");
    const TensorView& ids = ref.get("input_ids");
    std::vector<int32_t> all(static_cast<size_t>(ids.numel()));
    std::memcpy(all.data(), ids.data, ids.nbytes);
    const size_t prompt_length = std::stoul(ref.metadata().at("prompt_length"));
    prompt_.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(prompt_length));
    continuation_.assign(all.begin() + static_cast<std::ptrdiff_t>(prompt_length), all.end());
  }

  GenerationRequest greedy_request(int64_t max_tokens) {
    GenerationRequest r;
    r.prompt = prompt_;
    r.sampling.temperature = 0;
    r.max_tokens = max_tokens;
    return r;
  }

  // The fixture's ids as a grammar vocabulary (single characters: enough to spell
  // JSON); `eos`, if any, is left out so that only the constraint may allow it.
  std::shared_ptr<const grammar::VocabularyIndex> fixture_vocab(int32_t eos = -1) {
    const auto rows = static_cast<int32_t>(model_->shape().vocab);
    std::vector<std::string> tokens(static_cast<size_t>(rows));
    for (int32_t id = 0; id < rows; ++id) {
      if (id != eos) tokens[static_cast<size_t>(id)] = std::string(tokenizer_.token_bytes(id));
    }
    return grammar::VocabularyIndex::from_tokens(std::move(tokens), rows);
  }

  ThreadPool pool_{2};
  std::unique_ptr<CausalLM> model_;
  // The fixture's 320 ids are the real vocabulary's first 320 (single byte-level
  // characters), so the real tokenizer decodes them.
  Tokenizer tokenizer_ = Tokenizer::from_directory(std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer");
  std::vector<int32_t> prompt_, continuation_;
};

TEST_F(GeneratorTest, GreedyMatchesTransformersAndStreamsItsText) {
  Generator generator(*model_, tokenizer_, {}, 256);
  std::string streamed;
  const auto result = generator.generate(greedy_request(32), [&](std::string_view s) { streamed += s; });
  EXPECT_EQ(result.tokens, continuation_);
  EXPECT_EQ(result.finish_reason, "length");
  EXPECT_EQ(result.text, tokenizer_.decode(continuation_));
  EXPECT_EQ(streamed, result.text);
}

TEST_F(GeneratorTest, StopsAtEosId) {
  Generator generator(*model_, tokenizer_, {continuation_[4]}, 256);
  const auto result = generator.generate(greedy_request(32));
  const auto first = std::find(continuation_.begin(), continuation_.end(), continuation_[4]);
  const std::vector<int32_t> expected(continuation_.begin(), first + 1);
  EXPECT_EQ(result.tokens, expected);
  EXPECT_EQ(result.finish_reason, "stop");
}

TEST_F(GeneratorTest, StopStringCutsTheText) {
  const std::string full = tokenizer_.decode(continuation_);
  ASSERT_GT(full.size(), 12u);
  GenerationRequest request = greedy_request(32);
  request.stop = {full.substr(6, 4)};
  Generator generator(*model_, tokenizer_, {}, 256);
  std::string streamed;
  const auto result = generator.generate(request, [&](std::string_view s) { streamed += s; });
  EXPECT_EQ(result.finish_reason, "stop");
  EXPECT_EQ(result.text, full.substr(0, full.find(request.stop[0])));
  EXPECT_EQ(streamed, result.text);
}

TEST_F(GeneratorTest, ContextSizeBoundsOutput) {
  Generator generator(*model_, tokenizer_, {}, static_cast<int64_t>(prompt_.size()) + 5);
  const auto result = generator.generate(greedy_request(32));
  EXPECT_EQ(result.tokens.size(), 5u);
  EXPECT_EQ(result.finish_reason, "length");
  Generator tiny(*model_, tokenizer_, {}, static_cast<int64_t>(prompt_.size()));
  EXPECT_THROW(tiny.generate(greedy_request(32)), Error);
}

TEST_F(GeneratorTest, SeedMakesSamplingReproducible) {
  Generator generator(*model_, tokenizer_, {}, 256);
  GenerationRequest request = greedy_request(24);
  request.sampling.temperature = 1.5f;
  request.sampling.seed = 7;
  const auto a = generator.generate(request), b = generator.generate(request);
  EXPECT_EQ(a.tokens, b.tokens);
  request.sampling.seed = 8;
  EXPECT_NE(generator.generate(request).tokens, a.tokens);
}

TEST_F(GeneratorTest, GrammarMakesSampledOutputValidJson) {
  const char* schema = R"({"type":"object","properties":{"name":{"type":"string","maxLength":6},
      "count":{"type":"integer","minimum":0,"maximum":99},"ok":{"type":"boolean"}},
      "required":["name","count","ok"],"additionalProperties":false})";
  Generator generator(*model_, tokenizer_, {}, 256);
  GenerationRequest request = greedy_request(60);
  request.sampling.temperature = 1.5f;
  int unconstrained_json = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    request.sampling.seed = seed;
    request.grammar = nullptr;
    if (nlohmann::json::accept(generator.generate(request).text)) ++unconstrained_json;
    request.grammar = grammar::compile_json_schema(schema, fixture_vocab());
    std::string streamed;
    const auto result = generator.generate(request, [&](std::string_view s) { streamed += s; });
    SCOPED_TRACE(result.text);
    EXPECT_EQ(result.finish_reason, "stop");
    EXPECT_LE(result.tokens.size(), 60u);
    EXPECT_EQ(streamed, result.text);
    ASSERT_TRUE(nlohmann::json::accept(result.text));
    const auto value = nlohmann::json::parse(result.text);
    ASSERT_TRUE(value.is_object());
    EXPECT_EQ(value.size(), 3u);
    ASSERT_TRUE(value.contains("name") && value["name"].is_string());
    EXPECT_LE(code_points(value["name"].get<std::string>()), 6u);
    ASSERT_TRUE(value.contains("count") && value["count"].is_number_integer());
    EXPECT_GE(value["count"].get<int>(), 0);
    EXPECT_LE(value["count"].get<int>(), 99);
    ASSERT_TRUE(value.contains("ok") && value["ok"].is_boolean());
  }
  EXPECT_EQ(unconstrained_json, 0);  // the same sampling without the grammar is not JSON
}

TEST_F(GeneratorTest, GrammarEndsWithEosWithinTheBudget) {
  // An integer can always take one more digit: only the budget makes it end, with EOS.
  const int32_t eos = 300;
  Generator generator(*model_, tokenizer_, {eos}, 256);
  GenerationRequest request = greedy_request(4);
  request.sampling.temperature = 1.5f;
  request.grammar = grammar::compile_json_schema(R"({"type":"integer"})", fixture_vocab(eos));
  int ended_by_eos = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    request.sampling.seed = seed;
    const auto result = generator.generate(request);
    SCOPED_TRACE(result.text);
    EXPECT_EQ(result.finish_reason, "stop");
    ASSERT_LE(result.tokens.size(), 4u);
    // Only "0" (or "-0") may end without EOS: nothing can follow a leading zero.
    if (result.tokens.back() == eos) ++ended_by_eos;
    else EXPECT_EQ(result.text.back(), '0');
    ASSERT_TRUE(nlohmann::json::accept(result.text));
    EXPECT_TRUE(nlohmann::json::parse(result.text).is_number_integer());
  }
  EXPECT_GT(ended_by_eos, 0);
}

TEST_F(GeneratorTest, GrammarThatCannotFinishWithinMaxTokensIsAnError) {
  Generator generator(*model_, tokenizer_, {}, 256);
  GenerationRequest request = greedy_request(5);
  request.grammar = grammar::compile_json_schema(R"({"const":"hello world"})", fixture_vocab());
  EXPECT_THROW(generator.generate(request), Error);
  // 13 characters plus room for an end-of-sequence token, which the bound always counts
  // (and no eos id is given: after the closing quote nothing may follow, so it ends).
  request.max_tokens = 14;
  const auto result = generator.generate(request);
  EXPECT_EQ(result.text, "\"hello world\"");
  EXPECT_LE(result.tokens.size(), 13u);  // some pairs ("he", "ll"...) are one token here
  EXPECT_EQ(result.finish_reason, "stop");
}

}  // namespace
}  // namespace qwenrt
