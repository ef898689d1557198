// Engine: ports, forwarding configuration, stream table and poll threads.
// Everything here runs on the control thread except run_lcore(), the body of
// each poll thread. While forwarding, the streams, lcore table, settings and
// engine choice are frozen (config changes are refused), so poll threads read
// them without synchronisation beyond thread creation and join.
#include "engine.h"
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <system_error>
#include "capture/capture.h"
#include "diag/verbose.h"
#include "fwd/engines.h"
#include "kni/kni.h"
#include "netlink/ifproxy.h"
#include "poll_clock.h"
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

// The stream table and lcore split a start would use; pure function of the
// ports and settings so `show config fwd` can preview it.
struct StreamPlan {
  uint16_t rx_port, rx_queue, tx_port, tx_queue;
  Port* rx;
  Port* tx;
};
struct Plan {
  std::vector<StreamPlan> streams;
  std::vector<LcoreAssignment> lcores;
  std::optional<ErrorCode> err_code;  // set (with err_msg) when queues would be shared across lcores
  std::string err_msg;
};

std::size_t peer_index(std::size_t i, std::size_t n, Topology t) {
  switch (t) {
    case Topology::Paired: return (i % 2 == 0) ? (i + 1 < n ? i + 1 : i) : i - 1;
    case Topology::Chained: return (i + 1) % n;
    case Topology::Loop: return i;
  }
  return i;
}

Plan make_plan(const std::vector<std::unique_ptr<Port>>& ports, Topology topo, unsigned nb_cores,
               const std::vector<uint16_t>& port_list, const std::vector<LcoreCpu>& lcore_map) {
  Plan plan;
  std::vector<Port*> fwd;  // forwarding ports: started, in the port list's order or by id
  if (port_list.empty()) {
    for (const auto& p : ports)
      if (p && p->started()) fwd.push_back(p.get());
  } else {
    for (uint16_t id : port_list)
      if (id < ports.size() && ports[id] && ports[id]->started()) fwd.push_back(ports[id].get());
  }
  // Port-major order (all queues of port 0, then port 1, ...): contiguous
  // lcore blocks then keep one port's queues together, so ports with fewer tx
  // than rx queues still split cleanly over cores.
  for (std::size_t i = 0; i < fwd.size(); i++) {
    Port* rx = fwd[i];
    Port* tx = fwd[peer_index(i, fwd.size(), topo)];
    // One stream per rx queue, as testpmd: tx queues beyond the rx queues stay unused.
    uint16_t nq = rx->nb_rx_queues();
    for (uint16_t q = 0; q < nq; q++)
      plan.streams.push_back({rx->id(), static_cast<uint16_t>(q % rx->nb_rx_queues()), tx->id(),
                              static_cast<uint16_t>(q % tx->nb_tx_queues()), rx, tx});
  }
  // testpmd's setup_fwd_config_of_each_lcore: contiguous blocks, the last
  // (nb_streams % nb_lcores) lcores take one stream more; never more lcores
  // than streams.
  std::size_t ns = plan.streams.size();
  std::size_t nl = std::min<std::size_t>(nb_cores, ns);
  if (!lcore_map.empty()) nl = std::min(nl, lcore_map.size());
  if (nl == 0) return plan;
  std::size_t per = ns / nl, extra = ns % nl, first_big = nl - extra;
  const auto& cpus = allowed_cpus();
  std::size_t s = 0;
  for (std::size_t l = 0; l < nl; l++) {
    LcoreAssignment a;
    if (lcore_map.empty()) {
      a.lcore = static_cast<unsigned>(l + 1);
      a.cpu = cpus[a.lcore % cpus.size()];
    } else {
      a.lcore = lcore_map[l].lcore;
      a.cpu = lcore_map[l].cpu;
    }
    std::size_t cnt = per + (l >= first_big ? 1 : 0);
    for (std::size_t k = 0; k < cnt; k++) a.streams.push_back(static_cast<uint16_t>(s++));
    plan.lcores.push_back(std::move(a));
  }
  // A queue is driven by one thread at a time (port.h); refuse tables in
  // which two lcores would share one.
  std::map<std::pair<uint16_t, uint16_t>, unsigned> txq_owner, rxq_owner;
  for (const auto& a : plan.lcores) {
    for (uint16_t si : a.streams) {
      const StreamPlan& sp = plan.streams[si];
      auto [tx_it, tx_new] = txq_owner.emplace(std::make_pair(sp.tx_port, sp.tx_queue), a.lcore);
      if (!tx_new && tx_it->second != a.lcore && !plan.err_code) {
        plan.err_code = ErrorCode("ETXQ_SHARED");
        plan.err_msg = "tx queue " + std::to_string(sp.tx_queue) + " of port " + std::to_string(sp.tx_port) +
                       " would be used by lcores " + std::to_string(tx_it->second) + " and " +
                       std::to_string(a.lcore) + ": configure as many tx queues as rx queues ('port config all txq " +
                       std::to_string(sp.rx->nb_rx_queues()) + "') or use fewer cores ('set nbcore N')";
      }
      auto [rx_it, rx_new] = rxq_owner.emplace(std::make_pair(sp.rx_port, sp.rx_queue), a.lcore);
      if (!rx_new && rx_it->second != a.lcore && !plan.err_code) {
        plan.err_code = ErrorCode("ERXQ_SHARED");
        plan.err_msg = "rx queue " + std::to_string(sp.rx_queue) + " of port " + std::to_string(sp.rx_port) +
                       " would be polled by lcores " + std::to_string(rx_it->second) + " and " +
                       std::to_string(a.lcore) + ": configure as many rx queues as tx queues ('port config all rxq " +
                       std::to_string(sp.tx->nb_tx_queues()) + "') or use fewer cores ('set nbcore N')";
      }
    }
  }
  return plan;
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

// ------------------------------------------------------------------ streams

std::vector<StreamStats> Engine::snapshot_streams() const {
  std::vector<StreamStats> out;
  out.reserve(streams_.size());
  for (std::size_t i = 0; i < streams_.size(); i++) {
    const FwdStream& fs = *streams_[i];
    const auto& b = stream_base_[i];
    out.push_back({fs.rx_port, fs.rx_queue, fs.tx_port, fs.tx_queue, fs.rx_packets.get() - b[0],
                   fs.tx_packets.get() - b[1], fs.fwd_dropped.get() - b[2], fs.bad_ip_csum.get() - b[3],
                   fs.bad_l4_csum.get() - b[4]});
    if (fs.bursts) out.back().rx_bursts = fs.bursts->since_base(false), out.back().tx_bursts = fs.bursts->since_base(true);
  }
  return out;
}

std::vector<StreamStats> Engine::streams() const {
  if (forwarding_) return snapshot_streams();
  // Preview of the next start. When it matches the last run's table, show the
  // last run's counters (as testpmd keeps them until the next start).
  Plan plan = make_plan(ports_, topology_, nb_cores_, fwd_ports_, lcore_map_);
  std::vector<StreamStats> last = snapshot_streams();
  bool same = last.size() == plan.streams.size();
  std::vector<StreamStats> out;
  for (std::size_t i = 0; i < plan.streams.size(); i++) {
    const StreamPlan& sp = plan.streams[i];
    same = same && last[i].rx_port == sp.rx_port && last[i].rx_queue == sp.rx_queue &&
           last[i].tx_port == sp.tx_port && last[i].tx_queue == sp.tx_queue;
    out.push_back(same ? last[i] : StreamStats{sp.rx_port, sp.rx_queue, sp.tx_port, sp.tx_queue, 0, 0, 0, 0, 0});
  }
  return out;
}

std::vector<LcoreAssignment> Engine::lcores() const {
  if (forwarding_) return lcores_;
  return make_plan(ports_, topology_, nb_cores_, fwd_ports_, lcore_map_).lcores;
}

void Engine::build_streams() {
  Plan plan = make_plan(ports_, topology_, nb_cores_, fwd_ports_, lcore_map_);
  if (plan.streams.empty())
    throw Error("ENO_PORTS", "no started port to forward on: attach one ('port attach net_ring0') or start one "
                             "('port start all')");
  if (plan.err_code) throw Error(*plan.err_code, plan.err_msg);
  streams_.clear();
  for (const StreamPlan& sp : plan.streams) {
    auto fs = std::make_unique<FwdStream>();
    fs->rx_port = sp.rx_port;
    fs->rx_queue = sp.rx_queue;
    fs->tx_port = sp.tx_port;
    fs->tx_queue = sp.tx_queue;
    fs->rx = sp.rx;
    fs->tx = sp.tx;
    streams_.push_back(std::move(fs));
  }
  stream_base_.assign(streams_.size(), {0, 0, 0, 0, 0});
  lcores_ = std::move(plan.lcores);
}

// --------------------------------------------------------------- forwarding

void Engine::start(unsigned tx_first_bursts) {
  if (forwarding_) throw Error("EBUSY_FORWARDING", "forwarding is already running: run 'stop' first");
  if (!pool_) throw Error("ESHUTDOWN", "the engine was shut down: create a new session");
  build_streams();
  if (replay_->active())
    for (const auto& fs : streams_)
      if (fs->tx_port == replay_->port() && fs->tx_queue == replay_->queue())
        throw Error("EBUSY_REPLAY", "a replay sends on tx queue " + std::to_string(fs->tx_queue) + " of port " +
                                        std::to_string(fs->tx_port) + ", which forwarding would use too: stop it first "
                                        "('replay stop') or wait until it is done ('show replay')");
  settings_.pool = pool_.get();
  for (auto& fs : streams_) {
    KniDev* k = kni_for_port(fs->rx);  // `kni create ... all`: leftovers to the kernel
    fs->kni_all = k && k->takes_all() ? k : nullptr;
    if (fwd_->stream_init) fwd_->stream_init(*fs, settings_);
    fs->tx_retries = tx_retry_ ? tx_retries_ : 0;
    if (record_bursts_) fs->bursts = std::make_unique<BurstSpread>();
    fs->tx_retry_delay_us = tx_delay_us_;
  }
  tx_first_bursts_ = tx_first_bursts;
  // Relaxed: std::thread's constructor orders this store (and all the set-up
  // above) before anything the new threads do.
  stop_flag_.store(false, std::memory_order_relaxed);
  lcore_counters_.clear();
  for (std::size_t i = 0; i < lcores_.size(); i++) lcore_counters_.push_back(std::make_unique<LcoreCounters>());
  run_start_ns_ = gen::now_ns();
  run_stop_ns_ = 0;
  if (kni_) kni_->set_forwarding(true);  // the poll threads own the ports' queues now
  try {
    for (unsigned i = 0; i < lcores_.size(); i++) threads_.emplace_back(&Engine::run_lcore, this, i);
  } catch (const std::system_error& e) {
    stop_flag_.store(true, std::memory_order_relaxed);
    for (auto& t : threads_) t.join();
    threads_.clear();
    if (kni_) kni_->set_forwarding(false);
    throw Error("ETHREAD", std::string("cannot start a poll thread: ") + e.what() + ": use fewer cores ('set nbcore N')");
  }
  forwarding_ = true;
}

void Engine::run_lcore(unsigned index) {
  const LcoreAssignment& lc = lcores_[index];
  set_this_lcore(lc.lcore);  // selects this thread's mempool cache
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(lc.cpu, &set);
  // Pinning is best effort: a refused affinity only costs performance.
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  // Named as testpmd's lcores are numbered, for top -H and ps -L.
  pthread_setname_np(pthread_self(), ("lcore-" + std::to_string(lc.lcore)).c_str());

  std::vector<FwdStream*> mine;
  for (uint16_t si : lc.streams) mine.push_back(streams_[si].get());

  if (tx_first_bursts_) {
    // testpmd's `start tx_first`: prime the loop with txonly bursts. txonly's
    // template shares the stream scratch with the mode's own state, so the
    // mode's stream_init runs again afterwards. Past the first kWholeBursts,
    // the stop flag is checked between bursts (relaxed, as in the loop
    // below): a million bursts to a TAP take minutes, and stop, quit or
    // SIGTERM must not wait for them. The first ones always go out, so a
    // `start tx_first` stopped before this thread got a CPU still primes.
    constexpr unsigned kWholeBursts = 64;
    for (FwdStream* fs : mine) {
      if (fwd_ != &fwd_txonly) fwd_txonly.stream_init(*fs, settings_);
      for (unsigned b = 0; b < tx_first_bursts_; b++) {
        if (b >= kWholeBursts && stop_flag_.load(std::memory_order_relaxed)) break;
        fwd_txonly.packet_fwd(*fs, settings_);
      }
      if (fwd_ != &fwd_txonly && fwd_->stream_init) fwd_->stream_init(*fs, settings_);
    }
  }

  // KNI egress while forwarding: the lcore that owns tx queue 0 of a port
  // with a KNI sends what the kernel sent out of it (kni/kni.h).
  std::vector<std::pair<KniDev*, FwdStream*>> kni_tx;
  for (FwdStream* fs : mine) {
    KniDev* k = fs->tx_queue == 0 ? kni_for_port(fs->tx) : nullptr;
    bool seen = false;
    for (auto& e : kni_tx) seen = seen || e.second->tx == fs->tx;
    if (k && !seen) kni_tx.push_back({k, fs});
  }

  if (index == 0 && test_leak_ && !mine.empty()) test_only_leak(*mine[0]);

  auto packet_fwd = fwd_->packet_fwd;
  // `show lcores` samples: one pass in kTimedEvery is timed (two clock
  // reads) and classed busy (some stream moved a packet, by the streams'
  // own counters) or idle, and stands for kTimedEvery passes. Every pass is
  // not measured because a clock read costs 110-130 ns on this VM (rdtsc is
  // trapped), more than a whole io pass on net_ring; sampling by pass count
  // keeps the busy share unbiased, and an untimed pass pays one decrement.
  constexpr unsigned kTimedEvery = 64;
  LcoreCounters& load = *lcore_counters_[index];
  auto moved = [&mine] {
    uint64_t n = 0;
    for (FwdStream* fs : mine) n += fs->rx_packets.get() + fs->tx_packets.get();
    return n;
  };
  unsigned until_timed = kTimedEvery;
  uint64_t acked = 0;
  // A poll thread that has moved nothing for kIdlePasses passes sleeps
  // between passes until a pass moves something again: kIdleSleepMinNs,
  // doubling while it stays idle up to kIdleSleepMaxNs. Spinning
  // on an empty port takes a whole CPU for nothing, and on a shared machine
  // that pushes every other thread (on a veth, the sender whose packets the
  // port is waiting for) onto the CPUs left; it also keeps re-reading ring
  // words the producing CPU writes. Kernel ports hand over packets in
  // batches (an AF_PACKET block per 1 ms or when full), so the sleep adds
  // nothing a user sees; a busy loop never sleeps. A port a polling peer
  // fills (memif) gets a burst every few microseconds while traffic flows,
  // and a nap between two would stall both sides: its lcore waits for
  // kIdlePassesPolledPeer (milliseconds) before napping.
  constexpr unsigned kIdlePasses = 256, kIdlePassesPolledPeer = 1u << 16;
  unsigned nap_after = kIdlePasses;
  for (FwdStream* fs : mine)
    if (fs->rx->fed_by_polling_peer()) nap_after = kIdlePassesPolledPeer;
  constexpr long kIdleSleepMinNs = 50'000, kIdleSleepMaxNs = 1'000'000;
  unsigned idle_passes = 0;
  long idle_sleep_ns = kIdleSleepMinNs;
  uint64_t last_moved = moved();
  // Relaxed load, checked once per pass over the streams: the flag carries no
  // data with it (everything the control thread reads afterwards is ordered
  // by join()), so it only needs to become visible eventually. At least one
  // pass runs, so a `start` at once followed by `stop` still polls every stream.
  do {
    // acquire pairs with with_port_paused's release when it resumes: the
    // port changes it made are seen before the port's streams run again.
    uint64_t pause = pause_word_.load(std::memory_order_acquire);
    uint32_t paused = static_cast<uint32_t>(pause & 0xffff);  // 1 + port id, 0: none
    bool timed = --until_timed == 0;
    uint64_t t0 = 0, before = 0;
    if (timed) [[unlikely]] {
      t0 = poll_clock();
      before = moved();
    }
    for (FwdStream* fs : mine)
      if (fs->rx_port + 1u != paused && fs->tx_port + 1u != paused) packet_fwd(*fs, settings_);
    for (auto& [k, fs] : kni_tx)
      if (fs->tx_port + 1u != paused) k->from_kernel(fs->tx, fs->tx_queue);
    if (uint64_t m = moved(); m != last_moved || !kni_tx.empty()) {
      last_moved = m;
      idle_passes = 0;
      idle_sleep_ns = kIdleSleepMinNs;
    } else if (++idle_passes >= nap_after) [[unlikely]] {
      const timespec ts{0, idle_sleep_ns};
      ::nanosleep(&ts, nullptr);
      idle_sleep_ns = std::min(idle_sleep_ns * 2, kIdleSleepMaxNs);
    }
    if (timed) [[unlikely]] {
      until_timed = kTimedEvery;
      bool busy = moved() != before;
      (busy ? load.busy_cycles : load.idle_cycles).add(poll_clock() - t0);
      (busy ? load.busy_polls : load.idle_polls).add(kTimedEvery);
    }
    // release: this whole pass, which skipped the paused port, happens
    // before with_port_paused (acquire) touches it.
    if (pause != acked) [[unlikely]] {
      load.pause_ack.store(pause, std::memory_order_release);
      acked = pause;
    }
  } while (!stop_flag_.load(std::memory_order_relaxed));

  pool_->flush_cache(lc.lcore);
  load.exited.store(true, std::memory_order_release);  // pairs with with_port_paused's acquire
}

void Engine::with_port_paused(uint16_t id, const std::function<void()>& fn) {
  uint64_t word = (((pause_word_.load(std::memory_order_relaxed) >> 16) + 1) << 16) | (id + 1u);
  pause_word_.store(word, std::memory_order_release);
  auto resume = [&] { pause_word_.store(word & ~uint64_t(0xffff), std::memory_order_release); };
  // Every poll thread finishes a pass that skipped the port (or has exited).
  // A stop meanwhile ends the wait without touching the port: a thread start
  // never created would never answer.
  for (const auto& c : lcore_counters_) {
    while (c->pause_ack.load(std::memory_order_acquire) != word && !c->exited.load(std::memory_order_acquire)) {
      if (stop_flag_.load(std::memory_order_relaxed)) {
        resume();
        throw Error("EBUSY_FORWARDING", "forwarding stopped while port " + std::to_string(id) + " was being paused");
      }
      std::this_thread::yield();
    }
  }
  try {
    fn();
  } catch (...) {
    resume();
    throw;
  }
  resume();
}

std::vector<StreamStats> Engine::stop() {
  if (!forwarding_) throw Error("ENOT_FORWARDING", "packet forwarding is not started");
  // Relaxed: see run_lcore; join() below is the synchronisation point.
  stop_flag_.store(true, std::memory_order_relaxed);
  for (auto& t : threads_) t.join();
  threads_.clear();
  forwarding_ = false;
  run_stop_ns_ = gen::now_ns();
  if (kni_) kni_->set_forwarding(false);
  release_taps_if_idle();
  // Packets parked inside forwarding ports (ring contents) go back to the
  // pool, so the pool is whole again; they were in flight, not dropped.
  std::set<Port*> fwd_ports;
  for (auto& fs : streams_) {
    fwd_ports.insert(fs->rx);
    fwd_ports.insert(fs->tx);
  }
  for (auto& fs : streams_) fs->state.reset();  // packets an engine holds (noisy's FIFO) go back too
  for (Port* p : fwd_ports) p->flush();
  return snapshot_streams();
}

void Engine::release_taps_if_idle() {
  // No poll thread runs now; a replay thread also sends through port taps.
  if (forwarding_ || replay_->active()) return;
  captures_->release_retired();
  verbose_->release_retired();
}

void Engine::clear_fwd_stats() {
  for (std::size_t i = 0; i < streams_.size(); i++)
    stream_base_[i] = {streams_[i]->rx_packets.get(), streams_[i]->tx_packets.get(), streams_[i]->fwd_dropped.get(),
                       streams_[i]->bad_ip_csum.get(), streams_[i]->bad_l4_csum.get()};
  for (auto& fs : streams_)
    if (fs->bursts) fs->bursts->rebase();
}

PoolStats Engine::pool_stats() const {
  if (!pool_) return PoolStats{"mb_pool_0", 0, 0, 0, 0};
  uint32_t avail = pool_->available();
  return PoolStats{pool_->name(), pool_->size(), avail, pool_->size() - avail, pool_->alloc_failures()};
}

}  // namespace rs
