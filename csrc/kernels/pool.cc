// The caching allocator (see pool.h). Each block starts with a 64-byte header recording its
// size class, so release() needs only the pointer. Size classes are 4 per power of two (at
// most 25% slack); each class keeps a LIFO free list, so the warmest block is reused first.
#include "kernels/pool.h"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace fneedle::pool {
namespace {

constexpr size_t kHeader = 64;
constexpr size_t kHuge = size_t{2} << 20;  // blocks this big are mmapped for huge pages
constexpr uint32_t kMagic = 0x6e656564;      // "need"

struct Header {
  size_t size;  // the block's size class, header included
  uint32_t magic;
  uint32_t mapped;  // 1: from mmap, else from aligned_alloc
};
static_assert(sizeof(Header) <= kHeader, "the header must fit in front of the data");

size_t size_class(size_t total) {
  size_t c = total < 256 ? 256 : total;
  int k = 63 - __builtin_clzll(c);
  const size_t step = (size_t{1} << k) / 4;
  return (c + step - 1) / step * step;
}

void* system_alloc(size_t size, bool* mapped) {
  *mapped = size >= kHuge;
  if (!*mapped) return std::aligned_alloc(64, size);
  // Over-map by 2 MiB, then trim to a 2 MiB-aligned range so whole huge pages fit.
  const size_t span = size + kHuge;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t tail = aligned + size, stop = start + span;
  if (stop > tail) munmap(reinterpret_cast<void*>(tail), stop - tail);
  void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
  madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
}

void system_free(void* block) {
  const Header* h = static_cast<const Header*>(block);
  if (h->mapped) {
    munmap(block, h->size);
  } else {
    std::free(block);
  }
}

class Pool {
 public:
  void* acquire(size_t bytes) {
    if (bytes > (size_t{1} << 60)) return nullptr;
    const size_t size = size_class(bytes + kHeader);
    void* block = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        block = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= size;
        --cached_blocks_;
        ++hits_;
      } else {
        ++misses_;
      }
      if (block) {
        live_bytes_ += size;
        ++live_blocks_;
      }
    }
    if (!block) {  // ask the system outside the lock
      bool mapped = false;
      block = system_alloc(size, &mapped);
      if (!block) return nullptr;
      Header* h = static_cast<Header*>(block);
      h->size = size;
      h->magic = kMagic;
      h->mapped = mapped;
      std::lock_guard<std::mutex> lock(mutex_);
      live_bytes_ += size;
      ++live_blocks_;
    }
    return static_cast<char*>(block) + kHeader;
  }

  void release(void* data) {
    if (!data) return;
    void* block = static_cast<char*>(data) - kHeader;
    const Header* h = static_cast<const Header*>(block);
    if (h->magic != kMagic) std::abort();  // not ours: a double free or a stray pointer
    const size_t size = h->size;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_bytes_ -= size;
      --live_blocks_;
      if (cached_bytes_ + size <= limit_) {
        free_[size].push_back(block);
        cached_bytes_ += size;
        ++cached_blocks_;
        return;
      }
    }
    system_free(block);  // over the limit: back to the system
  }

  Stats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {cached_bytes_, cached_blocks_, live_bytes_, live_blocks_, limit_, hits_, misses_};
  }

  void set_limit(size_t bytes) {
    std::vector<void*> drop;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      limit_ = bytes;
      take_over(limit_, &drop);
    }
    for (void* b : drop) system_free(b);
  }

  void clear() {
    std::vector<void*> drop;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      take_over(0, &drop);
    }
    for (void* b : drop) system_free(b);
  }

 private:
  // Moves cached blocks into *drop until at most `keep` bytes stay cached, biggest first.
  void take_over(size_t keep, std::vector<void*>* drop) {
    while (cached_bytes_ > keep) {
      auto biggest = free_.end();
      for (auto it = free_.begin(); it != free_.end(); ++it)
        if (!it->second.empty() && (biggest == free_.end() || it->first > biggest->first))
          biggest = it;
      if (biggest == free_.end()) break;
      drop->push_back(biggest->second.front());  // the coldest block of that class
      biggest->second.erase(biggest->second.begin());
      cached_bytes_ -= biggest->first;
      --cached_blocks_;
    }
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t cached_bytes_ = 0, cached_blocks_ = 0, live_bytes_ = 0, live_blocks_ = 0;
  size_t limit_ = size_t{1} << 30;
  uint64_t hits_ = 0, misses_ = 0;
};

// Never destroyed: arrays may be freed after static destructors have run at exit.
Pool& the_pool() {
  static Pool* pool = new Pool();
  return *pool;
}

}  // namespace

void* acquire(size_t bytes) { return the_pool().acquire(bytes); }
void release(void* block) { the_pool().release(block); }
Stats stats() { return the_pool().stats(); }
void set_limit(size_t bytes) { the_pool().set_limit(bytes); }
void clear() { the_pool().clear(); }

}  // namespace fneedle::pool
