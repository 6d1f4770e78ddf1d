#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace qwenrt {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skip_special)
    : tokenizer_(&tokenizer), skip_special_(skip_special) {}

std::string StreamDecoder::push(int32_t id) {
  const std::string_view bytes = tokenizer_->token_bytes(id);  // throws on a bad id
  if (skip_special_ && tokenizer_->is_special(id)) return {};
  pending_.append(bytes);
  std::string text;
  const size_t used = append_utf8_lossy(pending_, /*final=*/false, text);
  pending_.erase(0, used);
  return text;
}

std::string StreamDecoder::flush() {
  std::string text = utf8_lossy(pending_);
  pending_.clear();
  return text;
}

}  // namespace qwenrt
