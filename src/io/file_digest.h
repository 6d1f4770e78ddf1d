// Digests that identify the files of a Hugging Face repo, to verify what was downloaded.
#pragma once
#include <filesystem>
#include <string>

namespace qwenrt {

// Lowercase hex SHA-256 of the file's bytes: an LFS file's id on the hub.
std::string sha256_file_hex(const std::filesystem::path& path);

// Lowercase hex git blob id, SHA-1 of "blob <size>\0" and the bytes: a regular
// (non-LFS) file's id on the hub.
std::string git_blob_id_hex(const std::filesystem::path& path);

}  // namespace qwenrt
