// net_pcap, after DPDK's: rx_pcap=FILE replays a classic pcap file into rx
// (once, at top speed; then rx returns 0), tx_pcap=FILE records every packet
// sent, stamped with CLOCK_REALTIME in nanoseconds. Without tx_pcap, tx frees
// the packets (DPDK's tx_drop); without rx_pcap, rx returns 0.
//
// Files are opened at start: each start replays rx_pcap from its beginning
// (as DPDK reopens it), while tx_pcap is created at the first start and kept
// open, flushed at every stop, until close. One rx and one tx queue.
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <unistd.h>
#include "drivers.h"
#include "error.h"
#include "pcap_file.h"

namespace rs {
namespace {

constexpr uint32_t kTxSnaplen = 65535;  // mbufs never hold more

void check_linktype(const PcapReader& r) {
  if (r.linktype() != kLinktypeEthernet)
    throw Error("EPCAP_FORMAT", "'" + r.path() + "' holds link type " + std::to_string(r.linktype()) +
                                    " frames; net_pcap ports carry Ethernet (link type 1): re-capture on an "
                                    "Ethernet interface rather than 'any'");
}

class PcapPort final : public Port {
 public:
  PcapPort(uint16_t id, const DevArgs& args, Mempool* pool, std::string rx, std::string tx)
      : Port(id, args, pool), rx_path_(std::move(rx)), tx_path_(std::move(tx)), room_(pool->data_room()) {}

  uint16_t max_rx_queues() const override { return 1; }
  uint16_t max_tx_queues() const override { return 1; }

  void do_queue_info(Dir d, uint16_t, QueueInfo* out) const override {
    const std::string& path = d == Dir::Rx ? rx_path_ : tx_path_;
    out->kind = path.empty() ? "pcap: no file, no ring" : "pcap file " + path + ", no ring";
  }

  std::vector<std::pair<std::string, std::string>> info() const override {
    std::vector<std::pair<std::string, std::string>> v;
    if (!rx_path_.empty()) {
      std::string state = std::to_string(reader_.records()) + " packets read";
      if (eof_) state += reader_.stopped_early() ? ", stopped early (see rx_pcap error)" : ", end of file";
      v.push_back({"rx_pcap", rx_path_ + " (" + state + ")"});
      if (!rx_problem_.empty()) v.push_back({"rx_pcap error", rx_problem_});
    }
    if (!tx_path_.empty()) {
      v.push_back({"tx_pcap", tx_path_ + " (" + std::to_string(writer_.records()) + " packets written)"});
      if (!tx_problem_.empty()) v.push_back({"tx_pcap error", tx_problem_});
    } else {
      v.push_back({"tx", "packets are dropped (no tx_pcap)"});
    }
    return v;
  }

 protected:
  void do_start() override {
    if (!rx_path_.empty()) {
      reader_.open(rx_path_);  // from the beginning at every start
      check_linktype(reader_);
      eof_ = false;
      rx_problem_.clear();
    }
    if (!tx_path_.empty() && !writer_.is_open()) {
      writer_.open(tx_path_, kTxSnaplen, kLinktypeEthernet, true);
      tx_problem_.clear();
    }
  }

  // stop and close must succeed (detach relies on them), so write errors are
  // kept for `show port info` and already counted as tx errors.
  void do_stop() override {
    if (!writer_.is_open()) return;
    try {
      writer_.flush();
    } catch (const Error& e) {
      tx_problem_ = e.what();
    }
  }

  void do_close() override {
    reader_.close();
    try {
      writer_.close();
    } catch (const Error& e) {
      tx_problem_ = e.what();
    }
  }

  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    if (eof_ || !reader_.is_open() || n == 0) return 0;
    if (pool()->alloc_bulk(pkts, n) == 0) {
      count_rx_nombuf(n);
      return 0;
    }
    uint16_t got = 0;
    uint64_t bytes = 0;
    PcapRecord rec;
    while (got < n) {
      if (!reader_.next(rec)) {
        eof_ = true;
        if (reader_.status() != PcapReader::Status::End) rx_bad_tail(q);
        break;
      }
      if (rec.caplen > room_) {  // the file changed since attach checked it: drop, as a NIC drops oversize frames
        count_rx_error(q);
        continue;
      }
      Mbuf* m = pkts[got++];
      std::memcpy(m->data(), rec.data, rec.caplen);
      m->data_len = static_cast<uint16_t>(rec.caplen);
      m->timestamp = rec.ts_ns;
      m->port = id();
      m->queue = q;
      bytes += rec.caplen;
    }
    if (got < n) mbuf_free_bulk(pkts + got, n - got);
    if (bytes) count_rx_bytes(q, bytes);
    return got;
  }

  uint16_t do_tx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    if (writer_.is_open()) {
      timespec ts;
      ::clock_gettime(CLOCK_REALTIME, &ts);  // vDSO, once per burst
      uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
      uint32_t failed = 0;
      for (uint16_t i = 0; i < n; i++)
        if (!writer_.write(now, pkts[i]->data(), pkts[i]->data_len)) failed++;
      if (failed) count_tx_error(q, failed);
    }
    mbuf_free_bulk(pkts, n);
    return n;
  }

 private:
  // Once per file, where a truncated or damaged file stops after its complete
  // records were received: one rx error, and where and why for `show port info`.
  void rx_bad_tail(uint16_t q) {
    count_rx_error(q);
    rx_problem_ = reader_.ending();
  }

  std::string rx_path_, tx_path_;
  uint32_t room_;
  PcapReader reader_;
  PcapWriter writer_;
  bool eof_ = false;
  std::string rx_problem_, tx_problem_;
};

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::unique_ptr<Port> create(uint16_t id, const DevArgs& args, Mempool* pool) {
  check_devargs(args, net_pcap_driver());
  auto get = [&](const char* k) {
    auto it = args.kv.find(k);
    return it == args.kv.end() ? std::string() : it->second;
  };
  std::string rx = get("rx_pcap"), tx = get("tx_pcap");
  if (rx.empty() && tx.empty())
    throw Error("EDEVARGS", args.name + ": give rx_pcap=FILE (packets to receive), tx_pcap=FILE (where sent "
                                        "packets are written), or both");
  if (rx == tx)
    throw Error("EDEVARGS", args.name + ": rx_pcap and tx_pcap name the same file '" + rx +
                                "': writing it would destroy what rx reads");
  if (!rx.empty()) {
    // Check it now so a bad file, or one with frames no mbuf holds, is
    // reported at attach, not as rx errors after the first start.
    PcapReader r;
    r.open(rx);
    check_linktype(r);
    PcapRecord rec;
    uint64_t oversize = 0, longest_at = 0;
    uint32_t longest = 0;
    while (r.next(rec))
      if (rec.caplen > pool->data_room()) {
        oversize++;
        if (rec.caplen > longest) { longest = rec.caplen; longest_at = r.records(); }
      }
    if (oversize) throw Error("EMBUF_SIZE", args.name + ": " + frames_above_mbuf(rx, oversize, longest, longest_at, pool->data_room()));
  }
  if (!tx.empty()) {
    // Not created yet (that would truncate it at attach): only check its directory.
    std::string dir = parent_dir(tx);
    if (::access(dir.c_str(), W_OK) != 0) {
      int e = errno;
      throw Error("EPCAP_OPEN", args.name + ": cannot create tx_pcap file '" + tx + "' in '" + dir +
                                    "': " + std::strerror(e));
    }
  }
  return std::make_unique<PcapPort>(id, args, pool, rx, tx);
}

}  // namespace

const DriverInfo& net_pcap_driver() {
  static const DriverInfo d{"net_pcap",
                            "net_pcapN,rx_pcap=FILE[,tx_pcap=FILE]: rx replays a pcap file once, tx writes sent "
                            "packets to one (either key or both)",
                            "rx_pcap,tx_pcap", create};
  return d;
}

}  // namespace rs
