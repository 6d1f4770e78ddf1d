// `qwenrt bench MODEL_DIR`: prompt processing (ppN) and generation (tgN) speed in the
// manner of llama-bench, with the machine's measured memory bandwidth and the decode
// roofline it implies (bandwidth / weight bytes read per token). With --ctx-size it also
// fills a context of that many tokens and reports peak memory against weights + KV cache.
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/model_argument.h"
#include "kernels/cpu/decode_prefetch.h"
#include "kernels/cpu/memory_bandwidth.h"
#include "kernels/cpu/ops.h"
#include "model/causal_lm.h"

namespace qwenrt::cli {
namespace {

struct BenchOptions {
  std::string model_dir;
  int threads = 0;
  int n_prompt = 512;
  int n_gen = 128;
  int repetitions = 3;
  int context = 0;  // 0: no context-fill test
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Deterministic pseudo-random token ids: speed does not depend on which tokens run.
std::vector<int32_t> bench_tokens(int n, int64_t vocab) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  uint32_t x = 2463534242u;
  for (auto& id : t) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    id = static_cast<int32_t>(x % static_cast<uint32_t>(std::min<int64_t>(vocab, 100000)));
  }
  return t;
}

double time_prompt(CausalLM& model, int n_prompt) {
  auto cache = model.make_cache(n_prompt);
  std::vector<float> logits(static_cast<size_t>(model.shape().vocab));
  const auto tokens = bench_tokens(n_prompt, model.shape().vocab);
  const auto t0 = std::chrono::steady_clock::now();
  model.forward(tokens.data(), n_prompt, cache, logits.data(), false);
  return n_prompt / seconds_since(t0);
}

double time_generation(CausalLM& model, int n_gen) {
  auto cache = model.make_cache(n_gen);
  std::vector<float> logits(static_cast<size_t>(model.shape().vocab));
  int32_t token = bench_tokens(1, model.shape().vocab)[0];
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n_gen; ++i) {
    model.forward(&token, 1, cache, logits.data(), false);
    token = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
  return n_gen / seconds_since(t0);
}

// The decode roofline measured alongside decode itself. This virtual machine's read
// bandwidth swings between ~30 and ~55 GB/s within seconds, so a probe taken before or after
// the runs can sit in another regime than the steps it judges (decode then reads "120%").
// Here every step is preceded by a read of the next window of the model's own weights, and
// the roofline is the bandwidth of those reads over the same seconds.
struct DecodeRoofline {
  double tokens_per_second = 0;  // of the interleaved steps
  double read_gbs = 0;           // of the reads between them
};

DecodeRoofline decode_beside_weight_reads(CausalLM& model, ThreadPool& pool, int n_gen) {
  const std::span<const uint8_t> weights = model.weight_memory();
  constexpr size_t kWindow = size_t{128} << 20;  // 4x the last-level cache
  DecodeRoofline r;
  if (weights.size() < kWindow) return r;
  auto cache = model.make_cache(n_gen);
  std::vector<float> logits(static_cast<size_t>(model.shape().vocab));
  int32_t token = bench_tokens(1, model.shape().vocab)[0];
  double decode_seconds = 0, reading_seconds = 0, read_bytes = 0;
  size_t offset = 0;
  for (int i = 0; i < n_gen; ++i) {
    if (offset + kWindow > weights.size()) offset = 0;
    reading_seconds += cpu::read_seconds(pool, weights.data() + offset, kWindow);
    read_bytes += kWindow;
    offset += kWindow;
    const auto t0 = std::chrono::steady_clock::now();
    model.forward(&token, 1, cache, logits.data(), false);
    decode_seconds += seconds_since(t0);
    token = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
  r.tokens_per_second = n_gen / decode_seconds;
  r.read_gbs = read_bytes / reading_seconds / 1e9;
  return r;
}

// Bytes of the model's weight files: the GGUF, or the safetensors files of a directory.
double weight_file_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(path)) return static_cast<double>(fs::file_size(path));
  double total = 0;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".safetensors") total += static_cast<double>(entry.file_size());
  }
  return total;
}

// Peak resident memory so far: VmHWM, which reset_peak_rss() can lower again (unlike
// getrusage's maximum), so the bandwidth probe's buffer need not count as the model's.
double peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) * 1024.0;
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024.0;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Serving a full context: prefill `n` tokens in the generator's chunks, then one decode
// step; prints peak RSS (loading included) against what must be resident (weights + KV cache).
void report_context_memory(CausalLM& model, const std::string& path, int n, double load_rss) {
  KVCache cache = model.make_cache(n);
  std::vector<float> logits(static_cast<size_t>(model.shape().vocab));
  const auto tokens = bench_tokens(n, model.shape().vocab);
  const auto t0 = std::chrono::steady_clock::now();
  for (int start = 0; start < n - 1; start += 512) {
    const int chunk = std::min(512, n - 1 - start);
    model.forward(tokens.data() + start, chunk, cache, logits.data(), false);
  }
  model.forward(tokens.data() + n - 1, 1, cache, logits.data(), false);
  const double seconds = seconds_since(t0);
  const double gib = 1073741824.0, weights = weight_file_bytes(path), kv = static_cast<double>(cache.bytes());
  const double rss = std::max(load_rss, peak_rss_bytes());
  std::printf("context %d tokens (filled in %.1f s): peak RSS %.3f GiB; weights %.3f GiB + KV cache %.3f GiB"
              " = %.3f GiB; RSS is %+.1f%% of that\n", n, seconds, rss / gib, weights / gib, kv / gib,
              (weights + kv) / gib, 100.0 * (rss / (weights + kv) - 1.0));
}

void print_row(const std::string& model, double size_gib, int threads, const std::string& test,
               const std::vector<double>& rates) {
  const double mean = std::accumulate(rates.begin(), rates.end(), 0.0) / rates.size();
  double var = 0;
  for (double r : rates) var += (r - mean) * (r - mean);
  const double sd = rates.size() > 1 ? std::sqrt(var / (rates.size() - 1)) : 0.0;
  std::printf("| %-22s | %8.2f GiB | %7d | %6s | %10.2f ± %.2f |\n", model.c_str(), size_gib, threads,
              test.c_str(), mean, sd);
  std::fflush(stdout);
}

int run_bench(const BenchOptions& o) {
  ThreadPool pool(o.threads);
  const std::string path = local_model_path(o.model_dir);
  auto model = CausalLM::load(path, pool);
  const size_t bytes_per_token = model->weight_bytes_per_token();
  const std::string name = model->shape().architecture;
  const double size_gib = bytes_per_token / 1073741824.0;

  std::printf("simd: %s, threads: %d\n\n", cpu::simd_target(), pool.size());
  std::printf("| %-22s | %12s | %7s | %6s | %17s |\n", "model", "size", "threads", "test", "t/s");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(24, '-').c_str(), std::string(14, '-').c_str(),
              std::string(9, '-').c_str(), std::string(8, '-').c_str(), std::string(19, '-').c_str());

  // The fresh-buffer probe is not the model's memory: the peak RSS is reset after it.
  const double load_rss = peak_rss_bytes();
  const double buffer_gbs = cpu::measure_read_bandwidth_gbs(pool);
  reset_peak_rss();

  time_prompt(*model, std::min(o.n_prompt, 16));  // warm-up: page in weights, grow buffers
  // and let the decode prefetch trial finish before the timings (the same steps when the
  // setting is fixed, so that runs with and without it compare)
  time_generation(*model, cpu::DecodePrefetchTuner::kTrialSteps);
  std::vector<double> pp, tg;
  for (int r = 0; r < o.repetitions; ++r) pp.push_back(time_prompt(*model, o.n_prompt));
  print_row(name, size_gib, pool.size(), "pp" + std::to_string(o.n_prompt), pp);
  for (int r = 0; r < o.repetitions; ++r) tg.push_back(time_generation(*model, o.n_gen));
  print_row(name, size_gib, pool.size(), "tg" + std::to_string(o.n_gen), tg);

  std::printf("\ndecode prefetch: %s\n", cpu::DecodePrefetchTuner::instance().summary().c_str());
  if (o.context > 0) report_context_memory(*model, path, o.context, load_rss);
  const double rss = std::max(load_rss, peak_rss_bytes());
  const double tg_mean = std::accumulate(tg.begin(), tg.end(), 0.0) / tg.size();
  std::printf("\nweights read per token: %.3f GB; a fresh 1 GiB buffer reads at %.2f GB/s (%d threads): roofline"
              " %.2f t/s, tg%d is %.1f%% of it; peak RSS %.2f GiB\n", bytes_per_token / 1e9, buffer_gbs,
              pool.size(), buffer_gbs * 1e9 / bytes_per_token, o.n_gen,
              100.0 * tg_mean * bytes_per_token / (buffer_gbs * 1e9), rss / 1073741824.0);
  const DecodeRoofline d = decode_beside_weight_reads(*model, pool, o.n_gen);
  if (d.read_gbs > 0) {
    const double roofline = d.read_gbs * 1e9 / static_cast<double>(bytes_per_token);
    std::printf("decode beside reads of its own weights (%d steps, each after a 128 MB read): weights read"
                " at %.2f GB/s; decode: %.2f t/s = %.1f%% of the %.2f t/s roofline\n", o.n_gen, d.read_gbs,
                d.tokens_per_second, 100.0 * d.tokens_per_second / roofline, roofline);
  }
  return 0;
}

}  // namespace

std::function<int()> add_bench_command(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure prompt processing and generation speed");
  cmd->add_option("model", opts->model_dir, "Checkpoint directory, .gguf file or hub reference (org/name[:quant])")->required();
  cmd->add_option("-t,--threads", opts->threads, "Threads (default: all cores)");
  cmd->add_option("-p,--n-prompt", opts->n_prompt, "Prompt tokens for the pp test")->check(CLI::PositiveNumber);
  cmd->add_option("-n,--n-gen", opts->n_gen, "Generated tokens for the tg test")->check(CLI::PositiveNumber);
  cmd->add_option("-r,--repetitions", opts->repetitions, "Repetitions of each test")->check(CLI::PositiveNumber);
  cmd->add_option("-c,--ctx-size", opts->context,
                  "Also fill a context of this many tokens and report peak RSS against weights + KV cache")
      ->check(CLI::PositiveNumber);
  return [opts] { return run_bench(*opts); };
}

}  // namespace qwenrt::cli
