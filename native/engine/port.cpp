#include "port.h"
#include <cstdio>
#include "error.h"

namespace rs {

std::string mac_to_string(const MacAddr& m) {
  char s[18];
  std::snprintf(s, sizeof s, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
  return s;
}

bool parse_mac(const std::string& s, MacAddr* out) {
  unsigned b[6];
  char tail;
  if (std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
    return false;
  if (s.size() != 17) return false;
  for (int i = 0; i < 6; i++) (*out)[i] = static_cast<uint8_t>(b[i]);
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
}

uint32_t Port::max_mtu() const {
  // One segment per packet: the frame (Ethernet header + VLAN tag) must fit the data room.
  return pool_->data_room() - 18;
}

void Port::configure(uint16_t nb_rx, uint16_t nb_tx) {
  if (closed_) throw Error("EPORT_CLOSED", "port " + std::to_string(id_) + " is closed: attach it again");
  if (started_) throw Error("EBUSY_STARTED", "port " + std::to_string(id_) + " is started: run 'port stop " + std::to_string(id_) + "' first");
  if (nb_rx < 1 || nb_rx > max_rx_queues())
    throw Error("EQUEUE_RANGE", "port " + std::to_string(id_) + " supports 1.." + std::to_string(max_rx_queues()) + " rx queues, not " + std::to_string(nb_rx));
  if (nb_tx < 1 || nb_tx > max_tx_queues())
    throw Error("EQUEUE_RANGE", "port " + std::to_string(id_) + " supports 1.." + std::to_string(max_tx_queues()) + " tx queues, not " + std::to_string(nb_tx));
  do_configure(nb_rx, nb_tx);
  nb_rx_ = nb_rx;
  nb_tx_ = nb_tx;
  configured_ = true;
}

void Port::start() {
  if (closed_) throw Error("EPORT_CLOSED", "port " + std::to_string(id_) + " is closed: attach it again");
  if (started_) return;
  if (!configured_) configure(nb_rx_, nb_tx_);
  counts_bytes_ = counts_bytes();
  do_start();
  started_ = true;
  store_relaxed(running_, admin_up_);
}

void Port::stop() {
  if (!started_) return;
  store_relaxed(running_, false);
  do_stop();
  started_ = false;
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
}

void Port::set_promiscuous(bool on) {
  do_set_promiscuous(on);
  promisc_ = on;
}

void Port::drain() {
  uint32_t n = do_drain();
  if (n) count_rx_missed(n);
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
  s.rx_missed = rx_missed_.get();
  s.rx_nombuf = rx_nombuf_.get();
  return s;
}

static void subtract(std::vector<uint64_t>& v, const std::vector<uint64_t>& base) {
  for (std::size_t i = 0; i < v.size() && i < base.size(); i++) v[i] -= base[i];
}

PortStats Port::stats() const {
  PortStats s = raw_stats();
  const PortStats& b = baseline_;
  s.rx_packets -= b.rx_packets; s.rx_bytes -= b.rx_bytes; s.rx_errors -= b.rx_errors;
  s.rx_missed -= b.rx_missed; s.rx_nombuf -= b.rx_nombuf;
  s.tx_packets -= b.tx_packets; s.tx_bytes -= b.tx_bytes; s.tx_errors -= b.tx_errors;
  subtract(s.rxq_packets, b.rxq_packets); subtract(s.rxq_bytes, b.rxq_bytes); subtract(s.rxq_errors, b.rxq_errors);
  subtract(s.txq_packets, b.txq_packets); subtract(s.txq_bytes, b.txq_bytes); subtract(s.txq_errors, b.txq_errors);
  return s;
}

// The counters have a single writer (a poll thread), so clearing keeps a
// baseline instead of racing with it.
void Port::clear_stats() {
  baseline_ = raw_stats();
  baseline_.rxq_packets.resize(kMaxQueues); baseline_.rxq_bytes.resize(kMaxQueues); baseline_.rxq_errors.resize(kMaxQueues);
  baseline_.txq_packets.resize(kMaxQueues); baseline_.txq_bytes.resize(kMaxQueues); baseline_.txq_errors.resize(kMaxQueues);
}

}  // namespace rs
