// The logits processors of Hugging Face generate(), applied in place to one row of
// logits. Filtered tokens become -inf, as transformers' filter_value. The Sampler runs
// them in HF's order: repetition penalty -> presence/frequency penalty -> temperature
// -> top-k -> top-p -> min-p. Each is a no-op at its "off" value.
#pragma once
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sampling/token_counts.h"

namespace qwenrt {

// Buffers reused from token to token so that processing never allocates per call.
struct LogitsScratch {
  // exp(logit - max), per vocabulary entry or candidate. After apply_top_p over many
  // tokens, weights_max is that max and weights[i] == exp(logits[i] - weights_max) for
  // every token it left unmasked, so the draw need not recompute them; NaN otherwise.
  // Whoever changes logit values afterwards must reset weights_max to NaN.
  std::vector<float> weights;
  float weights_max = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> values;     // candidates' logits, contiguous
  std::vector<int32_t> indices;  // candidate token ids
  std::vector<uint16_t> bins;    // histogram bin of each token (top-p)
  std::vector<double> bin_mass;  // probability mass per bin (top-p)
};

// transformers' RepetitionPenaltyLogitsProcessor: each distinct token of `seen` (prompt
// and output) gets logit < 0 ? logit * penalty : logit / penalty, once.
void apply_repetition_penalty(std::span<float> logits, float penalty, const TokenCounts& seen);

// OpenAI's documented formula, as vLLM computes it, over the generated tokens only:
// logit -= frequency_penalty * count; then logit -= presence_penalty if count > 0.
void apply_presence_frequency_penalty(std::span<float> logits, float presence_penalty,
                                      float frequency_penalty, const TokenCounts& generated);

// TemperatureLogitsWarper: logit / temperature (temperature > 0).
void apply_temperature(std::span<float> logits, float temperature);

// TopKLogitsWarper: keeps the tokens whose logit is >= the k-th largest; k <= 0 or
// k >= vocab: no-op.
void apply_top_k(std::span<float> logits, int32_t top_k, LogitsScratch& scratch);

// TopPLogitsWarper: keeps the most likely tokens while the probability mass ranked
// strictly above each is < top_p (so at least one token), i.e. the smallest set reaching
// top_p; top_p >= 1: no-op. Ties with the last kept token are kept. Never sorts the
// vocabulary: up to 1024 candidates (as after top-k) are sorted directly; a small
// nucleus is looked for among the top 64; otherwise a histogram over the distance from
// the max logit finds the bin where the mass crosses top_p, and only that bin is sorted.
void apply_top_p(std::span<float> logits, float top_p, LogitsScratch& scratch);

// MinPLogitsWarper: drops tokens with probability < min_p * max probability, i.e.
// logit < max + log(min_p); the most likely token always stays. min_p <= 0: no-op.
void apply_min_p(std::span<float> logits, float min_p);

}  // namespace qwenrt
