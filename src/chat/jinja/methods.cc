#include "chat/jinja/methods.h"

#include <algorithm>

#include "chat/jinja/arg_reader.h"
#include "chat/jinja/error.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/string_format.h"
#include "chat/jinja/unicode.h"

namespace qwenrt::jinja {
namespace {

Value str_list(const std::vector<std::string>& parts) {
  std::vector<Value> items;
  items.reserve(parts.size());
  for (const std::string& p : parts) items.push_back(Value::string(p));
  return Value::list(std::move(items));
}

bool is_linebreak(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E ||
         c == 0x85 || c == 0x2028 || c == 0x2029;
}

// The code-point range [start, end) a Python method's optional start/end arguments select.
std::u32string sub_range(const std::u32string& s, const ArgReader& a, size_t first,
                         int64_t* offset) {
  const auto n = static_cast<int64_t>(s.size());
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t i = *v < 0 ? *v + n : *v;
    return std::clamp<int64_t>(i, 0, n);
  };
  const int64_t start = clamp(a.int_arg(first), 0);
  const int64_t end = clamp(a.int_arg(first + 1), n);
  *offset = start;
  return start < end ? s.substr(start, end - start) : std::u32string();
}

// find/rfind/index/rindex/count over code points.
Value search(const std::string& self, const std::string& method, const CallArgs& args) {
  ArgReader a(args, method, {"sub", "start", "end"});
  const Value& sub_v = a.required(0);
  if (!sub_v.is_string()) fail("must be str, not " + std::string(sub_v.type_name()));
  const std::u32string s = utf8_decode(self);
  int64_t offset = 0;
  const std::u32string hay = sub_range(s, a, 1, &offset);
  const std::u32string sub = utf8_decode(sub_v.str());
  if (method == "count") {
    if (a.int_arg(1).value_or(0) > static_cast<int64_t>(s.size())) return Value::integer(0);
    if (sub.empty()) return Value::integer(static_cast<int64_t>(hay.size()) + 1);
    int64_t n = 0;
    for (size_t p = hay.find(sub); p != std::u32string::npos; p = hay.find(sub, p + sub.size()))
      ++n;
    return Value::integer(n);
  }
  const bool right = method == "rfind" || method == "rindex";
  const size_t p = right ? hay.rfind(sub) : hay.find(sub);
  if (p == std::u32string::npos) {
    if (method == "index" || method == "rindex") fail("substring not found");
    return Value::integer(-1);
  }
  return Value::integer(static_cast<int64_t>(p) + offset);
}

Value affix_test(const std::string& self, const std::string& method, const CallArgs& args) {
  ArgReader a(args, method, {"prefix", "start", "end"});
  const Value& arg = a.required(0);
  std::vector<Value> options = arg.is_tuple() ? arg.items() : std::vector<Value>{arg};
  const std::u32string s = utf8_decode(self);
  int64_t offset = 0;
  const std::string hay = utf8_encode(sub_range(s, a, 1, &offset));
  for (const Value& o : options) {
    if (!o.is_string())
      fail(method + " first arg must be str or a tuple of str, not " + o.type_name());
    const std::string& x = o.str();
    if (x.size() > hay.size()) continue;
    if (method == "startswith" ? hay.compare(0, x.size(), x) == 0
                               : hay.compare(hay.size() - x.size(), x.size(), x) == 0)
      return Value::boolean(true);
  }
  return Value::boolean(false);
}

template <typename Pred>
Value all_chars(const std::string& self, Pred pred) {
  const std::u32string s = utf8_decode(self);
  return Value::boolean(!s.empty() && std::all_of(s.begin(), s.end(), pred));
}

std::string py_title(const std::string& self) {
  std::u32string s = utf8_decode(self);
  bool prev_cased = false;
  for (char32_t& c : s) {
    const bool cased = is_upper(c) || is_lower(c);
    c = prev_cased ? to_lower(c) : to_upper(c);
    prev_cased = cased;
  }
  return utf8_encode(s);
}

std::string py_capitalize(const std::string& self) {
  std::u32string s = utf8_decode(self);
  for (size_t i = 0; i < s.size(); ++i) s[i] = i == 0 ? to_upper(s[i]) : to_lower(s[i]);
  return utf8_encode(s);
}

Value justify(const std::string& self, const std::string& method, const CallArgs& args) {
  ArgReader a(args, method, {"width", "fillchar"});
  const int64_t width = a.int_arg(0).value_or(0);
  const std::string* fill = a.str_arg(1);
  if (fill != nullptr && utf8_length(*fill) != 1)
    fail("The fill character must be exactly one character long");
  const std::string f = fill ? *fill : " ";
  const auto len = static_cast<int64_t>(utf8_length(self));
  if (width <= len) return Value::string(self);
  if (width > (1 << 24)) fail_limit("justify width too large");
  const int64_t n = width - len;
  int64_t left = 0;
  if (method == "rjust")
    left = n;
  else if (method == "center")
    left = n / 2 + (n & width & 1);  // CPython's rounding
  std::string out;
  for (int64_t i = 0; i < left; ++i) out += f;
  out += self;
  for (int64_t i = left; i < n; ++i) out += f;
  return Value::string(std::move(out));
}

Value call_str_method(Interpreter& in, const std::string& self, const std::string& name,
                      CallArgs& args) {
  in.charge_bytes(self.size());
  if (name == "startswith" || name == "endswith") return affix_test(self, name, args);
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count")
    return search(self, name, args);
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    ArgReader a(args, name, {"chars"});
    const StripSide side = name == "strip"    ? StripSide::kBoth
                           : name == "lstrip" ? StripSide::kLeft
                                              : StripSide::kRight;
    return Value::string(py_strip(self, a.str_arg(0), side));
  }
  if (name == "split" || name == "rsplit") {
    ArgReader a(args, name, {"sep", "maxsplit"});
    return str_list(py_split(self, a.str_arg(0), a.int_arg(1).value_or(-1), name == "rsplit"));
  }
  if (name == "splitlines") {
    ArgReader a(args, name, {"keepends"});
    return str_list(py_splitlines(self, a.flag(0, false)));
  }
  if (name == "replace") {
    ArgReader a(args, name, {"old", "new", "count"});
    const Value& old_v = a.required(0);
    const Value& new_v = a.required(1);
    if (!old_v.is_string() || !new_v.is_string()) fail("replace() arguments must be str");
    const std::string out = py_replace(self, old_v.str(), new_v.str(), a.int_arg(2).value_or(-1),
                                       in.limits().max_output_bytes);
    in.charge_bytes(out.size());
    return Value::string(out);
  }
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize" ||
      name == "casefold" || name == "swapcase") {
    ArgReader a(args, name, {});
    if (name == "upper") return Value::string(str_upper(self));
    if (name == "lower" || name == "casefold") return Value::string(str_lower(self));
    if (name == "title") return Value::string(py_title(self));
    if (name == "capitalize") return Value::string(py_capitalize(self));
    std::u32string s = utf8_decode(self);
    for (char32_t& c : s) c = is_upper(c) ? to_lower(c) : to_upper(c);
    return Value::string(utf8_encode(s));
  }
  if (name == "join") {
    ArgReader a(args, name, {"iterable"});
    const std::vector<Value> items = iterate(a.required(0));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string())
        fail("sequence item " + std::to_string(i) + ": expected str instance, " +
             items[i].type_name() + " found");
      if (i > 0) out += self;
      out += items[i].str();
      in.check_string_size(out.size());
    }
    in.charge_bytes(out.size());
    return Value::string(std::move(out));
  }
  if (name == "format") return Value::string(brace_format(self, args, in));
  if (name == "isdigit" || name == "isnumeric" || name == "isdecimal")
    return all_chars(self, is_digit);
  if (name == "isalpha") return all_chars(self, is_alpha);
  if (name == "isalnum")
    return all_chars(self, [](char32_t c) { return is_alpha(c) || is_digit(c); });
  if (name == "isspace") return all_chars(self, py_isspace);
  if (name == "isupper" || name == "islower") {
    const std::u32string s = utf8_decode(self);
    bool any_cased = false;
    for (char32_t c : s) {
      if (name == "isupper" ? is_lower(c) : is_upper(c)) return Value::boolean(false);
      any_cased |= is_upper(c) || is_lower(c);
    }
    return Value::boolean(any_cased);
  }
  if (name == "istitle")
    return Value::boolean(!self.empty() && py_title(self) == self &&
                          (str_lower(self) != self || str_upper(self) != self));
  if (name == "center" || name == "ljust" || name == "rjust") return justify(self, name, args);
  if (name == "zfill") {
    ArgReader a(args, name, {"width"});
    const int64_t width = a.int_arg(0).value_or(0);
    const auto len = static_cast<int64_t>(utf8_length(self));
    if (width <= len) return Value::string(self);
    if (width > (1 << 24)) fail_limit("zfill width too large");
    const bool sign = !self.empty() && (self[0] == '-' || self[0] == '+');
    return Value::string((sign ? self.substr(0, 1) : "") + std::string(width - len, '0') +
                         self.substr(sign ? 1 : 0));
  }
  if (name == "partition" || name == "rpartition") {
    ArgReader a(args, name, {"sep"});
    const std::string* sep = a.str_arg(0);
    if (sep == nullptr || sep->empty()) fail("empty separator");
    const size_t p = name == "partition" ? self.find(*sep) : self.rfind(*sep);
    if (p == std::string::npos) {
      return name == "partition"
                 ? Value::tuple({Value::string(self), Value::string(""), Value::string("")})
                 : Value::tuple({Value::string(""), Value::string(""), Value::string(self)});
    }
    return Value::tuple({Value::string(self.substr(0, p)), Value::string(*sep),
                         Value::string(self.substr(p + sep->size()))});
  }
  if (name == "removeprefix" || name == "removesuffix") {
    ArgReader a(args, name, {"affix"});
    const std::string* x = a.str_arg(0);
    if (x == nullptr) fail(name + "() argument must be str");
    if (name == "removeprefix" && self.compare(0, x->size(), *x) == 0)
      return Value::string(self.substr(x->size()));
    if (name == "removesuffix" && self.size() >= x->size() &&
        self.compare(self.size() - x->size(), x->size(), *x) == 0)
      return Value::string(self.substr(0, self.size() - x->size()));
    return Value::string(self);
  }
  fail("'str' object has no attribute '" + name + "'");
}

Value call_dict_method(Interpreter& in, const Value& self, const std::string& name,
                       CallArgs& args) {
  const Dict& d = self.dict();
  in.charge_steps(d.size());
  if (name == "get") {
    ArgReader a(args, name, {"key", "default"});
    const Value* v = d.find(a.required(0));
    return v ? *v : a.value_or(1, Value::none());
  }
  ArgReader a(args, name, {});
  if (name == "copy") return self;
  std::vector<Value> out;
  out.reserve(d.size());
  for (const auto& [k, v] : d.entries()) {
    if (name == "keys")
      out.push_back(k);
    else if (name == "values")
      out.push_back(v);
    else
      out.push_back(Value::tuple({k, v}));
  }
  return Value::sequence(std::move(out), name == "keys"     ? SeqKind::kKeys
                                         : name == "values" ? SeqKind::kValues
                                                            : SeqKind::kItems);
}

Value call_list_method(Interpreter& in, const Value& self, const std::string& name,
                       CallArgs& args) {
  const auto& items = self.items();
  in.charge_steps(items.size());
  if (name == "copy") return Value::list(items);
  ArgReader a(args, name, {"value"});
  const Value& x = a.required(0);
  if (name == "count") {
    return Value::integer(std::count_if(items.begin(), items.end(),
                                        [&](const Value& v) { return values_equal(v, x); }));
  }
  for (size_t i = 0; i < items.size(); ++i)
    if (values_equal(items[i], x)) return Value::integer(static_cast<int64_t>(i));
  fail(std::string(self.is_tuple() ? "tuple.index(x): x not in tuple"
                                   : "list.index(x): x not in list"));
}

bool one_of(const std::string& name, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

Value unsafe(const Value& obj, const std::string& name) {
  return Value::undefined("access to attribute '" + name + "' of '" + obj.type_name() +
                          "' object is unsafe.");
}

}  // namespace

std::optional<Value> lookup_method(const Value& obj, const std::string& name) {
  if (obj.is_string()) {
    static const std::initializer_list<const char*> kNames = {
        "startswith", "endswith",     "find",        "rfind",   "index",   "rindex",
        "count",      "strip",        "lstrip",      "rstrip",  "split",   "rsplit",
        "splitlines", "replace",      "upper",       "lower",   "title",   "capitalize",
        "casefold",   "swapcase",     "join",        "format",  "isdigit", "isnumeric",
        "isdecimal",  "isalpha",      "isalnum",     "isspace", "isupper", "islower",
        "istitle",    "center",       "ljust",       "rjust",   "zfill",   "partition",
        "rpartition", "removeprefix", "removesuffix"};
    if (!one_of(name, kNames)) return std::nullopt;
    return Value::callable(name, [obj, name](Interpreter& in, CallArgs& args) {
      return call_str_method(in, obj.str(), name, args);
    });
  }
  if (obj.is_dict()) {
    if (one_of(name, {"update", "pop", "popitem", "setdefault", "clear"})) return unsafe(obj, name);
    if (!one_of(name, {"get", "items", "keys", "values", "copy"})) return std::nullopt;
    return Value::callable(name, [obj, name](Interpreter& in, CallArgs& args) {
      return call_dict_method(in, obj, name, args);
    });
  }
  if (obj.is_plain_list()) {
    if (!obj.is_tuple() &&
        one_of(name, {"append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"}))
      return unsafe(obj, name);
    if (!one_of(name, {"index", "count", "copy"}) || (obj.is_tuple() && name == "copy"))
      return std::nullopt;
    return Value::callable(name, [obj, name](Interpreter& in, CallArgs& args) {
      return call_list_method(in, obj, name, args);
    });
  }
  return std::nullopt;
}

std::vector<std::string> py_split(const std::string& s, const std::string* sep, int64_t maxsplit,
                                  bool from_right) {
  std::vector<std::string> parts;
  if (maxsplit < 0) maxsplit = INT64_MAX;
  if (sep == nullptr) {
    // Runs of whitespace separate; leading/trailing whitespace yields no empty parts.
    const std::u32string cps = utf8_decode(s);
    std::vector<std::pair<size_t, size_t>> spans;  // words as code-point ranges
    if (!from_right) {
      size_t i = 0;
      while (true) {
        while (i < cps.size() && py_isspace(cps[i])) ++i;
        if (i >= cps.size()) break;
        if (static_cast<int64_t>(spans.size()) == maxsplit) {
          spans.emplace_back(i, cps.size());  // the rest keeps its trailing whitespace
          break;
        }
        size_t j = i;
        while (j < cps.size() && !py_isspace(cps[j])) ++j;
        spans.emplace_back(i, j);
        i = j;
      }
    } else {
      size_t i = cps.size();
      while (true) {
        while (i > 0 && py_isspace(cps[i - 1])) --i;
        if (i == 0) break;
        if (static_cast<int64_t>(spans.size()) == maxsplit) {
          spans.emplace_back(0, i);  // the rest keeps its leading whitespace
          break;
        }
        size_t j = i;
        while (j > 0 && !py_isspace(cps[j - 1])) --j;
        spans.emplace_back(j, i);
        i = j;
      }
      std::reverse(spans.begin(), spans.end());
    }
    for (auto [b, e] : spans)
      parts.push_back(utf8_encode(std::u32string_view(cps).substr(b, e - b)));
    return parts;
  }
  if (sep->empty()) fail("empty separator");
  if (!from_right) {
    size_t start = 0;
    for (int64_t n = 0; n < maxsplit; ++n) {
      const size_t p = s.find(*sep, start);
      if (p == std::string::npos) break;
      parts.push_back(s.substr(start, p - start));
      start = p + sep->size();
    }
    parts.push_back(s.substr(start));
    return parts;
  }
  size_t end = s.size();
  for (int64_t n = 0; n < maxsplit && end >= sep->size(); ++n) {
    const size_t p = s.rfind(*sep, end - sep->size());
    if (p == std::string::npos) break;
    parts.push_back(s.substr(p + sep->size(), end - p - sep->size()));
    end = p;
  }
  parts.push_back(s.substr(0, end));
  std::reverse(parts.begin(), parts.end());
  return parts;
}

std::vector<std::string> py_splitlines(const std::string& s, bool keepends) {
  const std::u32string cps = utf8_decode(s);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (!is_linebreak(cps[i])) continue;
    size_t brk_end = i + 1;
    if (cps[i] == '\r' && i + 1 < cps.size() && cps[i + 1] == '\n') ++brk_end;
    lines.push_back(
        utf8_encode(std::u32string_view(cps).substr(start, (keepends ? brk_end : i) - start)));
    start = brk_end;
    i = brk_end - 1;
  }
  if (start < cps.size()) lines.push_back(utf8_encode(std::u32string_view(cps).substr(start)));
  return lines;
}

std::string py_replace(const std::string& s, const std::string& old, const std::string& repl,
                       int64_t count, size_t max_bytes) {
  if (count < 0) count = INT64_MAX;
  std::string out;
  auto append_repl = [&] {
    if (out.size() + repl.size() > max_bytes)
      fail_limit("string would exceed " + std::to_string(max_bytes) + " bytes");
    out += repl;
  };
  if (old.empty()) {
    // Python inserts `repl` before every character and at the end.
    const std::u32string cps = utf8_decode(s);
    int64_t done = 0;
    for (char32_t c : cps) {
      if (done < count) append_repl(), ++done;
      utf8_append(out, c);
    }
    if (done < count) append_repl();
    return out;
  }
  size_t start = 0;
  for (int64_t n = 0; n < count; ++n) {
    const size_t p = s.find(old, start);
    if (p == std::string::npos) break;
    out.append(s, start, p - start);
    append_repl();
    start = p + old.size();
  }
  out.append(s, start, std::string::npos);
  return out;
}

}  // namespace qwenrt::jinja
