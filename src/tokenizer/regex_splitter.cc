#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regex_splitter.h"

#include <pcre2.h>

#include <utility>

#include "base/error.h"
#include "tokenizer/regex_translate.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
    return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

RegexScratch::~RegexScratch() { pcre2_match_data_free(data_); }

RegexSplitter::RegexSplitter(std::string_view onig_pattern, const std::string& origin)
    : origin_(origin) {
  const std::string pattern = translate_onig_pattern(onig_pattern);
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UTF + UCP: Unicode semantics for \w, \d, \b like Oniguruma. MULTILINE: in
  // Oniguruma's (Ruby) syntax ^ and $ are line anchors.
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                        PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &error, &offset, nullptr);
  if (code_ == nullptr) {
    throw Error(origin + ": invalid pre-tokenizer regex (" + pcre2_message(error) + " at offset " +
                std::to_string(offset) + " of the PCRE2 form \"" + pattern + "\")");
  }
  // Without JIT (e.g. an unsupported CPU) the interpreter gives the same
  // matches.
  jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
}

RegexSplitter::~RegexSplitter() { pcre2_code_free(code_); }

RegexSplitter::RegexSplitter(RegexSplitter&& other) noexcept
    : code_(std::exchange(other.code_, nullptr)),
      jit_(other.jit_),
      origin_(std::move(other.origin_)) {}

RegexSplitter& RegexSplitter::operator=(RegexSplitter&& other) noexcept {
  if (this != &other) {
    pcre2_code_free(code_);
    code_ = std::exchange(other.code_, nullptr);
    jit_ = other.jit_;
    origin_ = std::move(other.origin_);
  }
  return *this;
}

bool RegexSplitter::find(std::string_view text, size_t start, RegexScratch& scratch,
                         size_t& match_begin, size_t& match_end) const {
  if (scratch.data_ == nullptr) {
    scratch.data_ = pcre2_match_data_create(1, nullptr);
    if (scratch.data_ == nullptr) throw Error("out of memory for regex match data");
  }
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  int rc = jit_ ? pcre2_jit_match(code_, subject, text.size(), start, 0, scratch.data_, nullptr)
                : PCRE2_ERROR_JIT_STACKLIMIT;
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
    // The interpreter keeps its backtracking frames on the heap instead.
    rc = pcre2_match(code_, subject, text.size(), start, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT,
                     scratch.data_, nullptr);
  }
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc < 0) {
    throw Error(origin_ + ": pre-tokenizer regex failed at byte " + std::to_string(start) +
                " of a " + std::to_string(text.size()) + "-byte piece: " + pcre2_message(rc));
  }
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(scratch.data_);
  match_begin = ovector[0];
  match_end = ovector[1];
  return true;
}

void RegexSplitter::split(std::string_view text, RegexScratch& scratch,
                          std::vector<std::string_view>& out) const {
  size_t piece_start = 0;  // end of the last match: start of the next gap
  size_t search = 0;
  bool matched_before = false;
  size_t last_match_end = 0;
  while (search <= text.size()) {
    size_t begin = 0, end = 0;
    if (!find(text, search, scratch, begin, end)) break;
    if (begin == end && matched_before && last_match_end == end) {
      // An empty match where the previous one ended: step over one character.
      if (search >= text.size()) break;
      const size_t n = utf8_sequence_length(text, search);
      search += n > 0 ? n : 1;
      continue;
    }
    if (piece_start < begin) out.push_back(text.substr(piece_start, begin - piece_start));
    if (begin < end) out.push_back(text.substr(begin, end - begin));
    piece_start = end;
    search = end;
    matched_before = true;
    last_match_end = end;
  }
  if (piece_start < text.size()) out.push_back(text.substr(piece_start));
}

}  // namespace qwenrt
