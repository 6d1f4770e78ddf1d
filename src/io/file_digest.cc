#include "io/file_digest.h"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

#include "base/error.h"

namespace qwenrt {
namespace {

std::string digest_hex(const EVP_MD* md, const std::filesystem::path& path, const std::string& prefix) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  check(ctx && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1, "cannot start a digest of " + path.string());
  EVP_DigestUpdate(ctx.get(), prefix.data(), prefix.size());
  std::ifstream in(path, std::ios::binary);
  check(static_cast<bool>(in), "cannot read " + path.string());
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    EVP_DigestUpdate(ctx.get(), chunk.data(), static_cast<size_t>(in.gcount()));
  }
  check(in.eof(), "error reading " + path.string());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &n);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < n; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

}  // namespace

std::string sha256_file_hex(const std::filesystem::path& path) { return digest_hex(EVP_sha256(), path, ""); }

std::string git_blob_id_hex(const std::filesystem::path& path) {
  const std::string prefix = "blob " + std::to_string(std::filesystem::file_size(path));
  return digest_hex(EVP_sha1(), path, prefix + std::string(1, '\0'));
}

}  // namespace qwenrt
