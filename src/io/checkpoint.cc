#include "io/checkpoint.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.h"
#include "base/mapped_file.h"
#include "io/gguf_names.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

std::string quote(std::string_view s) {
  constexpr size_t kMax = 120;
  std::string text = json(std::string(s.substr(0, kMax))).dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > kMax ? text + "..." : text;
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

json read_json_file(const std::string& path) {
  MappedFile file(path);
  try {
    return json::parse(file.data(), file.data() + file.size());
  } catch (const json::parse_error& e) {
    throw Error(path + ": not valid JSON near byte " + std::to_string(e.byte > 0 ? e.byte - 1 : 0) + ": " +
                e.what());
  } catch (const json::exception& e) {  // e.g. out_of_range: a number too large for a double
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

// A shard name from the index must be a plain file name in the model directory: the
// index comes from strangers and must not point elsewhere on disk.
bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos && name.find('\0') == std::string::npos;
}

// weight_map read from the index: shard file name -> the tensors it must hold.
std::map<std::string, std::vector<std::string>> read_index(const std::string& index_path) {
  const json index = read_json_file(index_path);
  check(index.is_object(), index_path + ": must be a JSON object");
  auto wm = index.find("weight_map");
  check(wm != index.end(), index_path + ": missing key \"weight_map\"");
  check(wm->is_object(), index_path + ": \"weight_map\" must be an object of tensor name -> shard file name");
  check(!wm->empty(), index_path + ": \"weight_map\" names no tensors");
  std::map<std::string, std::vector<std::string>> shards;
  for (const auto& [tensor, file] : wm->items()) {
    const std::string key = index_path + ": \"weight_map\"." + quote(tensor);
    check(file.is_string(), key + " must be a shard file name (a string)");
    const auto& name = file.get_ref<const std::string&>();
    check(is_plain_file_name(name), key + " names shard " + quote(name) +
                                        ", which is not a plain file name in the model directory");
    shards[name].push_back(tensor);
  }
  return shards;
}

// GGUF stores a layer's experts as one 3-D tensor [expert, out, in] (the converter's
// model.layers.N.mlp.experts.<proj>.weight); each expert's matrix is a contiguous slice,
// entered under its Hugging Face name model.layers.N.mlp.experts.E.<proj>.weight.
template <typename Entries>
bool add_experts(const std::string& name, const TensorView& view, uint64_t file_offset, Entries* out) {
  static const std::string kExperts = ".mlp.experts.";
  const size_t at = name.find(kExperts);
  if (at == std::string::npos || view.shape.size() != 3 || view.shape[0] == 0) return false;
  const std::string head = name.substr(0, at + kExperts.size()), tail = name.substr(at + kExperts.size());
  const size_t slice = view.nbytes / static_cast<size_t>(view.shape[0]);
  for (int64_t e = 0; e < view.shape[0]; ++e) {
    TensorView expert{view.dtype, {view.shape[1], view.shape[2]},
                      static_cast<const uint8_t*>(view.data) + static_cast<size_t>(e) * slice, slice};
    const std::string expert_name = head + std::to_string(e) + "." + tail;
    check(out->emplace(expert_name, typename Entries::mapped_type{expert, 0, file_offset + e * slice}).second,
          "the GGUF file holds expert " + quote(expert_name) + " twice");
  }
  return true;
}

}  // namespace

Checkpoint Checkpoint::open_gguf(const std::string& path) {
  Checkpoint ckpt;
  ckpt.dir_ = path;
  ckpt.gguf_ = std::make_unique<GgufFile>(GgufFile::open(path));
  // GGUF names first, so a mapped name that collides with an unmapped one is caught
  // whichever order the file lists them in.
  std::map<std::string, const GgufTensorInfo*, std::less<>> by_name;
  for (const GgufTensorInfo& t : ckpt.gguf_->tensors()) {
    const std::optional<std::string> hf = gguf_to_hf_name(t.name);
    const std::string name = hf.value_or(t.name);
    auto [it, inserted] = by_name.emplace(name, &t);
    check(inserted, path + ": tensors " + quote(it->second->name) + " and " + quote(t.name) +
                        " would both be called " + quote(name));
  }
  for (const auto& [name, t] : by_name) {
    const TensorView view = t->view(path);
    if (!add_experts(name, view, t->file_offset, &ckpt.tensors_)) {
      ckpt.tensors_.emplace(name, Entry{view, 0, t->file_offset});
    }
  }
  return ckpt;
}

Checkpoint Checkpoint::open(const std::string& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir, ec) && is_gguf_file(dir)) return open_gguf(dir);
  check(!fs::is_regular_file(dir, ec), dir + " is a file but not a GGUF file; a model is a directory of "
                                             "safetensors files or a .gguf file");
  check(fs::is_directory(dir, ec), "model directory " + dir + " does not exist or is not a directory");
  Checkpoint ckpt;
  ckpt.dir_ = dir;
  const fs::path root(dir);

  if (is_file(root / kSingleFile)) {
    ckpt.files_.push_back(SafetensorsFile::open((root / kSingleFile).string()));
    for (const auto& [name, view] : ckpt.files_[0].tensors()) ckpt.tensors_.emplace(name, Entry{view, 0});
    return ckpt;
  }

  const std::string index_path = (root / kIndexFile).string();
  if (!is_file(index_path)) {
    std::string hint = is_file(root / "pytorch_model.bin")
                           ? " (it has pytorch_model.bin; qwenrt reads only safetensors checkpoints)"
                           : "";
    throw Error("model directory " + dir + " has neither " + kSingleFile + " nor " + kIndexFile + hint);
  }

  const auto shards = read_index(index_path);
  // Which file each tensor came from, for tensors the index does not name.
  std::map<std::string, size_t, std::less<>> unlisted_owner;
  for (const auto& [shard, listed] : shards) {
    const fs::path shard_path = root / shard;
    check(is_file(shard_path), index_path + ": shard " + quote(shard) + " (holding tensor " +
                                           quote(listed.front()) + ") does not exist in " + dir);
    const size_t file_index = ckpt.files_.size();
    ckpt.files_.push_back(SafetensorsFile::open(shard_path.string()));
    const SafetensorsFile& file = ckpt.files_.back();
    for (const std::string& name : listed) {
      const TensorView* view = file.find(name);
      check(view != nullptr, index_path + ": tensor " + quote(name) + " is assigned to shard " + quote(shard) +
                                 ", but " + file.path() + " does not hold it");
      ckpt.tensors_.emplace(name, Entry{*view, file_index});
    }
  }
  // Tensors a shard holds beyond what the index lists: kept, as transformers loads whole
  // shards, unless the index assigns the name elsewhere or two shards both hold it.
  for (size_t i = 0; i < ckpt.files_.size(); ++i) {
    for (const auto& [name, view] : ckpt.files_[i].tensors()) {
      if (ckpt.tensors_.count(name) && !unlisted_owner.count(name)) continue;  // listed in the index
      auto [it, inserted] = unlisted_owner.emplace(name, i);
      check(inserted, "model directory " + dir + ": tensor " + quote(name) + " is in both " +
                          ckpt.files_[it->second].path() + " and " + ckpt.files_[i].path() +
                          ", and " + kIndexFile + " does not say which to use");
      ckpt.tensors_.emplace(name, Entry{view, i});
    }
  }
  return ckpt;
}

const Checkpoint::Entry& Checkpoint::entry(std::string_view name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    throw Error((gguf_ ? "GGUF file " : "model directory ") + dir_ + " has no tensor " + quote(name));
  }
  return it->second;
}

const TensorView* Checkpoint::find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second.view;
}

const TensorView& Checkpoint::get(std::string_view name) const { return entry(name).view; }

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& [name, e] : tensors_) out.push_back(name);
  return out;
}

const std::string& Checkpoint::file_of(std::string_view name) const {
  const Entry& e = entry(name);
  return gguf_ ? gguf_->path() : files_[e.file].path();
}

uint64_t Checkpoint::file_offset_of(std::string_view name) const {
  const Entry& e = entry(name);
  return gguf_ ? e.gguf_offset : files_[e.file].file_offset(e.view);
}

}  // namespace qwenrt
