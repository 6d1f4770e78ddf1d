#include "io/safetensors.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace qwenrt {
namespace {

using nlohmann::json;

// A header nests at most three deep (root -> tensor entry -> shape). Anything deeper is
// refused while parsing, so a hostile header cannot make us build huge nested values.
constexpr int kMaxJsonDepth = 8;

// A name or value quoted for an error message: escaped, and cut short if long, so
// a hostile header cannot flood the log or smuggle control characters into it.
std::string quote(std::string_view s) {
  constexpr size_t kMax = 120;
  const bool cut = s.size() > kMax;
  std::string text = json(std::string(s.substr(0, kMax))).dump(-1, ' ', false, json::error_handler_t::replace);
  if (cut) text += "...";
  return text;
}

// A JSON value described without dumping containers (which could be huge).
std::string describe(const json& v) {
  if (v.is_string()) return quote(v.get_ref<const std::string&>());
  if (v.is_primitive()) return v.dump();
  return std::string("an ") + v.type_name();
}

// Reads a JSON integer that must be in [0, INT64_MAX].
bool as_non_negative_int64(const json& v, int64_t* out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {  // signed representation: nlohmann uses it only for negatives
    int64_t s = v.get<int64_t>();
    if (s < 0) return false;
    *out = s;
    return true;
  }
  return false;
}

json parse_header_json(const uint8_t* begin, uint64_t length, const std::string& source) {
  json::parser_callback_t limit_depth = [&source](int depth, json::parse_event_t, json&) {
    if (depth > kMaxJsonDepth) {
      throw Error(source + ": safetensors header nests deeper than " + std::to_string(kMaxJsonDepth) +
                  " levels");
    }
    return true;
  };
  try {
    return json::parse(begin, begin + length, limit_depth);
  } catch (const json::parse_error& e) {
    // e.byte counts from 1 within the header; the header starts at file offset 8.
    throw Error(source + ": safetensors header is not valid JSON near byte " +
                std::to_string(8 + (e.byte > 0 ? e.byte - 1 : 0)) + ": " + e.what());
  } catch (const json::exception& e) {  // e.g. out_of_range: a number too large for a double
    throw Error(source + ": safetensors header is not valid JSON: " + e.what());
  }
}

// One tensor entry of the header before it becomes a view.
struct Entry {
  const std::string* name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

Entry parse_entry(const std::string& name, const json& value, uint64_t data_size, const std::string& source) {
  const std::string where = source + ": tensor " + quote(name);
  check(value.is_object(), where + ": header entry must be an object, got " + describe(value));
  Entry e{&name, DType::F32, {}, 0, 0};

  auto dtype_it = value.find("dtype");
  check(dtype_it != value.end(), where + ": missing key \"dtype\"");
  check(dtype_it->is_string(), where + ": \"dtype\" must be a string, got " + describe(*dtype_it));
  const auto& dtype_text = dtype_it->get_ref<const std::string&>();
  check(dtype_from_safetensors(dtype_text, &e.dtype),
        where + ": unsupported dtype " + quote(dtype_text) + " (supported: F32, F16, BF16, I32, I64, U8)");

  auto shape_it = value.find("shape");
  check(shape_it != value.end(), where + ": missing key \"shape\"");
  check(shape_it->is_array(), where + ": \"shape\" must be an array, got " + describe(*shape_it));
  // Element count with overflow checked after every factor, as the reference does.
  int64_t numel = 1;
  bool overflow = false;
  for (size_t i = 0; i < shape_it->size(); ++i) {
    const json& d = (*shape_it)[i];
    int64_t dim = 0;
    check(as_non_negative_int64(d, &dim), where + ": shape[" + std::to_string(i) +
                                              "] must be a non-negative integer below 2^63, got " + describe(d));
    e.shape.push_back(dim);
    if (!overflow && dim != 0 && numel > std::numeric_limits<int64_t>::max() / dim) overflow = true;
    if (!overflow) numel *= dim;
  }
  check(!overflow, where + ": shape " + TensorView{e.dtype, e.shape, nullptr, 0}.shape_string() +
                       " has more elements than fit in 64 bits");
  const int64_t element_bytes = dtype_block_bytes(e.dtype);
  check(numel <= std::numeric_limits<int64_t>::max() / element_bytes,
        where + ": shape " + TensorView{e.dtype, e.shape, nullptr, 0}.shape_string() + " of " + dtype_text +
            " is more bytes than fit in 64 bits");
  const uint64_t nbytes = static_cast<uint64_t>(numel * element_bytes);

  auto offsets_it = value.find("data_offsets");
  check(offsets_it != value.end(), where + ": missing key \"data_offsets\"");
  check(offsets_it->is_array() && offsets_it->size() == 2,
        where + ": \"data_offsets\" must be an array [begin, end], got " + describe(*offsets_it));
  int64_t begin = 0, end = 0;
  check(as_non_negative_int64((*offsets_it)[0], &begin) && as_non_negative_int64((*offsets_it)[1], &end),
        where + ": \"data_offsets\" must hold two non-negative integers below 2^63");
  e.begin = static_cast<uint64_t>(begin);
  e.end = static_cast<uint64_t>(end);
  check(e.begin <= e.end, where + ": data_offsets begin " + std::to_string(e.begin) + " is after end " +
                              std::to_string(e.end));
  check(e.end <= data_size, where + ": data_offsets end " + std::to_string(e.end) +
                                " is past the end of the data region (" + std::to_string(data_size) + " bytes)");
  check(e.end - e.begin == nbytes,
        where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "] span " +
            std::to_string(e.end - e.begin) + " bytes, but " + dtype_text + " " +
            TensorView{e.dtype, e.shape, nullptr, 0}.shape_string() + " needs " + std::to_string(nbytes));
  return e;
}

std::map<std::string, std::string> parse_metadata(const json& value, const std::string& source) {
  std::map<std::string, std::string> metadata;
  if (value.is_null()) return metadata;  // the reference reads null as "no metadata"
  check(value.is_object(), source + ": \"__metadata__\" must be an object of strings, got " + describe(value));
  for (const auto& [key, v] : value.items()) {
    check(v.is_string(), source + ": \"__metadata__\"." + quote(key) + " must be a string, got " + describe(v));
    metadata.emplace(key, v.get<std::string>());
  }
  return metadata;
}

}  // namespace

SafetensorsContents parse_safetensors(const uint8_t* bytes, size_t size, const std::string& source) {
  check(size >= 8, source + ": file is " + std::to_string(size) +
                       " bytes, too short for the 8-byte safetensors header length");
  uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | bytes[i];
  check(header_length <= kSafetensorsMaxHeaderBytes,
        source + ": safetensors header length " + std::to_string(header_length) + " (bytes 0-7) exceeds the " +
            std::to_string(kSafetensorsMaxHeaderBytes) + "-byte limit");
  check(header_length <= size - 8, source + ": safetensors header length " + std::to_string(header_length) +
                                       " (bytes 0-7) runs past the end of the " + std::to_string(size) +
                                       "-byte file");

  SafetensorsContents out;
  out.data_start = 8 + header_length;
  const uint64_t data_size = size - out.data_start;
  const json header = parse_header_json(bytes + 8, header_length, source);
  check(header.is_object(), source + ": safetensors header must be a JSON object, got " + describe(header));

  std::vector<Entry> entries;
  entries.reserve(header.size());
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      out.metadata = parse_metadata(it.value(), source);
    } else {
      entries.push_back(parse_entry(it.key(), it.value(), data_size, source));
    }
  }

  // Sorted by offsets, each tensor must start where the previous one ended, and the
  // last must end at the end of the file: that rules out overlaps, gaps and tails.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  const std::string* previous = nullptr;
  for (const Entry& e : entries) {
    const std::string at = " (file byte " + std::to_string(out.data_start + e.begin) + ")";
    check(e.begin >= expected, source + ": tensor " + quote(*e.name) + " at data offset " +
                                   std::to_string(e.begin) + at + " overlaps tensor " +
                                   quote(previous ? *previous : "") + " ending at " + std::to_string(expected));
    check(e.begin == expected, source + ": tensor " + quote(*e.name) + " starts at data offset " +
                                   std::to_string(e.begin) + at + ", leaving a gap of unclaimed bytes from " +
                                   std::to_string(expected));
    expected = e.end;
    previous = e.name;
  }
  check(expected == data_size, source + ": the data region has " + std::to_string(data_size - expected) +
                                   " trailing bytes after the last tensor (from file byte " +
                                   std::to_string(out.data_start + expected) + ")");

  for (Entry& e : entries) {
    TensorView view;
    view.dtype = e.dtype;
    view.shape = std::move(e.shape);
    view.data = bytes + out.data_start + e.begin;
    view.nbytes = static_cast<size_t>(e.end - e.begin);
    out.tensors.emplace(*e.name, std::move(view));
  }
  return out;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  MappedFile file(path);
  SafetensorsContents contents = parse_safetensors(file.data(), file.size(), path);
  return SafetensorsFile(std::move(file), std::move(contents));
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  auto it = contents_.tensors.find(name);
  return it == contents_.tensors.end() ? nullptr : &it->second;
}

const TensorView& SafetensorsFile::get(std::string_view name) const {
  const TensorView* view = find(name);
  if (!view) throw Error(path() + ": no tensor " + quote(name));
  return *view;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(contents_.tensors.size());
  for (const auto& [name, view] : contents_.tensors) out.push_back(name);
  return out;
}

uint64_t SafetensorsFile::file_offset(const TensorView& view) const {
  return static_cast<uint64_t>(static_cast<const uint8_t*>(view.data) - file_.data());
}

}  // namespace qwenrt
