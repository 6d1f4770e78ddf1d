// Reading a tokenizer from Hugging Face files: tokenizer.json (the tokenizer
// itself) and tokenizer_config.json (special token names, chat template).
// Anything malformed or unsupported throws Error naming the file and JSON path.
#pragma once
#include <string>
#include <string_view>

#include "tokenizer/tokenizer_spec.h"

namespace qwenrt {

// Parses tokenizer.json text; `source` names it in errors.
TokenizerSpec parse_tokenizer_json(std::string_view json, const std::string& source);
TokenizerSpec load_tokenizer_json(const std::string& path);

// Parses tokenizer_config.json text; `source` names it in errors.
TokenizerConfig parse_tokenizer_config(std::string_view json, const std::string& source);
TokenizerConfig load_tokenizer_config(const std::string& path);

}  // namespace qwenrt
