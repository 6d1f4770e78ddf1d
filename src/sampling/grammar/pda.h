// The grammar compiled for matching: every rule becomes a deterministic automaton
// over bytes whose states may also *call* another rule (push it on a stack) and whose
// final states *return* (pop). Together: a pushdown automaton. The states of all rules
// are numbered globally so a stack frame is one int.
//
// Determinizing each rule removes most of the nondeterminism a JSON schema brings
// (anyOf branches with a common prefix share states); what remains (calls to different
// rules from one state) the matcher follows as several stacks at once.
//
// Compilation also computes, per state, the fewest bytes that finish its rule, and
// removes every edge into a state that can never finish, so a matcher following this
// automaton can always complete: generation never dead-ends.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sampling/grammar/grammar.h"

namespace qwenrt::grammar {

struct CallEdge {
  RuleId rule;     // the rule called
  int32_t target;  // where the caller continues once it returns
};

struct PdaLimits {
  size_t max_nfa_states_per_rule = 1'000'000;
  size_t max_dfa_states = 200'000;
  size_t max_table_entries = 24'000'000;  // states x byte classes
};

class Pda {
 public:
  static constexpr int32_t kNoState = -1;
  static constexpr int32_t kInfinite = INT32_MAX / 4;

  // Throws Error when a limit is exceeded, when the root can never finish (e.g. a $ref
  // recursion without a base case), or when a rule reaches itself without consuming
  // a byte (left recursion).
  static Pda compile(const Grammar& grammar, const PdaLimits& limits = {});

  int32_t next(int32_t state, uint8_t byte) const {
    return next_[static_cast<size_t>(state) * num_classes_ + byte_class_[byte]];
  }
  bool is_final(int32_t state) const { return flags_[state] & kFinal; }
  bool has_bytes(int32_t state) const { return flags_[state] & kHasBytes; }
  bool has_calls(int32_t state) const { return flags_[state] & kHasCalls; }
  // A state reached by a byte needs the stack machinery (push or pop) unless it only
  // has byte edges: the fast path of every walk.
  bool is_plain(int32_t state) const { return flags_[state] == kHasBytes; }
  std::span<const CallEdge> calls(int32_t state) const {
    return {calls_.data() + call_begin_[state], calls_.data() + call_begin_[state + 1]};
  }
  // Fewest bytes that take `state` to the end of its rule (callees included).
  int32_t distance(int32_t state) const { return dist_[state]; }

  int32_t rule_start(RuleId rule) const { return rule_start_[rule]; }
  RuleId rule_of(int32_t state) const { return rule_of_[state]; }
  RuleId root() const { return root_; }
  int32_t rule_count() const { return static_cast<int32_t>(rule_start_.size()); }
  const std::string& rule_name(RuleId rule) const { return rule_names_[rule]; }
  int32_t state_count() const { return static_cast<int32_t>(flags_.size()); }
  int32_t class_count() const { return num_classes_; }
  // Bytes (one representative of each class) that leave `state`.
  std::vector<uint8_t> bytes_out(int32_t state) const;

 private:
  enum : uint8_t { kFinal = 1, kHasBytes = 2, kHasCalls = 4 };

  int32_t num_classes_ = 1;
  uint8_t byte_class_[256] = {};
  std::vector<int32_t> next_;  // state * num_classes_ + class -> state or kNoState
  std::vector<uint8_t> flags_;
  std::vector<int32_t> call_begin_;  // CSR over calls_, size states + 1
  std::vector<CallEdge> calls_;
  std::vector<int32_t> dist_;
  std::vector<RuleId> rule_of_;
  std::vector<int32_t> rule_start_;
  std::vector<std::string> rule_names_;
  RuleId root_ = -1;

  friend class PdaBuilder;
};

}  // namespace qwenrt::grammar
