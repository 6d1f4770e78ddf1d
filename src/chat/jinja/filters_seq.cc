// Filters over sequences and mappings: first/last/length/join, sort/unique/min/max,
// map/select/reject, items/dictsort, batch/slice/groupby. jinja2 returns generators for
// some of these (map, select, reverse...); here they return lists, which print
// differently only if a template prints the generator object itself.
#include <algorithm>

#include "chat/jinja/arg_reader.h"
#include "chat/jinja/error.h"
#include "chat/jinja/filters_impl.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/unicode.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

// The sort/min/max key: an attribute path (or "a,b" list of paths), maybe lower-cased.
std::vector<Value> sort_key(const Value& item, const Value& attribute, bool case_sensitive,
                            bool multi) {
  std::vector<Value> parts;
  if (multi && attribute.is_string()) {
    const std::string& s = attribute.str();
    size_t start = 0;
    while (true) {
      const size_t comma = s.find(',', start);
      parts.push_back(
          get_attribute_path(item, Value::string(s.substr(start, comma - start)), Value()));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    parts.push_back(get_attribute_path(item, attribute, Value()));
  }
  if (!case_sensitive)
    for (Value& p : parts) p = ignore_case(p);
  return parts;
}

// jinja2 implements these filters as generators: nothing runs until the result is
// iterated, so an error (a non-iterable input, a bad argument) is deferred until then,
// and the result is truthy even when it yields nothing.
template <typename Produce>
Value lazily(Produce produce) {
  try {
    return Value::sequence(produce(), SeqKind::kIterator);
  } catch (const Failure& f) {
    if (f.kind != ErrorKind::kRuntime) throw;
    return Value::failed_iterator(f.message);
  }
}

bool key_less(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (values_equal(a[i], b[i])) continue;
    return less_than(a[i], b[i]);
  }
  return a.size() < b.size();
}

Value f_first(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "first", {});
  const std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Value f_last(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "last", {});
  if (v.is_iterator()) fail("'generator' object is not reversible");
  const std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value f_length(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "length", {});
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return Value::integer(0);
    case Value::Kind::kString:
      return Value::integer(static_cast<int64_t>(utf8_length(v.str())));
    case Value::Kind::kList:
      if (v.is_iterator()) fail("object of type 'generator' has no len()");
      return Value::integer(static_cast<int64_t>(v.items().size()));
    case Value::Kind::kDict:
      return Value::integer(static_cast<int64_t>(v.dict().size()));
    default:
      fail(std::string("object of type '") + v.type_name() + "' has no len()");
  }
}

Value f_list(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "list", {});
  std::vector<Value> items = iterate(v);
  in.charge_steps(items.size());
  return Value::list(std::move(items));
}

Value f_join(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "join", {"d", "attribute"});
  const std::string sep = a.has(0) ? to_str(*a.get(0)) : "";
  const Value attribute = a.value_or(1, Value::none());
  std::string out;
  bool first = true;
  for (const Value& item : iterate(v)) {
    if (!first) out += sep;
    first = false;
    append_str(out, attribute.is_none() ? item : get_attribute_path(item, attribute, Value()));
    in.check_string_size(out.size());
  }
  in.charge_bytes(out.size());
  return Value::string(std::move(out));
}

Value f_reverse(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "reverse", {});
  if (v.is_string()) {
    std::u32string s = utf8_decode(v.str());
    std::reverse(s.begin(), s.end());
    return Value::string(utf8_encode(s));
  }
  std::vector<Value> items = iterate(v);
  std::reverse(items.begin(), items.end());
  // reversed(seq) is an iterator; a generator cannot be reversed, so jinja2 lists it first.
  return Value::sequence(std::move(items), v.is_iterator() ? SeqKind::kList : SeqKind::kIterator);
}

Value f_items(Interpreter& in, const Value& v, CallArgs& args) {
  return lazily([&] {
    ArgReader a(args, "items", {});
    std::vector<Value> out;
    if (v.is_undefined()) return out;
    if (!v.is_dict()) fail("Can only get item pairs from a mapping.");
    in.charge_steps(v.dict().size());
    for (const auto& [k, val] : v.dict().entries()) out.push_back(Value::tuple({k, val}));
    return out;
  });
}

Value f_dictsort(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "dictsort", {"case_sensitive", "by", "reverse"});
  if (!v.is_dict()) fail(std::string("'") + v.type_name() + "' object has no attribute 'items'");
  const std::string by = a.has(1) ? to_str(*a.get(1)) : "key";
  if (by != "key" && by != "value") fail("You can only sort by either \"key\" or \"value\"");
  const bool cs = a.flag(0, false), reverse = a.flag(2, false);
  std::vector<Value> pairs;
  for (const auto& [k, val] : v.dict().entries()) pairs.push_back(Value::tuple({k, val}));
  in.charge_steps(pairs.size() * 16);
  auto key = [&](const Value& p) {
    return cs ? p.items()[by == "key" ? 0 : 1] : ignore_case(p.items()[by == "key" ? 0 : 1]);
  };
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
    return reverse ? less_than(key(y), key(x)) : less_than(key(x), key(y));
  });
  return Value::list(std::move(pairs));
}

Value f_sort(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "sort", {"reverse", "case_sensitive", "attribute"});
  const bool reverse = a.flag(0, false), cs = a.flag(1, false);
  const Value attribute = a.value_or(2, Value::none());
  std::vector<Value> items = iterate(v);
  in.charge_steps(items.size() * 16);
  std::vector<std::pair<std::vector<Value>, Value>> keyed;
  for (Value& item : items)
    keyed.emplace_back(sort_key(item, attribute, cs, true), std::move(item));
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    return reverse ? key_less(y.first, x.first) : key_less(x.first, y.first);
  });
  std::vector<Value> out;
  for (auto& [k, item] : keyed) out.push_back(std::move(item));
  return Value::list(std::move(out));
}

Value f_unique(Interpreter& in, const Value& v, CallArgs& args) {
  return lazily([&] {
    ArgReader a(args, "unique", {"case_sensitive", "attribute"});
    const bool cs = a.flag(0, false);
    const Value attribute = a.value_or(1, Value::none());
    std::vector<Value> seen, out;
    for (const Value& item : iterate(v)) {
      const Value key = sort_key(item, attribute, cs, false)[0];
      in.charge_steps(seen.size() + 1);
      if (std::none_of(seen.begin(), seen.end(),
                       [&](const Value& s) { return values_equal(s, key); })) {
        seen.push_back(key);
        out.push_back(item);
      }
    }
    return out;
  });
}

Value min_or_max(Interpreter& in, const Value& v, CallArgs& args, bool want_max) {
  ArgReader a(args, want_max ? "max" : "min", {"case_sensitive", "attribute"});
  const bool cs = a.flag(0, false);
  const Value attribute = a.value_or(1, Value::none());
  const std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  in.charge_steps(items.size());
  size_t best = 0;
  std::vector<Value> best_key = sort_key(items[0], attribute, cs, false);
  for (size_t i = 1; i < items.size(); ++i) {
    std::vector<Value> k = sort_key(items[i], attribute, cs, false);
    if (want_max ? key_less(best_key, k) : key_less(k, best_key)) best = i, best_key = std::move(k);
  }
  return items[best];
}

Value f_max(Interpreter& in, const Value& v, CallArgs& args) {
  return min_or_max(in, v, args, true);
}
Value f_min(Interpreter& in, const Value& v, CallArgs& args) {
  return min_or_max(in, v, args, false);
}

Value f_sum(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "sum", {"attribute", "start"});
  const Value attribute = a.value_or(0, Value::none());
  Value total = a.value_or(1, Value::integer(0));
  for (const Value& item : iterate(v)) {
    in.tick();
    total =
        binary_op(BinaryOp::kAdd, total,
                  attribute.is_none() ? item : get_attribute_path(item, attribute, Value()), in);
  }
  return total;
}

Value f_map(Interpreter& in, const Value& v, CallArgs& args) {
  return lazily([&] {
    std::vector<Value> out;
    const std::vector<Value> items = iterate(v);
    if (args.positional.empty()) {
      Value attribute, fallback;
      bool has_attribute = false;
      for (const auto& [k, val] : args.keyword) {
        if (k == "attribute")
          attribute = val, has_attribute = true;
        else if (k == "default")
          fallback = val.is_none() ? Value() : val;
        else
          fail("Unexpected keyword argument '" + k + "'");
      }
      if (!has_attribute) fail("map requires a filter argument");
      for (const Value& item : items) {
        in.tick();
        out.push_back(get_attribute_path(item, attribute, fallback));
      }
      return out;
    }
    const std::string name = to_str(args.positional[0]);
    CallArgs rest{std::vector<Value>(args.positional.begin() + 1, args.positional.end()),
                  args.keyword};
    for (const Value& item : items) {
      CallArgs copy = rest;
      out.push_back(in.apply_filter(name, item, copy));
    }
    return out;
  });
}

// select/reject/selectattr/rejectattr share jinja2's select_or_reject.
Value select_or_reject(Interpreter& in, const Value& v, CallArgs& args, bool keep_if,
                       bool by_attr) {
  return lazily([&] {
    std::vector<Value> out;
    if (!v.truthy()) return out;
    size_t off = 0;
    Value attribute;
    if (by_attr) {
      if (args.positional.empty()) fail("Missing parameter for attribute name");
      attribute = args.positional[0];
      off = 1;
    }
    const bool has_test = args.positional.size() > off;
    const std::string test = has_test ? to_str(args.positional[off]) : "";
    CallArgs rest;
    if (has_test)
      rest = CallArgs{std::vector<Value>(args.positional.begin() + off + 1, args.positional.end()),
                      args.keyword};
    for (const Value& item : iterate(v)) {
      in.tick();
      const Value subject = by_attr ? get_attribute_path(item, attribute, Value()) : item;
      CallArgs copy = rest;
      const bool passed = has_test ? in.apply_test(test, subject, copy) : subject.truthy();
      if (passed == keep_if) out.push_back(item);
    }
    return out;
  });
}

Value f_select(Interpreter& in, const Value& v, CallArgs& a) {
  return select_or_reject(in, v, a, true, false);
}
Value f_reject(Interpreter& in, const Value& v, CallArgs& a) {
  return select_or_reject(in, v, a, false, false);
}
Value f_selectattr(Interpreter& in, const Value& v, CallArgs& a) {
  return select_or_reject(in, v, a, true, true);
}
Value f_rejectattr(Interpreter& in, const Value& v, CallArgs& a) {
  return select_or_reject(in, v, a, false, true);
}

Value f_batch(Interpreter& in, const Value& v, CallArgs& args) {
  return lazily([&] {
    ArgReader a(args, "batch", {"linecount", "fill_with"});
    const int64_t n = a.int_arg(0).value_or(0);
    if (n <= 0) fail("batch size must be positive");
    const Value fill = a.value_or(1, Value::none());
    std::vector<Value> out, row;
    for (const Value& item : iterate(v)) {
      in.tick();
      if (static_cast<int64_t>(row.size()) == n)
        out.push_back(Value::list(std::move(row))), row.clear();
      row.push_back(item);
    }
    if (!row.empty()) {
      if (!fill.is_none()) {
        in.charge_steps(static_cast<uint64_t>(n));
        while (static_cast<int64_t>(row.size()) < n) row.push_back(fill);
      }
      out.push_back(Value::list(std::move(row)));
    }
    return out;
  });
}

Value f_slice(Interpreter& in, const Value& v, CallArgs& args) {
  return lazily([&] {
    ArgReader a(args, "slice", {"slices", "fill_with"});
    const int64_t slices = a.int_arg(0).value_or(0);
    if (slices <= 0) fail("slice count must be positive");
    in.charge_steps(static_cast<uint64_t>(slices));
    const Value fill = a.value_or(1, Value::none());
    const std::vector<Value> seq = iterate(v);
    const auto length = static_cast<int64_t>(seq.size());
    const int64_t per = length / slices, extra = length % slices;
    int64_t offset = 0;
    std::vector<Value> out;
    for (int64_t k = 0; k < slices; ++k) {
      const int64_t start = offset + k * per;
      if (k < extra) ++offset;
      const int64_t end = offset + (k + 1) * per;
      std::vector<Value> part(seq.begin() + start, seq.begin() + end);
      if (!fill.is_none() && k >= extra) part.push_back(fill);
      out.push_back(Value::list(std::move(part)));
    }
    return out;
  });
}

Value f_groupby(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "groupby", {"attribute", "default", "case_sensitive"});
  const Value attribute = a.required(0);
  const Value fallback = a.has(1) && !a.get(1)->is_none() ? *a.get(1) : Value();
  const bool cs = a.flag(2, false);
  auto key = [&](const Value& item) {
    const Value k = get_attribute_path(item, attribute, fallback);
    return cs ? k : ignore_case(k);
  };
  std::vector<Value> items = iterate(v);
  in.charge_steps(items.size() * 16);
  std::stable_sort(items.begin(), items.end(),
                   [&](const Value& x, const Value& y) { return less_than(key(x), key(y)); });
  std::vector<Value> out;
  size_t i = 0;
  while (i < items.size()) {
    const Value k = key(items[i]);
    std::vector<Value> group;
    size_t j = i;
    while (j < items.size() && values_equal(key(items[j]), k)) group.push_back(items[j++]);
    out.push_back(Value::tuple(
        {get_attribute_path(items[i], attribute, fallback), Value::list(std::move(group))}));
    i = j;
  }
  return Value::list(std::move(out));
}

constexpr FilterEntry kSequenceFilters[] = {
    {"first", f_first},
    {"last", f_last},
    {"length", f_length},
    {"count", f_length},
    {"list", f_list},
    {"join", f_join},
    {"reverse", f_reverse},
    {"items", f_items},
    {"dictsort", f_dictsort},
    {"sort", f_sort},
    {"unique", f_unique},
    {"max", f_max},
    {"min", f_min},
    {"sum", f_sum},
    {"map", f_map},
    {"select", f_select},
    {"reject", f_reject},
    {"selectattr", f_selectattr},
    {"rejectattr", f_rejectattr},
    {"batch", f_batch},
    {"slice", f_slice},
    {"groupby", f_groupby},
};

}  // namespace

std::span<const FilterEntry> sequence_filters() { return kSequenceFilters; }

}  // namespace qwenrt::jinja
