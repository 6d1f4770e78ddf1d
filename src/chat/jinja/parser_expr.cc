// Expression parsing, one function per precedence level, lowest first:
// conditional, or, and, not, comparisons, + -, ~, * / // %, **, unary - +,
// then primaries with their postfix (.attr [index] (call)) and filters/tests.
#include "chat/jinja/filters.h"
#include "chat/jinja/parser_impl.h"
#include "chat/jinja/tests.h"

namespace qwenrt::jinja {

void Parser::note_name(const std::string& name) {
  if (macros_.empty() || macros_.back() == nullptr) return;
  if (name == "varargs") macros_.back()->uses_varargs = true;
  if (name == "kwargs") macros_.back()->uses_kwargs = true;
  if (name == "caller") macros_.back()->uses_caller = true;
}

bool Parser::is_tuple_end(const std::vector<std::string_view>& extra_end) const {
  if (cur().type == TokenType::kVariableEnd || cur().type == TokenType::kBlockEnd ||
      cur().type == TokenType::kEnd || at_op(")"))
    return true;
  for (std::string_view e : extra_end)
    if (at_name(e)) return true;
  return false;
}

NodePtr Parser::parse_tuple(bool simplified, bool with_condexpr,
                            const std::vector<std::string_view>& extra_end, bool explicit_parens) {
  const uint32_t pos = cur().pos;
  std::vector<NodePtr> items;
  bool is_tuple = false;
  while (true) {
    if (!items.empty()) expect_op(",");
    if (is_tuple_end(extra_end)) break;
    items.push_back(simplified ? parse_primary() : parse_expression(with_condexpr));
    if (!at_op(",")) break;
    is_tuple = true;
  }
  if (!is_tuple) {
    if (!items.empty()) return std::move(items[0]);
    if (!explicit_parens) fail_at(cur(), "Expected an expression, got '" + describe(cur()) + "'");
  }
  auto node = std::make_unique<SequenceNode>(NodeKind::kTuple, pos);
  node->items = std::move(items);
  return node;
}

NodePtr Parser::parse_expression(bool with_condexpr) {
  DepthGuard guard(this);
  return with_condexpr ? parse_condexpr() : parse_or();
}

NodePtr Parser::parse_condexpr() {
  DepthGuard guard(this, 0);
  NodePtr expr = parse_or();
  while (at_name("if")) {
    auto node = std::make_unique<CondExprNode>(cur().pos);
    advance();
    node->test = parse_or();
    if (skip_name("else")) node->else_expr = parse_condexpr();
    node->then_expr = std::move(expr);
    expr = std::move(node);
    guard.add(1);
  }
  return expr;
}

NodePtr Parser::parse_or() {
  DepthGuard guard(this, 0);
  NodePtr left = parse_and();
  while (at_name("or")) {
    const uint32_t pos = cur().pos;
    advance();
    guard.add(1);
    left = std::make_unique<BinaryNode>(NodeKind::kOr, pos, BinaryOp::kAdd, std::move(left),
                                        parse_and());
  }
  return left;
}

NodePtr Parser::parse_and() {
  DepthGuard guard(this, 0);
  NodePtr left = parse_not();
  while (at_name("and")) {
    const uint32_t pos = cur().pos;
    advance();
    guard.add(1);
    left = std::make_unique<BinaryNode>(NodeKind::kAnd, pos, BinaryOp::kAdd, std::move(left),
                                        parse_not());
  }
  return left;
}

NodePtr Parser::parse_not() {
  if (at_name("not")) {
    DepthGuard guard(this);
    const uint32_t pos = cur().pos;
    advance();
    return std::make_unique<UnaryNode>(NodeKind::kNot, pos, parse_not());
  }
  return parse_compare();
}

NodePtr Parser::parse_compare() {
  const uint32_t pos = cur().pos;
  NodePtr expr = parse_math1();
  std::unique_ptr<CompareNode> node;
  while (true) {
    CompareOp op;
    if (at_op("=="))
      op = CompareOp::kEq;
    else if (at_op("!="))
      op = CompareOp::kNe;
    else if (at_op("<"))
      op = CompareOp::kLt;
    else if (at_op("<="))
      op = CompareOp::kLe;
    else if (at_op(">"))
      op = CompareOp::kGt;
    else if (at_op(">="))
      op = CompareOp::kGe;
    else if (at_name("in"))
      op = CompareOp::kIn;
    else if (at_name("not") && peek().type == TokenType::kName && peek().text == "in") {
      op = CompareOp::kNotIn;
      advance();
    } else {
      break;
    }
    advance();
    if (!node) node = std::make_unique<CompareNode>(pos, std::move(expr));
    node->rest.emplace_back(op, parse_math1());
  }
  if (!node) return expr;
  return node;
}

NodePtr Parser::parse_math1() {
  DepthGuard guard(this, 0);
  NodePtr left = parse_concat();
  while (at_op("+") || at_op("-")) {
    const BinaryOp op = at_op("+") ? BinaryOp::kAdd : BinaryOp::kSub;
    const uint32_t pos = cur().pos;
    advance();
    guard.add(1);
    left =
        std::make_unique<BinaryNode>(NodeKind::kBinary, pos, op, std::move(left), parse_concat());
  }
  return left;
}

NodePtr Parser::parse_concat() {
  const uint32_t pos = cur().pos;
  NodePtr first = parse_math2();
  if (!at_op("~")) return first;
  auto node = std::make_unique<SequenceNode>(NodeKind::kConcat, pos);
  node->items.push_back(std::move(first));
  while (skip_op("~")) node->items.push_back(parse_math2());
  return node;
}

NodePtr Parser::parse_math2() {
  DepthGuard guard(this, 0);
  NodePtr left = parse_pow();
  while (true) {
    BinaryOp op;
    if (at_op("*"))
      op = BinaryOp::kMul;
    else if (at_op("/"))
      op = BinaryOp::kDiv;
    else if (at_op("//"))
      op = BinaryOp::kFloorDiv;
    else if (at_op("%"))
      op = BinaryOp::kMod;
    else
      break;
    const uint32_t pos = cur().pos;
    advance();
    guard.add(1);
    left = std::make_unique<BinaryNode>(NodeKind::kBinary, pos, op, std::move(left), parse_pow());
  }
  return left;
}

NodePtr Parser::parse_pow() {
  DepthGuard guard(this, 0);
  NodePtr left = parse_unary(true);
  while (at_op("**")) {
    const uint32_t pos = cur().pos;
    advance();
    guard.add(1);
    left = std::make_unique<BinaryNode>(NodeKind::kBinary, pos, BinaryOp::kPow, std::move(left),
                                        parse_unary(true));
  }
  return left;
}

NodePtr Parser::parse_unary(bool with_filter) {
  DepthGuard guard(this);
  const uint32_t pos = cur().pos;
  NodePtr node;
  if (skip_op("-")) {
    node = std::make_unique<UnaryNode>(NodeKind::kNeg, pos, parse_unary(false));
  } else if (skip_op("+")) {
    node = std::make_unique<UnaryNode>(NodeKind::kPos, pos, parse_unary(false));
  } else {
    node = parse_primary();
  }
  node = parse_postfix(std::move(node));
  if (with_filter) node = parse_filter_expr(std::move(node));
  return node;
}

NodePtr Parser::parse_primary() {
  const Token& t = cur();
  switch (t.type) {
    case TokenType::kName: {
      advance();
      if (t.text == "true" || t.text == "True")
        return std::make_unique<LiteralNode>(t.pos, Value::boolean(true));
      if (t.text == "false" || t.text == "False")
        return std::make_unique<LiteralNode>(t.pos, Value::boolean(false));
      if (t.text == "none" || t.text == "None")
        return std::make_unique<LiteralNode>(t.pos, Value::none());
      note_name(t.text);
      return std::make_unique<NameNode>(t.pos, t.text);
    }
    case TokenType::kString: {
      std::string text;
      while (cur().type == TokenType::kString) {  // adjacent literals concatenate
        text += cur().text;
        advance();
      }
      return std::make_unique<LiteralNode>(t.pos, Value::string(std::move(text)));
    }
    case TokenType::kInteger:
      advance();
      return std::make_unique<LiteralNode>(t.pos, Value::integer(t.int_value));
    case TokenType::kFloat:
      advance();
      return std::make_unique<LiteralNode>(t.pos, Value::number(t.float_value));
    case TokenType::kOperator:
      if (t.text == "(") {
        advance();
        NodePtr node = parse_tuple(false, true, {}, true);
        expect_op(")");
        return node;
      }
      if (t.text == "[") return parse_list();
      if (t.text == "{") return parse_dict();
      break;
    default:
      break;
  }
  fail_at(t, "unexpected '" + describe(t) + "'");
}

NodePtr Parser::parse_list() {
  DepthGuard guard(this);
  auto node = std::make_unique<SequenceNode>(NodeKind::kList, cur().pos);
  expect_op("[");
  while (!at_op("]")) {
    if (!node->items.empty()) expect_op(",");
    if (at_op("]")) break;
    node->items.push_back(parse_expression());
  }
  expect_op("]");
  return node;
}

NodePtr Parser::parse_dict() {
  DepthGuard guard(this);
  auto node = std::make_unique<DictNode>(cur().pos);
  expect_op("{");
  while (!at_op("}")) {
    if (!node->items.empty()) expect_op(",");
    if (at_op("}")) break;
    NodePtr key = parse_expression();
    expect_op(":");
    node->items.emplace_back(std::move(key), parse_expression());
  }
  expect_op("}");
  return node;
}

NodePtr Parser::parse_postfix(NodePtr node) {
  DepthGuard guard(this, 0);
  while (true) {
    if (at_op(".") || at_op("[")) {
      node = parse_subscript(std::move(node));
    } else if (at_op("(")) {
      node = parse_call(std::move(node));
    } else {
      break;
    }
    guard.add(1);
  }
  return node;
}

NodePtr Parser::parse_filter_expr(NodePtr node) {
  DepthGuard guard(this, 0);
  while (true) {
    if (at_op("|")) {
      node = parse_filter(std::move(node), false);
    } else if (at_name("is")) {
      node = parse_test(std::move(node));
    } else if (at_op("(")) {
      node = parse_call(std::move(node));
    } else {
      break;
    }
    guard.add(1);
  }
  return node;
}

NodePtr Parser::parse_subscript(NodePtr node) {
  const Token& t = cur();
  advance();
  if (t.text == ".") {
    const Token& attr = cur();
    advance();
    if (attr.type == TokenType::kName)
      return std::make_unique<GetAttrNode>(attr.pos, std::move(node), attr.text);
    if (attr.type != TokenType::kInteger) fail_at(attr, "expected name or number");
    return std::make_unique<GetItemNode>(
        attr.pos, std::move(node),
        std::make_unique<LiteralNode>(attr.pos, Value::integer(attr.int_value)));
  }
  std::vector<NodePtr> args;
  while (!at_op("]")) {
    if (!args.empty()) expect_op(",");
    args.push_back(parse_subscribed());
  }
  expect_op("]");
  NodePtr index;
  if (args.size() == 1) {
    index = std::move(args[0]);
  } else {
    auto tuple = std::make_unique<SequenceNode>(NodeKind::kTuple, t.pos);
    tuple->items = std::move(args);
    index = std::move(tuple);
  }
  return std::make_unique<GetItemNode>(t.pos, std::move(node), std::move(index));
}

NodePtr Parser::parse_subscribed() {
  const uint32_t pos = cur().pos;
  auto slice = std::make_unique<SliceNode>(pos);
  if (!skip_op(":")) {
    NodePtr expr = parse_expression();
    if (!skip_op(":")) return expr;
    slice->start = std::move(expr);
  }
  if (!at_op(":") && !at_op("]") && !at_op(",")) slice->stop = parse_expression();
  if (skip_op(":") && !at_op("]") && !at_op(",")) slice->step = parse_expression();
  return slice;
}

NodePtr Parser::parse_call(NodePtr callee) {
  auto node = std::make_unique<CallNode>(cur().pos, std::move(callee));
  parse_call_args(node->args);
  return node;
}

void Parser::parse_call_args(ArgsNode& args) {
  expect_op("(");
  bool require_comma = false;
  while (!at_op(")")) {
    if (require_comma) {
      expect_op(",");
      if (at_op(")")) break;
    }
    const Token& t = cur();
    if (skip_op("*")) {
      if (args.star_args || args.star_kwargs)
        fail_at(t, "invalid syntax for function call expression");
      args.star_args = parse_expression();
    } else if (skip_op("**")) {
      if (args.star_kwargs) fail_at(t, "invalid syntax for function call expression");
      args.star_kwargs = parse_expression();
    } else if (t.type == TokenType::kName && peek().type == TokenType::kOperator &&
               peek().text == "=") {
      if (args.star_kwargs) fail_at(t, "invalid syntax for function call expression");
      std::string key = t.text;
      advance();
      advance();
      args.keyword.emplace_back(std::move(key), parse_expression());
    } else {
      if (args.star_args || args.star_kwargs || !args.keyword.empty())
        fail_at(t, "invalid syntax for function call expression");
      args.positional.push_back(parse_expression());
    }
    require_comma = true;
  }
  expect_op(")");
}

NodePtr Parser::parse_filter(NodePtr node, bool start_inline) {
  while (at_op("|") || start_inline) {
    if (!start_inline) advance();
    start_inline = false;
    const Token& t = cur();
    std::string name = expect_name();
    while (skip_op(".")) name += "." + expect_name();
    if (!filter_exists(name)) fail_at(t, "No filter named '" + name + "'.");
    auto f =
        std::make_unique<FilterNode>(NodeKind::kFilter, t.pos, std::move(node), std::move(name));
    if (at_op("(")) parse_call_args(f->args);
    node = std::move(f);
  }
  return node;
}

NodePtr Parser::parse_test(NodePtr node) {
  const uint32_t pos = cur().pos;
  advance();  // is
  const bool negated = skip_name("not");
  const Token& t = cur();
  std::string name = expect_name();
  while (skip_op(".")) name += "." + expect_name();
  if (!test_exists(name)) fail_at(t, "No test named '" + name + "'.");
  auto test = std::make_unique<FilterNode>(NodeKind::kTest, pos, std::move(node), std::move(name));
  const TokenType type = cur().type;
  if (at_op("(")) {
    parse_call_args(test->args);
  } else if ((type == TokenType::kName || type == TokenType::kString ||
              type == TokenType::kInteger || type == TokenType::kFloat || at_op("[") ||
              at_op("{")) &&
             !at_name("else") && !at_name("or") && !at_name("and")) {
    if (at_name("is")) fail_at(cur(), "You cannot chain multiple tests with is");
    test->args.positional.push_back(parse_postfix(parse_primary()));
  }
  if (negated) return std::make_unique<UnaryNode>(NodeKind::kNot, pos, std::move(test));
  return test;
}

}  // namespace qwenrt::jinja
