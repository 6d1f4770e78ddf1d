#include "server/metrics.h"

#include <algorithm>
#include <cstdio>

namespace qwenrt::server {
namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void family(std::string& out, const std::string& name, const char* type, const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void single(std::string& out, const std::string& name, const char* type, const std::string& help, double value) {
  family(out, name, type, help);
  out += name + " " + number(value) + "\n";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  const size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  std::lock_guard lock(mutex_);
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}

void Histogram::render(const std::string& name, const std::string& help, std::string& out) const {
  family(out, name, "histogram", help);
  std::lock_guard lock(mutex_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += name + "_bucket{le=\"" + number(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
  out += name + "_sum " + number(sum_) + "\n";
  out += name + "_count " + std::to_string(count_) + "\n";
}

ServerMetrics::ServerMetrics()
    : ttft_({0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80}),
      itl_({0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4,
            0.5, 0.75, 1, 2.5}) {}

void ServerMetrics::count_request(const std::string& endpoint, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{endpoint, status}];
}

void ServerMetrics::add_tokens(int64_t prompt, int64_t cached_prompt, int64_t generated) {
  std::lock_guard lock(mutex_);
  prompt_tokens_ += prompt;
  cached_prompt_tokens_ += cached_prompt;
  generated_tokens_ += generated;
}

std::string ServerMetrics::render(const EngineMetrics& e) const {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    family(out, "qwenrt_requests_total", "counter", "HTTP requests answered, by endpoint and status code.");
    for (const auto& [key, count] : requests_) {
      out += "qwenrt_requests_total{endpoint=\"" + key.first + "\",status=\"" + std::to_string(key.second) +
             "\"} " + std::to_string(count) + "\n";
    }
    single(out, "qwenrt_prompt_tokens_total", "counter", "Prompt tokens of finished sequences.",
           static_cast<double>(prompt_tokens_));
    single(out, "qwenrt_cached_prompt_tokens_total", "counter", "Prompt tokens served from the prefix cache.",
           static_cast<double>(cached_prompt_tokens_));
    single(out, "qwenrt_generation_tokens_total", "counter", "Tokens generated for finished sequences.",
           static_cast<double>(generated_tokens_));
  }
  single(out, "qwenrt_requests_waiting", "gauge", "Sequences queued for the engine.", static_cast<double>(e.waiting));
  single(out, "qwenrt_requests_running", "gauge", "Sequences in the running batch.", static_cast<double>(e.running));
  single(out, "qwenrt_batch_size", "gauge", "Sequences in the last engine step.", static_cast<double>(e.last_batch_size));
  single(out, "qwenrt_batch_size_mean", "gauge", "Mean sequences per engine step.", e.mean_batch_size);
  single(out, "qwenrt_kv_blocks_total", "gauge", "Key/value cache blocks in the pool.",
         static_cast<double>(e.kv_blocks_total));
  single(out, "qwenrt_kv_blocks_used", "gauge", "Key/value cache blocks held by running sequences.",
         static_cast<double>(e.kv_blocks_used));
  single(out, "qwenrt_kv_blocks_cached", "gauge", "Free key/value blocks holding reusable prefixes.",
         static_cast<double>(e.kv_blocks_cached));
  single(out, "qwenrt_kv_cache_usage_ratio", "gauge", "Fraction of key/value blocks in use.",
         e.kv_blocks_total ? static_cast<double>(e.kv_blocks_used) / static_cast<double>(e.kv_blocks_total) : 0.0);
  single(out, "qwenrt_engine_steps_total", "counter", "Model steps run by the engine.", static_cast<double>(e.steps));
  single(out, "qwenrt_preemptions_total", "counter", "Sequences preempted for lack of key/value blocks.",
         static_cast<double>(e.preemptions));
  single(out, "qwenrt_sequences_finished_total", "counter", "Sequences the engine finished.",
         static_cast<double>(e.requests_finished));
  single(out, "qwenrt_sequences_aborted_total", "counter", "Sequences cancelled (client gone).",
         static_cast<double>(e.requests_aborted));
  ttft_.render("qwenrt_time_to_first_token_seconds", "From request arrival to its first token.", out);
  itl_.render("qwenrt_inter_token_latency_seconds", "Between consecutive tokens of one sequence.", out);
  return out;
}

}  // namespace qwenrt::server
