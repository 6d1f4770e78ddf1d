// The MODEL argument every command takes: a local checkpoint folder or .gguf file, or a
// Hugging Face hub reference (org/name[@revision][:gguf-file-or-quant]) pulled into the
// hub cache first, with progress on stderr.
#pragma once
#include <string>
#include <vector>

#include "io/hub_cache.h"

namespace qwenrt::cli {

// Pulls `ref` (progress and any warning on stderr) and returns its local path.
std::string pull_to_cache(const ModelReference& ref, const std::vector<std::string>& include);

// `argument` itself when it names an existing path or is no hub reference (the loader
// then says what is wrong with it); else the pulled model's local path.
std::string local_model_path(const std::string& argument);

}  // namespace qwenrt::cli
