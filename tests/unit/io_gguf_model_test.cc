// A GGUF file as a model: tensor names mapped to Hugging Face's (checked against gguf-py's
// TensorNameMap), Checkpoint::open on a .gguf giving the same tensors as the safetensors
// checkpoint it was converted from, the config transformers reads from config.json, and
// the embedded tokenizer as gguf-py reads it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "io/checkpoint.h"
#include "io/gguf.h"
#include "io/gguf_config.h"
#include "io/gguf_names.h"
#include "io/gguf_tokenizer.h"
#include "io/gguf_writer.h"
#include "io/hf_config.h"
#include "io_gguf_test_util.h"
#include "tensor/quant_reference.h"

namespace qwenrt {
namespace {

using gguf_test::kFixtures;
using gguf_test::read_bytes;
using gguf_test::read_json;
using json = nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// gguf-py's view of a metadata field in a reader dump (see make_gguf_fixtures.py).
const json& field(const json& dump, const std::string& key) {
  for (const json& f : dump["fields"]) {
    if (f["key"] == key) return f;
  }
  static const json none;
  ADD_FAILURE() << "gguf-py saw no field " << key;
  return none;
}
std::string unhex(const json& leaf) {
  const std::string h = leaf["hex"].get<std::string>();
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}
uint64_t scalar_bits(const json& dump, const std::string& key) { return field(dump, key)["leaves"][0].get<uint64_t>(); }

// The metadata and tensors of a fixture, to edit and write back as a broken variant.
struct Editable {
  std::vector<uint8_t> bytes;
  GgufContents g;
  explicit Editable(const std::string& name) : bytes(read_bytes(kFixtures + name)) {
    g = parse_gguf(bytes.data(), bytes.size(), name);
  }
  GgufValue& value(const std::string& key) {
    for (GgufKeyValue& kv : g.metadata) {
      if (kv.key == key) return kv.value;
    }
    throw Error("no key " + key);
  }
  void erase(const std::string& key) {
    std::erase_if(g.metadata, [&](const GgufKeyValue& kv) { return kv.key == key; });
  }
  // Writes the edited file and parses it again; the result owns its bytes.
  std::pair<std::vector<uint8_t>, GgufContents> rewrite(const std::vector<std::string>& drop_tensors = {}) const {
    std::vector<NamedTensor> tensors;
    for (const GgufTensorInfo& t : g.tensors) {
      if (std::find(drop_tensors.begin(), drop_tensors.end(), t.name) == drop_tensors.end()) {
        tensors.push_back({t.name, t.view(g.source)});
      }
    }
    std::pair<std::vector<uint8_t>, GgufContents> out;
    out.first = serialize_gguf(g.metadata, tensors);
    out.second = parse_gguf(out.first.data(), out.first.size(), "edited.gguf");
    return out;
  }
};

// ---- names ----

TEST(GgufNames, MatchGgufPysTensorNameMap) {
  const json expected = read_json(kFixtures + "names_expected.json");
  std::set<std::string> rows_used;
  for (const auto& [arch, names] : expected.items()) {
    for (const auto& [hf, gguf] : names.items()) {
      SCOPED_TRACE(arch + " " + hf);
      ASSERT_TRUE(gguf.is_string()) << "gguf-py has no name for it";
      EXPECT_EQ(hf_to_gguf_name(hf), gguf.get<std::string>());
      EXPECT_EQ(gguf_to_hf_name(gguf.get<std::string>()), hf);
      for (const GgufNameRow& row : gguf_name_table()) {
        std::string base = gguf.get<std::string>().substr(0, gguf.get<std::string>().rfind('.'));
        const size_t digits = base.find_first_of("0123456789");
        if (digits != std::string::npos) base.replace(digits, base.find('.', digits) - digits, "{N}");
        if (base == row.gguf) rows_used.insert(row.gguf);
      }
    }
  }
  EXPECT_EQ(rows_used.size(), gguf_name_table().size()) << "a row of the table that gguf-py never produced";
}

TEST(GgufNames, UnknownNamesStayUnmapped) {
  for (const char* name : {"rope_freqs.weight", "blk.01.attn_q.weight", "blk.x.attn_q.weight", "blk..attn_q.weight",
                           "blk.-1.attn_q.weight", "blk.0.attn_q.scale", "token_embd", "blk.0.attn_q.weight.extra",
                           "output_norm.weight.weight", "blk.1234567890.attn_q.weight", "", ".weight"}) {
    EXPECT_EQ(gguf_to_hf_name(name), std::nullopt) << name;
  }
  EXPECT_EQ(gguf_to_hf_name("blk.123456789.ffn_up.weight"), "model.layers.123456789.mlp.up_proj.weight");
  EXPECT_EQ(hf_to_gguf_name("model.layers.0.mlp.experts.0.up_proj.weight"), std::nullopt);
  EXPECT_EQ(hf_to_gguf_name("lm_head.bias"), "output.bias");
}

// ---- checkpoint ----

// The .gguf converted from a transformers checkpoint holds the same tensors under the same
// names and shapes, with the same values (BF16 matrices and F32 vectors, as converted).
TEST(GgufCheckpoint, SameTensorsAsTheSafetensorsCheckpoint) {
  for (const char* model : {"qwen2_tiny", "qwen3_tiny"}) {
    SCOPED_TRACE(model);
    const Checkpoint hf = Checkpoint::open(kFixtures + model);
    const std::string path = kFixtures + model + "/model.gguf";
    const Checkpoint gg = Checkpoint::open(path);
    ASSERT_NE(gg.gguf(), nullptr);
    EXPECT_EQ(hf.gguf(), nullptr);
    EXPECT_EQ(gg.dir(), path);
    EXPECT_EQ(gg.num_files(), 1u);
    ASSERT_EQ(gg.names(), hf.names());
    for (const std::string& name : hf.names()) {
      const TensorView& a = hf.get(name);
      const TensorView& b = gg.get(name);
      SCOPED_TRACE(name);
      EXPECT_EQ(b.shape, a.shape);
      const int64_t n = a.numel();
      std::vector<float> va(static_cast<size_t>(n)), vb(static_cast<size_t>(n));
      dequantize_row_reference(a.dtype, a.data, n, va.data());
      dequantize_row_reference(b.dtype, b.data, n, vb.data());
      EXPECT_EQ(std::memcmp(va.data(), vb.data(), 4 * static_cast<size_t>(n)), 0);
      EXPECT_EQ(gg.file_of(name), path);
      const GgufTensorInfo* info = gg.gguf()->find_tensor(*hf_to_gguf_name(name));
      ASSERT_NE(info, nullptr);
      EXPECT_EQ(gg.file_offset_of(name), info->file_offset);
      EXPECT_EQ(b.data, info->data);
    }
  }
}

TEST(GgufCheckpoint, QuantizedAndUnmappedTensors) {
  const Checkpoint c = Checkpoint::open(kFixtures + "types.gguf");
  EXPECT_EQ(c.get("q4_k").dtype, DType::Q4_K);
  EXPECT_EQ(c.get("q4_k").shape, (std::vector<int64_t>{2, 512}));  // [rows, cols] = [ne1, ne0]
  EXPECT_EQ(c.get("q6_k").nbytes, 2u * 2 * 210);
  EXPECT_EQ(c.get("q8_0").shape, (std::vector<int64_t>{4, 64}));
  EXPECT_EQ(c.get("f32.1d").shape, (std::vector<int64_t>{7}));
  EXPECT_THAT(error_of([&] { c.get("model.norm.weight"); }),
              AllOf(HasSubstr("GGUF file"), HasSubstr("types.gguf has no tensor \"model.norm.weight\"")));
}

TEST(GgufCheckpoint, RefusesClashesUnsupportedTypesAndOtherFiles) {
  const float one[4] = {1, 1, 1, 1};
  const std::string dir = ::testing::TempDir();
  const std::string clash = dir + "/qwenrt_clash.gguf";
  write_gguf(clash, {}, {{"output.weight", TensorView{DType::F32, {4}, one, 16}},
                         {"lm_head.weight", TensorView{DType::F32, {4}, one, 16}}});
  EXPECT_THAT(error_of([&] { Checkpoint::open(clash); }),
              AllOf(HasSubstr(clash), HasSubstr("\"output.weight\" and \"lm_head.weight\" would both be called "
                                                "\"lm_head.weight\"")));
  std::remove(clash.c_str());
  EXPECT_THAT(error_of([&] { Checkpoint::open(kFixtures + "unsupported_type.gguf"); }),
              AllOf(HasSubstr("unsupported_type.gguf"), HasSubstr("ggml type F64"), HasSubstr("cannot compute")));
  EXPECT_THAT(error_of([&] { Checkpoint::open(kFixtures + "ggml_types.json"); }),
              HasSubstr("is a file but not a GGUF file"));
}

// ---- config ----

TEST(GgufConfig, SameAsTransformersReadsConfigJson) {
  for (const char* model : {"qwen2_tiny", "qwen3_tiny"}) {
    SCOPED_TRACE(model);
    const ModelConfig want = read_model_config(kFixtures + model);
    const GgufFile file = GgufFile::open(kFixtures + model + "/model.gguf");
    const ModelConfig got = model_config_from_gguf(file.contents());
    EXPECT_EQ(got.source, file.path());
    EXPECT_EQ(got.architecture, want.architecture);
    EXPECT_EQ(got.model_type, want.model_type);
    EXPECT_EQ(got.vocab_size, want.vocab_size);
    EXPECT_EQ(got.hidden_size, want.hidden_size);
    EXPECT_EQ(got.intermediate_size, want.intermediate_size);
    EXPECT_EQ(got.num_hidden_layers, want.num_hidden_layers);
    EXPECT_EQ(got.num_attention_heads, want.num_attention_heads);
    EXPECT_EQ(got.num_key_value_heads, want.num_key_value_heads);
    EXPECT_EQ(got.head_dim, want.head_dim);
    EXPECT_EQ(got.max_position_embeddings, want.max_position_embeddings);
    EXPECT_EQ(got.hidden_act, want.hidden_act);
    // GGUF stores eps as f32; the model computes with f32, where the two agree.
    EXPECT_EQ(static_cast<float>(got.rms_norm_eps), static_cast<float>(want.rms_norm_eps));
    EXPECT_EQ(got.rope.theta, want.rope.theta);
    EXPECT_EQ(got.rope.type, want.rope.type);
    EXPECT_EQ(got.rope.partial_rotary_factor, want.rope.partial_rotary_factor);
    EXPECT_EQ(got.tie_word_embeddings, want.tie_word_embeddings);
    EXPECT_EQ(got.qkv_bias, want.qkv_bias);
    EXPECT_EQ(got.o_bias, want.o_bias);
    EXPECT_EQ(got.attention_bias, want.attention_bias);
    EXPECT_EQ(got.layer_types, want.layer_types);
    EXPECT_EQ(got.sliding_window, want.sliding_window);
    EXPECT_EQ(got.bos_token_id, want.bos_token_id);
    EXPECT_EQ(got.eos_token_ids, want.eos_token_ids);

    const GenerationConfig gen = generation_config_from_gguf(file.contents());
    EXPECT_EQ(gen.eos_token_ids, read_generation_config(kFixtures + model).eos_token_ids);
    EXPECT_EQ(gen.bos_token_id, read_generation_config(kFixtures + model).bos_token_id);
    EXPECT_EQ(gen.temperature, std::nullopt);
    EXPECT_EQ(gen.top_k, std::nullopt);
  }
}

TEST(GgufConfig, SamplingDefaultsAndEndOfTurn) {
  Editable e("qwen3_tiny/model.gguf");
  e.g.metadata.push_back({"general.sampling.top_k", GgufValue::i32(20)});
  e.g.metadata.push_back({"general.sampling.top_p", GgufValue::f32(0.75f)});
  e.g.metadata.push_back({"general.sampling.temp", GgufValue::f32(0.5f)});
  e.g.metadata.push_back({"general.sampling.min_p", GgufValue::f32(0.25f)});
  e.g.metadata.push_back({"general.sampling.penalty_repeat", GgufValue::f32(1.5f)});
  e.g.metadata.push_back({"tokenizer.ggml.eot_token_id", GgufValue::u32(33)});
  const auto [bytes, g] = e.rewrite();
  const GenerationConfig gen = generation_config_from_gguf(g);
  EXPECT_EQ(gen.top_k, 20);
  EXPECT_EQ(gen.top_p, 0.75);
  EXPECT_EQ(gen.temperature, 0.5);
  EXPECT_EQ(gen.min_p, 0.25);
  EXPECT_EQ(gen.repetition_penalty, 1.5);
  EXPECT_EQ(gen.eos_token_ids, (std::vector<int64_t>{34, 33}));
  EXPECT_EQ(gen.pad_token_id, 32);
}

TEST(GgufConfig, ErrorsNameTheKey) {
  auto config_error = [](const std::function<void(Editable&)>& edit, const std::vector<std::string>& drop = {}) {
    Editable e("qwen3_tiny/model.gguf");
    edit(e);
    const auto [bytes, g] = e.rewrite(drop);
    return error_of([&] { model_config_from_gguf(g); });
  };
  EXPECT_THAT(config_error([](Editable& e) { e.value("general.architecture") = GgufValue::str("llama"); }),
              AllOf(HasSubstr("edited.gguf"), HasSubstr("architecture \"llama\""), HasSubstr("supported: qwen2, qwen3")));
  EXPECT_THAT(config_error([](Editable& e) { e.erase("general.architecture"); }),
              HasSubstr("\"general.architecture\" is missing"));
  EXPECT_THAT(config_error([](Editable& e) { e.erase("qwen3.block_count"); }),
              HasSubstr("metadata key \"qwen3.block_count\" is missing"));
  EXPECT_THAT(config_error([](Editable& e) { e.value("qwen3.block_count") = GgufValue::str("2"); }),
              AllOf(HasSubstr("\"qwen3.block_count\" (byte "), HasSubstr("must be an integer"), HasSubstr("got str")));
  EXPECT_THAT(config_error([](Editable& e) { e.value("qwen3.block_count") = GgufValue::u32(603979778); }),
              HasSubstr("qwen3.block_count is 603979778, more layers than qwenrt accepts (65536)"));
  EXPECT_THAT(config_error([](Editable& e) { e.value("qwen3.embedding_length") = GgufValue::i32(-32); }),
              AllOf(HasSubstr("\"qwen3.embedding_length\" (byte "), HasSubstr("must be positive, got -32")));
  EXPECT_THAT(config_error([](Editable& e) { e.value("qwen3.attention.head_count_kv") = GgufValue::u32(3); }),
              HasSubstr("qwen3.attention.head_count_kv (3) must divide qwen3.attention.head_count (4)"));
  EXPECT_THAT(config_error([](Editable& e) { e.value("qwen3.attention.layer_norm_rms_epsilon") = GgufValue::str("x"); }),
              AllOf(HasSubstr("layer_norm_rms_epsilon\" (byte "), HasSubstr("must be a number, got str")));
  EXPECT_THAT(config_error([](Editable& e) { e.value("qwen3.attention.key_length") = GgufValue::u32(7); }),
              HasSubstr("qwen3.attention.value_length (8) differs from the head dimension 7"));
  EXPECT_THAT(config_error([](Editable& e) {
                e.value("qwen3.attention.key_length") = GgufValue::u32(7);
                e.erase("qwen3.attention.value_length");
              }),
              HasSubstr("head dimension 7 must be even"));
  EXPECT_THAT(config_error([](Editable& e) { e.value("qwen3.context_length") = GgufValue::u64(~uint64_t{0}); }),
              HasSubstr("fits in 64 bits, got u64 18446744073709551615"));
  EXPECT_THAT(config_error([](Editable& e) {
                e.value("tokenizer.ggml.tokens").strings.pop_back();
                e.value("tokenizer.ggml.token_type").scalars.resize(63 * 4);
              }),
              HasSubstr("token_embd.weight has 64 rows but the vocabulary has 63 tokens"));
  EXPECT_THAT(config_error([](Editable& e) { e.value("tokenizer.ggml.eos_token_id") = GgufValue::u32(64); }),
              HasSubstr("tokenizer.ggml.eos_token_id 64 is outside the 64-token vocabulary"));
  // Without output.weight the embeddings are tied.
  Editable e("qwen3_tiny/model.gguf");
  const auto [bytes, g] = e.rewrite({"output.weight"});
  EXPECT_TRUE(model_config_from_gguf(g).tie_word_embeddings);
}

// ---- tokenizer ----

TEST(GgufTokenizer, AsGgufPyReadsIt) {
  const json expected = read_json(kFixtures + "reader_expected.json");
  for (const char* model : {"qwen2_tiny/model.gguf", "qwen3_tiny/model.gguf"}) {
    SCOPED_TRACE(model);
    const json& want = expected[model];
    const GgufFile file = GgufFile::open(kFixtures + model);
    const GgufTokenizer t = read_gguf_tokenizer(file.contents());
    EXPECT_EQ(t.model, unhex(field(want, "tokenizer.ggml.model")["leaves"][0]));
    EXPECT_EQ(t.pre, unhex(field(want, "tokenizer.ggml.pre")["leaves"][0]));
    std::vector<std::string> tokens, merges;
    for (const json& l : field(want, "tokenizer.ggml.tokens")["leaves"]) tokens.push_back(unhex(l));
    for (const json& l : field(want, "tokenizer.ggml.merges")["leaves"]) merges.push_back(unhex(l));
    EXPECT_EQ(t.tokens, tokens);
    EXPECT_EQ(t.merges, merges);
    std::vector<int32_t> types;
    for (const json& l : field(want, "tokenizer.ggml.token_type")["leaves"]) types.push_back(l.get<int32_t>());
    EXPECT_EQ(t.token_types, types);
    EXPECT_TRUE(t.scores.empty());
    EXPECT_EQ(t.eos_token_id, scalar_bits(want, "tokenizer.ggml.eos_token_id"));
    EXPECT_EQ(t.bos_token_id, scalar_bits(want, "tokenizer.ggml.bos_token_id"));
    EXPECT_EQ(t.pad_token_id, scalar_bits(want, "tokenizer.ggml.padding_token_id"));
    EXPECT_EQ(t.add_bos_token, scalar_bits(want, "tokenizer.ggml.add_bos_token") != 0);
    EXPECT_EQ(t.eot_token_id, std::nullopt);
    EXPECT_EQ(t.add_eos_token, std::nullopt);
    EXPECT_EQ(t.chat_template, unhex(field(want, "tokenizer.chat_template")["leaves"][0]));
  }
}

TEST(GgufTokenizer, ErrorsNameTheKey) {
  auto tokenizer_error = [](const std::function<void(Editable&)>& edit) {
    Editable e("qwen2_tiny/model.gguf");
    edit(e);
    const auto [bytes, g] = e.rewrite();
    return error_of([&] { read_gguf_tokenizer(g); });
  };
  EXPECT_THAT(tokenizer_error([](Editable& e) { e.erase("tokenizer.ggml.model"); }),
              HasSubstr("no embedded tokenizer"));
  EXPECT_THAT(tokenizer_error([](Editable& e) { e.erase("tokenizer.ggml.tokens"); }),
              HasSubstr("\"tokenizer.ggml.tokens\" is missing"));
  EXPECT_THAT(tokenizer_error([](Editable& e) { e.value("tokenizer.ggml.tokens") = GgufValue::i32_array({1}); }),
              AllOf(HasSubstr("\"tokenizer.ggml.tokens\" (byte "), HasSubstr("array of strings, got arr[i32]")));
  EXPECT_THAT(tokenizer_error([](Editable& e) { e.value("tokenizer.ggml.token_type") = GgufValue::i32_array({1}); }),
              HasSubstr("has 1 entries for 64 tokens"));
  EXPECT_THAT(tokenizer_error([](Editable& e) { e.value("tokenizer.ggml.token_type") = GgufValue::string_array({}); }),
              HasSubstr("array of numbers, got arr[str]"));
  EXPECT_THAT(tokenizer_error([](Editable& e) { e.value("tokenizer.ggml.bos_token_id") = GgufValue::i32(-1); }),
              HasSubstr("\"tokenizer.ggml.bos_token_id\" (byte "));
  EXPECT_THAT(tokenizer_error([](Editable& e) { e.value("tokenizer.ggml.add_bos_token") = GgufValue::u8(1); }),
              HasSubstr("must be a bool, got u8"));
  EXPECT_THAT(tokenizer_error([](Editable& e) {
                e.g.metadata.push_back({"tokenizer.ggml.scores", GgufValue::f32_array(std::vector<float>(64, 0.5f))});
              }),
              "<no error>");
}

// ---- the real Qwen2.5-Coder-1.5B-Instruct Q4_K_M file ----

TEST(GgufRealFile, LoadsAsAQwen2Checkpoint) {
  const std::string path = gguf_test::real_gguf_path();
  if (!is_gguf_file(path)) GTEST_SKIP() << path << " is absent (the only test that needs it; see scripts/fetch-real-model.sh)";
  const json want = read_json(kFixtures + gguf_test::kRealStem + ".json");
  const Checkpoint c = Checkpoint::open(path);
  EXPECT_EQ(c.names().size(), want["tensors"].size());
  EXPECT_EQ(c.names().size(), 339u);
  for (const json& t : want["tensors"]) {  // every name mapped, with its type and shape
    const std::optional<std::string> hf = gguf_to_hf_name(t["name"].get<std::string>());
    ASSERT_TRUE(hf.has_value()) << t["name"];
    const TensorView& v = c.get(*hf);
    EXPECT_EQ(ggml_type_of(v.dtype), t["type"].get<uint32_t>()) << *hf;
    std::vector<int64_t> shape;
    for (const json& d : t["dims"]) shape.insert(shape.begin(), d.get<int64_t>());
    EXPECT_EQ(v.shape, shape) << *hf;
  }
  const ModelConfig config = model_config_from_gguf(c.gguf()->contents());
  EXPECT_EQ(config.architecture, "Qwen2ForCausalLM");
  EXPECT_EQ(config.num_hidden_layers, 28);
  EXPECT_EQ(config.hidden_size, 1536);
  EXPECT_EQ(static_cast<uint64_t>(config.num_hidden_layers), scalar_bits(want, "qwen2.block_count"));
  EXPECT_EQ(static_cast<uint64_t>(config.hidden_size), scalar_bits(want, "qwen2.embedding_length"));
  EXPECT_EQ(static_cast<uint64_t>(config.intermediate_size), scalar_bits(want, "qwen2.feed_forward_length"));
  EXPECT_EQ(static_cast<uint64_t>(config.num_attention_heads), scalar_bits(want, "qwen2.attention.head_count"));
  EXPECT_EQ(static_cast<uint64_t>(config.num_key_value_heads), scalar_bits(want, "qwen2.attention.head_count_kv"));
  EXPECT_EQ(static_cast<uint64_t>(config.max_position_embeddings), scalar_bits(want, "qwen2.context_length"));
  EXPECT_EQ(config.head_dim * config.num_attention_heads, config.hidden_size);
  EXPECT_EQ(static_cast<uint64_t>(config.vocab_size), field(want, "tokenizer.ggml.tokens")["count"].get<uint64_t>());
  EXPECT_FALSE(config.tie_word_embeddings);  // the file carries output.weight
  EXPECT_TRUE(config.qkv_bias);
  float theta;
  const uint32_t theta_bits = static_cast<uint32_t>(scalar_bits(want, "qwen2.rope.freq_base"));
  std::memcpy(&theta, &theta_bits, 4);
  EXPECT_EQ(config.rope.theta, theta);

  const GgufTokenizer t = read_gguf_tokenizer(c.gguf()->contents());
  EXPECT_EQ(t.model, "gpt2");
  EXPECT_EQ(t.tokens.size(), field(want, "tokenizer.ggml.tokens")["count"].get<size_t>());
  EXPECT_EQ(t.merges.size(), field(want, "tokenizer.ggml.merges")["count"].get<size_t>());
  EXPECT_EQ(t.tokens.front(), unhex(field(want, "tokenizer.ggml.tokens")["head"][0]));
  EXPECT_EQ(t.tokens.back(), unhex(field(want, "tokenizer.ggml.tokens")["tail"].back()));
  EXPECT_EQ(t.merges.front(), unhex(field(want, "tokenizer.ggml.merges")["head"][0]));
  EXPECT_EQ(t.eos_token_id, scalar_bits(want, "tokenizer.ggml.eos_token_id"));
  EXPECT_EQ(t.chat_template, unhex(field(want, "tokenizer.chat_template")["leaves"][0]));
  EXPECT_EQ(generation_config_from_gguf(c.gguf()->contents()).eos_token_ids,
            (std::vector<int64_t>{static_cast<int64_t>(scalar_bits(want, "tokenizer.ggml.eos_token_id"))}));
}

}  // namespace
}  // namespace qwenrt
