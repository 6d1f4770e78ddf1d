// Walks the statement tree and renders text. Scoping follows jinja2: a for-loop
// iteration, a macro call, {% with %} and block-set bodies get a fresh scope (so a
// {% set %} inside them does not leak out), {% if %} does not. Macros read enclosing
// variables at call time, like Python closures.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/error.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace qwenrt::jinja {

struct Scope {
  explicit Scope(std::shared_ptr<Scope> p) : parent(std::move(p)) {}
  Value* find_local(std::string_view name);
  void set(const std::string& name, Value value);

  std::shared_ptr<Scope> parent;
  std::vector<std::pair<std::string, Value>> vars;
};

class Interpreter {
 public:
  explicit Interpreter(const Limits& limits) : limits_(limits) {}
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Renders `body` with `globals` as the template's variables.
  std::string render(const Body& body, const Dict& globals);

  // Byte offset of the node being evaluated, for errors raised without one.
  uint32_t current_pos() const { return pos_; }

  // Services for filters, tests, methods and globals.
  const Limits& limits() const { return limits_; }
  void tick() { charge_steps(1); }                       // one unit of work
  void charge_steps(uint64_t n);                         // n units, checked before the work is done
  void charge_bytes(size_t n) { charge_steps(n / 64); }  // work proportional to bytes built
  void check_string_size(size_t n);  // fails if a string of n bytes is too large
  Value call(const Value& callee, CallArgs& args);
  Value apply_filter(const std::string& name, const Value& input, CallArgs& args);
  bool apply_test(const std::string& name, const Value& input, CallArgs& args);
  // Namespaces are the only values that can form reference cycles; the interpreter
  // keeps them all and empties them when the render ends.
  Value new_namespace(Dict attrs);

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  // Bounds the interpreter's recursion (nested nodes, macro calls) to keep the stack safe.
  class DepthGuard {
   public:
    explicit DepthGuard(Interpreter* in) : in_(in) {
      if (++in_->depth_ > in_->limits_.max_eval_depth) {
        --in_->depth_;
        fail_limit("template recursion deeper than " + std::to_string(in_->limits_.max_eval_depth) +
                   " levels (endless macro recursion?)");
      }
    }
    ~DepthGuard() { --in_->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Interpreter* in_;
  };

  Flow exec_body(const Body& body);
  Flow exec(const Node& node);
  Flow exec_for(const ForNode& node);
  Flow run_loop(const ForNode& node, const Value& iterable, int depth);
  void exec_call_block(const CallBlockNode& node);
  std::string capture(const Body& body, std::shared_ptr<Scope> scope);
  void assign(const Node& target, const Value& value, Scope& scope);
  Value make_macro(const std::string& name, const Signature& sig, const Body& body,
                   const MacroNode* macro);
  Value call_macro(const std::string& name, const Signature& sig, const Body& body,
                   const MacroNode* macro, const std::weak_ptr<Scope>& def_scope, CallArgs& args);

  Value eval(const Node& node);
  Value eval_filter_chain(const Node& node, const Value* block_input);
  CallArgs eval_args(const ArgsNode& args);
  Value lookup(const std::string& name);
  Value eval_compare(const CompareNode& node);

  void emit(std::string_view text);

  const Limits& limits_;
  uint64_t steps_ = 0;
  uint64_t loop_iterations_ = 0;
  int depth_ = 0;
  uint32_t pos_ = 0;
  std::string* out_ = nullptr;
  std::shared_ptr<Scope> root_;
  std::shared_ptr<Scope> scope_;
  std::vector<std::shared_ptr<Namespace>> namespaces_;
};

}  // namespace qwenrt::jinja
