// Statement execution, scopes, macros and loops; expressions are in eval.cc.
#include "chat/jinja/interpreter.h"

#include "chat/jinja/arg_reader.h"
#include "chat/jinja/filters.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/tests.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {

Value* Scope::find_local(std::string_view name) {
  for (auto& [k, v] : vars)
    if (k == name) return &v;
  return nullptr;
}

void Scope::set(const std::string& name, Value value) {
  if (Value* v = find_local(name)) {
    *v = std::move(value);
    return;
  }
  vars.emplace_back(name, std::move(value));
}

namespace {
// Restores the output buffer and scope when a captured body finishes (or throws).
struct CaptureState {
  std::string*& out;
  std::shared_ptr<Scope>& scope;
  std::string* saved_out;
  std::shared_ptr<Scope> saved_scope;
  ~CaptureState() {
    out = saved_out;
    scope = std::move(saved_scope);
  }
};
}  // namespace

Interpreter::~Interpreter() {
  // Namespaces may hold each other in a cycle; emptying them all frees everything.
  for (const auto& ns : namespaces_) ns->attrs.clear();
}

std::string Interpreter::render(const Body& body, const Dict& globals) {
  root_ = std::make_shared<Scope>(nullptr);
  for (const auto& [k, v] : globals.entries())
    if (k.is_string()) root_->set(k.str(), v);
  scope_ = root_;
  std::string out;
  out_ = &out;
  exec_body(body);
  out_ = nullptr;
  return out;
}

void Interpreter::charge_steps(uint64_t n) {
  if (n > limits_.max_steps - steps_)
    fail_limit("template exceeded its budget of " + std::to_string(limits_.max_steps) +
               " evaluation steps");
  steps_ += n;
}

void Interpreter::check_string_size(size_t n) {
  if (n > limits_.max_output_bytes)
    fail_limit("string would exceed the limit of " + std::to_string(limits_.max_output_bytes) +
               " bytes");
}

void Interpreter::emit(std::string_view text) {
  if (text.size() > limits_.max_output_bytes - out_->size())
    fail_limit("rendered output would exceed the limit of " +
               std::to_string(limits_.max_output_bytes) + " bytes");
  charge_bytes(text.size());
  out_->append(text);
}

Value Interpreter::call(const Value& callee, CallArgs& args) {
  if (callee.is_callable()) return callee.callable().fn(*this, args);
  if (callee.is_object() && callee.object().call) return callee.object().call(*this, args);
  if (callee.is_undefined()) fail_undefined(callee);
  fail(std::string("'") + callee.type_name() + "' object is not callable");
}

Value Interpreter::apply_filter(const std::string& name, const Value& input, CallArgs& args) {
  return call_filter(*this, name, input, args);
}

bool Interpreter::apply_test(const std::string& name, const Value& input, CallArgs& args) {
  return call_test(*this, name, input, args);
}

Value Interpreter::new_namespace(Dict attrs) {
  auto ns = std::make_shared<Namespace>();
  ns->attrs = std::move(attrs);
  namespaces_.push_back(ns);
  return Value::ns(std::move(ns));
}

std::string Interpreter::capture(const Body& body, std::shared_ptr<Scope> scope) {
  std::string buffer;
  CaptureState restore{out_, scope_, out_, scope_};
  out_ = &buffer;
  scope_ = std::move(scope);
  exec_body(body);
  return buffer;
}

Interpreter::Flow Interpreter::exec_body(const Body& body) {
  for (const NodePtr& node : body) {
    const Flow flow = exec(*node);
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

Interpreter::Flow Interpreter::exec(const Node& node) {
  DepthGuard guard(this);
  tick();
  pos_ = node.pos;
  switch (node.kind) {
    case NodeKind::kText:
      emit(as<TextNode>(node).text);
      break;
    case NodeKind::kPrint: {
      const Value v = eval(*as<PrintNode>(node).expr);
      pos_ = node.pos;
      if (v.is_string())
        emit(v.str());
      else
        emit(to_str(v));
      break;
    }
    case NodeKind::kIf: {
      const auto& n = as<IfNode>(node);
      for (const auto& [test, body] : n.branches)
        if (eval(*test).truthy()) return exec_body(body);
      return exec_body(n.else_body);
    }
    case NodeKind::kFor:
      return exec_for(as<ForNode>(node));
    case NodeKind::kSet: {
      const auto& n = as<SetNode>(node);
      const Value v = eval(*n.value);
      pos_ = node.pos;
      assign(*n.target, v, *scope_);
      break;
    }
    case NodeKind::kSetBlock: {
      const auto& n = as<SetBlockNode>(node);
      Value v = Value::string(capture(n.body, std::make_shared<Scope>(scope_)));
      if (n.filter) v = eval_filter_chain(*n.filter, &v);
      pos_ = node.pos;
      assign(*n.target, v, *scope_);
      break;
    }
    case NodeKind::kMacro: {
      const auto& n = as<MacroNode>(node);
      scope_->set(n.name, make_macro(n.name, n.sig, n.body, &n));
      break;
    }
    case NodeKind::kCallBlock:
      exec_call_block(as<CallBlockNode>(node));
      break;
    case NodeKind::kFilterBlock: {
      const auto& n = as<FilterBlockNode>(node);
      const Value body = Value::string(capture(n.body, std::make_shared<Scope>(scope_)));
      emit(to_str(eval_filter_chain(*n.filter, &body)));
      break;
    }
    case NodeKind::kWith: {
      const auto& n = as<WithNode>(node);
      auto inner = std::make_shared<Scope>(scope_);
      for (const auto& [target, value] : n.assignments) assign(*target, eval(*value), *inner);
      CaptureState restore{out_, scope_, out_, scope_};
      scope_ = inner;
      return exec_body(n.body);
    }
    case NodeKind::kScope: {
      CaptureState restore{out_, scope_, out_, scope_};
      scope_ = std::make_shared<Scope>(scope_);
      return exec_body(as<ScopeNode>(node).body);
    }
    case NodeKind::kBreak:
      return Flow::kBreak;
    case NodeKind::kContinue:
      return Flow::kContinue;
    default:
      fail("expression used as a statement");
  }
  return Flow::kNormal;
}

void Interpreter::assign(const Node& target, const Value& value, Scope& scope) {
  if (target.kind == NodeKind::kName) {
    scope.set(as<NameNode>(target).name, value);
    return;
  }
  if (target.kind == NodeKind::kTuple) {
    const auto& names = as<SequenceNode>(target).items;
    const std::vector<Value> items = iterate(value);
    if (items.size() > names.size())
      fail("too many values to unpack (expected " + std::to_string(names.size()) + ")");
    if (items.size() < names.size())
      fail("not enough values to unpack (expected " + std::to_string(names.size()) + ", got " +
           std::to_string(items.size()) + ")");
    for (size_t i = 0; i < names.size(); ++i) assign(*names[i], items[i], scope);
    return;
  }
  // {% set ns.attr = value %}
  const auto& ref = as<GetAttrNode>(target);
  const Value ns = lookup(as<NameNode>(*ref.object).name);
  if (!ns.is_namespace()) fail("cannot assign attribute on non-namespace object");
  if (!ref.name.empty() && ref.name[0] == '_')
    fail("Chat templates cannot store underscore-prefixed attributes on a namespace, but got '" +
         ref.name + "'. Please rename the attribute.");
  ns.ns().attrs.set(Value::string(ref.name), value);
}

Value Interpreter::make_macro(const std::string& name, const Signature& sig, const Body& body,
                              const MacroNode* macro) {
  std::weak_ptr<Scope> def = scope_;
  return Value::callable(name, [name, &sig, &body, macro, def](Interpreter& in, CallArgs& args) {
    return in.call_macro(name, sig, body, macro, def, args);
  });
}

Value Interpreter::call_macro(const std::string& name, const Signature& sig, const Body& body,
                              const MacroNode* macro, const std::weak_ptr<Scope>& def_scope,
                              CallArgs& args) {
  DepthGuard guard(this);
  std::shared_ptr<Scope> parent = def_scope.lock();
  auto scope = std::make_shared<Scope>(parent ? parent : root_);
  // A call block's caller (macro == null) takes any extra arguments.
  const bool varargs = macro == nullptr || macro->uses_varargs;
  const bool kwargs = macro == nullptr || macro->uses_kwargs;
  const size_t np = sig.params.size();
  std::vector<const Value*> bound(np, nullptr);
  std::vector<Value> extra_positional;
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i < np)
      bound[i] = &args.positional[i];
    else
      extra_positional.push_back(args.positional[i]);
  }
  if (!extra_positional.empty() && !varargs)
    fail("macro '" + name + "' takes not more than " + std::to_string(np) + " argument(s)");
  Dict extra_keyword;
  for (const auto& [key, value] : args.keyword) {
    size_t i = 0;
    while (i < np && sig.params[i] != key) ++i;
    if (i < np) {
      // jinja2 reports an argument given twice as an unexpected keyword.
      if (bound[i] != nullptr) fail("macro '" + name + "' takes no keyword argument '" + key + "'");
      bound[i] = &value;
    } else if (key == "caller") {
      scope->set("caller", value);
    } else if (kwargs) {
      extra_keyword.set(Value::string(key), value);
    } else {
      fail("macro '" + name + "' takes no keyword argument '" + key + "'");
    }
  }
  CaptureState restore{out_, scope_, out_, scope_};
  scope_ = scope;  // defaults see the parameters bound before them
  const size_t first_default = np - sig.defaults.size();
  for (size_t i = 0; i < np; ++i) {
    if (bound[i] != nullptr)
      scope->set(sig.params[i], *bound[i]);
    else if (i >= first_default)
      scope->set(sig.params[i], eval(*sig.defaults[i - first_default]));
    else
      scope->set(sig.params[i],
                 Value::undefined("parameter '" + sig.params[i] + "' was not provided"));
  }
  if (varargs) scope->set("varargs", Value::tuple(std::move(extra_positional)));
  if (kwargs) scope->set("kwargs", Value::dict(std::move(extra_keyword)));
  return Value::string(capture(body, scope));
}

void Interpreter::exec_call_block(const CallBlockNode& node) {
  const Value caller = make_macro("caller", node.sig, node.body, nullptr);
  const auto& call_node = as<CallNode>(*node.call);
  const Value callee = eval(*call_node.callee);
  CallArgs args = eval_args(call_node.args);
  args.keyword.emplace_back("caller", caller);
  pos_ = node.pos;
  emit(to_str(call(callee, args)));
}

Interpreter::Flow Interpreter::exec_for(const ForNode& node) {
  const Value iterable = eval(*node.iter);
  pos_ = node.pos;
  run_loop(node, iterable, 1);
  return Flow::kNormal;
}

Interpreter::Flow Interpreter::run_loop(const ForNode& node, const Value& iterable, int depth) {
  std::vector<Value> items = iterate(iterable);
  std::shared_ptr<Scope> outer = scope_;
  CaptureState restore{out_, scope_, out_, scope_};
  if (node.filter) {  // for x in y if cond: filtered before the loop sees its length
    std::vector<Value> kept;
    for (Value& item : items) {
      tick();
      auto s = std::make_shared<Scope>(outer);
      assign(*node.target, item, *s);
      scope_ = s;
      if (eval(*node.filter).truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    scope_ = std::make_shared<Scope>(outer);
    exec_body(node.else_body);
    return Flow::kNormal;
  }
  const auto n = static_cast<int64_t>(items.size());
  auto last_changed = std::make_shared<Value>();
  std::weak_ptr<Scope> weak_outer = outer;
  NativeFn recurse;
  if (node.recursive) {
    recurse = [&node, depth, weak_outer](Interpreter& in, CallArgs& args) {
      ArgReader a(args, "loop", {"iterable"});
      const Value it = a.required(0);
      std::shared_ptr<Scope> scope = weak_outer.lock();
      std::string buffer;
      CaptureState restore{in.out_, in.scope_, in.out_, in.scope_};
      in.out_ = &buffer;
      in.scope_ = scope ? scope : in.root_;
      DepthGuard guard(&in);
      in.run_loop(node, it, depth + 1);
      return Value::string(std::move(buffer));
    };
  }
  for (int64_t i = 0; i < n; ++i) {
    if (++loop_iterations_ > limits_.max_loop_iterations)
      fail_limit("template exceeded its budget of " + std::to_string(limits_.max_loop_iterations) +
                 " loop iterations");
    tick();
    auto s = std::make_shared<Scope>(outer);
    assign(*node.target, items[i], *s);
    auto loop = std::make_shared<Object>();
    loop->type_name = "LoopContext";
    loop->repr = "<LoopContext " + std::to_string(i + 1) + "/" + std::to_string(n) + ">";
    loop->call = recurse;
    Dict& a = loop->attrs;
    a.set(Value::string("index"), Value::integer(i + 1));
    a.set(Value::string("index0"), Value::integer(i));
    a.set(Value::string("revindex"), Value::integer(n - i));
    a.set(Value::string("revindex0"), Value::integer(n - i - 1));
    a.set(Value::string("first"), Value::boolean(i == 0));
    a.set(Value::string("last"), Value::boolean(i == n - 1));
    a.set(Value::string("length"), Value::integer(n));
    a.set(Value::string("depth"), Value::integer(depth));
    a.set(Value::string("depth0"), Value::integer(depth - 1));
    a.set(Value::string("previtem"),
          i > 0 ? items[i - 1] : Value::undefined("there is no previous item"));
    a.set(Value::string("nextitem"),
          i + 1 < n ? items[i + 1] : Value::undefined("there is no next item"));
    a.set(Value::string("cycle"), Value::callable("cycle", [i](Interpreter&, CallArgs& args) {
            if (args.positional.empty()) fail("no items for cycling given");
            return args.positional[static_cast<size_t>(i) % args.positional.size()];
          }));
    a.set(Value::string("changed"),
          Value::callable("changed", [last_changed](Interpreter&, CallArgs& args) {
            const Value now = Value::tuple(args.positional);
            if (!last_changed->is_undefined() && values_equal(*last_changed, now))
              return Value::boolean(false);
            *last_changed = now;
            return Value::boolean(true);
          }));
    s->set("loop", Value::object(std::move(loop)));
    scope_ = s;
    const Flow flow = exec_body(node.body);
    if (flow == Flow::kBreak) break;
  }
  return Flow::kNormal;
}

}  // namespace qwenrt::jinja
