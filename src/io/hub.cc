#include "io/hub.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/file_digest.h"
#include "io/http_client.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kAttempts = 4;

bool is_hex(const std::string& s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_gguf(const RepoFile& f) { return ends_with(lower(f.name), ".gguf"); }

std::string join_names(const std::vector<const RepoFile*>& files) {
  std::string out;
  for (const RepoFile* f : files) out += (out.empty() ? "" : ", ") + f->name;
  return out;
}

// What a hub error reply says of itself ({"error": "..."}), for the message.
std::string server_says(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    return ": \"" + j["error"].get<std::string>().substr(0, 300) + "\"";
  }
  return "";
}

std::string describe_failure(const HttpReply& r, const std::string& what, const std::string& url,
                             const HubSettings& settings) {
  if (r.status == 401) {
    return what + ": the hub answered 401" + server_says(r.body) +
           (settings.token.empty() ? "; if the repo is private or gated, set HF_TOKEN to a token that may read it"
                                   : "; the token in HF_TOKEN was not accepted");
  }
  if (r.status == 403) {
    return what + ": access denied (403)" + server_says(r.body) +
           "; for a gated model, accept its terms on its hub page with the account of the token in HF_TOKEN";
  }
  if (r.status == 404) return what + ": not found at " + settings.endpoint + " (404)" + server_says(r.body);
  if (r.status >= 300) return what + ": " + url + " answered HTTP " + std::to_string(r.status) + server_says(r.body);
  return what + ": cannot reach " + url + ": " + (r.error.empty() ? "no reply" : r.error);
}

bool succeeded(const HttpReply& r) { return (r.status == 200 || r.status == 206) && r.error.empty(); }

// Runs `attempt` until it succeeds or fails for good, waiting longer after each transient failure.
HttpReply with_retries(const std::function<HttpReply()>& attempt) {
  HttpReply r;
  for (int i = 0; i < kAttempts; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(500 << (i - 1)));
    r = attempt();
    if (succeeded(r) || !r.transient()) return r;
  }
  return r;
}

// The files of a snapshot already in the cache, for working offline.
RepoInfo cached_snapshot(const RepoCache& cache, const std::string& commit) {
  RepoInfo info{commit, {}};
  const fs::path root = cache.snapshot(commit);
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    std::error_code ec;
    if (fs::is_regular_file(entry.path(), ec)) {
      info.files.push_back({entry.path().lexically_relative(root).generic_string(), 0, {}, {}});
    }
  }
  std::sort(info.files.begin(), info.files.end(), [](const RepoFile& a, const RepoFile& b) { return a.name < b.name; });
  return info;
}

fs::path local_path(const RepoCache& cache, const std::string& commit, const ModelReference& ref,
                    const std::vector<RepoFile>& files) {
  const fs::path snapshot = cache.snapshot(commit);
  return ref.file.empty() ? snapshot : snapshot / files.front().name;
}

void fetch_file(const HttpClient& client, const HubSettings& settings, const ModelReference& ref,
                const RepoCache& cache, const std::string& commit, const RepoFile& f,
                const std::function<void(const PullProgress&)>& on_progress) {
  const fs::path blob = cache.blob(f.cache_id());
  std::error_code ec;
  if (!fs::is_regular_file(blob, ec)) {
    fs::create_directories(blob.parent_path());
    const fs::path partial = blob.string() + ".incomplete";
    if (fs::exists(partial, ec) && fs::file_size(partial) > f.size) fs::remove(partial);
    std::ofstream(partial, std::ios::app).close();  // a 0-byte file needs no transfer, only to exist
    const std::string url = settings.endpoint + "/" + ref.repo + "/resolve/" + commit + "/" + url_encode(f.name, true);
    PullProgress progress{f.name, fs::file_size(partial), f.size, false};
    on_progress(progress);
    const HttpReply r = with_retries([&] {
      if (fs::file_size(partial) == f.size) return HttpReply{200, {}, {}};  // complete before an interruption
      return client.download(url, partial, [&](uint64_t bytes) {
        progress.bytes = bytes;
        on_progress(progress);
      });
    });
    check(succeeded(r), describe_failure(r, f.name + " of " + ref.repo, url, settings));
    const uint64_t size = fs::file_size(partial);
    const std::string got = size != f.size ? "" : f.sha256.empty() ? git_blob_id_hex(partial) : sha256_file_hex(partial);
    if (got != lower(f.cache_id())) {
      fs::remove(partial, ec);
      throw Error("checksum mismatch for " + f.name + " of " + ref.repo + ": the hub lists " +
                  (f.sha256.empty() ? "git blob id " : "sha256 ") + f.cache_id() + " and " +
                  std::to_string(f.size) + " bytes, the download has " +
                  (got.empty() ? std::to_string(size) + " bytes" : got) + "; it was discarded");
    }
    fs::rename(partial, blob);
    progress.bytes = f.size;
    progress.done = true;
    on_progress(progress);
  }
  cache.link(commit, f.name, f.cache_id());
}

}  // namespace

RepoInfo parse_repo_info(std::string_view text, const std::string& repo) {
  const std::string what = "the hub's file list for " + repo;
  const json j = json::parse(text, nullptr, false);
  check(j.is_object(), what + " is not a JSON object");
  check(j.contains("sha") && j["sha"].is_string() && is_hex(j["sha"].get<std::string>(), 40),
        what + " has no 40-digit commit \"sha\"");
  check(j.contains("siblings") && j["siblings"].is_array(), what + " has no \"siblings\" array");
  RepoInfo info{lower(j["sha"].get<std::string>()), {}};
  std::set<std::string> names;
  for (size_t i = 0; i < j["siblings"].size(); ++i) {
    const json& s = j["siblings"][i];
    const std::string at = what + ", siblings[" + std::to_string(i) + "]";
    check(s.is_object() && s.contains("rfilename") && s["rfilename"].is_string(), at + " has no \"rfilename\"");
    RepoFile f;
    f.name = s["rfilename"].get<std::string>();
    check_safe_repo_path(f.name, repo);
    check(names.insert(f.name).second, at + ": \"" + f.name + "\" is listed twice");
    check(s.contains("size") && s["size"].is_number_unsigned(), at + " (" + f.name + ") has no size");
    f.size = s["size"].get<uint64_t>();
    check(s.contains("blobId") && s["blobId"].is_string() && is_hex(s["blobId"].get<std::string>(), 40),
          at + " (" + f.name + ") has no 40-digit \"blobId\"");
    f.blob_id = lower(s["blobId"].get<std::string>());
    if (s.contains("lfs") && !s["lfs"].is_null()) {
      const json& lfs = s["lfs"];
      check(lfs.is_object() && lfs.contains("sha256") && lfs["sha256"].is_string() &&
                is_hex(lfs["sha256"].get<std::string>(), 64),
            at + " (" + f.name + ") has an \"lfs\" entry without a 64-digit \"sha256\"");
      f.sha256 = lower(lfs["sha256"].get<std::string>());
    }
    info.files.push_back(std::move(f));
  }
  return info;
}

std::vector<RepoFile> select_model_files(const RepoInfo& info, const ModelReference& ref,
                                         const std::vector<std::string>& include) {
  std::vector<const RepoFile*> chosen, ggufs;
  for (const RepoFile& f : info.files) {
    if (is_gguf(f)) ggufs.push_back(&f);
  }
  if (!ref.file.empty()) {
    for (const RepoFile& f : info.files) {
      if (f.name == ref.file) return {f};
    }
    const std::string tag = lower(ref.file);
    for (const RepoFile* f : ggufs) {
      if (lower(f->name).find(tag) != std::string::npos) chosen.push_back(f);
    }
    check(!ggufs.empty(), ref.repo + " has no file \"" + ref.file + "\" and no GGUF files");
    check(!chosen.empty(), ref.repo + " has no GGUF file matching \"" + ref.file + "\"; its GGUF files: " + join_names(ggufs));
    check(chosen.size() == 1, "\"" + ref.file + "\" matches several GGUF files of " + ref.repo + ": " +
                                  join_names(chosen) + "; name one of them exactly");
    return {*chosen.front()};
  }
  bool has_safetensors = false;
  for (const RepoFile& f : info.files) {
    bool wanted = false;
    if (include.empty()) {
      static const char* kModelSuffixes[] = {".json", ".safetensors", ".txt", ".tiktoken", ".jinja"};
      wanted = f.name.find('/') == std::string::npos &&
               std::any_of(std::begin(kModelSuffixes), std::end(kModelSuffixes), [&](const char* s) { return ends_with(f.name, s); });
    } else {
      wanted = std::any_of(include.begin(), include.end(), [&](const std::string& g) { return fnmatch(g.c_str(), f.name.c_str(), 0) == 0; });
    }
    if (wanted) chosen.push_back(&f);
    has_safetensors = has_safetensors || (wanted && ends_with(f.name, ".safetensors"));
  }
  if (!include.empty()) {
    check(!chosen.empty(), "no file of " + ref.repo + " matches the --include patterns");
  } else if (!has_safetensors) {
    check(ggufs.empty(), ref.repo + " has no safetensors weights; pick one of its GGUF files with " + ref.repo +
                             ":FILE or a quant tag such as " + ref.repo + ":q4_k_m. Its GGUF files: " + join_names(ggufs));
    throw Error(ref.repo + " has no safetensors or GGUF weights (qwenrt reads those two formats)");
  }
  std::vector<RepoFile> out;
  for (const RepoFile* f : chosen) out.push_back(*f);
  return out;
}

PulledModel pull_model(const ModelReference& ref, const HubSettings& settings,
                       const std::vector<std::string>& include,
                       const std::function<void(const PullProgress&)>& on_progress) try {
  const RepoCache cache(settings.cache, ref.repo);
  const std::string what = ref.repo + "@" + ref.revision;
  const std::optional<std::string> cached = cache.cached_commit(ref.revision);
  if (settings.offline) {
    check(cached.has_value(), "HF_HUB_OFFLINE is set and " + what + " is not in the cache " + settings.cache.string());
    return {local_path(cache, *cached, ref, select_model_files(cached_snapshot(cache, *cached), ref, include)), ""};
  }
  HttpClient client(settings.token.empty() ? std::vector<std::string>{}
                                           : std::vector<std::string>{"Authorization: Bearer " + settings.token});
  const std::string url = settings.endpoint + "/api/models/" + ref.repo + "/revision/" + url_encode(ref.revision, false) + "?blobs=true";
  const HttpReply r = with_retries([&] { return client.get(url); });
  if (!succeeded(r) && r.transient() && cached) {
    // As huggingface_hub does: a hub out of reach leaves the cached snapshot usable.
    return {local_path(cache, *cached, ref, select_model_files(cached_snapshot(cache, *cached), ref, include)),
            describe_failure(r, what, url, settings) + "; using the cached snapshot " + *cached};
  }
  check(succeeded(r), describe_failure(r, what, url, settings));
  const RepoInfo info = parse_repo_info(r.body, ref.repo);
  const std::vector<RepoFile> files = select_model_files(info, ref, include);
  for (const RepoFile& f : files) fetch_file(client, settings, ref, cache, info.commit, f, on_progress);
  cache.set_ref(ref.revision, info.commit);
  return {local_path(cache, info.commit, ref, files), ""};
} catch (const fs::filesystem_error& e) {
  // A cache that cannot be written (permissions, a full disk) is the user's to fix.
  throw Error("the hub cache " + settings.cache.string() + ": " + e.what());
}

}  // namespace qwenrt
