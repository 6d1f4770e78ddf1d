#include "chat/jinja/globals.h"

#include <ctime>
#include <memory>

#include "chat/jinja/arg_reader.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

Value g_range(Interpreter& in, CallArgs& args) {
  if (!args.keyword.empty()) fail("range() takes no keyword arguments");
  const auto& p = args.positional;
  if (p.empty() || p.size() > 3)
    fail("range expected at most 3 arguments, got " + std::to_string(p.size()));
  std::vector<int64_t> n;
  for (const Value& v : p) {
    if (v.is_undefined()) fail_undefined(v);
    auto i = to_index(v);
    if (!i) fail(std::string("'") + v.type_name() + "' object cannot be interpreted as an integer");
    n.push_back(*i);
  }
  const int64_t start = p.size() == 1 ? 0 : n[0];
  const int64_t stop = p.size() == 1 ? n[0] : n[1];
  const int64_t step = p.size() == 3 ? n[2] : 1;
  if (step == 0) fail("range() arg 3 must not be zero");
  // Length computed in long double so huge bounds cannot overflow.
  long double len = step > 0 ? (static_cast<long double>(stop) - start + step - 1) / step
                             : (static_cast<long double>(start) - stop - step - 1) / -step;
  if (len < 0) len = 0;
  if (len > kMaxRange)
    fail("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" +
         std::to_string(kMaxRange) + ").");
  in.charge_steps(static_cast<uint64_t>(len));
  std::vector<Value> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
    out.push_back(Value::integer(i));
  return Value::list(std::move(out));
}

// dict(mapping_or_pairs, **kwargs), as Python's dict constructor.
Dict build_dict(Interpreter& in, CallArgs& args, const char* fn) {
  if (args.positional.size() > 1)
    fail(std::string(fn) + " expected at most 1 argument, got " +
         std::to_string(args.positional.size()));
  Dict d;
  if (!args.positional.empty()) {
    const Value& src = args.positional[0];
    if (src.is_dict()) {
      d = src.dict();
    } else if (src.is_namespace()) {
      d = src.ns().attrs;
    } else {
      for (const Value& pair : iterate(src)) {
        in.tick();
        if (!pair.is_list() || pair.items().size() != 2)
          fail("dictionary update sequence element has the wrong length; 2 is required");
        d.set(pair.items()[0], pair.items()[1]);
      }
    }
  }
  for (const auto& [k, v] : args.keyword) d.set(Value::string(k), v);
  return d;
}

Value g_dict(Interpreter& in, CallArgs& args) { return Value::dict(build_dict(in, args, "dict")); }

Value g_namespace(Interpreter& in, CallArgs& args) {
  Dict attrs = build_dict(in, args, "namespace");
  for (const auto& [k, v] : attrs.entries()) {
    // transformers' TemplateNamespace refuses underscore names (sandbox escapes).
    if (k.is_string() && !k.str().empty() && k.str()[0] == '_')
      fail("Chat templates cannot store underscore-prefixed attributes on a namespace, but got " +
           to_repr(k) + ". Please rename the attribute.");
  }
  return in.new_namespace(std::move(attrs));
}

Value g_raise_exception(Interpreter&, CallArgs& args) {
  ArgReader a(args, "raise_exception", {"message"});
  throw Failure{ErrorKind::kRaised, to_str(a.value_or(0, Value::string(""))), std::nullopt};
}

Value g_strftime_now(Interpreter&, CallArgs& args) {
  ArgReader a(args, "strftime_now", {"format"});
  const std::string* format = a.str_arg(0);
  if (format == nullptr) fail("strftime_now() argument must be str");
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[512];
  const size_t n = std::strftime(buf, sizeof buf, format->c_str(), &local);
  if (n == 0 && !format->empty()) fail("strftime_now() format too long");
  return Value::string(std::string(buf, n));
}

Value g_joiner(Interpreter&, CallArgs& args) {
  ArgReader a(args, "joiner", {"sep"});
  const std::string sep = a.has(0) ? to_str(*a.get(0)) : ", ";
  auto used = std::make_shared<bool>(false);
  return Value::callable("joiner", [sep, used](Interpreter&, CallArgs&) {
    if (!*used) {
      *used = true;
      return Value::string("");
    }
    return Value::string(sep);
  });
}

struct GlobalEntry {
  const char* name;
  Value (*fn)(Interpreter&, CallArgs&);
};

constexpr GlobalEntry kGlobals[] = {
    {"range", g_range},
    {"dict", g_dict},
    {"namespace", g_namespace},
    {"raise_exception", g_raise_exception},
    {"strftime_now", g_strftime_now},
    {"joiner", g_joiner},
};

}  // namespace

std::optional<Value> lookup_global(const std::string& name) {
  for (const GlobalEntry& g : kGlobals)
    if (name == g.name) return Value::callable(g.name, g.fn);
  return std::nullopt;
}

}  // namespace qwenrt::jinja
