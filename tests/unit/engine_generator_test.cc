// Generation end to end on a golden fixture: greedy output equals transformers' greedy
// continuation, and EOS ids, stop strings, token limits and seeds behave as documented.
#include "engine/generator.h"

#include <gtest/gtest.h>

#include <cstring>

#include "base/error.h"
#include "io/safetensors.h"

namespace qwenrt {
namespace {

const std::string kFixture = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/models/qwen3_gqa2_hd32_f32";

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

}  // namespace
}  // namespace qwenrt
