// tokenizer.json -> TokenizerSpec. Only what a byte-level BPE needs is
// accepted; any other normalizer, pre-tokenizer, model or decoder is reported,
// not ignored, since ignoring it would silently give other ids than the
// reference.
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/mapped_file.h"
#include "tokenizer/tokenizer_files.h"

namespace qwenrt {
namespace {

using json = nlohmann::json;

// Deepest nesting of Sequence normalizers / pre-tokenizers accepted (real files
// nest one level; a hostile file could nest deep enough to exhaust the stack).
constexpr int kMaxSequenceDepth = 16;

class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw Error(source_ + ": " + (path.empty() ? "/" : path) + ": " + what);
  }

  const json& member(const json& obj, const std::string& path, const char* key) const {
    auto it = obj.find(key);
    if (it == obj.end()) fail(path + "/" + key, "missing");
    return *it;
  }

  const json* optional(const json& obj, const char* key) const {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
  }

  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "expected a string, found " + std::string(v.type_name()));
    return v.get<std::string>();
  }

  bool boolean(const json& obj, const std::string& path, const char* key, bool fallback) const {
    const json* v = optional(obj, key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) fail(path + "/" + key, "expected true or false");
    return v->get<bool>();
  }

  int32_t token_id(const json& v, const std::string& path) const {
    if (!v.is_number_integer()) fail(path, "expected an integer token id");
    const int64_t id = v.get<int64_t>();
    if (id < 0 || id > kMaxTokenId) fail(path, "token id " + std::to_string(id) + " out of range");
    return static_cast<int32_t>(id);
  }

  std::string type_of(const json& obj, const std::string& path) const {
    if (!obj.is_object()) fail(path, "expected an object");
    return string(member(obj, path, "type"), path + "/type");
  }

 private:
  std::string source_;
};

void read_normalizer(const Reader& r, const json& n, const std::string& path, TokenizerSpec& spec,
                     int depth = 0) {
  if (depth > kMaxSequenceDepth) r.fail(path, "sequences nested too deep");
  const std::string type = r.type_of(n, path);
  if (type == "NFC") {
    spec.nfc = true;
  } else if (type == "Sequence") {
    const json& list = r.member(n, path, "normalizers");
    if (!list.is_array()) r.fail(path + "/normalizers", "expected an array");
    for (size_t i = 0; i < list.size(); ++i) {
      read_normalizer(r, list[i], path + "/normalizers/" + std::to_string(i), spec, depth + 1);
    }
  } else {
    r.fail(path + "/type", "normalizer \"" + type + "\" is not supported (only NFC)");
  }
}

// Escapes `literal` for a regex (a Split pattern given as a String).
std::string regex_quote(const std::string& literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

void read_pre_tokenizer(const Reader& r, const json& p, const std::string& path,
                        TokenizerSpec& spec, bool& byte_level, int depth = 0) {
  if (depth > kMaxSequenceDepth) r.fail(path, "sequences nested too deep");
  const std::string type = r.type_of(p, path);
  if (type == "Sequence") {
    const json& list = r.member(p, path, "pretokenizers");
    if (!list.is_array()) r.fail(path + "/pretokenizers", "expected an array");
    for (size_t i = 0; i < list.size(); ++i) {
      read_pre_tokenizer(r, list[i], path + "/pretokenizers/" + std::to_string(i), spec, byte_level,
                         depth + 1);
    }
  } else if (type == "Split") {
    const json& pattern = r.member(p, path, "pattern");
    if (!pattern.is_object())
      r.fail(path + "/pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
    std::string regex;
    if (pattern.contains("Regex")) {
      regex = r.string(pattern["Regex"], path + "/pattern/Regex");
    } else if (pattern.contains("String")) {
      regex = regex_quote(r.string(pattern["String"], path + "/pattern/String"));
    } else {
      r.fail(path + "/pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
    }
    const std::string behavior = r.string(r.member(p, path, "behavior"), path + "/behavior");
    if (behavior != "Isolated") {
      r.fail(path + "/behavior",
             "split behavior \"" + behavior + "\" is not supported (only Isolated)");
    }
    if (r.boolean(p, path, "invert", false))
      r.fail(path + "/invert", "inverted splits are not supported");
    spec.pre_tokenizer.push_back({regex, path + "/pattern"});
  } else if (type == "ByteLevel") {
    if (r.boolean(p, path, "add_prefix_space", false)) {
      r.fail(path + "/add_prefix_space", "add_prefix_space is not supported");
    }
    if (r.boolean(p, path, "use_regex", true)) {
      spec.pre_tokenizer.push_back({std::string(kGpt2SplitPattern), path + "/use_regex"});
    }
    byte_level = true;
  } else {
    r.fail(path + "/type", "pre-tokenizer \"" + type + "\" is not supported");
  }
}

void read_model(const Reader& r, const json& m, TokenizerSpec& spec) {
  const std::string path = "/model";
  if (!m.is_object()) r.fail(path, "expected an object");
  if (const json* type = r.optional(m, "type")) {
    const std::string name = r.string(*type, path + "/type");
    if (name != "BPE") r.fail(path + "/type", "model \"" + name + "\" is not supported (only BPE)");
  }
  if (r.optional(m, "dropout") != nullptr)
    r.fail(path + "/dropout", "BPE dropout is not supported");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (const json* v = r.optional(m, key)) {
      if (!r.string(*v, path + "/" + key).empty()) r.fail(path + "/" + key, "not supported");
    }
  }
  spec.ignore_merges = r.boolean(m, path, "ignore_merges", false);

  const json& vocab = r.member(m, path, "vocab");
  if (!vocab.is_object()) r.fail(path + "/vocab", "expected an object of token -> id");
  spec.vocab.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    spec.vocab.emplace_back(it.key(), r.token_id(it.value(), path + "/vocab/" + it.key()));
  }

  const json& merges = r.member(m, path, "merges");
  if (!merges.is_array()) r.fail(path + "/merges", "expected an array");
  spec.merges.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const json& merge = merges[i];
    const std::string at = path + "/merges/" + std::to_string(i);
    if (merge.is_string()) {  // older files: "left right"
      const std::string& s = merge.get_ref<const std::string&>();
      const size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
        r.fail(at, "expected \"left right\", found \"" + s + "\"");
      }
      spec.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (merge.is_array() && merge.size() == 2) {
      spec.merges.emplace_back(r.string(merge[0], at + "/0"), r.string(merge[1], at + "/1"));
    } else {
      r.fail(at, "expected a pair of tokens");
    }
  }
}

void read_added_tokens(const Reader& r, const json& list, TokenizerSpec& spec) {
  if (!list.is_array()) r.fail("/added_tokens", "expected an array");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "/added_tokens/" + std::to_string(i);
    const json& t = list[i];
    if (!t.is_object()) r.fail(path, "expected an object");
    AddedToken token;
    token.id = r.token_id(r.member(t, path, "id"), path + "/id");
    token.content = r.string(r.member(t, path, "content"), path + "/content");
    token.special = r.boolean(t, path, "special", false);
    token.lstrip = r.boolean(t, path, "lstrip", false);
    token.rstrip = r.boolean(t, path, "rstrip", false);
    token.single_word = r.boolean(t, path, "single_word", false);
    token.normalized = r.boolean(t, path, "normalized", true);
    spec.added_tokens.push_back(std::move(token));
  }
}

}  // namespace

TokenizerSpec parse_tokenizer_json(std::string_view text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const json::exception& e) {  // e.g. a number too large for a double
    throw Error(source + ": invalid JSON: " + e.what());
  }
  Reader r(source);
  if (!doc.is_object()) r.fail("", "expected a JSON object");
  TokenizerSpec spec;
  spec.source = source;
  read_model(r, r.member(doc, "", "model"), spec);
  if (const json* n = r.optional(doc, "normalizer")) read_normalizer(r, *n, "/normalizer", spec);
  bool byte_level = false;
  if (const json* p = r.optional(doc, "pre_tokenizer")) {
    read_pre_tokenizer(r, *p, "/pre_tokenizer", spec, byte_level);
  }
  if (!byte_level) r.fail("/pre_tokenizer", "no ByteLevel step: only byte-level BPE is supported");
  if (const json* d = r.optional(doc, "decoder")) {
    const std::string type = r.type_of(*d, "/decoder");
    if (type != "ByteLevel") r.fail("/decoder/type", "decoder \"" + type + "\" is not supported");
  }
  // post_processor: Qwen encodes with no special tokens added, so it is not
  // used.
  if (const json* a = r.optional(doc, "added_tokens")) read_added_tokens(r, *a, spec);
  return spec;
}

TokenizerSpec load_tokenizer_json(const std::string& path) {
  MappedFile file(path);
  return parse_tokenizer_json(
      std::string_view(reinterpret_cast<const char*>(file.data()), file.size()), path);
}

}  // namespace qwenrt
