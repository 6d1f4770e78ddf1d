// Where Hugging Face hub downloads live on disk: huggingface_hub's cache layout, so a
// model either tool downloaded is found by the other.
//
//   {cache}/models--{org}--{name}/blobs/{sha256 of an LFS file, or a git blob id}
//   {cache}/models--{org}--{name}/snapshots/{commit}/{file}  → ../../blobs/{id}
//   {cache}/models--{org}--{name}/refs/{revision}            holds the commit
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace qwenrt {

// `org/name[@revision][:file-or-quant]`, the way a model is named on the command line.
struct ModelReference {
  std::string repo;              // org/name
  std::string revision = "main"; // branch, tag or commit
  std::string file;              // after ':': a GGUF file name or a quant tag such as q4_k_m
};

// The reference `text` names, or nullopt when it does not have the form above (so it is
// taken for a local path). Throws Error for a reference whose parts are malformed.
std::optional<ModelReference> parse_model_reference(const std::string& text);

// The hub settings a user sets in the environment, with huggingface_hub's names.
struct HubSettings {
  std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT
  std::string token;                                // HF_TOKEN, else the file $HF_HOME/token
  std::filesystem::path cache;                      // HF_HUB_CACHE, else $HF_HOME/hub
  bool offline = false;                             // HF_HUB_OFFLINE=1

  static HubSettings from_environment();
};

// The cache folder of one repo.
class RepoCache {
 public:
  RepoCache(const std::filesystem::path& cache, const std::string& repo);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path blob(const std::string& id) const { return root_ / "blobs" / id; }
  std::filesystem::path snapshot(const std::string& commit) const { return root_ / "snapshots" / commit; }
  // The commit `revision` names here: itself when it is a cached commit, else refs/{revision}.
  std::optional<std::string> cached_commit(const std::string& revision) const;
  void set_ref(const std::string& revision, const std::string& commit) const;
  // Points snapshots/{commit}/{file} at blobs/{id} with a relative link.
  void link(const std::string& commit, const std::string& file, const std::string& id) const;

 private:
  std::filesystem::path root_;
};

// Throws Error unless `name` (from a server's file list) is a relative path that stays
// inside the folder it is joined to: no "..", no absolute path, no empty part.
void check_safe_repo_path(const std::string& name, const std::string& repo);

}  // namespace qwenrt
