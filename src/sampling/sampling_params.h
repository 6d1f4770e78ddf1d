// The knobs of one request's token sampling, as the OpenAI / vLLM / HF APIs name them.
#pragma once
#include <cstdint>
#include <optional>

namespace qwenrt {

struct SamplingParams {
  // Divides the logits. 0 means greedy (argmax); values below kGreedyTemperature are
  // treated as 0 too (as vLLM does), since dividing by them overflows to inf.
  float temperature = 1.0f;
  // Keep the top_k most likely tokens (ties with the k-th kept, as HF does); 0 or -1: off.
  int32_t top_k = 0;
  // Keep the smallest set of most likely tokens whose probability reaches top_p; 1: off.
  float top_p = 1.0f;
  // Drop tokens less likely than min_p times the most likely one; 0: off.
  float min_p = 0.0f;
  // HF semantics: each distinct token of prompt + output has its logit divided by the
  // penalty when positive, multiplied when negative; 1: off.
  float repetition_penalty = 1.0f;
  // OpenAI / vLLM semantics over generated tokens only:
  // logit -= frequency_penalty * count + presence_penalty * (count > 0).
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  // Same seed, same logits -> same tokens. Unset: seeded from std::random_device.
  std::optional<uint64_t> seed;

  static constexpr float kGreedyTemperature = 1e-5f;

  bool greedy() const { return temperature < kGreedyTemperature; }

  // Throws qwenrt::Error naming the first invalid parameter and its value.
  void validate() const;
};

}  // namespace qwenrt
