#include "model/rope_frequencies.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "base/error.h"

namespace qwenrt {
namespace {

// base ** (2i / dim), in F32 as torch computes it.
std::vector<float> position_frequencies(double theta, int64_t dim) {
  std::vector<float> out;
  for (int64_t i = 0; i < dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(dim);
    out.push_back(std::pow(static_cast<float>(theta), exponent));
  }
  return out;
}

// _compute_yarn_parameters: interpolated (divided by factor) frequencies for the slow
// dimensions, the original ones for the fast, a linear ramp between.
RopeFrequencies yarn(const RopeConfig& rope, int64_t dim, int64_t max_position_embeddings) {
  const double factor = rope.factor.value_or(
      static_cast<double>(max_position_embeddings) /
      static_cast<double>(rope.original_max_position_embeddings.value_or(max_position_embeddings)));
  const double original = static_cast<double>(rope.original_max_position_embeddings.value_or(max_position_embeddings));
  const double base = rope.theta;
  const double beta_fast = rope.beta_fast.value_or(32.0), beta_slow = rope.beta_slow.value_or(1.0);
  auto correction_dim = [&](double rotations) {
    return (static_cast<double>(dim) * std::log(original / (rotations * 2 * std::numbers::pi))) / (2 * std::log(base));
  };
  const double low = std::max(std::floor(correction_dim(beta_fast)), 0.0);
  double high = std::min(std::ceil(correction_dim(beta_slow)), static_cast<double>(dim - 1));
  if (low == high) high += 0.001;  // as transformers avoids a zero-width ramp

  const std::vector<float> pos = position_frequencies(base, dim);
  RopeFrequencies out;
  for (size_t i = 0; i < pos.size(); ++i) {
    const float extrapolation = 1.0f / pos[i];
    const float interpolation = 1.0f / (static_cast<float>(factor) * pos[i]);
    const float ramp = std::clamp((static_cast<float>(i) - static_cast<float>(low)) / static_cast<float>(high - low),
                                  0.0f, 1.0f);
    const float keep = 1.0f - ramp;  // share of the original (extrapolated) frequency
    out.inv_freq.push_back(interpolation * (1.0f - keep) + extrapolation * keep);
  }
  // The paper's attention temperature unless the config sets one.
  const double scaling = rope.attention_factor.value_or(factor <= 1 ? 1.0 : 0.1 * std::log(factor) + 1.0);
  out.attention_scaling = static_cast<float>(scaling);
  return out;
}

}  // namespace

RopeFrequencies rope_frequencies(const RopeConfig& rope, int64_t head_dim, int64_t max_position_embeddings,
                                 const std::string& source) {
  if (rope.type == "yarn") return yarn(rope, head_dim, max_position_embeddings);
  check(rope.type == "default" || rope.type == "linear",
        source + ": rope type '" + rope.type + "' is not supported (default, linear and yarn are)");
  RopeFrequencies out;
  for (float p : position_frequencies(rope.theta, head_dim)) out.inv_freq.push_back(1.0f / p);
  if (rope.type == "linear") {
    const float factor = static_cast<float>(rope.factor.value_or(1.0));
    for (float& f : out.inv_freq) f /= factor;
  }
  return out;
}

}  // namespace qwenrt
