#include "engine/scheduler.h"

#include <algorithm>

#include "base/error.h"

namespace qwenrt {

Scheduler::Scheduler(CausalLM& model, const EngineOptions& options, int64_t n_blocks)
    : model_(model), options_(options), allocator_(n_blocks),
      cache_(model.make_paged_cache(n_blocks, options.block_size)) {
  stats_.blocks_total = n_blocks;
}

void Scheduler::add(std::unique_ptr<Sequence> sequence) {
  if (sequence->budget() <= 0) {
    sequence->finish_without_token("length");
    ++stats_.finished;
    return;
  }
  waiting_.push_back(std::move(sequence));
  sync_waiting();
}

bool Scheduler::cancel(uint64_t id) {
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if ((*it)->id() != id) continue;
    (*it)->finish_without_token("abort");
    waiting_.erase(it);
    sync_waiting();
    ++stats_.aborted;
    return true;
  }
  for (auto it = running_.begin(); it != running_.end(); ++it) {
    if ((*it)->id() != id) continue;
    release(**it);
    (*it)->finish_without_token("abort");
    running_.erase(it);
    ++stats_.aborted;
    return true;
  }
  return false;
}

void Scheduler::abort_all(const std::string& reason) {
  for (auto& s : running_) {
    release(*s);
    s->finish_without_token(reason);
    ++stats_.aborted;
  }
  running_.clear();
  for (auto& s : waiting_) {
    s->finish_without_token(reason);
    ++stats_.aborted;
  }
  waiting_.clear();
  sync_waiting();
}

void Scheduler::release(Sequence& s) {
  for (int32_t b : s.blocks) allocator_.release(b);
  s.blocks.clear();
  s.block_hashes.clear();
  s.computed = 0;
}

bool Scheduler::reserve(Sequence& s, int64_t upto) {
  const int64_t need = (upto + options_.block_size - 1) / options_.block_size;
  while (static_cast<int64_t>(s.blocks.size()) < need) {
    const std::optional<int32_t> b = allocator_.allocate();
    if (!b) return false;
    s.blocks.push_back(*b);
  }
  return true;
}

void Scheduler::attach_cached_prefix(Sequence& s) {
  if (!options_.prefix_cache || !s.blocks.empty()) return;
  const int64_t bs = options_.block_size;
  const std::vector<int32_t>& tokens = s.tokens();
  // At least the last token is computed again: its logits give the next sample, and it
  // goes to a block of the sequence's own.
  const int64_t max_blocks = (static_cast<int64_t>(tokens.size()) - 1) / bs;
  uint64_t parent = 0;
  for (int64_t i = 0; i < max_blocks; ++i) {
    const std::span<const int32_t> span(tokens.data() + i * bs, static_cast<size_t>(bs));
    const uint64_t h = block_hash(parent, span);
    const std::optional<int32_t> block = allocator_.lookup(h, span);
    if (!block) break;
    allocator_.retain(*block);
    s.blocks.push_back(*block);
    s.block_hashes.push_back(h);
    parent = h;
  }
  s.computed = static_cast<int64_t>(s.blocks.size()) * bs;
}

void Scheduler::publish_full_blocks(Sequence& s) {
  if (!options_.prefix_cache) return;
  const int64_t bs = options_.block_size;
  const std::vector<int32_t>& tokens = s.tokens();
  for (int64_t i = static_cast<int64_t>(s.block_hashes.size()); (i + 1) * bs <= s.computed; ++i) {
    const std::span<const int32_t> span(tokens.data() + i * bs, static_cast<size_t>(bs));
    const uint64_t h = block_hash(i == 0 ? 0 : s.block_hashes.back(), span);
    allocator_.publish(s.blocks[static_cast<size_t>(i)], h, span);
    s.block_hashes.push_back(h);
  }
}

bool Scheduler::preempt_newest(const Sequence* keep) {
  if (running_.empty() || running_.back().get() == keep) return false;
  std::unique_ptr<Sequence> victim = std::move(running_.back());
  running_.pop_back();
  release(*victim);
  waiting_.push_front(std::move(victim));
  sync_waiting();
  ++stats_.preemptions;
  return true;
}

void Scheduler::fail(Sequence& s, const std::string& message) {
  if (s.finished()) return;
  s.finish_without_token("error", message);
}

void Scheduler::admit(int64_t& tokens_left, std::vector<Planned>& plan) {
  while (!waiting_.empty() && tokens_left > 0 &&
         static_cast<int64_t>(running_.size()) < options_.max_batch) {
    Sequence& s = *waiting_.front();
    attach_cached_prefix(s);
    const int64_t pending = static_cast<int64_t>(s.tokens().size()) - s.computed;
    const int64_t n = std::min(pending, tokens_left);
    if (!reserve(s, s.computed + n)) {
      release(s);  // waits for blocks; running sequences are not preempted for newcomers
      break;
    }
    if (!s.admitted_once) {
      s.admitted_once = true;
      s.cached_prompt_tokens = std::min(s.computed, s.prompt_size());
      stats_.prompt_tokens += s.prompt_size();
      stats_.cached_prompt_tokens += s.cached_prompt_tokens;
    }
    plan.push_back({&s, n});
    tokens_left -= n;
    running_.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
    sync_waiting();
  }
}

void Scheduler::step() {
  int64_t tokens_left = options_.max_step_tokens;
  std::vector<Planned> plan;
  // Running sequences first, oldest first: a decode is one token, a prompt a chunk.
  for (size_t i = 0; i < running_.size() && tokens_left > 0; ++i) {
    Sequence& s = *running_[i];
    const int64_t pending = static_cast<int64_t>(s.tokens().size()) - s.computed;
    const int64_t n = std::min(pending, tokens_left);
    bool placed = true;
    while (!reserve(s, s.computed + n)) {
      if (!preempt_newest(&s)) {
        placed = false;
        break;
      }
    }
    if (!placed) {
      // It is itself the newest: it waits, recomputing later (or fails alone).
      if (running_.size() == 1) {
        release(s);
        fail(s, "the KV cache cannot hold this sequence");
        retire_finished();
        return;
      }
      preempt_self(i);
      break;
    }
    plan.push_back({&s, n});
    tokens_left -= n;
  }
  admit(tokens_left, plan);
  if (plan.empty()) return;

  std::vector<SequenceChunk> chunks;
  chunks.reserve(plan.size());
  int64_t n_logits = 0;
  for (const Planned& p : plan) {
    Sequence& s = *p.sequence;
    const bool last = s.computed + p.n == static_cast<int64_t>(s.tokens().size());
    chunks.push_back({s.tokens().data() + s.computed, p.n, s.computed, s.blocks.data(),
                      static_cast<int64_t>(s.blocks.size()), last});
    n_logits += last ? 1 : 0;
  }
  const int64_t vocab = model_.shape().vocab;
  if (static_cast<int64_t>(logits_.size()) < n_logits * vocab) {
    logits_.resize(static_cast<size_t>(n_logits * vocab));
  }
  try {
    model_.forward_batch(chunks, cache_, logits_.data());
  } catch (const std::exception& e) {
    for (const Planned& p : plan) fail(*p.sequence, e.what());
    retire_finished();
    return;
  }

  int64_t row = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    Sequence& s = *plan[i].sequence;
    s.computed += plan[i].n;
    publish_full_blocks(s);
    if (!chunks[i].wants_logits) continue;
    try {
      s.sample(logits_.data() + row * vocab);
      ++stats_.generated_tokens;
    } catch (const std::exception& e) {
      fail(s, e.what());
    }
    ++row;
  }
  ++stats_.steps;
  stats_.last_batch_size = static_cast<int64_t>(plan.size());
  stats_.batch_size_sum += stats_.last_batch_size;
  retire_finished();
}

void Scheduler::preempt_self(size_t index) {
  std::unique_ptr<Sequence> s = std::move(running_[index]);
  running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(index));
  release(*s);
  waiting_.push_front(std::move(s));
  sync_waiting();
  ++stats_.preemptions;
}

void Scheduler::retire_finished() {
  for (auto it = running_.begin(); it != running_.end();) {
    if ((*it)->finished()) {
      release(**it);
      ++stats_.finished;
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
}

SchedulerStats Scheduler::stats() const {
  SchedulerStats s = stats_;
  s.running = static_cast<int64_t>(running_.size());
  s.waiting = static_cast<int64_t>(waiting_.size());
  s.blocks_used = allocator_.used();
  s.blocks_cached = allocator_.cached();
  return s;
}

}  // namespace qwenrt
