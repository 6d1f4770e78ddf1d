// The sampler against transformers (tests/goldens/sampling/processors.bin, written by
// tools/goldens/make_sampling_goldens.py): processed logits equal transformers' logits
// processors, and the tokens drawn follow the softmax of transformers' processed logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "sampling/sampler.h"

namespace qwenrt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

struct GoldenCase {
  std::string name;
  SamplingParams params;
  std::vector<int32_t> prompt, generated;
  std::vector<float> input, expected;
};

// Bounds-checked little-endian reads over the whole file.
class Reader {
 public:
  explicit Reader(std::vector<char> bytes) : bytes_(std::move(bytes)) {}
  template <typename T>
  T read() {
    T value;
    take(&value, sizeof value);
    return value;
  }
  template <typename T>
  std::vector<T> read_array(size_t n) {
    std::vector<T> values(n);
    take(values.data(), n * sizeof(T));
    return values;
  }
  bool at_end() const { return offset_ == bytes_.size(); }

 private:
  void take(void* out, size_t n) {
    if (n > bytes_.size() - offset_) throw std::runtime_error("golden file truncated");
    std::memcpy(out, bytes_.data() + offset_, n);
    offset_ += n;
  }
  std::vector<char> bytes_;
  size_t offset_ = 0;
};

std::vector<GoldenCase> load_goldens() {
  const std::string path =
      std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/sampling/processors.bin";
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open " + path);
  Reader in(std::vector<char>(std::istreambuf_iterator<char>(file), {}));
  if (in.read<uint32_t>() != 0x47505351u /* "QSPG" */) throw std::runtime_error("bad magic");
  if (in.read<uint32_t>() != 1) throw std::runtime_error("unknown golden version");
  std::vector<GoldenCase> cases(in.read<uint32_t>());
  for (GoldenCase& c : cases) {
    const std::vector<char> name = in.read_array<char>(in.read<uint32_t>());
    c.name.assign(name.begin(), name.end());
    const uint32_t vocab = in.read<uint32_t>();
    c.params.temperature = in.read<float>();
    c.params.top_k = in.read<int32_t>();
    c.params.top_p = in.read<float>();
    c.params.min_p = in.read<float>();
    c.params.repetition_penalty = in.read<float>();
    c.params.presence_penalty = in.read<float>();
    c.params.frequency_penalty = in.read<float>();
    c.params.seed = 1;
    c.prompt = in.read_array<int32_t>(in.read<uint32_t>());
    c.generated = in.read_array<int32_t>(in.read<uint32_t>());
    c.input = in.read_array<float>(vocab);
    c.expected = in.read_array<float>(vocab);
  }
  if (!in.at_end()) throw std::runtime_error("trailing bytes in golden file");
  return cases;
}

TEST(SamplingProcessors, MatchTransformers) {
  const std::vector<GoldenCase> cases = load_goldens();
  ASSERT_GE(cases.size(), 20u);
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.name);
    Sampler sampler(c.params, static_cast<int32_t>(c.input.size()));
    std::vector<float> logits = c.input;
    sampler.process_logits(logits.data(), c.prompt, c.generated);
    size_t mask_mismatches = 0, value_mismatches = 0, kept = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
      const bool filtered = logits[i] == -kInf, expect_filtered = c.expected[i] == -kInf;
      if (filtered != expect_filtered) {
        if (mask_mismatches++ < 3)
          ADD_FAILURE() << "token " << i << ": got " << logits[i] << ", want " << c.expected[i];
        continue;
      }
      if (filtered) continue;
      ++kept;
      if (!(std::fabs(logits[i] - c.expected[i]) <= 1e-6f * std::fabs(c.expected[i]))) {
        if (value_mismatches++ < 3)
          ADD_FAILURE() << "token " << i << ": got " << logits[i] << ", want " << c.expected[i];
      }
    }
    EXPECT_EQ(mask_mismatches, 0u);
    EXPECT_EQ(value_mismatches, 0u);
    EXPECT_GT(kept, 0u);
  }
}

// Chi-square statistic of observed counts against probabilities p (tokens with an
// expected count below 5 pooled into one bin); df is the number of bins - 1.
struct ChiSquare {
  double statistic = 0.0;
  int df = -1;
  // About 5 standard deviations above the mean df: with a fixed seed the test is
  // deterministic, and a wrong distribution lands far above (see the control below).
  double bound() const { return df + 5.0 * std::sqrt(2.0 * df) + 10.0; }
};

ChiSquare chi_square(const std::vector<int64_t>& counts, const std::vector<double>& p, int64_t n) {
  ChiSquare result;
  double pooled_expected = 0.0, pooled_observed = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double expected = p[i] * static_cast<double>(n);
    if (expected >= 5.0) {
      const double d = static_cast<double>(counts[i]) - expected;
      result.statistic += d * d / expected;
      ++result.df;
    } else {
      pooled_expected += expected;
      pooled_observed += static_cast<double>(counts[i]);
    }
  }
  if (pooled_expected >= 5.0) {
    const double d = pooled_observed - pooled_expected;
    result.statistic += d * d / pooled_expected;
    ++result.df;
  } else if (pooled_observed > 20.0 + 5.0 * pooled_expected) {
    result.statistic = std::numeric_limits<double>::infinity();  // mass where there should be none
  }
  return result;
}

// Softmax in double of logits, -inf giving probability 0.
std::vector<double> softmax(const std::vector<float>& logits) {
  const float max = *std::max_element(logits.begin(), logits.end());
  std::vector<double> p(logits.size());
  double total = 0.0;
  for (size_t i = 0; i < logits.size(); ++i)
    total += p[i] = std::exp(static_cast<double>(logits[i]) - max);
  for (double& v : p) v /= total;
  return p;
}

TEST(SamplingGoldens, DrawsFollowTransformersDistribution) {
  constexpr int64_t kSamples = 40000;
  const std::vector<GoldenCase> cases = load_goldens();
  int checked = 0;
  for (const GoldenCase& c : cases) {
    if (c.name != "qwen_defaults" && c.name != "top_p_then_min_p" &&
        c.name != "temperature_top_k_top_p" && c.name != "top_k_7" && c.name != "large_combo") {
      continue;
    }
    SCOPED_TRACE(c.name);
    ++checked;
    SamplingParams params = c.params;
    params.seed = 1234;
    Sampler sampler(params, static_cast<int32_t>(c.input.size()));
    std::vector<int64_t> counts(c.input.size(), 0);
    std::vector<float> logits;
    for (int64_t s = 0; s < kSamples; ++s) {
      logits = c.input;
      ++counts[sampler.sample(logits.data(), c.prompt, c.generated)];
    }
    int64_t outside = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (c.expected[i] == -kInf) outside += counts[i];
    }
    EXPECT_EQ(outside, 0) << "tokens filtered by transformers were drawn";

    const ChiSquare fit = chi_square(counts, softmax(c.expected), kSamples);
    EXPECT_GT(fit.df, 0);
    EXPECT_LT(fit.statistic, fit.bound()) << "df " << fit.df;

    // Control: the same draws against a wrong distribution (the kept tokens at their raw,
    // un-tempered logits, or a uniform one when the temperature is 1) must fail the bound.
    std::vector<float> wrong = c.expected;
    for (size_t i = 0; i < wrong.size(); ++i) {
      if (wrong[i] != -kInf) wrong[i] = params.temperature != 1.0f ? c.input[i] : 0.0f;
    }
    const ChiSquare control = chi_square(counts, softmax(wrong), kSamples);
    EXPECT_GT(control.statistic, control.bound()) << "the test cannot tell distributions apart";
  }
  EXPECT_EQ(checked, 5);
}

}  // namespace
}  // namespace qwenrt
