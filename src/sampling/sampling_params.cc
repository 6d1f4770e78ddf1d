#include "sampling/sampling_params.h"

#include <cmath>
#include <string>

#include "base/error.h"

namespace qwenrt {
namespace {

std::string describe(const char* name, double value, const char* rule) {
  return std::string("sampling parameter ") + name + " = " + std::to_string(value) +
         " is invalid: " + rule;
}

}  // namespace

void SamplingParams::validate() const {
  // Written as !(valid) so that NaN, which fails every comparison, is rejected too.
  check(std::isfinite(temperature) && temperature >= 0.0f,
        describe("temperature", temperature, "must be finite and >= 0 (0 = greedy)"));
  check(top_k >= -1, describe("top_k", top_k, "must be >= 1, or 0 / -1 to disable"));
  check(top_p > 0.0f && top_p <= 1.0f, describe("top_p", top_p, "must be in (0, 1] (1 = off)"));
  check(min_p >= 0.0f && min_p <= 1.0f, describe("min_p", min_p, "must be in [0, 1] (0 = off)"));
  check(std::isfinite(repetition_penalty) && repetition_penalty > 0.0f,
        describe("repetition_penalty", repetition_penalty, "must be finite and > 0 (1 = off)"));
  // The OpenAI API documents [-2, 2] for both; vLLM enforces the same range.
  check(presence_penalty >= -2.0f && presence_penalty <= 2.0f,
        describe("presence_penalty", presence_penalty, "must be in [-2, 2] (0 = off)"));
  check(frequency_penalty >= -2.0f && frequency_penalty <= 2.0f,
        describe("frequency_penalty", frequency_penalty, "must be in [-2, 2] (0 = off)"));
}

}  // namespace qwenrt
