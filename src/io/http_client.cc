#include "io/http_client.h"

#include <curl/curl.h>

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

#include "base/error.h"

namespace qwenrt {
namespace {

using Curl = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

Curl new_handle(const std::string& url, const std::vector<std::string>& headers, HeaderList* list) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  Curl curl(curl_easy_init(), curl_easy_cleanup);
  check(curl != nullptr, "cannot start an HTTP transfer for " + url);
  for (const std::string& h : headers) list->reset(curl_slist_append(list->release(), h.c_str()));
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list->get());
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "qwenrt");
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 30L);
  // A transfer that moves nothing for a minute has stalled: give up and let the caller retry.
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, 60L);
  return curl;
}

HttpReply finish(CURL* curl, CURLcode code, std::string body) {
  HttpReply r;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  if (code != CURLE_OK) r.error = curl_easy_strerror(code);
  r.body = std::move(body);
  return r;
}

size_t append_to_string(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// Where a download's bytes go: the file when the reply is the content asked for, memory
// (an error message, kept short) otherwise.
struct DownloadSink {
  CURL* curl;
  std::FILE* file;
  uint64_t held;  // bytes in the file
  const std::function<void(uint64_t)>* on_bytes;
  std::string error_body;
  bool decided = false, to_file = false;
  std::string write_error;
};

size_t write_download(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<DownloadSink*>(user);
  const size_t bytes = size * n;
  if (!s->decided) {
    long status = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
    s->decided = true;
    s->to_file = status == 200 || status == 206;
    if (status == 200 && s->held > 0) {  // the server ignored the range: start over
      if (std::fflush(s->file) != 0 || ftruncate(fileno(s->file), 0) != 0 || std::fseek(s->file, 0, SEEK_SET) != 0) {
        s->write_error = "cannot truncate the partial download";
        return 0;
      }
      s->held = 0;
    }
  }
  if (!s->to_file) {
    if (s->error_body.size() < 4096) s->error_body.append(data, bytes);
    return bytes;
  }
  if (std::fwrite(data, 1, bytes, s->file) != bytes) {
    s->write_error = "cannot write the download (disk full?)";
    return 0;
  }
  s->held += bytes;
  (*s->on_bytes)(s->held);
  return bytes;
}

}  // namespace

HttpClient::HttpClient(std::vector<std::string> headers) : headers_(std::move(headers)) {}

HttpReply HttpClient::get(const std::string& url) const {
  HeaderList list(nullptr, curl_slist_free_all);
  Curl curl = new_handle(url, headers_, &list);
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl.get());
  return finish(curl.get(), code, std::move(body));
}

HttpReply HttpClient::download(const std::string& url, const std::filesystem::path& path,
                               const std::function<void(uint64_t)>& on_bytes) const {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "ab"), std::fclose);
  check(file != nullptr, "cannot write " + path.string());
  HeaderList list(nullptr, curl_slist_free_all);
  Curl curl = new_handle(url, headers_, &list);
  DownloadSink sink{curl.get(), file.get(), std::filesystem::file_size(path), &on_bytes, {}, false, false, {}};
  const std::string range = std::to_string(sink.held) + "-";
  if (sink.held > 0) curl_easy_setopt(curl.get(), CURLOPT_RANGE, range.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write_download);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  const CURLcode code = curl_easy_perform(curl.get());
  check(sink.write_error.empty(), path.string() + ": " + sink.write_error);
  check(std::fflush(file.get()) == 0, "cannot write " + path.string() + " (disk full?)");
  return finish(curl.get(), code, std::move(sink.error_body));
}

std::string url_encode(const std::string& text, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace qwenrt
