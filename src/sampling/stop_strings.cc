#include "sampling/stop_strings.h"

#include <algorithm>
#include <utility>

#include "base/error.h"

namespace qwenrt {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stop_strings)
    : stop_strings_(std::move(stop_strings)) {
  for (size_t i = 0; i < stop_strings_.size(); ++i) {
    check(!stop_strings_[i].empty(), "stop: stop string " + std::to_string(i) + " is empty");
  }
}

StopStringMatcher::Step StopStringMatcher::push(std::string_view piece) {
  Step step;
  if (stopped()) {
    step.stopped = true;
    step.stop_index = stop_index_;
    return step;
  }
  pending_.append(piece);
  // pending_ held no complete stop string before this piece, so any occurrence now ends
  // inside the piece; the earliest end among all stop strings is where the text stops.
  size_t best_end = std::string::npos, best_start = 0;
  for (size_t i = 0; i < stop_strings_.size(); ++i) {
    const size_t start = pending_.find(stop_strings_[i]);
    if (start == std::string::npos) continue;
    const size_t end = start + stop_strings_[i].size();
    if (end < best_end || (end == best_end && start < best_start)) {
      best_end = end;
      best_start = start;
      stop_index_ = static_cast<int>(i);
    }
  }
  if (stopped()) {
    step.text = pending_.substr(0, best_start);
    step.stopped = true;
    step.stop_index = stop_index_;
    pending_.clear();
    return step;
  }
  const size_t emit = pending_.size() - held_back_length();
  step.text = pending_.substr(0, emit);
  pending_.erase(0, emit);
  return step;
}

std::string StopStringMatcher::flush() {
  if (stopped()) return {};
  return std::exchange(pending_, {});
}

size_t StopStringMatcher::held_back_length() const {
  // The held text starts where a stop string could begin. In valid UTF-8 that is a
  // character boundary (a stop string starts with a lead byte), so no character is split.
  size_t longest = 0;
  const std::string_view text = pending_;
  for (const std::string& stop : stop_strings_) {
    for (size_t len = std::min(stop.size() - 1, text.size()); len > longest; --len) {
      if (text.substr(text.size() - len) == std::string_view(stop).substr(0, len)) {
        longest = len;
        break;
      }
    }
  }
  return longest;
}

}  // namespace qwenrt
