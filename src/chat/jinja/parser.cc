// Statement parsing; expressions are in parser_expr.cc.
#include "chat/jinja/parser.h"

#include "chat/jinja/parser_impl.h"

namespace qwenrt::jinja {

Body parse(const std::vector<Token>& tokens, const Limits& limits) {
  return Parser(tokens, limits).parse_template();
}

void Parser::DepthGuard::add(int n) {
  n_ += n;
  p_->depth_ += n;
  if (p_->depth_ > p_->limits_.max_parse_depth) {
    throw Failure{ErrorKind::kLimit,
                  "template nested too deeply (more than " +
                      std::to_string(p_->limits_.max_parse_depth) + " levels)",
                  p_->cur().pos};
  }
}

// Tokens ------------------------------------------------------------------------------

bool Parser::at_name(std::string_view name) const {
  return cur().type == TokenType::kName && cur().text == name;
}

bool Parser::at_op(std::string_view op) const {
  return cur().type == TokenType::kOperator && cur().text == op;
}

bool Parser::skip_name(std::string_view name) {
  if (!at_name(name)) return false;
  advance();
  return true;
}

bool Parser::skip_op(std::string_view op) {
  if (!at_op(op)) return false;
  advance();
  return true;
}

std::string Parser::describe(const Token& t) {
  switch (t.type) {
    case TokenType::kName:
    case TokenType::kOperator:
      return t.text;
    case TokenType::kString:
      return "string";
    case TokenType::kInteger:
      return "integer";
    case TokenType::kFloat:
      return "float";
    case TokenType::kVariableBegin:
      return "begin of print statement";
    case TokenType::kVariableEnd:
      return "end of print statement";
    case TokenType::kBlockBegin:
      return "begin of statement block";
    case TokenType::kBlockEnd:
      return "end of statement block";
    case TokenType::kText:
      return "template data";
    case TokenType::kEnd:
      return "end of template";
  }
  return "token";
}

void Parser::fail_at(const Token& t, const std::string& message) const {
  throw Failure{ErrorKind::kSyntax, message, t.pos};
}

void Parser::expect_op(std::string_view op) {
  if (skip_op(op)) return;
  if (cur().type == TokenType::kEnd)
    fail_at(cur(), "unexpected end of template, expected '" + std::string(op) + "'.");
  fail_at(cur(), "expected token '" + std::string(op) + "', got '" + describe(cur()) + "'");
}

void Parser::expect(TokenType type) {
  if (cur().type == type) {
    advance();
    return;
  }
  const Token wanted{type, "", 0, 0, 0};
  if (cur().type == TokenType::kEnd)
    fail_at(cur(), "unexpected end of template, expected '" + describe(wanted) + "'.");
  fail_at(cur(), "expected token '" + describe(wanted) + "', got '" + describe(cur()) + "'");
}

std::string Parser::expect_name() {
  if (cur().type != TokenType::kName) {
    if (cur().type == TokenType::kEnd)
      fail_at(cur(), "unexpected end of template, expected 'name'.");
    fail_at(cur(), "expected token 'name', got '" + describe(cur()) + "'");
  }
  std::string name = cur().text;
  advance();
  return name;
}

// Statements --------------------------------------------------------------------------

Body Parser::parse_template() {
  Body body = subparse({});
  if (cur().type != TokenType::kEnd) fail_at(cur(), "unexpected '" + describe(cur()) + "'");
  return body;
}

Body Parser::subparse(const std::vector<std::string_view>& end_names) {
  Body body;
  if (!end_names.empty()) end_stack_.push_back(end_names);
  while (cur().type != TokenType::kEnd) {
    const Token& t = cur();
    if (t.type == TokenType::kText) {
      body.push_back(std::make_unique<TextNode>(t.pos, t.text));
      advance();
    } else if (t.type == TokenType::kVariableBegin) {
      advance();
      NodePtr expr = parse_tuple(false, true, {}, false);
      expect(TokenType::kVariableEnd);
      body.push_back(std::make_unique<PrintNode>(t.pos, std::move(expr)));
    } else if (t.type == TokenType::kBlockBegin) {
      advance();
      if (cur().type == TokenType::kName) {
        for (std::string_view end : end_names) {
          if (cur().text == end) {
            end_stack_.pop_back();
            return body;
          }
        }
      }
      body.push_back(parse_statement());
      expect(TokenType::kBlockEnd);
    } else {
      fail_at(t, "unexpected '" + describe(t) + "'");
    }
  }
  if (!end_names.empty()) end_stack_.pop_back();
  return body;
}

Body Parser::parse_statements(const std::vector<std::string_view>& end_names, bool drop_needle) {
  skip_op(":");  // jinja2 accepts {% for x in y: %}
  expect(TokenType::kBlockEnd);
  const size_t open = end_stack_.size();
  Body body = subparse(end_names);
  if (cur().type == TokenType::kEnd) {
    end_stack_.resize(open);
    end_stack_.push_back(end_names);
    fail_unknown_tag(nullptr);
  }
  if (drop_needle) advance();
  return body;
}

void Parser::fail_unknown_tag(const Token* t) const {
  std::string message =
      t == nullptr ? "Unexpected end of template." : "Encountered unknown tag '" + t->text + "'.";
  if (!end_stack_.empty()) {
    std::string looking;
    for (std::string_view e : end_stack_.back()) {
      if (!looking.empty()) looking += " or ";
      looking += "'" + std::string(e) + "'";
    }
    bool expected_elsewhere = false;
    if (t != nullptr)
      for (const auto& names : end_stack_)
        for (std::string_view e : names) expected_elsewhere |= e == t->text;
    message += expected_elsewhere
                   ? " You probably made a nesting mistake. Jinja is expecting this tag, but "
                     "currently looking for " +
                         looking + "."
                   : " Jinja was looking for the following tags: " + looking + ".";
  }
  if (!open_blocks_.empty())
    message += " The innermost block that needs to be closed is '" + open_blocks_.back() + "'.";
  fail_at(t != nullptr ? *t : cur(), message);
}

NodePtr Parser::parse_statement() {
  const Token& t = cur();
  if (t.type != TokenType::kName) fail_at(t, "tag name expected");
  DepthGuard guard(this);
  const std::string& name = t.text;
  if (name == "if") return parse_if();
  if (name == "for") return parse_for();
  if (name == "set") return parse_set();
  if (name == "macro") return parse_macro();
  if (name == "call") return parse_call_block();
  if (name == "filter") return parse_filter_block();
  if (name == "with") return parse_with();
  if (name == "generation") return parse_scope_block("endgeneration");
  if (name == "print") {
    advance();
    return std::make_unique<PrintNode>(t.pos, parse_tuple(false, true, {}, false));
  }
  if (name == "break" || name == "continue") {
    if (loop_depth_ == 0)
      fail_at(t, name == "break" ? "'break' outside loop" : "'continue' not properly in loop");
    advance();
    return std::make_unique<Node>(name == "break" ? NodeKind::kBreak : NodeKind::kContinue, t.pos);
  }
  if (name == "block" || name == "extends" || name == "include" || name == "import" ||
      name == "from" || name == "autoescape") {
    fail_at(t, "the '" + name + "' tag is not supported in chat templates");
  }
  fail_unknown_tag(&t);
}

NodePtr Parser::parse_if() {
  auto node = std::make_unique<IfNode>(cur().pos);
  advance();
  open_blocks_.push_back("if");
  while (true) {
    NodePtr test = parse_tuple(false, false, {}, false);
    Body body = parse_statements({"elif", "else", "endif"}, false);
    node->branches.emplace_back(std::move(test), std::move(body));
    const std::string tag = cur().text;
    advance();
    if (tag == "elif") continue;
    if (tag == "else") node->else_body = parse_statements({"endif"}, true);
    break;
  }
  open_blocks_.pop_back();
  return node;
}

NodePtr Parser::parse_for() {
  auto node = std::make_unique<ForNode>(cur().pos);
  advance();
  node->target = parse_assign_target(true, false, {"in"});
  if (!skip_name("in")) fail_at(cur(), "expected token 'in', got '" + describe(cur()) + "'");
  node->iter = parse_tuple(false, false, {"recursive"}, false);
  if (skip_name("if")) node->filter = parse_expression();
  node->recursive = skip_name("recursive");
  open_blocks_.push_back("for");
  ++loop_depth_;
  node->body = parse_statements({"endfor", "else"}, false);
  --loop_depth_;
  const bool has_else = cur().text == "else";
  advance();
  if (has_else) node->else_body = parse_statements({"endfor"}, true);
  open_blocks_.pop_back();
  return node;
}

NodePtr Parser::parse_set() {
  const uint32_t pos = cur().pos;
  advance();
  NodePtr target = parse_assign_target(true, true, {});
  if (skip_op("=")) {
    auto node = std::make_unique<SetNode>(pos);
    node->target = std::move(target);
    node->value = parse_tuple(false, true, {}, false);
    return node;
  }
  auto node = std::make_unique<SetBlockNode>(pos);
  node->target = std::move(target);
  node->filter = parse_filter(nullptr, false);
  open_blocks_.push_back("set");
  node->body = parse_statements({"endset"}, true);
  open_blocks_.pop_back();
  return node;
}

void Parser::parse_signature(Signature& sig) {
  expect_op("(");
  while (!at_op(")")) {
    if (!sig.params.empty()) expect_op(",");
    const Token& t = cur();
    std::string name = expect_name();
    if (name == "true" || name == "false" || name == "none" || name == "True" || name == "False" ||
        name == "None")
      fail_at(t, "can't assign to 'const'");
    if (skip_op("=")) {
      sig.defaults.push_back(parse_expression());
    } else if (!sig.defaults.empty()) {
      fail_at(t, "non-default argument follows default argument");
    }
    sig.params.push_back(std::move(name));
  }
  expect_op(")");
}

NodePtr Parser::parse_macro() {
  auto node = std::make_unique<MacroNode>(cur().pos);
  advance();
  node->name = expect_name();
  macros_.push_back(node.get());
  parse_signature(node->sig);
  const int saved_loops = loop_depth_;
  loop_depth_ = 0;  // a macro body is a function: break cannot leave it
  open_blocks_.push_back("macro");
  node->body = parse_statements({"endmacro"}, true);
  open_blocks_.pop_back();
  loop_depth_ = saved_loops;
  macros_.pop_back();
  return node;
}

NodePtr Parser::parse_call_block() {
  auto node = std::make_unique<CallBlockNode>(cur().pos);
  advance();
  if (at_op("(")) parse_signature(node->sig);
  node->call = parse_expression();
  if (node->call->kind != NodeKind::kCall) fail_at(cur(), "expected call");
  macros_.push_back(nullptr);  // names in the body belong to the caller, not the macro
  const int saved_loops = loop_depth_;
  loop_depth_ = 0;
  open_blocks_.push_back("call");
  node->body = parse_statements({"endcall"}, true);
  open_blocks_.pop_back();
  loop_depth_ = saved_loops;
  macros_.pop_back();
  return node;
}

NodePtr Parser::parse_filter_block() {
  auto node = std::make_unique<FilterBlockNode>(cur().pos);
  advance();
  node->filter = parse_filter(nullptr, true);
  open_blocks_.push_back("filter");
  node->body = parse_statements({"endfilter"}, true);
  open_blocks_.pop_back();
  return node;
}

NodePtr Parser::parse_with() {
  auto node = std::make_unique<WithNode>(cur().pos);
  advance();
  while (cur().type != TokenType::kBlockEnd) {
    if (!node->assignments.empty()) expect_op(",");
    NodePtr target = parse_assign_target(true, false, {});
    expect_op("=");
    node->assignments.emplace_back(std::move(target), parse_expression());
  }
  open_blocks_.push_back("with");
  node->body = parse_statements({"endwith"}, true);
  open_blocks_.pop_back();
  return node;
}

NodePtr Parser::parse_scope_block(std::string_view end_name) {
  auto node = std::make_unique<ScopeNode>(cur().pos);
  open_blocks_.push_back(cur().text);
  advance();
  node->body = parse_statements({end_name}, true);
  open_blocks_.pop_back();
  return node;
}

namespace {
bool can_assign(const Node& n) {
  if (n.kind == NodeKind::kName) return true;
  if (n.kind != NodeKind::kTuple) return false;
  for (const NodePtr& item : as<SequenceNode>(n).items)
    if (!can_assign(*item)) return false;
  return true;
}
}  // namespace

NodePtr Parser::parse_assign_target(bool with_tuple, bool with_namespace,
                                    const std::vector<std::string_view>& extra_end) {
  const Token& start = cur();
  if (with_namespace && start.type == TokenType::kName && peek().type == TokenType::kOperator &&
      peek().text == ".") {
    auto object = std::make_unique<NameNode>(start.pos, start.text);
    advance();
    advance();
    std::string attr = expect_name();
    return std::make_unique<GetAttrNode>(start.pos, std::move(object), std::move(attr));
  }
  NodePtr target = with_tuple ? parse_tuple(true, true, extra_end, false) : parse_primary();
  if (!can_assign(*target)) {
    const char* what = target->kind == NodeKind::kLiteral ? "const" : "expression";
    fail_at(start, std::string("can't assign to '") + what + "'");
  }
  return target;
}

}  // namespace qwenrt::jinja
