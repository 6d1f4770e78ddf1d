// GPT-2's byte-level alphabet: every byte 0..255 is given a printable Unicode
// character so that byte strings can be written as text in tokenizer.json
// ("Ġ" is the space byte 0x20, "Ċ" the newline). Printable Latin-1 bytes stand
// for themselves; the others map, in order, to U+0100 and up.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qwenrt {

// The character that stands for `byte`.
char32_t byte_level_char(uint8_t byte);

// The byte `cp` stands for, or -1 if `cp` is not in the byte-level alphabet.
int byte_level_byte(char32_t cp);

// Raw bytes -> their byte-level spelling (UTF-8 text).
std::string byte_level_encode(std::string_view bytes);

// Byte-level spelling -> raw bytes; nullopt when `token` is not valid UTF-8 or
// holds a character outside the alphabet. (The reference's ByteLevel decoder
// then falls back to the token's own UTF-8 bytes; callers decide.)
std::optional<std::string> byte_level_decode(std::string_view token);

}  // namespace qwenrt
