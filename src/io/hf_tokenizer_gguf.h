// The tokenizer.* GGUF metadata of a Hugging Face checkpoint, as llama.cpp's
// convert_hf_to_gguf.py writes it for Qwen (byte-level BPE, "gpt2" model, "qwen2"
// pre-tokenizer): one token per id up to the model's vocab_size (ids the tokenizer lacks
// become "[PAD<id>]", UNUSED), token types (added special or <|...|> tokens CONTROL, other
// added tokens USER_DEFINED, the rest NORMAL), merges, special token ids and the chat
// template, from tokenizer.json, tokenizer_config.json and config.json.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/gguf.h"

namespace qwenrt {

// `dir` holds tokenizer.json (required) and tokenizer_config.json (optional). `vocab_size`
// is config.json's: a tokenizer with more ids is cut to it (merges whose parts or result
// fall outside are dropped), as tiny test models need. bos/eos/pad ids not named by
// tokenizer_config.json come from config.json's *_token_id (the `fallback_*` values, -1 if
// none). Throws Error naming the file and JSON key on malformed input.
std::vector<GgufKeyValue> hf_tokenizer_gguf_metadata(const std::string& dir, int64_t vocab_size,
                                                     int64_t fallback_bos_id, int64_t fallback_eos_id,
                                                     int64_t fallback_pad_id);

}  // namespace qwenrt
