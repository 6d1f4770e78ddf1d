#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

constexpr bool stands_for_itself(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

// byte -> character, built the way GPT-2's bytes_to_unicode() builds it.
constexpr std::array<char32_t, 256> make_byte_to_char() {
  std::array<char32_t, 256> table{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) table[b] = stands_for_itself(b) ? char32_t(b) : next++;
  return table;
}

constexpr std::array<char32_t, 256> kByteToChar = make_byte_to_char();

// The alphabet lies in U+0000..U+0143, so the inverse is a small dense table.
constexpr size_t kMaxChar = 0x144;
constexpr std::array<int16_t, kMaxChar> make_char_to_byte() {
  std::array<int16_t, kMaxChar> table{};
  for (auto& v : table) v = -1;
  for (int b = 0; b < 256; ++b) table[kByteToChar[b]] = static_cast<int16_t>(b);
  return table;
}

constexpr std::array<int16_t, kMaxChar> kCharToByte = make_char_to_byte();

}  // namespace

char32_t byte_level_char(uint8_t byte) { return kByteToChar[byte]; }

int byte_level_byte(char32_t cp) { return cp < kMaxChar ? kCharToByte[cp] : -1; }

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(kByteToChar[static_cast<uint8_t>(c)], out);
  return out;
}

std::optional<std::string> byte_level_decode(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  size_t pos = 0;
  while (pos < token.size()) {
    if (utf8_sequence_length(token, pos) == 0) return std::nullopt;
    const int b = byte_level_byte(next_code_point(token, pos));
    if (b < 0) return std::nullopt;
    out.push_back(static_cast<char>(b));
  }
  return out;
}

}  // namespace qwenrt
