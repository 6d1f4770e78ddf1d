#include "io/hub_cache.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool truthy(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "1" || v == "on" || v == "yes" || v == "true";
}

// The hub's rule for user and repo names: letters, digits, '-', '_', '.'; no leading
// '-' or '.', no "..", at most 96 characters.
bool valid_name_part(const std::string& s) {
  if (s.empty() || s.size() > 96 || s[0] == '-' || s[0] == '.') return false;
  if (s.find("..") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool valid_revision(const std::string& s) {
  if (s.empty() || s.size() > 256 || s.find("..") != std::string::npos || s.front() == '/' || s.back() == '/') {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

std::string read_first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

bool is_commit_hash(const std::string& s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

}  // namespace

std::optional<ModelReference> parse_model_reference(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const size_t end_of_repo = text.find_first_of("@:", slash);
  ModelReference ref;
  ref.repo = text.substr(0, end_of_repo);
  const size_t second_slash = ref.repo.find('/', slash + 1);
  if (second_slash != std::string::npos || !valid_name_part(ref.repo.substr(0, slash)) ||
      !valid_name_part(ref.repo.substr(slash + 1))) {
    return std::nullopt;
  }
  if (end_of_repo == std::string::npos) return ref;
  std::string rest = text.substr(end_of_repo);
  if (rest[0] == '@') {
    const size_t colon = rest.find(':');
    ref.revision = rest.substr(1, colon == std::string::npos ? std::string::npos : colon - 1);
    check(valid_revision(ref.revision), "model reference \"" + text + "\": revision \"" + ref.revision +
                                            "\" is not a branch, tag or commit name");
    rest = colon == std::string::npos ? "" : rest.substr(colon);
  }
  if (!rest.empty()) {
    ref.file = rest.substr(1);
    check(!ref.file.empty(), "model reference \"" + text + "\": nothing follows ':' (expected a GGUF file or a quant such as q4_k_m)");
    check_safe_repo_path(ref.file, ref.repo);
  }
  return ref;
}

HubSettings HubSettings::from_environment() {
  HubSettings s;
  if (!env("HF_ENDPOINT").empty()) s.endpoint = env("HF_ENDPOINT");
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  fs::path home = env("HF_HOME");
  if (home.empty()) {
    const std::string xdg = env("XDG_CACHE_HOME");
    home = xdg.empty() ? fs::path(env("HOME")) / ".cache" / "huggingface" : fs::path(xdg) / "huggingface";
  }
  s.cache = env("HF_HUB_CACHE").empty() ? home / "hub" : fs::path(env("HF_HUB_CACHE"));
  s.token = env("HF_TOKEN");
  if (s.token.empty()) {
    const fs::path token_file = env("HF_TOKEN_PATH").empty() ? home / "token" : fs::path(env("HF_TOKEN_PATH"));
    std::error_code ec;
    if (fs::is_regular_file(token_file, ec)) s.token = read_first_line(token_file);
  }
  s.offline = truthy(env("HF_HUB_OFFLINE"));
  return s;
}

RepoCache::RepoCache(const fs::path& cache, const std::string& repo) {
  std::string folder = "models--" + repo;
  const size_t slash = folder.find('/');
  folder.replace(slash, 1, "--");
  root_ = cache / folder;
}

std::optional<std::string> RepoCache::cached_commit(const std::string& revision) const {
  std::error_code ec;
  if (is_commit_hash(revision) && fs::is_directory(snapshot(revision), ec)) return revision;
  const fs::path ref = root_ / "refs" / revision;
  if (!fs::is_regular_file(ref, ec)) return std::nullopt;
  const std::string commit = read_first_line(ref);
  if (!is_commit_hash(commit) || !fs::is_directory(snapshot(commit), ec)) return std::nullopt;
  return commit;
}

void RepoCache::set_ref(const std::string& revision, const std::string& commit) const {
  if (revision == commit) return;
  const fs::path ref = root_ / "refs" / revision;
  fs::create_directories(ref.parent_path());
  std::ofstream out(ref, std::ios::trunc);
  out << commit;
  check(static_cast<bool>(out), "cannot write " + ref.string());
}

void RepoCache::link(const std::string& commit, const std::string& file, const std::string& id) const {
  const fs::path target = snapshot(commit) / file;
  fs::create_directories(target.parent_path());
  // From snapshots/{commit}/a/b/file: one ".." per folder below root_.
  fs::path relative;
  for (size_t depth = std::count(file.begin(), file.end(), '/') + 2; depth > 0; --depth) relative /= "..";
  relative = relative / "blobs" / id;
  std::error_code ec;
  fs::remove(target, ec);
  fs::create_symlink(relative, target, ec);
  check(!ec, "cannot link " + target.string() + " to " + relative.string() + ": " + ec.message());
}

void check_safe_repo_path(const std::string& name, const std::string& repo) {
  bool safe = !name.empty() && name.size() <= 1024 && name.front() != '/' && name.find('\\') == std::string::npos &&
              name.find('\0') == std::string::npos;
  std::stringstream parts(name);
  for (std::string part; safe && std::getline(parts, part, '/');) safe = !part.empty() && part != "." && part != "..";
  safe = safe && name.back() != '/';
  check(safe, "unsafe file name \"" + name + "\" in " + repo + ": a repo file must be a relative path inside it");
}

}  // namespace qwenrt
