// The parsed template: a tree of statements and expressions, each node remembering the
// byte offset it came from so errors can name a line and column.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

enum class NodeKind : uint8_t {
  // expressions
  kLiteral,
  kName,
  kList,
  kTuple,
  kDict,
  kGetAttr,
  kGetItem,
  kSlice,
  kCall,
  kFilter,
  kTest,
  kNot,
  kNeg,
  kPos,
  kBinary,
  kAnd,
  kOr,
  kCompare,
  kCondExpr,
  kConcat,
  // statements
  kText,
  kPrint,
  kIf,
  kFor,
  kSet,
  kSetBlock,
  kMacro,
  kCallBlock,
  kFilterBlock,
  kWith,
  kBreak,
  kContinue,
  kScope,
};

struct Node {
  Node(NodeKind k, uint32_t p) : kind(k), pos(p) {}
  virtual ~Node() = default;
  NodeKind kind;
  uint32_t pos;
};

using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

// Expressions -------------------------------------------------------------------------

struct LiteralNode : Node {
  LiteralNode(uint32_t p, Value v) : Node(NodeKind::kLiteral, p), value(std::move(v)) {}
  Value value;
};

struct NameNode : Node {
  NameNode(uint32_t p, std::string n) : Node(NodeKind::kName, p), name(std::move(n)) {}
  std::string name;
};

// kList and kTuple; also kConcat (a ~ b ~ c) keeps its operands here.
struct SequenceNode : Node {
  using Node::Node;
  std::vector<NodePtr> items;
};

struct DictNode : Node {
  explicit DictNode(uint32_t p) : Node(NodeKind::kDict, p) {}
  std::vector<std::pair<NodePtr, NodePtr>> items;
};

struct GetAttrNode : Node {
  GetAttrNode(uint32_t p, NodePtr o, std::string n)
      : Node(NodeKind::kGetAttr, p), object(std::move(o)), name(std::move(n)) {}
  NodePtr object;
  std::string name;
};

struct GetItemNode : Node {
  GetItemNode(uint32_t p, NodePtr o, NodePtr i)
      : Node(NodeKind::kGetItem, p), object(std::move(o)), index(std::move(i)) {}
  NodePtr object;
  NodePtr index;
};

struct SliceNode : Node {  // start:stop:step, each part optional
  explicit SliceNode(uint32_t p) : Node(NodeKind::kSlice, p) {}
  NodePtr start, stop, step;
};

struct ArgsNode {
  std::vector<NodePtr> positional;
  std::vector<std::pair<std::string, NodePtr>> keyword;
  NodePtr star_args;    // *args
  NodePtr star_kwargs;  // **kwargs
};

struct CallNode : Node {
  CallNode(uint32_t p, NodePtr c) : Node(NodeKind::kCall, p), callee(std::move(c)) {}
  NodePtr callee;
  ArgsNode args;
};

// `input | name(args)` (kFilter) and `input is name args` (kTest). A filter whose input
// is null applies to the body of a {% filter %} or {% set x | f %} block.
struct FilterNode : Node {
  FilterNode(NodeKind k, uint32_t p, NodePtr in, std::string n)
      : Node(k, p), input(std::move(in)), name(std::move(n)) {}
  NodePtr input;
  std::string name;
  ArgsNode args;
};

struct UnaryNode : Node {  // kNot, kNeg, kPos
  UnaryNode(NodeKind k, uint32_t p, NodePtr o) : Node(k, p), operand(std::move(o)) {}
  NodePtr operand;
};

enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow };

struct BinaryNode : Node {  // kBinary (with op), kAnd, kOr
  BinaryNode(NodeKind k, uint32_t p, BinaryOp o, NodePtr l, NodePtr r)
      : Node(k, p), op(o), left(std::move(l)), right(std::move(r)) {}
  BinaryOp op;
  NodePtr left, right;
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };

struct CompareNode : Node {  // a < b <= c chains like Python
  CompareNode(uint32_t p, NodePtr f) : Node(NodeKind::kCompare, p), first(std::move(f)) {}
  NodePtr first;
  std::vector<std::pair<CompareOp, NodePtr>> rest;
};

struct CondExprNode : Node {  // then_expr if test else else_expr (else optional)
  explicit CondExprNode(uint32_t p) : Node(NodeKind::kCondExpr, p) {}
  NodePtr test, then_expr, else_expr;
};

// Statements --------------------------------------------------------------------------

struct TextNode : Node {
  TextNode(uint32_t p, std::string t) : Node(NodeKind::kText, p), text(std::move(t)) {}
  std::string text;
};

struct PrintNode : Node {
  PrintNode(uint32_t p, NodePtr e) : Node(NodeKind::kPrint, p), expr(std::move(e)) {}
  NodePtr expr;
};

struct IfNode : Node {
  explicit IfNode(uint32_t p) : Node(NodeKind::kIf, p) {}
  std::vector<std::pair<NodePtr, Body>> branches;  // if and elifs
  Body else_body;
};

struct ForNode : Node {
  explicit ForNode(uint32_t p) : Node(NodeKind::kFor, p) {}
  NodePtr target;  // a name or a tuple of names
  NodePtr iter;
  NodePtr filter;  // for x in y if filter
  Body body;
  Body else_body;
  bool recursive = false;
};

// {% set target = value %}; target is a name, a tuple of names, or ns.attr (GetAttr).
struct SetNode : Node {
  explicit SetNode(uint32_t p) : Node(NodeKind::kSet, p) {}
  NodePtr target;
  NodePtr value;
};

struct SetBlockNode : Node {  // {% set target | filter %}body{% endset %}
  explicit SetBlockNode(uint32_t p) : Node(NodeKind::kSetBlock, p) {}
  NodePtr target;
  NodePtr filter;  // optional FilterNode chain with a null innermost input
  Body body;
};

struct Signature {
  std::vector<std::string> params;
  std::vector<NodePtr> defaults;  // aligned with the last defaults.size() params
};

struct MacroNode : Node {
  explicit MacroNode(uint32_t p) : Node(NodeKind::kMacro, p) {}
  std::string name;
  Signature sig;
  Body body;
  // Whether the body mentions these names: jinja2 only accepts extra positional or
  // keyword arguments, or a caller, when the macro can see them.
  bool uses_varargs = false, uses_kwargs = false, uses_caller = false;
};

struct CallBlockNode : Node {  // {% call(params) macro(args) %}body{% endcall %}
  explicit CallBlockNode(uint32_t p) : Node(NodeKind::kCallBlock, p) {}
  NodePtr call;  // a CallNode
  Signature sig;
  Body body;
};

struct FilterBlockNode : Node {
  explicit FilterBlockNode(uint32_t p) : Node(NodeKind::kFilterBlock, p) {}
  NodePtr filter;
  Body body;
};

struct WithNode : Node {
  explicit WithNode(uint32_t p) : Node(NodeKind::kWith, p) {}
  std::vector<std::pair<NodePtr, NodePtr>> assignments;  // target, value
  Body body;
};

// A body run in its own scope ({% generation %} from transformers' AssistantTracker).
struct ScopeNode : Node {
  explicit ScopeNode(uint32_t p) : Node(NodeKind::kScope, p) {}
  Body body;
};

template <typename T>
const T& as(const Node& n) {
  return static_cast<const T&>(n);
}

}  // namespace qwenrt::jinja
