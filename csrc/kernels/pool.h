// A caching allocator for output buffers: freed blocks wait in size-bucketed free lists, so a
// repeated call reuses warm pages instead of faulting in fresh ones (about 1.5 us per 4 KiB
// page here). Blocks of 2 MiB and more are mapped 2 MiB-aligned with MADV_HUGEPAGE.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fneedle::pool {

// A block of at least `bytes` bytes, 64-byte aligned; nullptr when memory runs out.
void* acquire(size_t bytes);

// Gives back a block from acquire(): it is cached, or freed when the cache is at its limit.
// Safe at any time, including during interpreter exit: the pool itself is never destroyed.
void release(void* block);

struct Stats {
  size_t cached_bytes;   // bytes waiting in the free lists
  size_t cached_blocks;
  size_t live_bytes;     // bytes handed out and not yet released
  size_t live_blocks;
  size_t limit_bytes;    // the most bytes the free lists keep
  uint64_t hits;         // acquires served from the free lists
  uint64_t misses;       // acquires that asked the system
};

Stats stats();
// Sets the cache limit, freeing cached blocks beyond it (biggest size classes first).
void set_limit(size_t bytes);
// Frees every cached block.
void clear();

}  // namespace fneedle::pool
