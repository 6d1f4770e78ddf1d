// Expression evaluation.
#include "chat/jinja/globals.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {

Value Interpreter::lookup(const std::string& name) {
  for (Scope* s = scope_.get(); s != nullptr; s = s->parent.get())
    if (Value* v = s->find_local(name)) return *v;
  if (auto g = lookup_global(name)) return *g;
  return Value::undefined("'" + name + "' is undefined");
}

CallArgs Interpreter::eval_args(const ArgsNode& args) {
  CallArgs out;
  out.positional.reserve(args.positional.size());
  for (const NodePtr& p : args.positional) out.positional.push_back(eval(*p));
  for (const auto& [key, value] : args.keyword) out.keyword.emplace_back(key, eval(*value));
  if (args.star_args) {
    for (Value& v : iterate(eval(*args.star_args))) out.positional.push_back(std::move(v));
  }
  if (args.star_kwargs) {
    const Value kw = eval(*args.star_kwargs);
    if (!kw.is_dict())
      fail(std::string("argument after ** must be a mapping, not ") + kw.type_name());
    for (const auto& [k, v] : kw.dict().entries()) {
      if (!k.is_string()) fail("keywords must be strings");
      out.keyword.emplace_back(k.str(), v);
    }
  }
  return out;
}

Value Interpreter::eval_filter_chain(const Node& node, const Value* block_input) {
  const auto& n = as<FilterNode>(node);
  Value input;
  if (!n.input) {
    if (block_input == nullptr) fail("filter without input");
    input = *block_input;
  } else if (n.input->kind == NodeKind::kFilter) {
    input = eval_filter_chain(*n.input, block_input);
  } else {
    input = eval(*n.input);
  }
  CallArgs args = eval_args(n.args);
  pos_ = n.pos;
  return apply_filter(n.name, input, args);
}

Value Interpreter::eval_compare(const CompareNode& node) {
  Value left = eval(*node.first);
  for (const auto& [op, expr] : node.rest) {
    Value right = eval(*expr);
    pos_ = node.pos;
    if (!compare(op, left, right)) return Value::boolean(false);
    left = std::move(right);
  }
  return Value::boolean(true);
}

Value Interpreter::eval(const Node& node) {
  DepthGuard guard(this);
  tick();
  switch (node.kind) {
    case NodeKind::kLiteral:
      return as<LiteralNode>(node).value;
    case NodeKind::kName:
      return lookup(as<NameNode>(node).name);
    case NodeKind::kList:
    case NodeKind::kTuple: {
      std::vector<Value> items;
      for (const NodePtr& item : as<SequenceNode>(node).items) items.push_back(eval(*item));
      pos_ = node.pos;
      return node.kind == NodeKind::kList ? Value::list(std::move(items))
                                          : Value::tuple(std::move(items));
    }
    case NodeKind::kDict: {
      Dict d;
      for (const auto& [key, value] : as<DictNode>(node).items) {
        Value k = eval(*key);
        Value v = eval(*value);
        pos_ = node.pos;
        if (k.is_list() && !k.is_tuple()) fail("unhashable type: 'list'");
        if (k.is_dict()) fail("unhashable type: 'dict'");
        d.set(std::move(k), std::move(v));
      }
      return Value::dict(std::move(d));
    }
    case NodeKind::kGetAttr: {
      const auto& n = as<GetAttrNode>(node);
      const Value obj = eval(*n.object);
      pos_ = node.pos;
      return get_attr(obj, n.name);
    }
    case NodeKind::kGetItem: {
      const auto& n = as<GetItemNode>(node);
      const Value obj = eval(*n.object);
      if (n.index->kind == NodeKind::kSlice) {
        const auto& s = as<SliceNode>(*n.index);
        const Value start = s.start ? eval(*s.start) : Value::none();
        const Value stop = s.stop ? eval(*s.stop) : Value::none();
        const Value step = s.step ? eval(*s.step) : Value::none();
        pos_ = node.pos;
        return get_slice(obj, start, stop, step);
      }
      const Value key = eval(*n.index);
      pos_ = node.pos;
      return get_item(obj, key);
    }
    case NodeKind::kCall: {
      const auto& n = as<CallNode>(node);
      const Value callee = eval(*n.callee);
      CallArgs args = eval_args(n.args);
      pos_ = node.pos;
      return call(callee, args);
    }
    case NodeKind::kFilter:
      return eval_filter_chain(node, nullptr);
    case NodeKind::kTest: {
      const auto& n = as<FilterNode>(node);
      const Value input = eval(*n.input);
      CallArgs args = eval_args(n.args);
      pos_ = node.pos;
      return Value::boolean(apply_test(n.name, input, args));
    }
    case NodeKind::kNot:
      return Value::boolean(!eval(*as<UnaryNode>(node).operand).truthy());
    case NodeKind::kNeg:
    case NodeKind::kPos: {
      const Value v = eval(*as<UnaryNode>(node).operand);
      pos_ = node.pos;
      return node.kind == NodeKind::kNeg ? negate(v) : unary_plus(v);
    }
    case NodeKind::kBinary: {
      const auto& n = as<BinaryNode>(node);
      const Value a = eval(*n.left);
      const Value b = eval(*n.right);
      pos_ = node.pos;
      return binary_op(n.op, a, b, *this);
    }
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      // Python's and/or: short-circuit and yield an operand, not a bool.
      const auto& n = as<BinaryNode>(node);
      Value a = eval(*n.left);
      if (a.truthy() == (node.kind == NodeKind::kOr)) return a;
      return eval(*n.right);
    }
    case NodeKind::kCompare:
      return eval_compare(as<CompareNode>(node));
    case NodeKind::kCondExpr: {
      const auto& n = as<CondExprNode>(node);
      if (eval(*n.test).truthy()) return eval(*n.then_expr);
      if (n.else_expr) return eval(*n.else_expr);
      return Value::undefined(
          "the inline if-expression evaluated to false and no else section was defined.");
    }
    case NodeKind::kConcat: {
      std::string out;
      for (const NodePtr& item : as<SequenceNode>(node).items) {
        const Value v = eval(*item);
        append_str(out, v);
        check_string_size(out.size());
      }
      charge_bytes(out.size());
      return Value::string(std::move(out));
    }
    default:
      pos_ = node.pos;
      fail("unexpected slice outside of a subscript");
  }
}

}  // namespace qwenrt::jinja
