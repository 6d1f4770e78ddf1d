#include "sampling/logits_processors.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sampling/candidates.h"
#include "sampling/vector_math.h"

namespace qwenrt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Top-p sorts the candidates directly when there are at most this many (the usual case
// after top-k).
constexpr size_t kDirectSortLimit = 1024;
// Every weight is <= 1 (the max's), so a nucleus holds at least top_p * total tokens;
// when that bound allows, the nucleus is first looked for among the top kNucleusProbe.
constexpr size_t kNucleusProbe = 64;
// Histogram bins are 1/64 nat wide over distances [0, 64) from the max logit; the last
// bin also holds everything farther (weights below e^-64, -inf and NaN).
constexpr int kBinsPerNat = 64;
constexpr int kBins = 64 * kBinsPerNat;

// Sorts token ids by logit, largest first, ties by lower id.
void sort_by_logit(std::span<const float> x, std::vector<int32_t>::iterator begin,
                   std::vector<int32_t>::iterator end) {
  std::sort(begin, end,
            [&](int32_t a, int32_t b) { return x[a] > x[b] || (x[a] == x[b] && a < b); });
}

// Walks `sorted` (largest first) from mass `above`, keeping each token while the mass
// ranked strictly above it is < target. Sets *threshold to the last kept token's logit
// and returns whether the walk reached target (the cut lies within `sorted`).
template <typename Weight>
bool find_cut(std::span<const float> x, std::span<const int32_t> sorted, double above,
              double target, Weight weight, float* threshold) {
  for (size_t j = 0; j < sorted.size(); ++j) {
    *threshold = x[sorted[j]];
    above += weight(j);
    if (above >= target) return true;
  }
  return false;
}

// Top-p over at most kDirectSortLimit unmasked tokens: sort them all.
void top_p_among_few(std::span<float> logits, float top_p, float max, LogitsScratch& scratch) {
  std::vector<int32_t>& candidates = scratch.indices;
  sort_by_logit(logits, candidates.begin(), candidates.end());
  scratch.values.resize(candidates.size());
  for (size_t j = 0; j < candidates.size(); ++j) scratch.values[j] = logits[candidates[j]];
  scratch.weights.resize(candidates.size());
  const double total = exp_sum(scratch.values, max, scratch.weights.data());
  float threshold = -kInf;
  find_cut(
      logits, candidates, 0.0, top_p * total, [&](size_t j) { return scratch.weights[j]; },
      &threshold);
  // Everything else is -inf already; a walk that fell short by rounding keeps all.
  for (int32_t t : candidates) {
    if (logits[t] < threshold) logits[t] = -kInf;
  }
}

// The bin where the cumulative mass (bins in order of decreasing logit) reaches target,
// and the mass of the bins before it; kBins if rounding never reaches it. One scalar
// pass: vectorised alternatives (guess a bin, verify with masked sums) lost to it.
int find_boundary_bin(std::span<const uint16_t> bins, const float* weights, double target,
                      std::vector<double>& bin_mass, double* above) {
  bin_mass.assign(kBins, 0.0);
  for (size_t i = 0; i < bins.size(); ++i) bin_mass[bins[i]] += weights[i];
  *above = 0.0;
  int bin = 0;
  for (; bin < kBins && *above + bin_mass[bin] < target; ++bin) *above += bin_mass[bin];
  return bin;
}

// Top-p over many unmasked tokens: the logit of the last token kept, -inf to keep all.
float top_p_threshold_among_many(std::span<const float> logits, float top_p, float max,
                                 LogitsScratch& scratch) {
  const size_t n = logits.size();
  std::vector<float>& weights = scratch.weights;
  std::vector<int32_t>& candidates = scratch.indices;
  weights.resize(n);
  const double target = top_p * exp_sum(logits, max, weights.data());
  scratch.weights_max = max;
  float threshold = -kInf;
  if (target <= static_cast<double>(kNucleusProbe)) {
    select_top(logits, kNucleusProbe, candidates);
    auto weight = [&](size_t j) { return weights[candidates[j]]; };
    if (find_cut(logits, candidates, 0.0, target, weight, &threshold)) return threshold;
  }
  scratch.bins.resize(n);
  distance_bins(logits, max, static_cast<float>(kBinsPerNat), kBins, scratch.bins.data());
  double above = 0.0;
  const int boundary =
      find_boundary_bin(scratch.bins, weights.data(), target, scratch.bin_mass, &above);
  if (boundary == kBins) return -kInf;
  // Sort only the boundary bin's tokens (NaN, in the last bin, has no place in the order).
  candidates.clear();
  for (size_t i = next_in_bin(scratch.bins, 0, boundary); i < n;
       i = next_in_bin(scratch.bins, i + 1, boundary)) {
    if (!std::isnan(logits[i])) candidates.push_back(static_cast<int32_t>(i));
  }
  if (candidates.empty()) return -kInf;
  sort_by_logit(logits, candidates.begin(), candidates.end());
  find_cut(
      logits, candidates, above, target, [&](size_t j) { return weights[candidates[j]]; },
      &threshold);
  return threshold;
}

}  // namespace

void apply_repetition_penalty(std::span<float> logits, float penalty, const TokenCounts& seen) {
  if (penalty == 1.0f) return;
  for (int32_t token : seen.distinct()) {
    const float v = logits[token];
    logits[token] = v < 0.0f ? v * penalty : v / penalty;
  }
}

void apply_presence_frequency_penalty(std::span<float> logits, float presence_penalty,
                                      float frequency_penalty, const TokenCounts& generated) {
  if (presence_penalty == 0.0f && frequency_penalty == 0.0f) return;
  for (int32_t token : generated.distinct()) {
    // Two float32 subtractions in vLLM's order, so results match it bit for bit.
    logits[token] -= frequency_penalty * static_cast<float>(generated.count(token));
    logits[token] -= presence_penalty;
  }
}

void apply_temperature(std::span<float> logits, float temperature) {
  if (temperature == 1.0f) return;
  divide_all(logits, temperature);
}

void apply_top_k(std::span<float> logits, int32_t top_k, LogitsScratch& scratch) {
  if (top_k <= 0 || static_cast<size_t>(top_k) >= logits.size()) return;
  select_top(logits, static_cast<size_t>(top_k), scratch.indices);
  mask_below(logits, logits[scratch.indices.back()]);
}

void apply_top_p(std::span<float> logits, float top_p, LogitsScratch& scratch) {
  if (!(top_p < 1.0f) || logits.empty()) return;
  scratch.weights_max = std::numeric_limits<float>::quiet_NaN();
  const float max = max_value(logits);
  if (!std::isfinite(max)) return;  // everything masked already (or broken logits)
  if (gather_finite(logits, kDirectSortLimit, scratch.indices)) {
    top_p_among_few(logits, top_p, max, scratch);
  } else {
    mask_below(logits, top_p_threshold_among_many(logits, top_p, max, scratch));
  }
}

void apply_min_p(std::span<float> logits, float min_p) {
  if (!(min_p > 0.0f) || logits.empty()) return;
  const float max = max_value(logits);
  if (!std::isfinite(max)) return;
  // exp(x - max) < min_p  <=>  x < max + log(min_p). The threshold is rounded up to the
  // next float so that `x < threshold` in float equals the comparison in double.
  const double exact = static_cast<double>(max) + std::log(static_cast<double>(min_p));
  float threshold = static_cast<float>(exact);
  if (static_cast<double>(threshold) < exact) threshold = std::nextafter(threshold, kInf);
  mask_below(logits, threshold);
}

}  // namespace qwenrt
