// HTTP GETs for the hub client (libcurl): small replies into memory, files onto disk
// with resume. Redirects are followed; an Authorization header goes to the first host
// only (libcurl's rule), so a token never reaches a CDN the hub redirects to.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace qwenrt {

struct HttpReply {
  long status = 0;    // final HTTP status; 0 when no reply came
  std::string error;  // why the transfer failed (connection, timeout, cut short), else empty
  std::string body;   // the reply's body (for a download: only an error reply's)
  // A failure worth another try: no reply, a reply cut short, 429 or a 5xx.
  bool transient() const { return status == 429 || status >= 500 || (status < 400 && !error.empty()); }
};

class HttpClient {
 public:
  // `headers` go with every request, e.g. "Authorization: Bearer ...".
  explicit HttpClient(std::vector<std::string> headers);

  HttpReply get(const std::string& url) const;
  // Appends the rest of `url` to `path`: asks for the bytes from its current size on
  // (Range) and starts over when the server sends the whole file instead.
  // `on_bytes(n)` reports how many bytes `path` holds as they arrive.
  HttpReply download(const std::string& url, const std::filesystem::path& path,
                     const std::function<void(uint64_t)>& on_bytes) const;

 private:
  std::vector<std::string> headers_;
};

// `text` with every byte outside [A-Za-z0-9-._~] percent-encoded; '/' too unless keep_slash.
std::string url_encode(const std::string& text, bool keep_slash);

}  // namespace qwenrt
