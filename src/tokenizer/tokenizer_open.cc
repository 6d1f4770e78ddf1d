// Opening a tokenizer from a checkpoint's files.
#include <filesystem>

#include "base/error.h"
#include "base/mapped_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_files.h"

namespace qwenrt {

Tokenizer Tokenizer::from_files(const std::string& tokenizer_json,
                                const std::string& tokenizer_config_json) {
  TokenizerSpec spec = load_tokenizer_json(tokenizer_json);
  TokenizerConfig config;
  if (!tokenizer_config_json.empty()) config = load_tokenizer_config(tokenizer_config_json);
  return Tokenizer(std::move(spec), std::move(config));
}

Tokenizer Tokenizer::from_directory(const std::string& directory) {
  namespace fs = std::filesystem;
  const fs::path dir(directory);
  const fs::path json = dir / "tokenizer.json";
  std::error_code ec;
  if (!fs::is_regular_file(json, ec)) {
    throw Error(directory + ": no tokenizer.json (only tokenizer.json checkpoints are supported)");
  }
  TokenizerSpec spec = load_tokenizer_json(json.string());
  TokenizerConfig config;
  const fs::path config_path = dir / "tokenizer_config.json";
  if (fs::is_regular_file(config_path, ec)) config = load_tokenizer_config(config_path.string());
  // Newer checkpoints keep the template in its own file.
  const fs::path jinja = dir / "chat_template.jinja";
  if (config.chat_template.empty() && fs::is_regular_file(jinja, ec)) {
    MappedFile file(jinja.string());
    config.chat_template.assign(reinterpret_cast<const char*>(file.data()), file.size());
  }
  return Tokenizer(std::move(spec), std::move(config));
}

}  // namespace qwenrt
