// A context-free grammar over bytes, the common form every constraint compiles to
// (JSON Schema, regex, "any JSON"). Rules are regular expressions over bytes that may
// call other rules by id; calls are how recursion ($ref) and sharing (one "string"
// rule for every string in a schema) are expressed.
//
// Expressions live in one arena and refer to each other by index, so building is cheap
// and a sub-expression may be used at several places. The automaton compiler
// (pda.h) expands every use, so size limits are checked there.
#pragma once
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::grammar {

using ByteSet = std::bitset<256>;
using ExprId = int32_t;
using RuleId = int32_t;

// Unbounded upper count of a repetition.
inline constexpr int32_t kUnbounded = -1;

struct Expr {
  enum class Kind : uint8_t { kEmpty, kBytes, kSeq, kAlt, kRepeat, kCall };
  Kind kind = Kind::kEmpty;
  ByteSet bytes;                  // kBytes: one byte from this set
  std::vector<ExprId> children;   // kSeq, kAlt; kRepeat: exactly one
  int32_t min = 0;                // kRepeat
  int32_t max = 0;                // kRepeat; kUnbounded for no limit
  RuleId rule = -1;               // kCall
};

struct Rule {
  std::string name;  // for error messages: a JSON pointer or a builtin name
  ExprId body = -1;  // -1 until defined
};

class Grammar {
 public:
  // Limit on the number of expressions, so a hostile schema cannot exhaust memory
  // before the automaton's own limits apply. Exceeding it throws Error.
  static constexpr size_t kMaxExprs = 2'000'000;
  static constexpr size_t kMaxRules = 50'000;

  // Declares a rule (body set later, so rules may refer to each other).
  RuleId add_rule(std::string name);
  void define(RuleId rule, ExprId body);
  RuleId root() const { return root_; }
  void set_root(RuleId rule) { root_ = rule; }

  ExprId empty();
  ExprId bytes(const ByteSet& set);
  ExprId byte(uint8_t b);
  ExprId byte_range(uint8_t lo, uint8_t hi);
  ExprId literal(std::string_view text);
  ExprId seq(std::vector<ExprId> parts);
  ExprId alt(std::vector<ExprId> options);
  ExprId repeat(ExprId e, int32_t min, int32_t max);
  ExprId optional(ExprId e) { return repeat(e, 0, 1); }
  ExprId star(ExprId e) { return repeat(e, 0, kUnbounded); }
  ExprId call(RuleId rule);

  const Expr& expr(ExprId id) const { return exprs_[static_cast<size_t>(id)]; }
  const Rule& rule(RuleId id) const { return rules_[static_cast<size_t>(id)]; }
  size_t rule_count() const { return rules_.size(); }
  size_t expr_count() const { return exprs_.size(); }

  // A readable EBNF-like dump, for tests and debugging.
  std::string to_string() const;

 private:
  ExprId add(Expr e);

  std::vector<Expr> exprs_;
  std::vector<Rule> rules_;
  RuleId root_ = -1;
};

}  // namespace qwenrt::grammar
