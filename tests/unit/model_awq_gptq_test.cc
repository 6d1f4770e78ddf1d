// Qwen's AWQ and GPTQ checkpoint formats: tiny random checkpoints packed by the reference
// packers (AutoAWQ, AutoGPTQ; tools/goldens/make_awq_gptq_goldens.py) load into integer
// block types exactly, and the model's logits match the reference dequantized forward.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "io/awq_gptq.h"
#include "io/checkpoint.h"
#include "io/gguf.h"
#include "io/quantize_model.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "kernels/cpu/ops.h"
#include "model/causal_lm.h"
#include "tensor/quant_reference.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kFixtures[] = {
    "awq_qwen2_g32", "awq_qwen3_g64", "gptq_qwen2_sym4_g32", "gptq_qwen3_asym4_actorder_g32",
    "gptq_qwen2_int8_actorder_g64",
};

// The converted weights are exact (ExactWeights below); what separates qwenrt's logits
// from the reference dequantized forward is that the integer kernels round each
// activation row to int8 per 32-element block (|x - d q| <= d / 2, d = max|x| / 127,
// i.e. up to 0.4% of the block's largest element), as llama.cpp does, before each of the
// 14 quantized matmuls; these tiny random models amplify that. The golden script
// measures the effect directly: the reference forward with only that rounding added
// (logits_q8_activations) is 0.6-3.3% of max |logit| away from the reference.
//
// So two bounds, both as a fraction of the reference's max |logit|:
// - against the reference: 5% (the largest measured int8-activation effect, 3.3%, with
//   margin for other fixtures' draws). WrongDecodingsAreCaught shows the classic
//   decoding mistakes land well above it.
// - against the reference with int8-rounded activations: 1e-3. Only summation order
//   differs there (measured <= 1e-6), plus the rare rounding tie a different kernel
//   might break the other way; a mistake in weights, zeros, biases or act-order
//   gathering moves the logits by percents.
constexpr double kRelativeTolerance = 5e-2;
constexpr double kQ8ActivationTolerance = 1e-3;

std::string fixture_dir(const std::string& name) {
  return std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/awq_gptq/" + name;
}

std::vector<float> floats(const TensorView& t) {
  std::vector<float> v(static_cast<size_t>(t.numel()));
  std::memcpy(v.data(), t.data, t.nbytes);
  return v;
}

struct Reference {
  std::vector<int32_t> ids;
  std::vector<float> logits;
  std::vector<float> logits_q8;  // the reference forward with int8-rounded activations
};

Reference load_reference(const std::string& name) {
  auto file = SafetensorsFile::open(fixture_dir(name) + "/reference.safetensors");
  Reference r;
  const TensorView& ids = file.get("input_ids");
  r.ids.resize(static_cast<size_t>(ids.numel()));
  std::memcpy(r.ids.data(), ids.data, ids.nbytes);
  r.logits = floats(file.get("logits"));
  r.logits_q8 = floats(file.get("logits_q8_activations"));
  return r;
}

std::vector<float> model_logits(const std::string& dir, const std::vector<int32_t>& ids) {
  ThreadPool pool(2);
  auto model = CausalLM::load(dir, pool);
  auto cache = model->make_cache(static_cast<int64_t>(ids.size()));
  std::vector<float> logits(ids.size() * static_cast<size_t>(model->shape().vocab));
  model->forward(ids.data(), static_cast<int64_t>(ids.size()), cache, logits.data(), true);
  return logits;
}

// max |got - want| / max |want|.
double relative_gap(const std::vector<float>& got, const std::vector<float>& want) {
  EXPECT_EQ(got.size(), want.size());
  double gap = 0, scale = 0;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    gap = std::max(gap, std::fabs(static_cast<double>(got[i]) - want[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
  }
  return gap / scale;
}

TEST(ModelAwqGptq, LogitsMatchReferenceDequantizedForward) {
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    const Reference ref = load_reference(name);
    const std::vector<float> logits = model_logits(fixture_dir(name), ref.ids);
    const double gap = relative_gap(logits, ref.logits);
    const double q8_gap = relative_gap(logits, ref.logits_q8);
    std::printf("%-32s relative logit gap %.5f (to int8-activation reference %.6f)\n", name, gap, q8_gap);
    EXPECT_LE(gap, kRelativeTolerance);
    EXPECT_LE(q8_gap, kQ8ActivationTolerance);
  }
}

// One token at a time (the decode path) agrees with the reference too.
TEST(ModelAwqGptq, DecodeStepsMatchReference) {
  const std::string name = "gptq_qwen3_asym4_actorder_g32";
  const Reference ref = load_reference(name);
  ThreadPool pool(2);
  auto model = CausalLM::load(fixture_dir(name), pool);
  const auto n = static_cast<int64_t>(ref.ids.size());
  const int64_t vocab = model->shape().vocab;
  auto cache = model->make_cache(n);
  std::vector<float> logits(static_cast<size_t>(n * vocab));
  for (int64_t t = 0; t < n; ++t) {
    model->forward(&ref.ids[static_cast<size_t>(t)], 1, cache, logits.data() + t * vocab, false);
  }
  EXPECT_LE(relative_gap(logits, ref.logits), kRelativeTolerance);
  EXPECT_LE(relative_gap(logits, ref.logits_q8), kQ8ActivationTolerance);
}

// The batched path (paged cache, row-independent matmuls) gathers act-order inputs too.
TEST(ModelAwqGptq, BatchedForwardMatchesReference) {
  for (const char* name : {"gptq_qwen3_asym4_actorder_g32", "awq_qwen2_g32"}) {
    SCOPED_TRACE(name);
    const Reference ref = load_reference(name);
    ThreadPool pool(2);
    auto model = CausalLM::load(fixture_dir(name), pool);
    const auto n = static_cast<int64_t>(ref.ids.size());
    const int64_t vocab = model->shape().vocab, block_size = 16;
    const int64_t n_blocks = (n + block_size - 1) / block_size;
    auto cache = model->make_paged_cache(n_blocks, block_size);
    std::vector<int32_t> table(static_cast<size_t>(n_blocks));
    for (int64_t b = 0; b < n_blocks; ++b) table[static_cast<size_t>(b)] = static_cast<int32_t>(b);
    const SequenceChunk chunk{ref.ids.data(), n, 0, table.data(), n_blocks, true};
    std::vector<float> last(static_cast<size_t>(vocab));
    model->forward_batch(std::span(&chunk, 1), cache, last.data());
    const std::vector<float> want(ref.logits_q8.end() - vocab, ref.logits_q8.end());
    const std::vector<float> want_ref(ref.logits.end() - vocab, ref.logits.end());
    EXPECT_LE(relative_gap(last, want_ref), kRelativeTolerance);
    EXPECT_LE(relative_gap(last, want), kQ8ActivationTolerance);
  }
}

// The converted weights are the reference's own dequantization, bit for bit.
TEST(ModelAwqGptq, ExactWeights) {
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    const Checkpoint ckpt = Checkpoint::open(fixture_dir(name));
    const auto config = read_packed_quant_config(fixture_dir(name));
    ASSERT_TRUE(config.has_value());
    auto ref = SafetensorsFile::open(fixture_dir(name) + "/reference.safetensors");
    for (const char* proj : {"self_attn.q_proj", "mlp.down_proj"}) {
      const TensorView& want = ref.get(std::string("dequant.") + (std::strchr(proj, '.') + 1));
      const int64_t rows = want.dim(0), cols = want.dim(1);
      ThreadPool pool(1);
      const ConvertedWeight w =
          convert_packed_weight(ckpt, *config, std::string("model.layers.0.") + proj, rows, cols, pool);
      EXPECT_EQ(w.view.dtype, config->bits == 8 ? DType::Q8_0 : DType::Q5_0);
      const std::vector<float> expected = floats(want);
      std::vector<float> row(static_cast<size_t>(cols)), got(static_cast<size_t>(rows * cols));
      for (int64_t r = 0; r < rows; ++r) {
        cpu::dequantize_row(w.view.dtype, w.view.row(r), cols, row.data());
        for (int64_t j = 0; j < cols; ++j) {
          const int64_t k = w.view.input_order ? w.view.input_order[j] : j;
          got[static_cast<size_t>(r * cols + k)] = row[static_cast<size_t>(j)];
        }
      }
      EXPECT_EQ(got, expected) << proj;
      // Act-order needs a column order wherever g_idx spans several groups.
      const bool act_order = std::string(name).find("actorder") != std::string::npos;
      if (cols > config->group_size) {
        EXPECT_EQ(w.view.input_order != nullptr, act_order) << proj;
      }
    }
  }
}

// Every packed linear of every fixture converts to the same bytes on 1 and 3 threads.
// The fixtures' 32- to 128-row tensors split into three uneven row ranges, so a range
// that skips, repeats or misplaces a row at its boundary changes the bytes.
TEST(ModelAwqGptq, SameBlocksOnAnyPoolSize) {
  ThreadPool serial(1), parallel(3);
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    const Checkpoint ckpt = Checkpoint::open(fixture_dir(name));
    const auto config = read_packed_quant_config(fixture_dir(name));
    ASSERT_TRUE(config.has_value());
    int converted = 0;
    for (const std::string& tensor : ckpt.names()) {
      if (!tensor.ends_with(".qweight")) continue;
      const std::string base = tensor.substr(0, tensor.size() - std::strlen(".qweight"));
      const std::vector<int64_t> shape = packed_weight_shape(ckpt, *config, base);
      const int64_t rows = shape[0], cols = shape[1];
      const ConvertedWeight one = convert_packed_weight(ckpt, *config, base, rows, cols, serial);
      const ConvertedWeight three = convert_packed_weight(ckpt, *config, base, rows, cols, parallel);
      EXPECT_TRUE(one.blocks == three.blocks) << base;
      EXPECT_EQ(one.input_order, three.input_order) << base;
      ++converted;
    }
    EXPECT_EQ(converted, 14);  // 7 linears x 2 layers
  }
}

// ---- Modified copies of the fixtures -------------------------------------------------

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& fixture) {
    path_ = fs::temp_directory_path() /
            ("qwenrt_awq_gptq_" + fixture + "_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::remove_all(path_);
    fs::copy(fixture_dir(fixture), path_);
    fs::remove(path_ / "reference.safetensors");
  }
  ~ScratchDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string model_file() const { return (path_ / "model.safetensors").string(); }

  void edit_config(const std::function<void(json&)>& edit) {
    const fs::path p = path_ / "config.json";
    std::ifstream in(p);
    json config = json::parse(in);
    edit(config);
    std::ofstream(p) << config.dump(2);
  }

  // Rewrites model.safetensors; `edit` may drop tensors (return false) or change their
  // shape or bytes in place.
  void edit_tensors(const std::function<bool(const std::string&, TensorView&, std::vector<uint8_t>&)>& edit) {
    std::vector<std::vector<uint8_t>> storage;
    std::vector<NamedTensor> tensors;
    {
      auto file = SafetensorsFile::open(model_file());
      storage.reserve(file.tensors().size());
      for (const auto& [name, view] : file.tensors()) {
        const auto* p = static_cast<const uint8_t*>(view.data);
        std::vector<uint8_t> bytes(p, p + view.nbytes);
        TensorView t = view;
        if (!edit(name, t, bytes)) continue;
        storage.push_back(std::move(bytes));
        t.data = storage.back().data();
        t.nbytes = storage.back().size();
        tensors.push_back({name, t});
      }
    }
    write_safetensors(model_file(), tensors);
  }

 private:
  fs::path path_;
};

double gap_of(const ScratchDir& dir, const std::string& fixture) {
  const Reference ref = load_reference(fixture);
  const double gap = relative_gap(model_logits(dir.str(), ref.ids), ref.logits);
  std::printf("%-32s mistaken decoding: relative logit gap %.4f\n", fixture.c_str(), gap);
  return gap;
}

std::vector<uint32_t> words(const std::vector<uint8_t>& bytes) {
  std::vector<uint32_t> w(bytes.size() / 4);
  std::memcpy(w.data(), bytes.data(), bytes.size());
  return w;
}

void store(const std::vector<uint32_t>& w, std::vector<uint8_t>& bytes) {
  std::memcpy(bytes.data(), w.data(), bytes.size());
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The tolerance is tight enough to catch the classic decoding mistakes: each is
// simulated by rewriting the checkpoint so that the correct loader decodes it as the
// mistaken one would have decoded the original.
TEST(ModelAwqGptq, WrongDecodingsAreCaught) {
  {  // AWQ nibbles read in plain order instead of AutoAWQ's [0, 2, 4, 6, 1, 3, 5, 7].
    ScratchDir dir("awq_qwen2_g32");
    dir.edit_tensors([](const std::string& name, TensorView&, std::vector<uint8_t>& bytes) {
      if (ends_with(name, ".qweight") || ends_with(name, ".qzeros")) {
        std::vector<uint32_t> w = words(bytes);
        constexpr int kPackOrder[8] = {0, 2, 4, 6, 1, 3, 5, 7};
        for (uint32_t& word : w) {
          uint32_t out = 0;
          // A sequential reader sees nibble j as column j; the correct reader takes column
          // j from nibble kPackOrder^-1[j]. Put nibble j where the correct reader looks.
          for (int i = 0; i < 8; ++i) out |= ((word >> (4 * i)) & 0xF) << (4 * (std::find(kPackOrder, kPackOrder + 8, i) - kPackOrder));
          word = out;
        }
        store(w, bytes);
      }
      return true;
    });
    EXPECT_GT(gap_of(dir, "awq_qwen2_g32"), 2 * kRelativeTolerance) << "nibble order";
  }
  {  // GPTQ v1 zeros used without the +1.
    ScratchDir dir("gptq_qwen2_sym4_g32");
    dir.edit_config([](json& c) { c["quantization_config"]["checkpoint_format"] = "gptq_v2"; });
    EXPECT_GT(gap_of(dir, "gptq_qwen2_sym4_g32"), 2 * kRelativeTolerance) << "zeros + 1";
  }
  {  // Act-order g_idx ignored (groups taken as k / group_size).
    ScratchDir dir("gptq_qwen3_asym4_actorder_g32");
    dir.edit_tensors([](const std::string& name, TensorView&, std::vector<uint8_t>&) {
      return !ends_with(name, ".g_idx");
    });
    EXPECT_GT(gap_of(dir, "gptq_qwen3_asym4_actorder_g32"), 2 * kRelativeTolerance) << "g_idx";
  }
}

// ---- qwenrt quantize from AWQ / GPTQ --------------------------------------------------

QuantizeResult quantize_fixture(const ScratchDir& dir, const std::string& out, QuantMix mix) {
  for (const char* name : {"tokenizer.json", "tokenizer_config.json"}) {  // GGUF embeds the tokenizer
    fs::copy_file(std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer/" + name, dir.file(name),
                  fs::copy_options::overwrite_existing);
  }
  ThreadPool pool(3);  // uneven row ranges, as in SameBlocksOnAnyPoolSize
  return quantize_model(dir.str(), dir.file(out), QuantizeOptions{mix, &pool, nullptr});
}

// An F32 GGUF written from a packed checkpoint holds the reference's dequantized weights
// bit for bit (act-order columns back in their place), and runs on F32 activations, so
// its logits are the reference dequantized forward's up to summation order.
TEST(QuantizeAwqGptq, F32OutputIsTheReferenceDequantization) {
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    ScratchDir dir(name);
    const QuantizeResult result = quantize_fixture(dir, "f32.gguf", QuantMix::F32);
    EXPECT_EQ(std::count_if(result.plan.begin(), result.plan.end(), [](const auto& e) { return e.awq_gptq; }), 14);
    const GgufFile gguf = GgufFile::open(dir.file("f32.gguf"));
    auto ref = SafetensorsFile::open(fixture_dir(name) + "/reference.safetensors");
    for (const auto& [gguf_name, ref_name] : {std::pair{"blk.0.attn_q.weight", "dequant.q_proj"},
                                              std::pair{"blk.0.ffn_down.weight", "dequant.down_proj"}}) {
      const GgufTensorInfo* t = gguf.find_tensor(gguf_name);
      ASSERT_NE(t, nullptr) << gguf_name;
      const TensorView got = t->view(gguf.path()), want = ref.get(ref_name);
      EXPECT_EQ(got.dtype, DType::F32);
      EXPECT_EQ(got.shape, want.shape) << gguf_name;
      EXPECT_EQ(floats(got), floats(want)) << gguf_name;
    }
    const Reference r = load_reference(name);
    const double gap = relative_gap(model_logits(dir.file("f32.gguf"), r.ids), r.logits);
    std::printf("%-32s f32 GGUF: relative logit gap %.2e\n", name, gap);
    EXPECT_LE(gap, 1e-4);
  }
}

// Any other type is the F32 weights quantized: straight from the packed checkpoint, the
// Q4_K_M mix gives the bytes that requantizing the F32 GGUF gives, except where a linear
// is written in the very type it converts to exactly (Q5_0, the fallback of Q4_K for
// these narrow rows, or Q8_0): those blocks carry over and decode to the F32 weights
// without loss, where quantizing the floats again would round them.
TEST(QuantizeAwqGptq, QuantizedOutputIsTheF32OutputQuantized) {
  for (const char* name : {"awq_qwen3_g64", "gptq_qwen3_asym4_actorder_g32", "gptq_qwen2_int8_actorder_g64"}) {
    SCOPED_TRACE(name);
    ScratchDir dir(name);
    quantize_fixture(dir, "f32.gguf", QuantMix::F32);
    const QuantizeResult direct = quantize_fixture(dir, "direct.gguf", QuantMix::Q4_K_M);
    ThreadPool pool(2);
    quantize_model(dir.file("f32.gguf"), dir.file("via_f32.gguf"), QuantizeOptions{QuantMix::Q4_K_M, &pool, nullptr});
    const GgufFile a = GgufFile::open(dir.file("direct.gguf")), b = GgufFile::open(dir.file("via_f32.gguf"));
    const GgufFile f32 = GgufFile::open(dir.file("f32.gguf"));
    ASSERT_EQ(a.tensors().size(), b.tensors().size());
    int carried_over = 0;
    for (const QuantizePlanEntry& e : direct.plan) {
      const TensorView va = a.find_tensor(e.gguf_name)->view(a.path());
      const TensorView vb = b.find_tensor(e.gguf_name)->view(b.path());
      ASSERT_EQ(va.dtype, vb.dtype) << e.gguf_name;
      ASSERT_EQ(va.nbytes, vb.nbytes) << e.gguf_name;
      if (std::memcmp(va.data, vb.data, va.nbytes) == 0) continue;
      EXPECT_TRUE(e.awq_gptq) << e.gguf_name;
      std::vector<float> decoded(static_cast<size_t>(va.numel()));
      dequantize_row_reference(va.dtype, va.data, va.numel(), decoded.data());
      EXPECT_EQ(decoded, floats(f32.find_tensor(e.gguf_name)->view(f32.path()))) << e.gguf_name;
      ++carried_over;
    }
    std::printf("%-32s %d of %zu tensors carried over losslessly\n", name, carried_over, direct.plan.size());
  }
}

// ---- Errors --------------------------------------------------------------------------

std::string load_error(const std::string& dir) {
  ThreadPool pool(1);
  try {
    CausalLM::load(dir, pool);
  } catch (const Error& e) {
    return e.what();
  }
  return "(loaded without error)";
}

TEST(ModelAwqGptqErrors, UnsupportedBits) {
  ScratchDir dir("gptq_qwen2_sym4_g32");
  dir.edit_config([](json& c) { c["quantization_config"]["bits"] = 3; });
  const std::string e = load_error(dir.str());
  EXPECT_NE(e.find("quantization_config.bits 3 is not supported"), std::string::npos) << e;
  EXPECT_NE(e.find("config.json"), std::string::npos) << e;

  ScratchDir awq("awq_qwen2_g32");
  awq.edit_config([](json& c) { c["quantization_config"]["bits"] = 8; });
  EXPECT_NE(load_error(awq.str()).find("not supported for AWQ"), std::string::npos);
}

TEST(ModelAwqGptqErrors, GroupSizeNotMultipleOf32) {
  ScratchDir dir("awq_qwen2_g32");
  dir.edit_config([](json& c) { c["quantization_config"]["group_size"] = 16; });
  const std::string e = load_error(dir.str());
  EXPECT_NE(e.find("group_size 16 is not supported"), std::string::npos) << e;
}

TEST(ModelAwqGptqErrors, UnsupportedMethodAndVersion) {
  ScratchDir dir("awq_qwen2_g32");
  dir.edit_config([](json& c) { c["quantization_config"]["version"] = "gemv"; });
  EXPECT_NE(load_error(dir.str()).find("version \"gemv\" is not supported"), std::string::npos);
  dir.edit_config([](json& c) { c["quantization_config"]["quant_method"] = "bitsandbytes"; });
  EXPECT_NE(load_error(dir.str()).find("quant_method \"bitsandbytes\" is not supported"), std::string::npos);
}

TEST(ModelAwqGptqErrors, MissingQzerosNamesTensorAndFile) {
  ScratchDir dir("gptq_qwen2_sym4_g32");
  dir.edit_tensors([](const std::string& name, TensorView&, std::vector<uint8_t>&) {
    return name != "model.layers.1.mlp.up_proj.qzeros";
  });
  const std::string e = load_error(dir.str());
  EXPECT_NE(e.find("model.layers.1.mlp.up_proj.qzeros is missing"), std::string::npos) << e;
  EXPECT_NE(e.find(dir.model_file()), std::string::npos) << e;
}

TEST(ModelAwqGptqErrors, WrongShapeNamesTensorAndFile) {
  ScratchDir dir("awq_qwen3_g64");
  dir.edit_tensors([](const std::string& name, TensorView& t, std::vector<uint8_t>& bytes) {
    if (name == "model.layers.0.self_attn.k_proj.scales") {  // [1, 64] -> [2, 32]
      t.shape = {t.shape[0] * 2, t.shape[1] / 2};
    }
    (void)bytes;
    return true;
  });
  const std::string e = load_error(dir.str());
  EXPECT_NE(e.find("model.layers.0.self_attn.k_proj.scales"), std::string::npos) << e;
  EXPECT_NE(e.find("has shape"), std::string::npos) << e;
  EXPECT_NE(e.find(dir.model_file()), std::string::npos) << e;
}

TEST(ModelAwqGptqErrors, GidxOutOfRange) {
  ScratchDir dir("gptq_qwen3_asym4_actorder_g32");
  dir.edit_tensors([](const std::string& name, TensorView&, std::vector<uint8_t>& bytes) {
    if (name == "model.layers.0.mlp.gate_proj.g_idx") {
      const int32_t bad = 7;
      std::memcpy(bytes.data(), &bad, 4);
    }
    return true;
  });
  const std::string e = load_error(dir.str());
  EXPECT_NE(e.find("model.layers.0.mlp.gate_proj.g_idx"), std::string::npos) << e;
  EXPECT_NE(e.find("outside the 2 groups"), std::string::npos) << e;
}

TEST(ModelAwqGptqErrors, AsymmetricInt8OutOfRange) {
  // A zero far from 128 makes q - zero leave int8: no exact Q8_0 form.
  ScratchDir dir("gptq_qwen2_int8_actorder_g64");
  dir.edit_tensors([](const std::string& name, TensorView&, std::vector<uint8_t>& bytes) {
    if (name == "model.layers.0.self_attn.q_proj.qzeros") std::fill(bytes.begin(), bytes.end(), 0);
    return true;
  });
  const std::string e = load_error(dir.str());
  EXPECT_NE(e.find("model.layers.0.self_attn.q_proj.qweight"), std::string::npos) << e;
  EXPECT_NE(e.find("does not fit int8"), std::string::npos) << e;
}

// Rows 20 and up cannot convert; with 3 threads two ranges fail, and the error must
// still be the first one in row order, as a single thread reports it.
TEST(ModelAwqGptqErrors, SameErrorOnAnyPoolSize) {
  ScratchDir dir("gptq_qwen2_int8_actorder_g64");
  const std::string base = "model.layers.0.self_attn.q_proj";
  dir.edit_tensors([&](const std::string& name, TensorView& t, std::vector<uint8_t>& bytes) {
    if (name == base + ".qzeros") {  // [groups, rows / 4]: word i holds rows 4i..4i+3
      std::vector<uint32_t> w = words(bytes);
      for (size_t i = 0; i < w.size(); ++i) {
        if (static_cast<int64_t>(i) % t.dim(1) >= 5) w[i] = 0;
      }
      store(w, bytes);
    }
    return true;
  });
  const Checkpoint ckpt = Checkpoint::open(dir.str());
  const auto config = read_packed_quant_config(dir.str());
  ASSERT_TRUE(config.has_value());
  auto error_with = [&](int threads) -> std::string {
    ThreadPool pool(threads);
    try {
      convert_packed_weight(ckpt, *config, base, ckpt.get(base + ".scales").dim(1),
                            ckpt.get(base + ".g_idx").dim(0), pool);
    } catch (const Error& e) {
      return e.what();
    }
    return "(converted without error)";
  };
  const std::string serial = error_with(1);
  EXPECT_NE(serial.find("does not fit int8"), std::string::npos) << serial;
  EXPECT_EQ(error_with(3), serial);
}

TEST(ModelAwqGptqErrors, PackedWithoutQuantizationConfig) {
  ScratchDir dir("awq_qwen2_g32");
  dir.edit_config([](json& c) { c.erase("quantization_config"); });
  const std::string e = load_error(dir.str());
  EXPECT_NE(e.find("no quantization_config"), std::string::npos) << e;
}

}  // namespace
}  // namespace qwenrt
