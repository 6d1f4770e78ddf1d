// Shared by the io_gguf_*_test files: fixture paths, file reading, and a byte builder
// for hand-made (mostly broken) GGUF files.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "io/gguf.h"

namespace qwenrt::gguf_test {

inline const std::string kFixtures = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/gguf/";

// The real Qwen2.5-Coder-1.5B-Instruct Q4_K_M file (scripts/fetch-real-model.sh puts it
// there); $QWENRT_REAL_GGUF overrides. Tests that need it skip when it is absent.
inline std::string real_gguf_path() {
  if (const char* env = std::getenv("QWENRT_REAL_GGUF")) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") + "/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf";
}
inline const std::string kRealStem = "real_qwen2.5-coder-1.5b-instruct-q4_k_m";

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path << " (run tools/goldens/make_gguf_fixtures.py)";
  return nlohmann::json::parse(in);
}

// The message of the Error that parsing `bytes` throws, or "<no error>".
inline std::string parse_error(const std::vector<uint8_t>& bytes) {
  try {
    parse_gguf(bytes.data(), bytes.size(), "test.gguf");
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Appends GGUF's little-endian fields one by one.
struct Bytes {
  std::vector<uint8_t> b;

  size_t pos() const { return b.size(); }
  Bytes& u8(uint8_t v) { return le(v, 1); }
  Bytes& u32(uint32_t v) { return le(v, 4); }
  Bytes& u64(uint64_t v) { return le(v, 8); }
  Bytes& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes& str(const std::string& s) {
    u64(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return u32(kGgufMagic).u32(version).u64(n_tensors).u64(n_kv);
  }
  Bytes& kv_u32(const std::string& key, uint32_t v) { return str(key).u32(4).u32(v); }
  // A tensor info record: name, dims (GGUF order), ggml type id, data offset.
  Bytes& tensor(const std::string& name, const std::vector<uint64_t>& dims, uint32_t type, uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) u64(d);
    return u32(type).u64(offset);
  }
  Bytes& pad(size_t alignment) {
    while (b.size() % alignment) b.push_back(0);
    return *this;
  }
  Bytes& zeros(size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
};

}  // namespace qwenrt::gguf_test
