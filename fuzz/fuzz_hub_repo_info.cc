// Arbitrary bytes as the hub's file list (it comes from the network) and as a model
// reference (it comes from the command line): no crash, only qwenrt::Error, and every
// file name accepted lands inside the snapshot folder it is joined to.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.h"
#include "io/hub.h"

namespace {

bool stays_inside(const std::string& name) {
  const std::filesystem::path root = "/cache/snapshot";
  const std::string joined = (root / name).lexically_normal().string();
  return joined.rfind(root.string() + "/", 0) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    if (auto ref = qwenrt::parse_model_reference(std::string(text.substr(0, text.find('\n'))))) {
      if (ref->repo.find('/') == std::string::npos || (!ref->file.empty() && !stays_inside(ref->file))) __builtin_trap();
    }
  } catch (const qwenrt::Error&) {
  }
  try {
    const qwenrt::RepoInfo info = qwenrt::parse_repo_info(text, "fuzz/repo");
    for (const qwenrt::RepoFile& f : info.files) {
      if (!stays_inside(f.name)) __builtin_trap();
    }
    qwenrt::ModelReference ref;
    ref.repo = "fuzz/repo";
    for (const char* tag : {"", "q4_k_m"}) {
      ref.file = tag;
      try {
        for (const qwenrt::RepoFile& f : qwenrt::select_model_files(info, ref, {})) {
          if (!stays_inside(f.name)) __builtin_trap();
        }
      } catch (const qwenrt::Error&) {
      }
    }
  } catch (const qwenrt::Error&) {
  }
  return 0;
}
