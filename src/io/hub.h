// Models from the Hugging Face hub: `qwenrt pull org/name` and any command given a hub
// reference instead of a path. Files land in huggingface_hub's cache (io/hub_cache.h),
// each verified against the id the hub lists for it (SHA-256 for LFS files, the git
// blob id otherwise) before it is linked into the snapshot.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "io/hub_cache.h"

namespace qwenrt {

struct RepoFile {
  std::string name;     // path in the repo
  uint64_t size = 0;
  std::string blob_id;  // git blob id (SHA-1 hex)
  std::string sha256;   // LFS files only
  // The name of its blob in the cache: the LFS SHA-256, else the git blob id.
  const std::string& cache_id() const { return sha256.empty() ? blob_id : sha256; }
};

struct RepoInfo {
  std::string commit;
  std::vector<RepoFile> files;
};

// The hub's reply to /api/models/{repo}/revision/{revision}?blobs=true. Throws Error
// naming `repo` for a reply that is not that (it comes from the network: every field
// is checked, every file name must stay inside the repo).
RepoInfo parse_repo_info(std::string_view json, const std::string& repo);

// The files a model needs: with ref.file, that GGUF file (an exact name, or the one
// .gguf whose name holds it as a quant tag); with `include` globs, the files matching
// one; else the top-level config, tokenizer and safetensors files.
std::vector<RepoFile> select_model_files(const RepoInfo& info, const ModelReference& ref,
                                         const std::vector<std::string>& include);

struct PullProgress {
  std::string file;
  uint64_t bytes = 0, total = 0;
  bool done = false;
};

struct PulledModel {
  std::filesystem::path path;  // the snapshot folder, or the GGUF file chosen in it
  std::string warning;         // set when the hub was out of reach and the cache served
};

// Brings `ref` into the cache (or, offline or with the hub out of reach, finds it there).
PulledModel pull_model(const ModelReference& ref, const HubSettings& settings,
                                 const std::vector<std::string>& include,
                                 const std::function<void(const PullProgress&)>& on_progress);

}  // namespace qwenrt
