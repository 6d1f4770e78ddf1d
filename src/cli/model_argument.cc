#include "cli/model_argument.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>

#include "base/error.h"
#include "io/hub.h"

namespace qwenrt::cli {
namespace {

double mib(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

// One line per file; on a terminal it is redrawn as bytes arrive (at most 10 times a second).
class ProgressPrinter {
 public:
  void operator()(const PullProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.file != file_) {
      file_ = p.file;
      start_ = now;
      start_bytes_ = p.bytes;
      if (!tty_) std::fprintf(stderr, "downloading %s (%.1f MiB)\n", p.file.c_str(), mib(p.total));
    }
    if (!tty_) return;
    if (!p.done && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? mib(p.bytes - start_bytes_) / seconds : 0.0;
    std::fprintf(stderr, "\r%s  %.1f / %.1f MiB  %.1f MiB/s\x1b[K%s", p.file.c_str(), mib(p.bytes), mib(p.total),
                 rate, p.done ? "\n" : "");
  }

 private:
  bool tty_ = isatty(STDERR_FILENO) != 0;
  std::string file_;
  uint64_t start_bytes_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace

std::string pull_to_cache(const ModelReference& ref, const std::vector<std::string>& include) {
  ProgressPrinter printer;
  const PulledModel pulled = pull_model(ref, HubSettings::from_environment(), include, std::ref(printer));
  if (!pulled.warning.empty()) std::fprintf(stderr, "warning: %s\n", pulled.warning.c_str());
  return pulled.path.string();
}

std::string local_model_path(const std::string& argument) {
  std::error_code ec;
  if (std::filesystem::exists(argument, ec)) return argument;
  const std::optional<ModelReference> ref = parse_model_reference(argument);
  if (!ref) return argument;
  try {
    return pull_to_cache(*ref, {});
  } catch (const Error& e) {
    throw Error("\"" + argument + "\" is no local file or folder, and as a hub model: " + e.what());
  }
}

}  // namespace qwenrt::cli
