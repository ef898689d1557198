// net_null, after DPDK's: rx hands out `size`-byte packets straight from the
// pool without writing their contents, tx frees what it is given. A source and
// a sink with no I/O cost, so benchmarks measure the forwarding path alone.
#include <string>
#include "drivers.h"
#include "error.h"

namespace rs {
namespace {

constexpr uint16_t kDefaultSize = 64;
constexpr uint16_t kMinSize = 14;  // an Ethernet header

class NullPort final : public Port {
 public:
  NullPort(uint16_t id, const DevArgs& args, Mempool* pool, uint16_t size) : Port(id, args, pool), size_(size) {}

  void do_queue_info(Dir d, uint16_t, QueueInfo* out) const override {
    out->kind = d == Dir::Rx ? "null: no ring, rx allocates from the mbuf pool" : "null: no ring, tx frees";
  }

  std::vector<std::pair<std::string, std::string>> info() const override {
    return {{"packet size", std::to_string(size_) + " bytes (contents not written)"}};
  }

 protected:
  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    if (n == 0) return 0;
    if (pool()->alloc_bulk(pkts, n) == 0) {
      count_rx_nombuf(n);
      return 0;
    }
    // Only header fields: touching the data would cost a cache miss per packet.
    for (uint16_t i = 0; i < n; i++) {
      pkts[i]->data_len = size_;
      pkts[i]->port = id();
      pkts[i]->queue = q;
    }
    count_rx_bytes(q, static_cast<uint64_t>(n) * size_);
    return n;
  }

  uint16_t do_tx_burst(uint16_t, Mbuf** pkts, uint16_t n) override {
    mbuf_free_bulk(pkts, n);
    return n;
  }

 private:
  uint16_t size_;
};

std::unique_ptr<Port> create(uint16_t id, const DevArgs& args, Mempool* pool) {
  check_devargs(args, net_null_driver());
  uint16_t size = kDefaultSize;
  uint16_t room = pool->data_room();
  if (auto it = args.kv.find("size"); it != args.kv.end()) {
    uint64_t v = 0;
    if (!parse_uint(it->second, 65535, &v) || v < kMinSize || v > room)
      throw Error("EDEVARGS", args.name + ": size=" + it->second + " is not valid: give a packet size in bytes from " +
                                  std::to_string(kMinSize) + " (an Ethernet header) to " + std::to_string(room) +
                                  " (the mbuf data room)");
    size = static_cast<uint16_t>(v);
  }
  return std::make_unique<NullPort>(id, args, pool, size);
}

}  // namespace

const DriverInfo& net_null_driver() {
  static const DriverInfo d{"net_null",
                            "net_nullN[,size=BYTES]: rx yields BYTES-byte packets (default 64) without writing "
                            "them, tx frees packets: a source and sink for benchmarks",
                            "size", create};
  return d;
}

}  // namespace rs
