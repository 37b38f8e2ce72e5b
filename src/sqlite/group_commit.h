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
    Slot me{&item};
    std::unique_lock lock(mutex_);
    waiting_.push_back(&me);
    while (!me.done) {
      if (committing_) {
        // Each waiter sleeps on its own condition: a commit wakes exactly the
        // callers it finished plus the next leader, not every waiter (with
        // dozens of intake threads, waking all of them per commit costs more
        // CPU than the commit).
        me.wake.wait(lock);
        continue;
      }
      committing_ = true;
      std::vector<Slot*> slots;
      slots.swap(waiting_);
      lock.unlock();
      std::vector<Item*> batch;
      batch.reserve(slots.size());
      for (Slot* slot : slots) batch.push_back(slot->item);
      commit(batch);
      lock.lock();
      committing_ = false;
      for (Slot* slot : slots) {
        slot->done = true;
        if (slot != &me) slot->wake.notify_one();
      }
      if (!waiting_.empty()) waiting_.front()->wake.notify_one();  // it leads the next commit
    }
  }

 private:
  struct Slot {
    Item* item;
    bool done = false;
    std::condition_variable wake;  // notified under mutex_, so the slot outlives the call
  };

  std::mutex mutex_;
  std::vector<Slot*> waiting_;
  bool committing_ = false;
};

}  // namespace fixgate::sqlite
