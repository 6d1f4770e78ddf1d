// Stop strings over streamed text: finds the first stop string in the generated text,
// even when it spans several decoded pieces, and holds back just the text that might
// still become the start of one, so a client never receives part of a stop string.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt {

class StopStringMatcher {
 public:
  struct Step {
    // Text now safe to emit. Concatenated over all steps (and flush()), it is exactly the
    // generated text up to the first stop string, which is never included.
    std::string text;
    bool stopped = false;  // a stop string completed: generation should end
    int stop_index = -1;   // which one, as an index into the constructor's list
  };

  // Throws qwenrt::Error if a stop string is empty. No stop strings: passes text through.
  explicit StopStringMatcher(std::vector<std::string> stop_strings);

  // Appends the next decoded piece. The stop is where the text first *ends* with a stop
  // string (a longer one ending at the same byte wins), so the result does not depend on
  // how the text was split into pieces. After a stop, further pieces are ignored.
  Step push(std::string_view piece);

  // Generation ended without a stop string (EOS, length): the held-back text.
  std::string flush();

  bool stopped() const { return stop_index_ >= 0; }
  const std::vector<std::string>& stop_strings() const { return stop_strings_; }

 private:
  // Length of the longest suffix of pending_ that is a proper prefix of a stop string.
  size_t held_back_length() const;

  std::vector<std::string> stop_strings_;
  std::string pending_;  // received but not yet emitted: shorter than the longest stop string
  int stop_index_ = -1;
};

}  // namespace qwenrt
