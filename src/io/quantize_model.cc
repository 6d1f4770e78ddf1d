#include "io/quantize_model.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>

#include "base/error.h"
#include "io/awq_gptq.h"
#include "io/checkpoint.h"
#include "io/gguf_config.h"
#include "io/gguf_names.h"
#include "io/gguf_writer.h"
#include "io/hf_config.h"
#include "io/hf_tokenizer_gguf.h"
#include "tensor/quant_reference.h"
#include "tensor/quantize.h"

namespace qwenrt {
namespace {

constexpr uint32_t kGgmlQuantVersion = 2;  // GGML_QNT_VERSION

// Floating and quantized weights decode to F32; integer tensors do not.
bool dequantizable(DType t) { return can_quantize_to(t); }

// llama.cpp's weight_name_comparer: by layer (outside the layers first), then by name.
bool llama_order(const QuantizePlanEntry& a, const QuantizePlanEntry& b) {
  const int64_t la = gguf_layer_of(a.gguf_name), lb = gguf_layer_of(b.gguf_name);
  return la != lb ? la < lb : a.gguf_name < b.gguf_name;
}

// The GGUF architecture of a config.json model_type qwenrt writes.
std::string gguf_architecture(const std::string& model_type) {
  if (model_type == "qwen2_moe") return "qwen2moe";
  if (model_type == "qwen3_moe") return "qwen3moe";
  return model_type;
}

// convert_hf_to_gguf.py's model metadata for qwen2 / qwen3 / qwen2moe / qwen3moe.
std::vector<GgufKeyValue> model_metadata(const ModelConfig& c, const std::string& name) {
  const std::string arch = gguf_architecture(c.model_type);
  auto u32 = [](int64_t v) { return GgufValue::u32(static_cast<uint32_t>(v)); };
  std::vector<GgufKeyValue> kv = {
      {"general.architecture", GgufValue::str(arch)},
      {"general.type", GgufValue::str("model")},
      {"general.name", GgufValue::str(name)},
      {arch + ".block_count", u32(c.num_hidden_layers)},
      {arch + ".context_length", u32(c.max_position_embeddings)},
      {arch + ".embedding_length", u32(c.hidden_size)},
      {arch + ".feed_forward_length", u32(c.intermediate_size)},
      {arch + ".attention.head_count", u32(c.num_attention_heads)},
      {arch + ".attention.head_count_kv", u32(c.num_key_value_heads)},
      {arch + ".rope.freq_base", GgufValue::f32(static_cast<float>(c.rope.theta))},
      {arch + ".attention.layer_norm_rms_epsilon", GgufValue::f32(static_cast<float>(c.rms_norm_eps))},
  };
  if (c.num_experts > 0) {
    kv.push_back({arch + ".expert_count", u32(c.num_experts)});
    kv.push_back({arch + ".expert_used_count", u32(c.num_experts_per_tok)});
    kv.push_back({arch + ".expert_feed_forward_length", u32(c.moe_intermediate_size)});
    if (c.shared_expert_intermediate_size > 0) {
      kv.push_back({arch + ".expert_shared_feed_forward_length", u32(c.shared_expert_intermediate_size)});
    }
    // llama.cpp decides renormalisation by architecture; the key keeps the config's choice.
    kv.push_back({arch + ".expert_weights_norm", GgufValue::boolean(c.norm_topk_prob)});
  }
  if (arch == "qwen3" || arch == "qwen3moe" || c.head_dim != c.hidden_size / c.num_attention_heads) {
    kv.push_back({arch + ".attention.key_length", u32(c.head_dim)});
    kv.push_back({arch + ".attention.value_length", u32(c.head_dim)});
  }
  if (c.rope.type != "default") {
    check(c.rope.type == "yarn" || c.rope.type == "linear",
          c.source + ": rope type \"" + c.rope.type + "\" has no GGUF form qwenrt writes (default, linear, yarn)");
    kv.push_back({arch + ".rope.scaling.type", GgufValue::str(c.rope.type)});
    if (c.rope.factor) kv.push_back({arch + ".rope.scaling.factor", GgufValue::f32(static_cast<float>(*c.rope.factor))});
    if (c.rope.original_max_position_embeddings) {
      kv.push_back({arch + ".rope.scaling.original_context_length", u32(*c.rope.original_max_position_embeddings)});
    }
  }
  return kv;
}

void set_key(std::vector<GgufKeyValue>* kv, const std::string& key, GgufValue v) {
  for (GgufKeyValue& e : *kv) {
    if (e.key == key) {
      e.value = std::move(v);
      return;
    }
  }
  kv->push_back({key, std::move(v)});
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

constexpr std::string_view kQweight = ".qweight";

std::string packed_base(const QuantizePlanEntry& e) {
  return e.source_name.substr(0, e.source_name.size() - kQweight.size());
}

// "model.layers.3.mlp.experts.17.up_proj.weight" -> ("model.layers.3.mlp.experts.up_proj.weight",
// 17): the stacked name the converter gives a layer's experts, and the expert's index.
std::optional<std::pair<std::string, int64_t>> expert_of(const std::string& name) {
  static const std::string kExperts = ".mlp.experts.";
  const size_t at = name.find(kExperts);
  if (at == std::string::npos) return std::nullopt;
  const size_t digits = at + kExperts.size(), dot = name.find('.', digits);
  if (dot == std::string::npos || dot == digits || dot - digits > 6) return std::nullopt;
  int64_t index = 0;
  for (size_t i = digits; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    index = index * 10 + (name[i] - '0');
  }
  return std::pair{name.substr(0, digits) + name.substr(dot + 1), index};
}

// One stacked entry per layer and projection: experts 0 .. E-1, all of one shape and type.
std::vector<QuantizePlanEntry> stack_experts(const Checkpoint& ckpt,
                                             const std::map<std::string, std::map<int64_t, std::string>>& groups) {
  std::vector<QuantizePlanEntry> out;
  for (const auto& [stacked, experts] : groups) {
    QuantizePlanEntry e;
    e.source_name = stacked;
    const TensorView& first = ckpt.get(experts.begin()->second);
    for (const auto& [index, name] : experts) {
      check(index == static_cast<int64_t>(e.expert_sources.size()),
            ckpt.dir() + ": the experts of " + quoted(stacked) + " are not numbered 0, 1, ... (no expert " +
                std::to_string(e.expert_sources.size()) + ")");
      const TensorView& t = ckpt.get(name);
      check(t.shape == first.shape && t.dtype == first.dtype && t.shape.size() == 2,
            ckpt.dir() + ": expert tensor " + quoted(name) + " differs in shape or type from " +
                quoted(experts.begin()->second));
      e.expert_sources.push_back(name);
    }
    e.shape = {static_cast<int64_t>(experts.size()), first.shape[0], first.shape[1]};
    e.source_type = first.dtype;
    out.push_back(std::move(e));
  }
  return out;
}

// Plans every tensor of `ckpt`: GGUF name, chosen type, output size. An AWQ/GPTQ linear
// (`packed` set) is one entry, named and shaped as the unpacked weight would be; a
// layer's experts are one stacked entry.
std::vector<QuantizePlanEntry> make_plan(const Checkpoint& ckpt, bool from_gguf, const ModelConfig& config,
                                         const std::optional<PackedQuantConfig>& packed, QuantMix mix) {
  std::vector<QuantizePlanEntry> plan;
  const bool tied = from_gguf ? ckpt.gguf()->find_tensor("output.weight") == nullptr
                              : config.tie_word_embeddings || ckpt.find("lm_head.weight") == nullptr;
  std::map<std::string, std::map<int64_t, std::string>> expert_groups;
  for (const std::string& name : ckpt.names()) {
    if (!from_gguf && tied && name == "lm_head.weight") continue;  // the converter drops a tied copy
    if (const auto expert = expert_of(name)) {
      check(!packed, ckpt.dir() + ": tensor " + quoted(name) + ": quantize does not read AWQ/GPTQ experts");
      expert_groups[expert->first][expert->second] = name;
      continue;
    }
    QuantizePlanEntry e;
    e.source_name = name;
    if (packed && is_packed_part(name)) {
      if (!name.ends_with(kQweight)) continue;  // read with its .qweight
      e.awq_gptq = true;
      e.shape = packed_weight_shape(ckpt, *packed, packed_base(e));
      e.source_type = DType::F32;  // what the packed integers decode to
    } else {
      const TensorView& t = ckpt.get(name);
      check(dequantizable(t.dtype), ckpt.dir() + ": tensor " + quoted(name) + " has dtype " + dtype_name(t.dtype) +
                                        ", which is not a weight type qwenrt can convert");
      e.shape = t.shape;
      e.source_type = t.dtype;
    }
    plan.push_back(std::move(e));
  }
  for (QuantizePlanEntry& e : stack_experts(ckpt, expert_groups)) plan.push_back(std::move(e));

  for (QuantizePlanEntry& e : plan) {
    const std::string& source = e.source_name;
    const std::string hf_name = e.awq_gptq ? packed_base(e) + ".weight" : source;
    const std::optional<std::string> mapped = hf_to_gguf_name(hf_name);
    if (mapped) {
      e.gguf_name = *mapped;
    } else {
      check(from_gguf, ckpt.dir() + ": tensor " + quoted(source) + " has no GGUF name (qwenrt writes the "
                                                                          "weights of qwen2, qwen3 and their MoE models)");
      e.gguf_name = source;  // GGUF tensors without a mapping keep their name
    }
    const TensorRole role = tensor_role(e.gguf_name, e.shape, config.num_hidden_layers, config.num_experts, tied);
    // A checkpoint's 1-D tensors (norms, biases) are written F32, as the converter does.
    e.type = choose_tensor_type(mix, role, from_gguf ? e.source_type : DType::F32);
    e.bytes = static_cast<uint64_t>(role.rows * dtype_row_bytes(e.type, role.cols));
  }
  std::sort(plan.begin(), plan.end(), llama_order);
  return plan;
}

// Converts one tensor row by row: decode to F32, encode as the target type. With
// `input_order` (GPTQ act-order), stored column j is column input_order[j] of the output.
void convert_tensor(const TensorView& src, const QuantizePlanEntry& e, ThreadPool* pool, std::vector<uint8_t>* out,
                    const std::string& where, std::span<const int32_t> input_order = {}) {
  const int64_t cols = e.shape.empty() ? 1 : e.shape.back();
  const int64_t rows = cols ? src.numel() / cols : 0;
  const size_t in_row = static_cast<size_t>(dtype_row_bytes(src.dtype, cols));
  const size_t out_row = static_cast<size_t>(dtype_row_bytes(e.type, cols));
  out->assign(static_cast<size_t>(rows) * out_row, 0);
  if (src.dtype == e.type && input_order.empty()) {  // nothing to convert: the bytes carry over
    std::copy_n(static_cast<const uint8_t*>(src.data), out->size(), out->data());
    return;
  }
  auto work = [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(cols)), stored(input_order.empty() ? 0 : row.size());
    for (int64_t r = begin; r < end; ++r) {
      const uint8_t* in = static_cast<const uint8_t*>(src.data) + r * in_row;
      if (input_order.empty()) {
        dequantize_row_reference(src.dtype, in, cols, row.data());
      } else {
        dequantize_row_reference(src.dtype, in, cols, stored.data());
        for (size_t j = 0; j < stored.size(); ++j) row[static_cast<size_t>(input_order[j])] = stored[j];
      }
      try {
        quantize_row(e.type, row.data(), cols, out->data() + r * out_row);
      } catch (const Error& err) {
        throw Error(where + ": tensor " + quoted(e.source_name) + " row " + std::to_string(r) + ": " + err.what());
      }
    }
  };
  if (pool && rows > 1) {
    // Exceptions must not escape a worker: keep the first and rethrow on this thread.
    std::string failure;
    std::mutex failure_mutex;
    pool->parallel_for(rows, [&](int64_t b, int64_t e2) {
      try {
        work(b, e2);
      } catch (const Error& err) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (failure.empty()) failure = err.what();
      }
    });
    if (!failure.empty()) throw Error(failure);
  } else {
    work(0, rows);
  }
}

}  // namespace

QuantizeResult quantize_model(const std::string& input, const std::string& output, const QuantizeOptions& options) {
  check(std::filesystem::exists(input), "quantize: " + input + " does not exist");
  const bool from_gguf = !std::filesystem::is_directory(input);
  check(!from_gguf || is_gguf_file(input), "quantize: " + input + " is neither a checkpoint directory nor a GGUF file");
  const Checkpoint ckpt = Checkpoint::open(input);
  QuantizeResult result;
  ModelConfig config;
  std::optional<PackedQuantConfig> packed;
  if (from_gguf) {
    config = model_config_from_gguf(ckpt.gguf()->contents());
    result.metadata = ckpt.gguf()->metadata();
  } else {
    config = read_model_config(input);
    const std::string& type = config.model_type;
    check(type == "qwen2" || type == "qwen3" || type == "qwen2_moe" || type == "qwen3_moe",
          input + "/config.json: model_type \"" + type + "\" cannot be written as GGUF by qwenrt " +
              "(supported: qwen2, qwen3, qwen2_moe, qwen3_moe)");
    packed = read_packed_quant_config(input);
    const std::string name = std::filesystem::path(input).lexically_normal().filename().string();
    result.metadata = model_metadata(config, name.empty() ? "model" : name);
    const GenerationConfig gen = read_generation_config(input);
    const int64_t eos = !config.eos_token_ids.empty() ? config.eos_token_ids[0]
                        : !gen.eos_token_ids.empty()  ? gen.eos_token_ids[0]
                                                      : -1;
    for (GgufKeyValue& kv : hf_tokenizer_gguf_metadata(input, config.vocab_size, config.bos_token_id.value_or(-1), eos,
                                                       config.pad_token_id.value_or(-1))) {
      result.metadata.push_back(std::move(kv));
    }
  }
  set_key(&result.metadata, "general.file_type", GgufValue::u32(quant_mix_file_type(options.mix)));
  set_key(&result.metadata, "general.quantization_version", GgufValue::u32(kGgmlQuantVersion));

  result.plan = make_plan(ckpt, from_gguf, config, packed, options.mix);
  QuantizeProgress progress;
  progress.tensors_total = result.plan.size();
  for (const QuantizePlanEntry& e : result.plan) {
    progress.bytes_total += e.bytes;
    for (const std::string& expert : e.expert_sources) result.input_bytes += ckpt.get(expert).nbytes;
    if (!e.expert_sources.empty()) continue;
    if (!e.awq_gptq) {
      result.input_bytes += ckpt.get(e.source_name).nbytes;
      continue;
    }
    for (const char* part : kPackedParts) {
      const TensorView* t = ckpt.find(packed_base(e) + part);
      if (t) result.input_bytes += t->nbytes;
    }
  }
  ThreadPool serial(1);
  // Quantized tensors are held until the file is written: the output is a fraction of
  // the input, which is only mapped.
  std::vector<std::vector<uint8_t>> data(result.plan.size());
  std::vector<NamedTensor> tensors;
  for (size_t i = 0; i < result.plan.size(); ++i) {
    const QuantizePlanEntry& e = result.plan[i];
    if (e.awq_gptq) {
      // Decoded through the loader's exact conversion (integer codes to Q5_0 / Q8_0 blocks).
      const ConvertedWeight w = convert_packed_weight(ckpt, *packed, packed_base(e), e.shape[0], e.shape[1],
                                                      options.pool ? *options.pool : serial);
      const TensorView blocks{w.view.dtype, e.shape, w.blocks.data(), w.blocks.size()};
      convert_tensor(blocks, e, options.pool, &data[i], input, w.input_order);
    } else if (!e.expert_sources.empty()) {
      for (const std::string& expert : e.expert_sources) {
        QuantizePlanEntry one = e;
        one.source_name = expert;
        one.shape.erase(one.shape.begin());
        std::vector<uint8_t> bytes;
        convert_tensor(ckpt.get(expert), one, options.pool, &bytes, input);
        data[i].insert(data[i].end(), bytes.begin(), bytes.end());
      }
    } else {
      convert_tensor(ckpt.get(e.source_name), e, options.pool, &data[i], input);
    }
    tensors.push_back({e.gguf_name, TensorView{e.type, e.shape, data[i].data(), data[i].size()}});
    result.output_bytes += data[i].size();
    ++progress.tensors_done;
    progress.bytes_done += data[i].size();
    progress.last = &e;
    if (options.on_progress) options.on_progress(progress);
  }
  write_gguf(output, result.metadata, tensors);
  return result;
}

}  // namespace qwenrt
