// `qwenrt quantize IN OUT --type q4_k_m`: a checkpoint directory or GGUF file to a GGUF
// file llama.cpp loads. Progress goes to stderr: a bar on a terminal, else a line about
// every 10% (logs stay short).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/model_argument.h"
#include "io/quantize_model.h"

namespace qwenrt::cli {
namespace {

struct QuantizeCliOptions {
  std::string input;
  std::string output;
  std::string type = "q4_k_m";
  int threads = 0;
};

void print_progress(const QuantizeProgress& p, bool tty, int* last_decile) {
  const double frac = p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 1.0;
  if (tty) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %zu/%zu %-32.32s", filled, "==============================",
                 kWidth - filled, "", static_cast<int>(frac * 100), p.tensors_done, p.tensors_total,
                 p.last ? p.last->gguf_name.c_str() : "");
    if (p.tensors_done == p.tensors_total) std::fputc('\n', stderr);
  } else if (static_cast<int>(frac * 10) > *last_decile || p.tensors_done == p.tensors_total) {
    *last_decile = static_cast<int>(frac * 10);
    std::fprintf(stderr, "quantize: %3d%% (%zu/%zu tensors)\n", static_cast<int>(frac * 100), p.tensors_done,
                 p.tensors_total);
  }
  std::fflush(stderr);
}

int run_quantize(const QuantizeCliOptions& o) {
  const std::optional<QuantMix> mix = parse_quant_mix(o.type);
  check(mix.has_value(), "--type \"" + o.type + "\" is not a quantization type (" + quant_mix_names() + ")");
  ThreadPool pool(o.threads);
  QuantizeOptions options;
  options.mix = *mix;
  options.pool = &pool;
  const bool tty = isatty(STDERR_FILENO) != 0;
  int last_decile = -1;
  options.on_progress = [&](const QuantizeProgress& p) { print_progress(p, tty, &last_decile); };
  const auto start = std::chrono::steady_clock::now();
  const QuantizeResult r = quantize_model(local_model_path(o.input), o.output, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "quantize: %s -> %s (%s): %zu tensors, %.1f MiB -> %.1f MiB in %.1f s\n", o.input.c_str(),
               o.output.c_str(), quant_mix_name(*mix), r.plan.size(), r.input_bytes / 1048576.0,
               r.output_bytes / 1048576.0, seconds);
  return 0;
}

}  // namespace

std::function<int()> add_quantize_command(CLI::App& app) {
  auto o = std::make_shared<QuantizeCliOptions>();
  CLI::App* cmd = app.add_subcommand("quantize", "Write a GGUF file (quantized as llama.cpp does) from a model");
  cmd->add_option("input", o->input, "Checkpoint directory, .gguf file or hub reference (org/name[:quant])")->required();
  cmd->add_option("output", o->output, "GGUF file to write")->required();
  cmd->add_option("--type", o->type, "Quantization: " + quant_mix_names())->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Threads (default: all cores)");
  return [o] { return run_quantize(*o); };
}

}  // namespace qwenrt::cli
