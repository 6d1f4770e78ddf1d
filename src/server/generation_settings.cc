#include "server/generation_settings.h"

#include "server/api_error.h"

namespace qwenrt::server {
namespace {

// Float fields override one SamplingParams member when present.
void read_float(const Json& body, const char* key, float& target) {
  if (auto v = get_number(body, key)) target = static_cast<float>(*v);
}

std::vector<std::string> read_stop(const Json& body, const RequestLimits& limits) {
  const Json* stop = get_field(body, "stop");
  if (!stop) return {};
  std::vector<std::string> out;
  auto add = [&](const Json& s) {
    if (!s.is_string()) throw invalid_request("'stop' must be a string or a list of strings", "stop");
    std::string text = s.get<std::string>();
    if (text.empty()) throw invalid_request("'stop' strings must not be empty", "stop");
    if (text.size() > limits.max_stop_bytes) {
      throw invalid_request("'stop' strings are limited to " + std::to_string(limits.max_stop_bytes) + " bytes",
                            "stop");
    }
    out.push_back(std::move(text));
  };
  if (stop->is_array()) {
    if (stop->size() > limits.max_stop_strings) {
      throw invalid_request("'stop' holds at most " + std::to_string(limits.max_stop_strings) + " strings", "stop");
    }
    for (const Json& s : *stop) add(s);
  } else {
    add(*stop);
  }
  return out;
}

int64_t read_max_tokens(const Json& body, Endpoint endpoint, int64_t context_size, const RequestLimits& limits) {
  const char* key = "max_tokens";
  std::optional<int64_t> value;
  if (endpoint == Endpoint::kChat) {
    value = get_integer(body, "max_completion_tokens");  // the newer name wins
    if (value) key = "max_completion_tokens";
  }
  if (!value) value = get_integer(body, "max_tokens");
  // OpenAI's defaults: completions 16 tokens, chat as many as the context leaves.
  if (!value) return endpoint == Endpoint::kCompletions ? 16 : context_size;
  const int64_t cap = limits.max_tokens > 0 ? limits.max_tokens : context_size;
  if (*value < 1 || *value > cap) {
    throw invalid_request(std::string("'") + key + "' must be between 1 and " + std::to_string(cap) + ", got " +
                              std::to_string(*value),
                          key);
  }
  return *value;
}

}  // namespace

SequenceParams GenerationSettings::for_choice(int32_t index) const {
  SequenceParams p = sequence;
  if (p.sampling.seed) p.sampling.seed = *p.sampling.seed + static_cast<uint64_t>(index);
  return p;
}

GenerationSettings parse_generation_settings(const Json& body, Endpoint endpoint,
                                             const SamplingParams& defaults, int64_t context_size,
                                             const RequestLimits& limits) {
  GenerationSettings g;
  SamplingParams& s = g.sequence.sampling;
  s = defaults;
  read_float(body, "temperature", s.temperature);
  read_float(body, "top_p", s.top_p);
  read_float(body, "min_p", s.min_p);
  read_float(body, "presence_penalty", s.presence_penalty);
  read_float(body, "frequency_penalty", s.frequency_penalty);
  read_float(body, "repetition_penalty", s.repetition_penalty);
  if (auto k = get_integer(body, "top_k")) {
    if (*k < -1 || *k > INT32_MAX) throw invalid_request("'top_k' must be -1 (off) or a token count", "top_k");
    s.top_k = static_cast<int32_t>(*k);
  }
  if (auto seed = get_integer(body, "seed")) s.seed = static_cast<uint64_t>(*seed);
  if (s.temperature > 2.0f) throw invalid_request("'temperature' must be between 0 and 2", "temperature");
  for (auto [value, key] : {std::pair{s.presence_penalty, "presence_penalty"},
                            std::pair{s.frequency_penalty, "frequency_penalty"}}) {
    if (value < -2.0f || value > 2.0f) throw invalid_request(std::string("'") + key + "' must be between -2 and 2", key);
  }
  try {
    s.validate();
  } catch (const Error& e) {
    throw invalid_request(e.what());
  }

  g.sequence.max_tokens = read_max_tokens(body, endpoint, context_size, limits);
  g.sequence.stop = read_stop(body, limits);
  g.sequence.ignore_eos = get_bool(body, "ignore_eos").value_or(false);

  if (auto n = get_integer(body, "n")) {
    if (*n < 1 || *n > limits.max_n) {
      throw invalid_request("'n' must be between 1 and " + std::to_string(limits.max_n), "n");
    }
    g.n = static_cast<int32_t>(*n);
  }
  g.stream = get_bool(body, "stream").value_or(false);
  if (const Json* options = get_field(body, "stream_options")) {
    if (!options->is_object()) throw invalid_request("'stream_options' must be an object", "stream_options");
    if (!g.stream) throw invalid_request("'stream_options' is only allowed with 'stream': true", "stream_options");
    g.include_usage = get_bool(*options, "include_usage").value_or(false);
  }

  auto check_top = [&](int64_t n, const char* key) {
    if (n < 0 || n > limits.max_top_logprobs) {
      throw invalid_request(std::string("'") + key + "' must be between 0 and " +
                                std::to_string(limits.max_top_logprobs),
                            key);
    }
    return static_cast<int32_t>(n);
  };
  if (endpoint == Endpoint::kChat) {
    g.logprobs = get_bool(body, "logprobs").value_or(false);
    if (auto top = get_integer(body, "top_logprobs")) {
      if (!g.logprobs) throw invalid_request("'top_logprobs' needs 'logprobs': true", "top_logprobs");
      g.sequence.top_logprobs = check_top(*top, "top_logprobs");
    } else if (g.logprobs) {
      g.sequence.top_logprobs = 0;
    }
  } else if (auto top = get_integer(body, "logprobs")) {  // completions: an integer
    g.logprobs = true;
    g.sequence.top_logprobs = check_top(*top, "logprobs");
  }
  return g;
}

}  // namespace qwenrt::server
