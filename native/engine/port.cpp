#include "port.h"
#include <algorithm>
#include <cstdio>
#include "error.h"

namespace rs {

std::string mac_to_string(const MacAddr& m) {
  char s[18];
  std::snprintf(s, sizeof s, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
  return s;
}

bool parse_mac(const std::string& s, MacAddr* out) {
  // Exactly "hh:hh:hh:hh:hh:hh". Checked by hand: sscanf's %x would also take
  // signs, spaces and single digits ("-1:..." or " 1:...").
  if (s.size() != 17) return false;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  MacAddr m;
  for (int i = 0; i < 6; i++) {
    int hi = hex(s[i * 3]), lo = hex(s[i * 3 + 1]);
    if (hi < 0 || lo < 0) return false;
    if (i < 5 && s[i * 3 + 2] != ':') return false;
    m[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  *out = m;
  return true;
}

DevArgs DevArgs::parse(const std::string& s) {
  DevArgs a;
  a.raw = s;
  std::size_t start = 0;
  bool first = true;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (first) {
      if (part.empty()) throw Error("EDEVARGS", "devargs '" + s + "' has no device name: write e.g. net_null0,size=64");
      a.name = part;
      std::size_t end = part.size();
      while (end > 0 && part[end - 1] >= '0' && part[end - 1] <= '9') end--;
      a.driver = part.substr(0, end);
      first = false;
    } else {
      std::size_t eq = part.find('=');
      if (part.empty() || eq == std::string::npos || eq == 0)
        throw Error("EDEVARGS", "devargs '" + s + "': '" + part + "' is not key=value");
      a.kv[part.substr(0, eq)] = part.substr(eq + 1);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return a;
}

Port::Port(uint16_t id, DevArgs args, Mempool* pool) : id_(id), args_(std::move(args)), pool_(pool) {
  // Locally administered, unique per port: 02:52:53 ("RS") then the port id.
  mac_ = MacAddr{0x02, 0x52, 0x53, 0x00, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
  cls_.configure(id, 1, 1);
}

uint32_t Port::max_mtu() const {
  // One segment per packet: the frame (Ethernet header + VLAN tag) must fit the data room.
  return pool_->data_room() - 18;
}

void Port::configure(uint16_t nb_rx, uint16_t nb_tx) {
  if (closed_) throw Error("EPORT_CLOSED", "port " + std::to_string(id_) + " is closed: attach it again");
  if (started_) throw Error("EBUSY_STARTED", "port " + std::to_string(id_) + " is started: run 'port stop " + std::to_string(id_) + "' first");
  // Beyond the driver's queues, software queues once RSS or flow rules can feed them.
  uint16_t rx_limit = cls_.wants_soft_queues() ? kMaxQueues : max_rx_queues();
  if (nb_rx < 1 || nb_rx > rx_limit)
    throw Error("EQUEUE_RANGE", "port " + std::to_string(id_) + " supports 1.." + std::to_string(rx_limit) + " rx queues, not " + std::to_string(nb_rx) +
                                    (nb_rx <= kMaxQueues && rx_limit < kMaxQueues
                                         ? ": more are software queues, fed by RSS or flow rules: enable RSS first ('port config " + std::to_string(id_) + " rss ip')"
                                         : ""));
  if (cls_.highest_rule_queue() >= nb_rx)
    throw Error("EFLOW_QUEUE", "port " + std::to_string(id_) + " has flow rules sending to rx queue " + std::to_string(cls_.highest_rule_queue()) +
                                   ": destroy them first ('flow flush " + std::to_string(id_) + "')");
  if (nb_tx < 1 || nb_tx > max_tx_queues())
    throw Error("EQUEUE_RANGE", "port " + std::to_string(id_) + " supports 1.." + std::to_string(max_tx_queues()) + " tx queues, not " + std::to_string(nb_tx));
  uint16_t hw_rx = std::min(nb_rx, max_rx_queues());
  do_configure(hw_rx, nb_tx);
  nb_rx_ = nb_rx;
  hw_rx_ = hw_rx;
  nb_tx_ = nb_tx;
  if (uint32_t freed = cls_.configure(id_, nb_rx, hw_rx)) count_rx_missed(freed);
  configured_ = true;
}

void Port::start() {
  if (closed_) throw Error("EPORT_CLOSED", "port " + std::to_string(id_) + " is closed: attach it again");
  if (started_) return;
  if (!configured_) configure(nb_rx_, nb_tx_);
  counts_bytes_ = counts_bytes();
  do_start();
  started_ = true;
  for (uint16_t q = 0; q < kMaxQueues; q++) {
    store_relaxed(rxq_on_[q], !rx_deferred_[q]);
    store_relaxed(txq_on_[q], !tx_deferred_[q]);
  }
  store_relaxed(running_, admin_up_);
}

void Port::stop() {
  if (!started_) return;
  store_relaxed(running_, false);
  do_stop();
  started_ = false;
  // No poll thread reads a filter now: only the current one must live on.
  if (rx_filters_.size() > 1) rx_filters_.erase(rx_filters_.begin(), rx_filters_.end() - 1);
  if (uint32_t n = cls_.drain()) count_rx_missed(n);  // software queues give their packets back
}

void Port::check_queue_id(Dir d, uint16_t q) const {
  uint16_t nb = d == Dir::Rx ? nb_rx_ : nb_tx_;
  if (q >= nb)
    throw Error("EQUEUE_RANGE", "port " + std::to_string(id_) + " has " + dir_name(d) + " queues 0.." +
                                    std::to_string(nb - 1) + ", not " + std::to_string(q));
}

void Port::set_queue_on(Dir d, uint16_t q, bool on) {
  check_queue_id(d, q);
  if (!started_) throw Error("EPORT_STOPPED", "Please start port " + std::to_string(id_) + " first");
  store_relaxed((d == Dir::Rx ? rxq_on_ : txq_on_)[q], on);
}

void Port::set_deferred_start(Dir d, uint16_t q, bool on) {
  check_queue_id(d, q);
  if (started_) throw Error("EBUSY_STARTED", "Please stop port " + std::to_string(id_) + " first");
  (d == Dir::Rx ? rx_deferred_ : tx_deferred_)[q] = on;
}

void Port::set_nb_desc(Dir d, uint16_t q, uint32_t n) {
  if (started_)
    throw Error("EBUSY_STARTED", "Please stop port " + std::to_string(id_) + " first: ring sizes change only while it is stopped");
  if (q != kAllQueues && q >= kMaxQueues)
    throw Error("EQUEUE_RANGE", std::string(dir_name(d)) + " queue " + std::to_string(q) + " is out of range: 0.." +
                                    std::to_string(kMaxQueues - 1));
  auto& want = d == Dir::Rx ? rxd_ : txd_;
  for (uint16_t i = (q == kAllQueues ? 0 : q); i < (q == kAllQueues ? kMaxQueues : q + 1); i++) {
    uint32_t before = want[i];
    want[i] = n;
    try {
      do_set_nb_desc(d, i);
    } catch (...) {
      want[i] = before;
      throw;
    }
  }
}

void Port::close() {
  if (closed_) return;
  stop();
  drain();
  do_close();
  closed_ = true;
}

LinkInfo Port::link() const {
  if (!started_ || !admin_up_) return LinkInfo{false, 0, true};
  return do_link();
}

void Port::set_link(bool up) {
  do_set_link(up);
  admin_up_ = up;
  store_relaxed(running_, started_ && up);
}

void Port::set_mtu(uint32_t mtu) {
  if (mtu < min_mtu() || mtu > max_mtu())
    throw Error("EMTU_RANGE", "MTU " + std::to_string(mtu) + " is out of range for port " + std::to_string(id_) +
                                  ": valid is " + std::to_string(min_mtu()) + ".." + std::to_string(max_mtu()));
  do_set_mtu(mtu);
  mtu_ = mtu;
}

void Port::set_mac(const MacAddr& m) {
  if (m[0] & 1) throw Error("EINVAL_MAC", "MAC " + mac_to_string(m) + " is a multicast address: a port needs a unicast one");
  do_set_mac(m);
  mac_ = m;
  publish_rx_filter();
}

void Port::set_promiscuous(bool on) {
  do_set_promiscuous(on);
  promisc_ = on;
  publish_rx_filter();
}

void Port::set_allmulti(bool on) {
  do_set_allmulti(on);
  allmulti_ = on;
  publish_rx_filter();
}

static bool contains(const std::vector<MacAddr>& l, const MacAddr& m) { return std::find(l.begin(), l.end(), m) != l.end(); }

void Port::add_mac(const MacAddr& m) {
  if (m[0] & 1) throw Error("EINVAL_MAC", "mac_addr_cmd error: (Invalid argument): " + mac_to_string(m) + " is multicast; add it with 'mcast_addr add " + std::to_string(id_) + " " + mac_to_string(m) + "'");
  if (m == mac_ || contains(added_macs_, m)) return;  // as rte_eth_dev_mac_addr_add: already there is success
  if (added_macs_.size() + 1 >= kMaxRxAddrs)
    throw Error("EMAC_FULL", "mac_addr_cmd error: (No space left on device): port " + std::to_string(id_) + " has " + std::to_string(kMaxRxAddrs) + " addresses; remove one first");
  do_rx_addr(m, true);
  added_macs_.push_back(m);
  publish_rx_filter();
}

void Port::remove_mac(const MacAddr& m) {
  if (m == mac_) throw Error("EINVAL_MAC", "mac_addr_cmd error: (Address already in use): " + mac_to_string(m) + " is port " + std::to_string(id_) + "'s default address; change it with 'mac_addr set'");
  auto it = std::find(added_macs_.begin(), added_macs_.end(), m);
  if (it == added_macs_.end()) return;  // as DPDK: removing an absent address is not an error
  do_rx_addr(m, false);
  added_macs_.erase(it);
  publish_rx_filter();
}

void Port::add_mcast(const MacAddr& m) {
  if (!(m[0] & 1)) throw Error("EINVAL_MAC", "Invalid multicast addr " + mac_to_string(m) + ": a multicast address has the low bit of its first byte set (01:00:5E:...)");
  if (contains(mcast_macs_, m)) throw Error("EMAC_EXISTS", "multicast address already filtered by port");
  if (mcast_macs_.size() >= kMaxRxAddrs)
    throw Error("EMAC_FULL", "port " + std::to_string(id_) + " has " + std::to_string(kMaxRxAddrs) + " multicast addresses; remove one first");
  do_rx_addr(m, true);
  mcast_macs_.push_back(m);
  publish_rx_filter();
}

void Port::remove_mcast(const MacAddr& m) {
  auto it = std::find(mcast_macs_.begin(), mcast_macs_.end(), m);
  if (it == mcast_macs_.end()) throw Error("EMAC_ABSENT", "multicast address not filtered by port " + std::to_string(id_));
  do_rx_addr(m, false);
  mcast_macs_.erase(it);
  publish_rx_filter();
}

void Port::publish_rx_filter() {
  if (promisc_) {
    rx_filter_.store(nullptr, std::memory_order_release);
    return;
  }
  auto f = std::make_unique<RxFilter>();
  f->unicast.push_back(mac_);
  f->unicast.insert(f->unicast.end(), added_macs_.begin(), added_macs_.end());
  f->multicast = mcast_macs_;
  f->allmulti = allmulti_;
  // release: the filter's lists are written before a poll thread can see it.
  rx_filter_.store(f.get(), std::memory_order_release);
  rx_filters_.push_back(std::move(f));
}

void Port::drain() {
  uint32_t n = do_drain() + cls_.drain();
  if (n) count_rx_missed(n);
}

void Port::flush() {
  uint32_t n = do_drain() + cls_.drain();
  if (n) rx_flushed_.v.fetch_add(n, std::memory_order_relaxed);  // no poll thread runs: order irrelevant
}

static_assert(Port::kMaxQueues == kClassifierQueues);

// Queue q's software ring first (packets other queues steered to it), then
// what the driver gives on q, classified (classify/classifier.h).
uint16_t Port::classified_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) {
  uint16_t got = cls_.take(q, pkts, n);
  if (q < hw_rx_ && got < n) {
    uint16_t r = do_rx_burst(q, pkts + got, static_cast<uint16_t>(n - got));
    if (r) {
      uint32_t missed = 0;
      got = static_cast<uint16_t>(got + cls_.classify(q, pkts + got, r, &missed));
      if (missed) count_rx_missed(missed);
    }
  }
  return got;
}

PortStats Port::raw_stats() const {
  PortStats s;
  for (uint16_t q = 0; q < nb_rx_; q++) {
    s.rxq_packets.push_back(rxq_[q].packets.get());
    s.rxq_bytes.push_back(rxq_[q].bytes.get());
    s.rxq_errors.push_back(rxq_[q].errors.get());
    s.rx_packets += s.rxq_packets.back();
    s.rx_bytes += s.rxq_bytes.back();
    s.rx_errors += s.rxq_errors.back();
  }
  for (uint16_t q = 0; q < nb_tx_; q++) {
    s.txq_packets.push_back(txq_[q].packets.get());
    s.txq_bytes.push_back(txq_[q].bytes.get());
    s.txq_errors.push_back(txq_[q].errors.get());
    s.tx_packets += s.txq_packets.back();
    s.tx_bytes += s.txq_bytes.back();
    s.tx_errors += s.txq_errors.back();
  }
  if (has_spare_tx_queue()) {
    s.tx_packets += txq_[nb_tx_].packets.get();
    s.tx_bytes += txq_[nb_tx_].bytes.get();
    s.tx_errors += txq_[nb_tx_].errors.get();
  }
  s.rx_missed = rx_missed_.get();
  s.rx_nombuf = rx_nombuf_.get();
  s.rx_flushed = rx_flushed_.get();
  return s;
}

static void subtract(std::vector<uint64_t>& v, const std::vector<uint64_t>& base) {
  for (std::size_t i = 0; i < v.size() && i < base.size(); i++) v[i] -= base[i];
}

PortStats Port::stats() const {
  PortStats s = raw_stats();
  const PortStats& b = baseline_;
  subtract(s.rxq_packets, b.rxq_packets); subtract(s.rxq_bytes, b.rxq_bytes); subtract(s.rxq_errors, b.rxq_errors);
  subtract(s.txq_packets, b.txq_packets); subtract(s.txq_bytes, b.txq_bytes); subtract(s.txq_errors, b.txq_errors);
  // Totals from the per-queue differences: the baseline covers every queue,
  // the current configuration maybe fewer.
  s.rx_packets = s.rx_bytes = s.rx_errors = s.tx_packets = s.tx_bytes = s.tx_errors = 0;
  for (std::size_t q = 0; q < s.rxq_packets.size(); q++) {
    s.rx_packets += s.rxq_packets[q]; s.rx_bytes += s.rxq_bytes[q]; s.rx_errors += s.rxq_errors[q];
  }
  for (std::size_t q = 0; q < s.txq_packets.size(); q++) {
    s.tx_packets += s.txq_packets[q]; s.tx_bytes += s.txq_bytes[q]; s.tx_errors += s.txq_errors[q];
  }
  if (has_spare_tx_queue()) {  // in the totals, not a queue of its own (the baseline holds every queue)
    auto since_clear = [&](const Counter& c, const std::vector<uint64_t>& base) {
      return c.get() - (nb_tx_ < base.size() ? base[nb_tx_] : 0);
    };
    s.tx_packets += since_clear(txq_[nb_tx_].packets, b.txq_packets);
    s.tx_bytes += since_clear(txq_[nb_tx_].bytes, b.txq_bytes);
    s.tx_errors += since_clear(txq_[nb_tx_].errors, b.txq_errors);
  }
  s.rx_missed -= b.rx_missed; s.rx_nombuf -= b.rx_nombuf; s.rx_flushed -= b.rx_flushed;
  return s;
}

// The counters have a single writer (a poll thread), so clearing keeps a
// baseline instead of racing with it. Every queue is snapshotted, not only the
// configured ones: a later configure with more queues must not bring back
// counts from before the clear.
void Port::clear_stats() {
  PortStats b;
  for (uint16_t q = 0; q < kMaxQueues; q++) {
    b.rxq_packets.push_back(rxq_[q].packets.get());
    b.rxq_bytes.push_back(rxq_[q].bytes.get());
    b.rxq_errors.push_back(rxq_[q].errors.get());
    b.txq_packets.push_back(txq_[q].packets.get());
    b.txq_bytes.push_back(txq_[q].bytes.get());
    b.txq_errors.push_back(txq_[q].errors.get());
  }
  b.rx_missed = rx_missed_.get();
  b.rx_nombuf = rx_nombuf_.get();
  b.rx_flushed = rx_flushed_.get();
  baseline_ = std::move(b);
}

}  // namespace rs
