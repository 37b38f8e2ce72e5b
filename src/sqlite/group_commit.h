// Leader/follower group commit: concurrent writers share one transaction and
// therefore one fsync. On a disk where an fsync costs milliseconds, this is
// what lets many threads commit thousands of small writes per second.
//
// Whoever submits while no commit is running becomes the leader and commits
// every item waiting at that moment; callers arriving meanwhile wait and the
// first of them leads the next commit. Nobody waits for a timer, so a lone
// caller pays exactly one commit and a crowd pays one per round trip.
#pragma once

#include <condition_variable>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

namespace fixgate::sqlite {

template <typename Item>
class GroupCommit {
 public:
  // Returns once a commit that included `item` has finished. `commit` receives
  // the whole batch (the leader's own function commits every follower's item,
  // so all callers must pass equivalent functions) and must record each
  // item's outcome in the item itself; it runs without the internal lock.
  template <typename CommitFn>
  void submit(Item& item, CommitFn&& commit) {
    Item* const one[] = {&item};
    submit_all(std::span<Item* const>(one), std::forward<CommitFn>(commit));
  }

  // As submit(), for several items of one caller; they always share a commit.
  template <typename CommitFn>
  void submit_all(std::span<Item* const> items, CommitFn&& commit) {
    if (items.empty()) return;
    Waiter me;
    me.pending = items.size();
    std::unique_lock lock(mutex_);
    for (Item* item : items) waiting_.push_back(Entry{item, &me});
    while (me.pending > 0) {
      if (committing_) {
        // Each caller sleeps on its own condition: a commit wakes exactly the
        // callers it finished plus the next leader, not every waiter (with
        // dozens of intake threads, waking all of them per commit costs more
        // CPU than the commit).
        me.wake.wait(lock);
        continue;
      }
      committing_ = true;
      std::vector<Entry> entries;
      entries.swap(waiting_);
      lock.unlock();
      std::vector<Item*> batch;
      batch.reserve(entries.size());
      for (const Entry& entry : entries) batch.push_back(entry.item);
      commit(batch);
      lock.lock();
      committing_ = false;
      for (const Entry& entry : entries) {
        if (--entry.owner->pending == 0 && entry.owner != &me) entry.owner->wake.notify_one();
      }
      if (!waiting_.empty()) waiting_.front().owner->wake.notify_one();  // it leads the next commit
    }
  }

 private:
  struct Waiter {
    size_t pending = 0;            // this caller's items not yet committed
    std::condition_variable wake;  // notified under mutex_, so the waiter outlives the call
  };
  struct Entry {
    Item* item;
    Waiter* owner;
  };

  std::mutex mutex_;
  std::vector<Entry> waiting_;
  bool committing_ = false;
};

}  // namespace fixgate::sqlite
