// Fuzzes the tokenizer.json and tokenizer_config.json readers: any input must
// give a tokenizer or a qwenrt::Error, nothing else. A tokenizer that builds
// must encode and decode a short text. The first byte picks the reader.
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1) {
      qwenrt::parse_tokenizer_config(text, "fuzz/tokenizer_config.json");
    } else {
      qwenrt::Tokenizer tok(qwenrt::parse_tokenizer_json(text, "fuzz/tokenizer.json"));
      const std::vector<int32_t> ids = tok.encode("Hello, world! <|im_end|> 你好\n\n  x");
      tok.decode(ids, true);
    }
  } catch (const qwenrt::Error&) {
    // expected for malformed input
  }
  return 0;
}
