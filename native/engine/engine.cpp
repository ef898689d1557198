// Engine core: lifecycle, ports and the forwarding configuration. Runs on
// the control thread. The stream table is planned in engine_streams.cpp, the
// poll threads run in engine_poll.cpp, diagnostics in engine_diag.cpp.
#include "engine.h"
#include <arpa/inet.h>
#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include "capture/capture.h"
#include "diag/verbose.h"
#include "kni/kni.h"
#include "netlink/ifproxy.h"
#include "replay/replay.h"

namespace rs {

const char* topology_name(Topology t) {
  switch (t) {
    case Topology::Paired: return "paired";
    case Topology::Chained: return "chained";
    case Topology::Loop: return "loop";
  }
  return "?";
}

namespace {

// "0..1", "0, 2..4": the attached ids, for error messages.
std::string id_ranges(const std::vector<uint16_t>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) j++;
    if (!out.empty()) out += ", ";
    out += std::to_string(ids[i]);
    if (j > i) out += ".." + std::to_string(ids[j]);
    i = j + 1;
  }
  return out;
}

std::vector<uint16_t> attached_ids(const std::vector<std::unique_ptr<Port>>& ports) {
  std::vector<uint16_t> ids;
  for (std::size_t i = 0; i < ports.size(); i++)
    if (ports[i]) ids.push_back(static_cast<uint16_t>(i));
  return ids;
}

Port* find_port(const std::vector<std::unique_ptr<Port>>& ports, uint16_t id) {
  if (id < ports.size() && ports[id]) return ports[id].get();
  auto ids = attached_ids(ports);
  if (ids.empty())
    throw Error("EPORT_RANGE", "port " + std::to_string(id) +
                                   " does not exist: no ports are attached (use 'port attach net_ring0')");
  throw Error("EPORT_RANGE", "port " + std::to_string(id) + " does not exist: valid ports are " + id_ranges(ids));
}

// "10.0.0.1/24" (or a bare address, taken as /32) into network order.
PortIp parse_cidr(const std::string& s) {
  auto bad = [&] {
    return Error("EINVAL_IP", "'" + s + "' is not an IPv4 address with prefix length: write e.g. 192.168.1.1/24");
  };
  std::size_t slash = s.find('/');
  std::string addr = s.substr(0, slash);
  int len = 32;
  if (slash != std::string::npos) {
    std::string l = s.substr(slash + 1);
    if (l.empty() || l.size() > 2 || !std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw bad();
    len = std::stoi(l);
    if (len > 32) throw bad();
  }
  in_addr a{};
  if (inet_pton(AF_INET, addr.c_str(), &a) != 1) throw bad();
  return PortIp{a.s_addr, static_cast<uint8_t>(len)};
}

std::string format_ip(const PortIp& ip) {
  char buf[INET_ADDRSTRLEN];
  in_addr a{};
  a.s_addr = ip.addr;
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(ip.prefix_len);
}

// Pauses the KNI thread's port I/O while the control thread changes a port.
std::unique_lock<std::mutex> kni_pause(Kni* k) { return k ? k->io_lock() : std::unique_lock<std::mutex>(); }

}  // namespace

// ---------------------------------------------------------------- lifecycle

Engine::Engine(const EngineOptions& opts) : opts_(opts), fwd_(find_fwd_engine("io")) {
  pool_ = std::make_unique<Mempool>("mb_pool_0", opts.total_num_mbufs, opts.mbuf_data_room);
  // Capture and replay completion events go to the queue the shell subscribes to.
  captures_ = std::make_unique<CaptureManager>(&events_);
  replay_ = std::make_unique<ReplayManager>(pool_.get(), &events_);
  verbose_ = std::make_unique<VerboseManager>();
  settings_.pool = pool_.get();
  settings_.eth_peer.resize(kMaxPorts);
  // testpmd's default peers: 02:00:00:00:00:<port id>.
  for (uint16_t i = 0; i < kMaxPorts; i++) settings_.eth_peer[i] = MacAddr{0x02, 0, 0, 0, 0, static_cast<uint8_t>(i)};
  settings_.port_ips.resize(kMaxPorts);
  settings_.gen.rate.resize(kMaxPorts);
  settings_.gen.count.resize(kMaxPorts);
  if (const char* leak = std::getenv("RINGSIDE_TEST_LEAK_MBUFS")) test_leak_ = static_cast<unsigned>(std::strtoul(leak, nullptr, 10));
}

Engine::~Engine() {
  try {
    shutdown();
  } catch (...) {
    // A destructor must not throw; shutdown() already closed what it could.
  }
}

void Engine::shutdown() {
  replay_->stop_all();
  if (forwarding_) stop();
  // After the poll threads: every packet seen is written.
  captures_->stop_all();
  // KNI thread and TAPs, then the netlink listener, before ports close.
  kni_.reset();
  ifproxy_.reset();
  // Nothing pushes events any more: the shell's subscriber is let go.
  events_.set_notify(nullptr);
  verbose_->stop_all();
  // Ports before the pool: closing drains the mbufs they hold back into it.
  for (auto& p : ports_) {
    if (!p) continue;
    try {
      p->close();
    } catch (const Error&) {
      // Keep closing the others; the port is destroyed below regardless.
    }
  }
  ports_.clear();
  pending_start_.clear();
  streams_.clear();
  stream_base_.clear();
  lcores_.clear();
  settings_.pool = nullptr;
  pool_.reset();
}

void Engine::require_stopped(const char* what) const {
  if (forwarding_)
    throw Error("EBUSY_FORWARDING", std::string("cannot ") + what + " while forwarding: stop forwarding first ('stop')");
}

void Engine::require_not_forwarding_port(uint16_t id, const char* what) const {
  if (!forwarding_) return;
  for (const auto& fs : streams_)
    if (fs->rx_port == id || fs->tx_port == id)
      throw Error("EBUSY_FORWARDING", std::string("cannot ") + what + " port " + std::to_string(id) +
                                          " while it forwards: stop forwarding first ('stop')");
}

// -------------------------------------------------------------------- ports

uint16_t Engine::attach(const std::string& devargs) {
  if (!pool_) throw Error("ESHUTDOWN", "the engine was shut down: create a new session");
  DevArgs args = DevArgs::parse(devargs);
  const DriverInfo* drv = find_driver(args.driver);
  if (!drv) {
    std::string names;
    for (const auto& d : driver_table()) names += (names.empty() ? "" : ", ") + std::string(d.name);
    throw Error("EDRIVER", "unknown driver '" + args.driver + "' in '" + args.name + "': valid drivers are " + names);
  }
  // The lowest free id, as DPDK's ethdev hands them out: a detached port's id
  // goes to the next attach.
  auto free_slot = std::find(ports_.begin(), ports_.end(), nullptr);
  uint16_t id = static_cast<uint16_t>(free_slot - ports_.begin());
  if (id >= kMaxPorts)
    throw Error("EPORT_LIMIT", "no port id left: " + std::to_string(kMaxPorts) + " ports are attached: detach one first");
  std::unique_ptr<Port> port = drv->create(id, args, pool_.get());
  port->set_events(&events_);
  bool pending = false;
  try {
    port->configure(1, 1);
    port->start();
  } catch (const Error& e) {
    if (e.code() != "EPEER") {
      port->close();
      throw;
    }
    pending = true;  // wiring to a port not attached yet: retried below
  }
  if (id == ports_.size()) ports_.push_back(std::move(port));
  else ports_[id] = std::move(port);
  verbose_->cover(*ports_[id]);
  if (pending) pending_start_.push_back(id);
  else retry_pending_starts();
  return id;
}

void Engine::retry_pending_starts() {
  std::vector<uint16_t> still;
  for (uint16_t id : pending_start_) {
    try {
      ports_[id]->start();
    } catch (const Error&) {
      still.push_back(id);  // its peer is still missing; `port start` tells why
    }
  }
  pending_start_ = std::move(still);
}

void Engine::forget_pending(uint16_t id) {
  pending_start_.erase(std::remove(pending_start_.begin(), pending_start_.end(), id), pending_start_.end());
}

void Engine::detach(uint16_t id) {
  Port& p = port(id);
  require_not_forwarding_port(id, "detach");
  forget_pending(id);
  replay_->stop_port(id);
  captures_->stop_port(id);
  verbose_->forget_port(id);
  if (kni_) kni_->forget_port(id);
  if (ifproxy_) ifproxy_->forget_port(id);
  auto kni_guard = kni_pause(kni_.get());
  p.close();
  ports_[id].reset();
  settings_.port_ips[id].clear();
  fwd_ports_.erase(std::remove(fwd_ports_.begin(), fwd_ports_.end(), id), fwd_ports_.end());
  settings_.eth_peer[id] = MacAddr{0x02, 0, 0, 0, 0, static_cast<uint8_t>(id)};  // the id's default, for its next port
  // The last run's streams point at the port just destroyed: forget them.
  for (const auto& fs : streams_) {
    if (fs->rx_port == id || fs->tx_port == id) {
      streams_.clear();
      stream_base_.clear();
      lcores_.clear();
      break;
    }
  }
}

Port& Engine::port(uint16_t id) { return *find_port(ports_, id); }

EventQueue& Engine::events() {
  if (!pool_) throw Error("ESHUTDOWN", "the engine was shut down: create a new session");
  return events_;
}

IfProxy& Engine::ifproxy() {
  if (!pool_) throw Error("ESHUTDOWN", "the engine was shut down: create a new session");
  if (!ifproxy_) ifproxy_ = std::make_unique<IfProxy>(events_);
  return *ifproxy_;
}

Kni& Engine::kni() {
  if (!pool_) throw Error("ESHUTDOWN", "the engine was shut down: create a new session");
  if (!kni_) kni_ = std::make_unique<Kni>(*this, ifproxy(), pool_.get());
  return *kni_;
}

std::vector<uint16_t> Engine::port_ids() const { return attached_ids(ports_); }

void Engine::port_start(uint16_t id) {
  Port& p = port(id);
  auto kni_guard = kni_pause(kni_.get());  // the KNI thread leaves the port alone meanwhile
  forget_pending(id);
  p.start();  // a port that was not forwarding joins at the next `start`
}

void Engine::port_stop(uint16_t id) {
  Port& p = port(id);
  auto kni_guard = kni_pause(kni_.get());  // the KNI thread leaves the port alone meanwhile
  require_not_forwarding_port(id, "stop");
  forget_pending(id);
  p.stop();
}

void Engine::port_close(uint16_t id) {
  Port& p = port(id);
  auto kni_guard = kni_pause(kni_.get());  // the KNI thread leaves the port alone meanwhile
  require_not_forwarding_port(id, "close");
  forget_pending(id);
  p.close();
}

void Engine::port_set_queues(uint16_t id, int nb_rx, int nb_tx) {
  Port& p = port(id);
  auto kni_guard = kni_pause(kni_.get());  // the KNI thread leaves the port alone meanwhile
  if (p.started())
    throw Error("EBUSY_STARTED", "port " + std::to_string(id) + " is started: run 'port stop " + std::to_string(id) +
                                     "' first");
  auto check = [&](int n, const char* dir, uint16_t max) {
    if (n != -1 && (n < 1 || n > max))
      throw Error("EQUEUE_RANGE", "port " + std::to_string(id) + " supports 1.." + std::to_string(max) + " " + dir +
                                      " queues, not " + std::to_string(n));
  };
  // rx beyond the driver's queues: Port::configure checks it (software queues).
  check(nb_rx, "rx", Port::kMaxQueues);
  check(nb_tx, "tx", p.max_tx_queues());
  p.configure(nb_rx < 0 ? p.nb_rx_queues() : static_cast<uint16_t>(nb_rx),
              nb_tx < 0 ? p.nb_tx_queues() : static_cast<uint16_t>(nb_tx));
  verbose_->cover(p);
  release_taps_if_idle();
}

void Engine::port_set_nb_desc(uint16_t id, Dir d, uint16_t q, uint32_t n) {
  Port& p = port(id);
  auto kni_guard = kni_pause(kni_.get());  // the KNI thread leaves the port alone meanwhile
  require_not_forwarding_port(id, "resize the rings of");
  p.set_nb_desc(d, q, n);
}

void Engine::port_queue_state(uint16_t id, Dir d, uint16_t q, bool start) {
  Port& p = port(id);
  if (start) p.queue_start(d, q);
  else p.queue_stop(d, q);
}

void Engine::port_queue_deferred(uint16_t id, Dir d, uint16_t q, bool on) {
  port(id).set_deferred_start(d, q, on);
}

void Engine::port_add_ip(uint16_t id, const std::string& cidr) {
  port(id);
  require_stopped("add a port address");
  PortIp ip = parse_cidr(cidr);
  auto& list = settings_.port_ips[id];
  for (PortIp& have : list) {
    if (have.addr == ip.addr) {  // same address again: only the prefix may change
      have.prefix_len = ip.prefix_len;
      return;
    }
  }
  list.push_back(ip);
}

std::vector<std::string> Engine::port_ips(uint16_t id) const {
  find_port(ports_, id);
  std::vector<std::string> out;
  for (const PortIp& ip : settings_.port_ips[id]) out.push_back(format_ip(ip));
  return out;
}

// --------------------------------------------------------- forwarding config

void Engine::set_fwd_mode(const std::string& name) {
  require_stopped("change the forwarding mode");
  const FwdEngine* e = find_fwd_engine(name);
  if (!e) {
    std::string names;
    for (const FwdEngine* f : fwd_engine_table()) names += (names.empty() ? "" : ", ") + std::string(f->name);
    throw Error("EFWD_MODE", "unknown forwarding mode '" + name + "': valid modes are " + names);
  }
  fwd_ = e;
}

void Engine::set_nb_cores(unsigned n) {
  require_stopped("change the number of cores");
  if (n < 1 || n > kMaxLcores - 1)
    throw Error("ECORE_RANGE", "number of forwarding cores must be 1.." + std::to_string(kMaxLcores - 1) + ", not " +
                                   std::to_string(n));
  if (!lcore_map_.empty() && n > lcore_map_.size())
    throw Error("ECORE_RANGE", "nb-cores should be > 0 and <= " + std::to_string(lcore_map_.size()) +
                                   ": that many forwarding lcores were given (-l/--lcores/-c, set corelist)");
  nb_cores_ = n;
}

void Engine::set_lcores(const std::vector<LcoreCpu>& lcores) {
  require_stopped("change the forwarding lcores");
  if (lcores.size() > kMaxLcores - 1)
    throw Error("ECORE_RANGE", "at most " + std::to_string(kMaxLcores - 1) + " forwarding lcores, not " +
                                   std::to_string(lcores.size()));
  const auto& allowed = allowed_cpus();
  for (const LcoreCpu& l : lcores) {
    // Lcore ids index the mempool's per-lcore caches; 0 is the replay thread's.
    if (l.lcore == 0 || l.lcore >= kMaxLcores)
      throw Error("ECORE_RANGE", "lcore " + std::to_string(l.lcore) + " cannot forward: forwarding lcores are 1.." +
                                     std::to_string(kMaxLcores - 1) + " (lcore 0 is the main lcore)");
    if (std::find(allowed.begin(), allowed.end(), l.cpu) == allowed.end())
      throw Error("ECPU", "lcore " + std::to_string(l.lcore) + ": CPU " + std::to_string(l.cpu) +
                              " is not one this process may run on (see taskset -p " + std::to_string(getpid()) + ")");
  }
  lcore_map_ = lcores;
  if (!lcore_map_.empty()) nb_cores_ = std::min<unsigned>(nb_cores_, static_cast<unsigned>(lcore_map_.size()));
}

void Engine::set_fwd_ports(const std::vector<uint16_t>& ids) {
  require_stopped("change the forwarding ports");
  for (uint16_t id : ids) port(id);  // EPORT_RANGE names the valid ids
  for (std::size_t i = 0; i < ids.size(); i++)
    for (std::size_t j = 0; j < i; j++)
      if (ids[i] == ids[j]) throw Error("EPORT_LIST", "port " + std::to_string(ids[i]) + " is listed twice");
  fwd_ports_ = ids;
}

void Engine::set_tx_retry(bool on) {
  require_stopped("change tx retry");
  tx_retry_ = on;
}

void Engine::set_burst_tx_retry(uint32_t delay_us, uint32_t tries) {
  require_stopped("change tx retry");
  if (delay_us > 1000000 || tries > 1000000)
    throw Error("ERETRY_RANGE", "tx retry delay and count must be 0..1000000 (us, tries)");
  tx_delay_us_ = delay_us;
  tx_retries_ = tries;
}

void Engine::set_noisy(const NoisySettings& n) {
  require_stopped("change the noisy settings");
  if (n.lkup_writes + n.lkup_reads + n.lkup_reads_writes && !n.lkup_memory_mb)
    throw Error("ENOISY_MEMORY", "--noisy-lkup-memory must be > 0 for simulated lookups (MiB, e.g. 16)");
  settings_.noisy = n;
}

void Engine::set_burst(uint16_t n) {
  require_stopped("change the burst size");
  if (n < 1 || n > kMaxBurst)
    throw Error("EBURST_RANGE", "burst must be 1.." + std::to_string(kMaxBurst) + ", not " + std::to_string(n));
  settings_.burst = n;
}

void Engine::set_topology(Topology t) {
  require_stopped("change the port topology");
  topology_ = t;
}

void Engine::set_txpkts(const std::vector<uint16_t>& segs) {
  require_stopped("change txpkts");
  uint32_t room = pool_ ? pool_->data_room() : opts_.mbuf_data_room;
  uint32_t sum = 0;
  for (uint16_t s : segs) sum += s;
  if (segs.empty() || sum < 42 || sum > room)
    throw Error("ETXPKTS", "txpkts must add up to 42 (Ethernet+IPv4+UDP headers) .. " + std::to_string(room) +
                               " (the mbuf data room) bytes, not " + std::to_string(sum));
  settings_.txpkts = segs;
  settings_.gen.imix.clear();  // `set txpkts L` replaces an IMIX list (`set txpkts imix`)
}

void Engine::set_eth_peer(uint16_t id, const MacAddr& mac) {
  find_port(ports_, id);
  require_stopped("change an eth-peer");
  settings_.eth_peer[id] = mac;
}

MacAddr Engine::eth_peer(uint16_t id) const {
  find_port(ports_, id);
  return settings_.eth_peer[id];
}

void Engine::set_gen_settings(const gen::GenSettings& g) {
  require_stopped("change traffic generation settings");
  gen::validate(g, pool_ ? pool_->data_room() : opts_.mbuf_data_room);
  settings_.gen = g;
  settings_.gen.rate.resize(kMaxPorts);
  settings_.gen.count.resize(kMaxPorts);
}

gen::LatencyReport Engine::port_latency(uint16_t id) const {
  find_port(ports_, id);
  std::vector<const gen::LatencyTracker*> trackers;
  for (const auto& fs : streams_)
    if (fs->rx_port == id && fs->lat) trackers.push_back(fs->lat.get());
  return gen::LatencyTracker::merge(trackers);
}


void Engine::release_taps_if_idle() {
  // No poll thread runs now; a replay thread also sends through port taps.
  if (forwarding_ || replay_->active()) return;
  captures_->release_retired();
  verbose_->release_retired();
}

PoolStats Engine::pool_stats() const {
  if (!pool_) return PoolStats{"mb_pool_0", 0, 0, 0, 0};
  uint32_t avail = pool_->available();
  return PoolStats{pool_->name(), pool_->size(), avail, pool_->size() - avail, pool_->alloc_failures()};
}

}  // namespace rs
