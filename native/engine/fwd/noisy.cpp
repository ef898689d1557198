// noisy: forward as io does, but behave like a VNF (testpmd's noisy_vnf.c):
// received packets wait in a per-stream FIFO and leave when it overflows or
// when flush_time_ms passes without a send, and each packet costs random
// reads and writes into a lookup table of lkup_memory_mb MiB.
#include <memory>
#include <vector>
#include "../poll_clock.h"
#include "engines.h"

namespace rs {

namespace {

struct NoisyState final : FwdEngineState {
  std::vector<Mbuf*> fifo;  // circular, capacity tx_sw_buffer_size
  uint32_t head = 0, count = 0;
  std::unique_ptr<uint8_t[]> table;
  uint64_t table_size = 0;
  uint64_t rnd = 0x9e3779b97f4a7c15ULL;  // xorshift64: cheap, per stream
  uint64_t last_flush_ns = 0;
  uint64_t sink = 0;  // keeps the reads from being optimised away

  ~NoisyState() override {
    // Forwarding stopped: what waits in the FIFO was in flight, not dropped.
    while (count) {
      uint32_t n = std::min<uint32_t>(count, static_cast<uint32_t>(fifo.size()) - head);
      mbuf_free_bulk(fifo.data() + head, n);
      head = (head + n) % fifo.size();
      count -= n;
    }
  }

  uint64_t next_index() {
    rnd ^= rnd << 13;
    rnd ^= rnd >> 7;
    rnd ^= rnd << 17;
    return rnd % table_size;
  }

  // Takes up to n packets from the FIFO's head, in order.
  uint16_t take(Mbuf** out, uint16_t n) {
    uint16_t got = 0;
    for (; got < n && count; got++, count--) {
      out[got] = fifo[head];
      head = head + 1 == fifo.size() ? 0 : head + 1;
    }
    return got;
  }

  void put(Mbuf* const* pkts, uint16_t n) {
    for (uint16_t i = 0; i < n; i++) {
      uint32_t tail = head + count;
      fifo[tail >= fifo.size() ? tail - fifo.size() : tail] = pkts[i];
      count++;
    }
  }

  void lookups(const NoisySettings& ns, uint16_t pkts) {
    if (!table_size) return;
    for (uint32_t p = 0; p < pkts; p++) {
      for (uint32_t i = 0; i < ns.lkup_writes; i++) table[next_index()] = static_cast<uint8_t>(i);
      for (uint32_t i = 0; i < ns.lkup_reads; i++) sink += table[next_index()];
      for (uint32_t i = 0; i < ns.lkup_reads_writes; i++) table[next_index()]++;
    }
  }
};

NoisyState& state_of(FwdStream& fs) { return static_cast<NoisyState&>(*fs.state); }

void noisy_init(FwdStream& fs, const FwdSettings& s) {
  if (fs.state) return;  // again after tx_first: keep the FIFO and table
  auto st = std::make_unique<NoisyState>();
  const NoisySettings& ns = s.noisy;
  st->fifo.resize(ns.tx_sw_buffer_size);
  st->table_size = uint64_t{ns.lkup_memory_mb} << 20;
  if (st->table_size && ns.lkup_writes + ns.lkup_reads + ns.lkup_reads_writes)
    st->table = std::make_unique<uint8_t[]>(st->table_size);
  else
    st->table_size = 0;
  st->rnd ^= (uint64_t{fs.rx_port} << 32) | fs.rx_queue;
  fs.state = std::move(st);
}

// Moved packets: received some, or flushed the FIFO.
bool noisy_fwd(FwdStream& fs, const FwdSettings& s) {
  NoisyState& st = state_of(fs);
  const NoisySettings& ns = s.noisy;
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  bool sent = false;
  if (n) {
    st.lookups(ns, n);
    if (st.fifo.empty()) {
      fwd_tx_and_free_rest(fs, pkts, n);
      return true;
    }
    // Make room for the burst: the oldest packets leave first.
    uint32_t room = static_cast<uint32_t>(st.fifo.size()) - st.count;
    if (n > room) {
      Mbuf* out[kMaxBurst];
      uint16_t m = st.take(out, static_cast<uint16_t>(n - room));
      fwd_tx_and_free_rest(fs, out, m);
      sent = true;
    }
    // A burst larger than the whole FIFO passes its first packets straight on.
    uint16_t over = n > st.fifo.size() ? static_cast<uint16_t>(n - st.fifo.size()) : 0;
    fwd_tx_and_free_rest(fs, pkts, over);
    st.put(pkts + over, static_cast<uint16_t>(n - over));
  }
  if (!ns.flush_time_ms || !st.count) return n != 0;
  uint64_t now = monotonic_ns();
  if (!st.last_flush_ns) st.last_flush_ns = now;
  if (sent || now - st.last_flush_ns < uint64_t{ns.flush_time_ms} * 1000000) return n != 0;
  while (st.count) {
    Mbuf* out[kMaxBurst];
    uint16_t m = st.take(out, kMaxBurst);
    fwd_tx_and_free_rest(fs, out, m);
  }
  st.last_flush_ns = now;
  return true;
}

}  // namespace

const FwdEngine fwd_noisy = {"noisy", "forward as io through a FIFO with simulated table lookups (--noisy-* options)",
                             noisy_init, noisy_fwd};

}  // namespace rs
