// The Split pre-tokenizer: cuts text into the matches of a regex and the gaps
// between them (the reference's "Isolated" behaviour), using PCRE2 with JIT.
#pragma once
#include <string>
#include <string_view>
#include <vector>

typedef struct pcre2_real_code_8 pcre2_code_8;
typedef struct pcre2_real_match_data_8 pcre2_match_data_8;

namespace qwenrt {

class RegexSplitter;

// Per-call matching state (PCRE2 match data): one per thread, never shared.
class RegexScratch {
 public:
  RegexScratch() = default;
  ~RegexScratch();
  RegexScratch(const RegexScratch&) = delete;
  RegexScratch& operator=(const RegexScratch&) = delete;

 private:
  friend class RegexSplitter;
  pcre2_match_data_8* data_ = nullptr;
};

class RegexSplitter {
 public:
  // Compiles `onig_pattern` (Oniguruma syntax, see regex_translate.h). A bad
  // pattern throws Error naming `origin` (file and JSON path) and the offset.
  RegexSplitter(std::string_view onig_pattern, const std::string& origin);
  ~RegexSplitter();
  RegexSplitter(RegexSplitter&& other) noexcept;
  RegexSplitter& operator=(RegexSplitter&& other) noexcept;
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Appends the non-empty pieces of `text` (valid UTF-8), in order, to `out`.
  // Matches are found as the reference's find_iter finds them: leftmost-first,
  // each search starting where the last match ended, an empty match right after
  // a match skipped.
  void split(std::string_view text, RegexScratch& scratch,
             std::vector<std::string_view>& out) const;

 private:
  // Finds the first match at or after `start`; false when there is none.
  bool find(std::string_view text, size_t start, RegexScratch& scratch, size_t& match_begin,
            size_t& match_end) const;

  pcre2_code_8* code_ = nullptr;
  bool jit_ = false;
  std::string origin_;
};

}  // namespace qwenrt
