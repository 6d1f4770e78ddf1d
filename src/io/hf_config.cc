#include "io/hf_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/mapped_file.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A JSON value described for an error message without dumping containers.
std::string describe(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return json(s.substr(0, 80)).dump(-1, ' ', false, json::error_handler_t::replace) + (s.size() > 80 ? "..." : "");
  }
  if (v.is_primitive()) return v.dump();
  return std::string("an ") + v.type_name();
}

// Typed access to the keys of one JSON object, every error naming the file and the key
// path ("rope_scaling.factor"). "Absent" means missing; an explicit null is reported as
// such except where a key is documented as nullable (the opt_* readers).
class Fields {
 public:
  Fields(const json& object, const std::string& source, std::string prefix = "")
      : obj_(object), source_(source), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(std::string_view key, const std::string& message) const {
    throw Error(source_ + ": key \"" + prefix_ + std::string(key) + "\" " + message);
  }
  // The value of `key`, or nullptr when missing or null.
  const json* value(std::string_view key) const {
    auto it = obj_.find(key);
    return it == obj_.end() || it->is_null() ? nullptr : &*it;
  }
  const json* present(std::string_view key) const {
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  int64_t to_int(std::string_view key, const json& v) const {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail(key, "is too large: " + describe(v));
    }
    if (!v.is_number_integer()) fail(key, "must be an integer, got " + describe(v));
    return v.get<int64_t>();
  }
  double to_number(std::string_view key, const json& v) const {
    if (!v.is_number()) fail(key, "must be a number, got " + describe(v));
    return v.get<double>();
  }

  int64_t integer(std::string_view key, int64_t fallback) const {
    const json* v = present(key);
    return v ? to_int(key, *v) : fallback;
  }
  std::optional<int64_t> opt_integer(std::string_view key) const {
    const json* v = value(key);
    return v ? std::optional<int64_t>(to_int(key, *v)) : std::nullopt;
  }
  double number(std::string_view key, double fallback) const {
    const json* v = present(key);
    return v ? to_number(key, *v) : fallback;
  }
  std::optional<double> opt_number(std::string_view key) const {
    const json* v = value(key);
    return v ? std::optional<double>(to_number(key, *v)) : std::nullopt;
  }
  std::optional<bool> opt_boolean(std::string_view key) const {
    const json* v = value(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) fail(key, "must be true or false, got " + describe(*v));
    return v->get<bool>();
  }
  bool boolean(std::string_view key, bool fallback) const {
    const json* v = present(key);
    if (v && v->is_null()) fail(key, "must be true or false, got null");
    return opt_boolean(key).value_or(fallback);
  }
  std::optional<std::string> opt_string(std::string_view key) const {
    const json* v = value(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) fail(key, "must be a string, got " + describe(*v));
    return v->get<std::string>();
  }
  // An int or a list of ints (eos_token_id); empty when absent or null.
  std::vector<int64_t> int_or_list(std::string_view key) const {
    const json* v = value(key);
    std::vector<int64_t> out;
    if (!v) return out;
    if (!v->is_array()) {
      out.push_back(to_int(key, *v));
    } else {
      for (const json& item : *v) out.push_back(to_int(key, item));
    }
    return out;
  }

  void require(bool ok, std::string_view key, const std::string& message) const {
    if (!ok) fail(key, message);
  }
  const std::string& source() const { return source_; }
  const std::string& prefix() const { return prefix_; }

 private:
  const json& obj_;
  const std::string& source_;
  std::string prefix_;
};

json parse_json(std::string_view text, const std::string& source) {
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(source + ": not valid JSON near byte " + std::to_string(e.byte > 0 ? e.byte - 1 : 0) + ": " +
                e.what());
  } catch (const json::exception& e) {  // e.g. out_of_range: a number too large for a double
    throw Error(source + ": not valid JSON: " + e.what());
  }
  check(root.is_object(), source + ": must be a JSON object, got " + describe(root));
  return root;
}

std::string read_text(const std::string& path) {
  MappedFile file(path);
  return std::string(reinterpret_cast<const char*>(file.data()), file.size());
}

void require_positive(const Fields& f, std::string_view key, int64_t v) {
  f.require(v > 0, key, "must be a positive integer, got " + std::to_string(v));
}

void require_token_ids(const Fields& f, std::string_view key, const std::vector<int64_t>& ids) {
  for (int64_t id : ids) f.require(id >= 0, key, "must hold non-negative token ids, got " + std::to_string(id));
}

void require_token_id(const Fields& f, std::string_view key, const std::optional<int64_t>& id) {
  if (id) require_token_ids(f, key, {*id});
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// transformers (RotaryEmbeddingConfigMixin.convert_rope_params_to_dict and
// standardize_rope_params): "rope_scaling", when set and non-empty, replaces
// "rope_parameters"; keys missing inside fall back to the top-level ones.
RopeConfig read_rope(const Fields& top, int64_t max_position_embeddings) {
  RopeConfig rope;
  const json* dict = top.value("rope_scaling");
  std::string name = "rope_scaling";
  if (!dict || (dict->is_object() && dict->empty())) {
    dict = top.value("rope_parameters");
    name = "rope_parameters";
  }
  const std::optional<double> top_theta = top.opt_number("rope_theta");
  const std::optional<double> top_partial = top.opt_number("partial_rotary_factor");
  rope.theta = top_theta.value_or(10000.0);
  rope.partial_rotary_factor = top_partial;
  if (dict) {
    top.require(dict->is_object(), name, "must be an object, got " + describe(*dict));
    top.require(!dict->contains("full_attention") && !dict->contains("sliding_attention"), name,
                "holds per-layer-type RoPE parameters, which qwenrt does not support");
    Fields f(*dict, top.source(), name + ".");
    if (auto t = f.opt_string("rope_type")) {
      rope.type = *t;
    } else if (auto legacy = f.opt_string("type")) {
      rope.type = *legacy;
    }
    rope.theta = f.opt_number("rope_theta").value_or(rope.theta);
    rope.factor = f.opt_number("factor");
    rope.original_max_position_embeddings = f.opt_integer("original_max_position_embeddings");
    rope.attention_factor = f.opt_number("attention_factor");
    rope.beta_fast = f.opt_number("beta_fast");
    rope.beta_slow = f.opt_number("beta_slow");
    if (auto p = f.opt_number("partial_rotary_factor")) rope.partial_rotary_factor = p;
    if (const json* m = f.value("mrope_section")) {
      f.require(m->is_array(), "mrope_section", "must be a list of integers, got " + describe(*m));
      for (const json& v : *m) rope.mrope_section.push_back(f.to_int("mrope_section", v));
    }
    if (rope.factor) {
      f.require(std::isfinite(*rope.factor) && *rope.factor > 0, "factor",
                "must be a positive number, got " + std::to_string(*rope.factor));
    }
    if (rope.original_max_position_embeddings) {
      require_positive(f, "original_max_position_embeddings", *rope.original_max_position_embeddings);
    }
  }
  // Scaled RoPE types need the pre-training length: a top-level key wins, else the
  // dict's, else max_position_embeddings.
  if (rope.type == "yarn" || rope.type == "llama3" || rope.type == "longrope") {
    if (auto top_original = top.opt_integer("original_max_position_embeddings")) {
      rope.original_max_position_embeddings = top_original;
    } else if (!rope.original_max_position_embeddings) {
      rope.original_max_position_embeddings = max_position_embeddings;
    }
  }
  top.require(std::isfinite(rope.theta) && rope.theta > 0, dict ? name + ".rope_theta" : "rope_theta",
              "must be a positive number, got " + std::to_string(rope.theta));
  return rope;
}

}  // namespace

bool ModelConfig::is_sliding_layer(int64_t layer) const {
  return sliding_window.has_value() && layer >= 0 && layer < static_cast<int64_t>(layer_types.size()) &&
         layer_types[static_cast<size_t>(layer)] == "sliding_attention";
}

bool ModelConfig::is_moe_layer(int64_t layer) const {
  return num_experts > 0 && (layer + 1) % decoder_sparse_step == 0 &&
         std::find(mlp_only_layers.begin(), mlp_only_layers.end(), layer) == mlp_only_layers.end();
}

namespace {

// The MoE config classes' own defaults for the sizes a file leaves out.
void set_moe_defaults(ModelConfig& c) {
  if (c.model_type == "qwen2_moe") {
    c.hidden_size = 2048, c.intermediate_size = 5632, c.num_hidden_layers = 24;
    c.num_attention_heads = 16, c.num_key_value_heads = 16;
    c.num_experts = 60, c.num_experts_per_tok = 4, c.moe_intermediate_size = 1408;
    c.shared_expert_intermediate_size = 5632;
  } else if (c.model_type == "qwen3_moe") {
    c.hidden_size = 2048, c.intermediate_size = 6144, c.num_hidden_layers = 24;
    c.num_attention_heads = 32, c.num_key_value_heads = 4;
    c.num_experts = 128, c.num_experts_per_tok = 8, c.moe_intermediate_size = 768;
  }
}

void read_moe(const Fields& f, ModelConfig& c) {
  const char* experts_key =
      c.model_type == "qwen3_moe" && !f.present("num_experts") && f.present("num_local_experts") ? "num_local_experts"
                                                                                                 : "num_experts";
  c.num_experts = f.integer(experts_key, c.num_experts);
  // Tables are sized from this; a hostile value must not exhaust memory.
  f.require(c.num_experts >= 0 && c.num_experts <= 4096, experts_key, "must be between 0 and 4096");
  c.num_experts_per_tok = f.integer("num_experts_per_tok", c.num_experts_per_tok);
  c.moe_intermediate_size = f.integer("moe_intermediate_size", c.moe_intermediate_size);
  c.norm_topk_prob = f.boolean("norm_topk_prob", c.norm_topk_prob);
  c.decoder_sparse_step = f.integer("decoder_sparse_step", c.decoder_sparse_step);
  require_positive(f, "decoder_sparse_step", c.decoder_sparse_step);
  if (f.value("mlp_only_layers")) c.mlp_only_layers = f.int_or_list("mlp_only_layers");
  if (c.num_experts == 0) return;
  f.require(c.num_experts_per_tok >= 1 && c.num_experts_per_tok <= c.num_experts, "num_experts_per_tok",
            "must be between 1 and num_experts (" + std::to_string(c.num_experts) + "), got " +
                std::to_string(c.num_experts_per_tok));
  require_positive(f, "moe_intermediate_size", c.moe_intermediate_size);
  if (c.model_type == "qwen2_moe") {
    c.shared_expert_intermediate_size = f.integer("shared_expert_intermediate_size", c.shared_expert_intermediate_size);
    require_positive(f, "shared_expert_intermediate_size", c.shared_expert_intermediate_size);
  }
}

}  // namespace

ModelConfig parse_model_config(std::string_view json_text, const std::string& source) {
  const json root = parse_json(json_text, source);
  const Fields f(root, source);
  ModelConfig c;
  c.source = source;

  auto model_type = f.opt_string("model_type");
  f.require(model_type.has_value() && !model_type->empty(), "model_type",
            "is required (e.g. \"qwen2\" or \"qwen3\")");
  c.model_type = *model_type;
  if (const json* archs = f.value("architectures")) {
    f.require(archs->is_array(), "architectures", "must be a list of strings, got " + describe(*archs));
    if (!archs->empty()) {
      f.require((*archs)[0].is_string(), "architectures", "must be a list of strings");
      c.architecture = (*archs)[0].get<std::string>();
    }
  }
  set_moe_defaults(c);

  c.vocab_size = f.integer("vocab_size", c.vocab_size);
  c.hidden_size = f.integer("hidden_size", c.hidden_size);
  c.intermediate_size = f.integer("intermediate_size", c.intermediate_size);
  c.num_hidden_layers = f.integer("num_hidden_layers", c.num_hidden_layers);
  c.num_attention_heads = f.integer("num_attention_heads", c.num_attention_heads);
  c.max_position_embeddings = f.integer("max_position_embeddings", c.max_position_embeddings);
  for (auto [key, v] : {std::pair<const char*, int64_t>{"vocab_size", c.vocab_size},
                        {"hidden_size", c.hidden_size},
                        {"intermediate_size", c.intermediate_size},
                        {"num_hidden_layers", c.num_hidden_layers},
                        {"num_attention_heads", c.num_attention_heads},
                        {"max_position_embeddings", c.max_position_embeddings}}) {
    require_positive(f, key, v);
  }
  // Per-layer tables are sized from this; a hostile value must not exhaust memory.
  f.require(c.num_hidden_layers <= 65536, "num_hidden_layers", "must be at most 65536");
  // transformers: missing -> the dataclass default 32; explicit null -> num_attention_heads.
  if (f.present("num_key_value_heads")) {
    c.num_key_value_heads = f.opt_integer("num_key_value_heads").value_or(c.num_attention_heads);
  }
  require_positive(f, "num_key_value_heads", c.num_key_value_heads);
  f.require(c.num_attention_heads % c.num_key_value_heads == 0, "num_key_value_heads",
            (f.present("num_key_value_heads") ? "(" + std::to_string(c.num_key_value_heads) + ") must divide"
                                              : std::string("is absent, so transformers uses 32, which does not divide")) +
                " num_attention_heads (" + std::to_string(c.num_attention_heads) + ")");
  // Qwen3Config declares head_dim = 128; the other modeling files (Qwen3-MoE too) fall
  // back to hidden / heads.
  c.head_dim = f.opt_integer("head_dim").value_or(c.model_type == "qwen3" ? 128 : c.hidden_size / c.num_attention_heads);
  require_positive(f, "head_dim", c.head_dim);
  f.require(c.head_dim % 2 == 0, "head_dim", "must be even for rotary embeddings, got " + std::to_string(c.head_dim));

  c.hidden_act = f.opt_string("hidden_act").value_or(c.hidden_act);
  c.rms_norm_eps = f.number("rms_norm_eps", c.rms_norm_eps);
  f.require(std::isfinite(c.rms_norm_eps) && c.rms_norm_eps > 0, "rms_norm_eps",
            "must be a positive number, got " + std::to_string(c.rms_norm_eps));
  c.tie_word_embeddings = f.boolean("tie_word_embeddings", c.tie_word_embeddings);

  // Bias as each modeling file builds the projections: Qwen2 (and Qwen2-VL) hard-code
  // bias=True on q/k/v and none on o; Qwen2-MoE reads "qkv_bias"; Qwen3 and others use
  // attention_bias on all four.
  c.attention_bias = f.boolean("attention_bias", false);
  if (c.model_type == "qwen2_moe") {
    c.qkv_bias = f.boolean("qkv_bias", true);
    c.o_bias = false;
  } else if (starts_with(c.model_type, "qwen2")) {
    c.qkv_bias = true;
    c.o_bias = false;
  } else {
    c.qkv_bias = c.o_bias = c.attention_bias;
  }

  if (auto dtype = f.opt_string("dtype")) {
    c.torch_dtype = *dtype;
  } else if (auto legacy = f.opt_string("torch_dtype")) {
    c.torch_dtype = *legacy;
  }

  c.rope = read_rope(f, c.max_position_embeddings);

  c.use_sliding_window = f.boolean("use_sliding_window", false);
  std::optional<int64_t> window = f.present("sliding_window") ? f.opt_integer("sliding_window") : 4096;
  // Unused without use_sliding_window (Qwen2MoeConfig then writes 0).
  if (window && c.use_sliding_window) require_positive(f, "sliding_window", *window);
  c.sliding_window = c.use_sliding_window ? window : std::nullopt;
  c.max_window_layers = f.integer("max_window_layers", c.max_window_layers);
  f.require(c.max_window_layers >= 0, "max_window_layers", "must not be negative");
  if (const json* types = f.value("layer_types")) {
    f.require(types->is_array() && types->size() == static_cast<size_t>(c.num_hidden_layers), "layer_types",
              "must be a list of num_hidden_layers (" + std::to_string(c.num_hidden_layers) + ") strings");
    for (const json& t : *types) {
      f.require(t.is_string() && (t == "full_attention" || t == "sliding_attention"), "layer_types",
                "entries must be \"full_attention\" or \"sliding_attention\", got " + describe(t));
      c.layer_types.push_back(t.get<std::string>());
    }
  } else {
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const bool sliding = c.sliding_window.has_value() && i >= c.max_window_layers;
      c.layer_types.push_back(sliding ? "sliding_attention" : "full_attention");
    }
  }

  c.bos_token_id = f.opt_integer("bos_token_id");
  c.pad_token_id = f.opt_integer("pad_token_id");
  c.eos_token_ids = f.int_or_list("eos_token_id");
  require_token_id(f, "bos_token_id", c.bos_token_id);
  require_token_id(f, "pad_token_id", c.pad_token_id);
  require_token_ids(f, "eos_token_id", c.eos_token_ids);
  if (c.model_type == "qwen2_moe" || c.model_type == "qwen3_moe") read_moe(f, c);
  return c;
}

ModelConfig read_model_config(const std::string& model_dir) {
  const fs::path path = fs::path(model_dir) / "config.json";
  std::error_code ec;
  check(fs::is_regular_file(path, ec), "model directory " + model_dir + " has no config.json");
  return parse_model_config(read_text(path.string()), path.string());
}

GenerationConfig parse_generation_config(std::string_view json_text, const std::string& source) {
  const json root = parse_json(json_text, source);
  const Fields f(root, source);
  GenerationConfig g;
  g.eos_token_ids = f.int_or_list("eos_token_id");
  g.bos_token_id = f.opt_integer("bos_token_id");
  g.pad_token_id = f.opt_integer("pad_token_id");
  require_token_ids(f, "eos_token_id", g.eos_token_ids);
  require_token_id(f, "bos_token_id", g.bos_token_id);
  require_token_id(f, "pad_token_id", g.pad_token_id);
  g.do_sample = f.opt_boolean("do_sample");
  g.temperature = f.opt_number("temperature");
  g.top_p = f.opt_number("top_p");
  g.top_k = f.opt_integer("top_k");
  g.min_p = f.opt_number("min_p");
  g.repetition_penalty = f.opt_number("repetition_penalty");
  if (g.temperature) {
    f.require(std::isfinite(*g.temperature) && *g.temperature >= 0, "temperature",
              "must be a non-negative number, got " + std::to_string(*g.temperature));
  }
  if (g.top_p) {
    f.require(*g.top_p >= 0 && *g.top_p <= 1, "top_p", "must be in [0, 1], got " + std::to_string(*g.top_p));
  }
  if (g.top_k) f.require(*g.top_k >= 0, "top_k", "must not be negative, got " + std::to_string(*g.top_k));
  if (g.min_p) {
    f.require(*g.min_p >= 0 && *g.min_p <= 1, "min_p", "must be in [0, 1], got " + std::to_string(*g.min_p));
  }
  if (g.repetition_penalty) {
    f.require(std::isfinite(*g.repetition_penalty) && *g.repetition_penalty > 0, "repetition_penalty",
              "must be a positive number, got " + std::to_string(*g.repetition_penalty));
  }
  return g;
}

GenerationConfig read_generation_config(const std::string& model_dir) {
  const fs::path path = fs::path(model_dir) / "generation_config.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  return parse_generation_config(read_text(path.string()), path.string());
}

}  // namespace qwenrt
