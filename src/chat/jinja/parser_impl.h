// The parser's internals, shared by parser.cc (statements) and parser_expr.cc
// (expressions). Not part of the engine's interface.
#pragma once
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/error.h"
#include "chat/jinja/lexer.h"
#include "chat/jinja/limits.h"

namespace qwenrt::jinja {

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const Limits& limits) : toks_(tokens), limits_(limits) {}
  Body parse_template();

 private:
  // Counts nesting so a hostile template cannot recurse the parser (or, later, the
  // interpreter) off the stack. `add` charges the left-nested chains loops build.
  class DepthGuard {
   public:
    explicit DepthGuard(Parser* p, int initial = 1) : p_(p) { add(initial); }
    ~DepthGuard() { p_->depth_ -= n_; }
    void add(int n);

   private:
    Parser* p_;
    int n_ = 0;
  };

  // Tokens.
  const Token& cur() const { return toks_[i_]; }
  const Token& peek(size_t k = 1) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  void advance() {
    if (i_ + 1 < toks_.size()) ++i_;
  }
  bool at_name(std::string_view name) const;
  bool at_op(std::string_view op) const;
  bool skip_name(std::string_view name);
  bool skip_op(std::string_view op);
  void expect_op(std::string_view op);
  void expect(TokenType type);
  std::string expect_name();
  static std::string describe(const Token& t);
  [[noreturn]] void fail_at(const Token& t, const std::string& message) const;

  // Statements (parser.cc).
  Body subparse(const std::vector<std::string_view>& end_names);
  Body parse_statements(const std::vector<std::string_view>& end_names, bool drop_needle);
  NodePtr parse_statement();
  NodePtr parse_if();
  NodePtr parse_for();
  NodePtr parse_set();
  NodePtr parse_macro();
  NodePtr parse_call_block();
  NodePtr parse_filter_block();
  NodePtr parse_with();
  NodePtr parse_scope_block(std::string_view end_name);
  void parse_signature(Signature& sig);
  NodePtr parse_assign_target(bool with_tuple, bool with_namespace,
                              const std::vector<std::string_view>& extra_end);
  // `t` null: the template ended while blocks were open.
  [[noreturn]] void fail_unknown_tag(const Token* t) const;

  // Expressions (parser_expr.cc).
  NodePtr parse_expression(bool with_condexpr = true);
  NodePtr parse_tuple(bool simplified, bool with_condexpr,
                      const std::vector<std::string_view>& extra_end, bool explicit_parens);
  NodePtr parse_condexpr();
  NodePtr parse_or();
  NodePtr parse_and();
  NodePtr parse_not();
  NodePtr parse_compare();
  NodePtr parse_math1();
  NodePtr parse_concat();
  NodePtr parse_math2();
  NodePtr parse_pow();
  NodePtr parse_unary(bool with_filter);
  NodePtr parse_primary();
  NodePtr parse_list();
  NodePtr parse_dict();
  NodePtr parse_postfix(NodePtr node);
  NodePtr parse_filter_expr(NodePtr node);
  NodePtr parse_subscript(NodePtr node);
  NodePtr parse_subscribed();
  NodePtr parse_call(NodePtr callee);
  NodePtr parse_filter(NodePtr node, bool start_inline);
  NodePtr parse_test(NodePtr node);
  void parse_call_args(ArgsNode& args);
  bool is_tuple_end(const std::vector<std::string_view>& extra_end) const;
  void note_name(const std::string& name);

  const std::vector<Token>& toks_;
  const Limits& limits_;
  size_t i_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;              // break/continue are only valid inside a for body
  std::vector<MacroNode*> macros_;  // macros being parsed, innermost last (null: call block)
  // Open blocks and the end tags they wait for, for jinja2-style error messages.
  std::vector<std::string> open_blocks_;
  std::vector<std::vector<std::string_view>> end_stack_;
};

}  // namespace qwenrt::jinja
