#include "sampling/grammar/string_formats.h"

namespace qwenrt::grammar {

namespace {

constexpr const char* kDate =
    "[1-9][0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))";
constexpr const char* kTime =
    "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
constexpr const char* kAtom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
constexpr const char* kLabel = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?";
constexpr const char* kUriChar = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";
constexpr const char* kOctet = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

}  // namespace

std::optional<std::string> format_pattern(std::string_view format) {
  const std::string date(kDate), time(kTime), uri_char(kUriChar), octet(kOctet);
  if (format == "date") return "^" + date + "$";
  if (format == "time") return "^" + time + "$";
  if (format == "date-time") return "^" + date + "T" + time + "$";
  if (format == "email") {
    return "^" + std::string(kAtom) + "(?:\\." + kAtom + ")*@" + kLabel + "(?:\\." + kLabel + ")+$";
  }
  if (format == "uuid") {
    return "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
  }
  if (format == "uri") {
    // hier-part: "//" reg-name [":" port] path-abempty | path-absolute | path-rootless.
    const std::string host = "(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})";
    const std::string c = uri_char;
    return "^[A-Za-z][A-Za-z0-9+.-]*:(?://" + host + "*(?::[0-9]*)?(?:/(?:" + c + "|/)*)?|/(?:" + c + "(?:" + c +
           "|/)*)?|" + c + "(?:" + c + "|/)*)?(?:\\?(?:" + c + "|[/?])*)?(?:#(?:" + c + "|[/?])*)?$";
  }
  if (format == "ipv4") return "^(?:" + octet + "\\.){3}" + octet + "$";
  return std::nullopt;
}

}  // namespace qwenrt::grammar
