#include "replay.h"
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <set>
#include "../engine.h"
#include "../error.h"
#include "../lcore.h"
#include "../poll_clock.h"

namespace rs {

namespace {

constexpr uint16_t kBurst = 32;
constexpr unsigned kReplayLcore = 0;           // testpmd's main lcore id: no poll thread uses it
// Busy-wait only the last 30 us and sleep before that: a thread that mostly
// sleeps is run at once when its timer fires, even on a CPU shared with
// builds, while one that spins through every gap is time-sliced with them
// and falls milliseconds behind.
constexpr uint64_t kSpinNs = 30000;
constexpr uint64_t kMinSleepNs = 10000;  // shorter sleeps are not worth the wake-up
constexpr uint64_t kLateNs = 2000;             // later than this: batch with the next ones
constexpr std::size_t kReservoir = 1 << 16;

std::string speed_text(const ReplayOptions& o) {
  char b[64];
  switch (o.speed) {
    case ReplaySpeed::Original: return "original";
    case ReplaySpeed::Topspeed: return "topspeed";
    case ReplaySpeed::Multiplier: std::snprintf(b, sizeof b, "x%g", o.value); return b;
    case ReplaySpeed::Pps: std::snprintf(b, sizeof b, "%.0f pps", o.value); return b;
    case ReplaySpeed::Mbps: std::snprintf(b, sizeof b, "%g Mbit/s", o.value); return b;
  }
  return "?";
}

}  // namespace

bool ReplayManager::active() {
  reap();
  return running_;
}

void ReplayManager::reap() {
  if (running_ && done_.load(std::memory_order_acquire)) {
    thread_.join();
    running_ = false;
    reader_.close();
    state_ = error_.empty() ? "done" : "failed";
  }
}

ReplayStatus ReplayManager::start(Engine& engine, uint16_t port_id, const ReplayOptions& o) {
  reap();
  if (running_)
    throw Error("EBUSY_REPLAY", "a replay of '" + opts_.path + "' into port " + std::to_string(port_id_) +
                                    " is running: stop it first ('replay stop')");
  Port& port = engine.port(port_id);
  if (!port.started())
    throw Error("EPORT_STOPPED", "port " + std::to_string(port_id) + " is stopped: start it first ('port start " +
                                     std::to_string(port_id) + "')");
  if (!port.link().up)
    throw Error("EPORT_STOPPED", "port " + std::to_string(port_id) + " has its link down: 'set link-up port " +
                                     std::to_string(port_id) + "' first");
  if ((o.speed == ReplaySpeed::Multiplier || o.speed == ReplaySpeed::Pps || o.speed == ReplaySpeed::Mbps) &&
      !(o.value > 0 && std::isfinite(o.value)))
    throw Error("EINVAL_ARG", "replay speed must be a positive number");

  // The tx queue: one that forwarding does not send on.
  uint16_t queue = 0;
  std::set<uint16_t> used;
  std::string user;
  if (engine.forwarding())
    for (const StreamStats& s : engine.streams())
      if (s.tx_port == port_id) {
        used.insert(s.tx_queue);
        if (user.empty())
          user = "stream " + std::to_string(s.rx_port) + "/" + std::to_string(s.rx_queue) + " -> " +
                 std::to_string(s.tx_port) + "/" + std::to_string(s.tx_queue);
      }
  while (queue < port.nb_tx_queues() && used.count(queue)) queue++;
  // Every configured queue forwards: the port's spare tx queue (kernel ports), which no stream uses.
  if (queue >= port.nb_tx_queues() && port.has_spare_tx_queue()) queue = port.spare_tx_queue();
  if (queue >= port.nb_tx_queues() && !port.has_spare_tx_queue())
    throw Error("EBUSY_FORWARDING",
                "forwarding sends on every tx queue of port " + std::to_string(port_id) + " (" + user +
                    ", ...) and replay needs a tx queue of its own (a queue is driven by one thread; forwarding "
                    "streams cover every tx queue, and " + port.driver() + " has no spare tx queue): 'stop' "
                    "forwarding, replay, then 'start' again, or replay into a port forwarding does not send on "
                    "(net_af_packet and net_af_xdp ports have a spare tx queue for this)");

  // Read the whole file before sending anything: where a truncated or damaged
  // file stops is known (and reported) now, and every pass plays the records
  // before it, as tcpreplay and tcpdump use them.
  reader_.open(o.path);
  if (reader_.linktype() != kLinktypeEthernet)
    throw Error("EPCAP_FORMAT", "'" + o.path + "' holds link type " + std::to_string(reader_.linktype()) +
                                    " frames; ports carry Ethernet (link type 1)");
  // Frames longer than an mbuf are refused now, with the option that makes
  // room, rather than skipped one by one.
  PcapRecord rec;
  uint64_t n = 0, bytes = 0, first = 0, last = 0, oversize = 0, longest_at = 0;
  uint32_t longest = 0;
  const uint32_t room = pool_->data_room();
  while (reader_.next(rec)) {
    if (n == 0) first = rec.ts_ns;
    last = rec.ts_ns;
    bytes += rec.caplen;
    n++;
    if (rec.caplen > room && ethernet(rec)) {
      oversize++;
      if (rec.caplen > longest) { longest = rec.caplen; longest_at = n; }
    }
  }
  if (oversize) {
    reader_.close();
    throw Error("EMBUF_SIZE", frames_above_mbuf(o.path, oversize, longest, longest_at, room));
  }
  if (n == 0) {
    std::string why = reader_.stopped_early() ? reader_.ending() + ": nothing to replay"
                                              : "'" + o.path + "' holds no packets: nothing to replay";
    reader_.close();
    throw Error("EPCAP_EMPTY", why);
  }
  file_stops_ = reader_.ending();
  reader_.rewind();

  // A CPU the forwarding lcores do not use, when there is one.
  const std::vector<int>& cpus = allowed_cpus();
  std::set<int> busy;
  if (engine.forwarding())
    for (const LcoreAssignment& l : engine.lcores()) busy.insert(l.cpu);
  int cpu = cpus.back();
  for (auto it = cpus.rbegin(); it != cpus.rend(); ++it)
    if (!busy.count(*it)) { cpu = *it; break; }

  port_ = &port;
  port_id_ = port_id;
  queue_ = queue;
  cpu_ = cpu;
  opts_ = o;
  file_packets_ = n;
  file_bytes_ = bytes;
  first_ts_ = first;
  span_ns_ = last > first ? last - first : 0;
  stop_.store(false);
  done_.store(false);
  state_ = "running";
  error_.clear();
  for (auto* a : {&sent_, &bytes_, &skipped_, &retries_, &loop_, &err_n_, &err_sum_, &err_max_, &end_mono_}) a->store(0);
  samples_.clear();
  samples_.reserve(kReservoir);
  start_mono_ = monotonic_ns();
  have_ = true;
  thread_ = std::thread(&ReplayManager::run, this);
  running_ = true;
  return snapshot();
}

void ReplayManager::record_error(uint64_t err) {
  err_n_.store(err_n_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  err_sum_.store(err_sum_.load(std::memory_order_relaxed) + err, std::memory_order_relaxed);
  if (err > err_max_.load(std::memory_order_relaxed)) err_max_.store(err, std::memory_order_relaxed);
  uint32_t v = err > 0xffffffffull ? 0xffffffffu : static_cast<uint32_t>(err);
  uint64_t seen = err_n_.load(std::memory_order_relaxed);
  if (samples_.size() < kReservoir) {
    samples_.push_back(v);
  } else {
    rng_ ^= rng_ << 13; rng_ ^= rng_ >> 7; rng_ ^= rng_ << 17;
    uint64_t j = rng_ % seen;
    if (j < kReservoir) samples_[j] = v;
  }
}

void ReplayManager::send_all(Mbuf** pkts, uint16_t n, uint64_t bytes) {
  uint16_t left = n;
  Mbuf** p = pkts;
  while (left) {
    uint16_t s = port_->tx_burst(queue_, p, left);
    p += s;
    left = static_cast<uint16_t>(left - s);
    if (left) {
      retries_.store(retries_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      if (stop_.load(std::memory_order_relaxed)) {
        for (uint16_t i = 0; i < left; i++) bytes -= p[i]->data_len;
        mbuf_free_bulk(p, left);
        n = static_cast<uint16_t>(n - left);
        break;
      }
      cpu_relax();
    }
  }
  // Relaxed: only the sender writes these; readers want a recent figure, not an ordered one.
  sent_.store(sent_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  bytes_.store(bytes_.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
}

bool ReplayManager::ethernet(const PcapRecord& rec) const {
  const auto& ifaces = reader_.interfaces();
  return rec.iface >= ifaces.size() || ifaces[rec.iface].linktype == kLinktypeEthernet;
}

// A record the port can carry: Ethernet and not empty (start() refused the
// file if one did not fit an mbuf).
bool ReplayManager::sendable(const PcapRecord& rec) {
  if (rec.caplen == 0 || rec.caplen > pool_->data_room() || !ethernet(rec)) {
    skipped_.store(skipped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

// Topspeed, one burst at a time: kBurst mbufs from the pool in one call, the
// next records copied into them straight from the mapping, one tx_burst. No
// clock read and no system call per packet.
void ReplayManager::topspeed_pass() {
  Mbuf* burst[kBurst];
  PcapRecord rec;
  bool more = true;
  while (more && !stop_.load(std::memory_order_relaxed)) {
    if (pool_->alloc_bulk(burst, kBurst) == 0) {  // the port still holds our packets
      cpu_relax();
      continue;
    }
    uint16_t nb = 0;
    uint64_t bytes = 0;
    while (nb < kBurst) {
      if (!reader_.next(rec)) { more = false; break; }
      if (!sendable(rec)) continue;
      __builtin_prefetch(rec.data + rec.caplen + 64);  // the record after next: the mapping is read in order
      Mbuf* m = burst[nb++];
      std::memcpy(m->data(), rec.data, rec.caplen);
      m->data_len = static_cast<uint16_t>(rec.caplen);
      m->port = port_id_;
      bytes += rec.caplen;
    }
    if (nb < kBurst) pool_->put_bulk(burst + nb, kBurst - nb);
    if (nb) send_all(burst, nb, bytes);
  }
}

// Paced: each packet has a scheduled time; the sender sleeps until shortly
// before it and spins the rest. Packets already late go out in bursts.
void ReplayManager::paced_pass(Pacing& pc, uint32_t loop) {
  const ReplaySpeed speed = opts_.speed;
  Mbuf* burst[kBurst];
  uint64_t sched[kBurst];
  uint64_t burst_bytes = 0;
  uint16_t nb = 0;

  auto flush = [&](uint64_t now) {
    if (!nb) return;
    for (uint16_t i = 0; i < nb; i++) record_error(now > sched[i] ? now - sched[i] : sched[i] - now);
    send_all(burst, nb, burst_bytes);
    nb = 0;
    burst_bytes = 0;
  };
  auto wait_until = [&](uint64_t t) {
    for (;;) {
      uint64_t now = monotonic_ns();
      if (now >= t || stop_.load(std::memory_order_relaxed)) return;
      uint64_t rem = t - now;
      if (rem > kSpinNs + kMinSleepNs) {
        uint64_t wake = std::min<uint64_t>(t - kSpinNs, now + 50000000ull);  // re-check stop every 50 ms
        timespec ts{static_cast<time_t>(wake / 1000000000ull), static_cast<long>(wake % 1000000000ull)};
        ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      } else {
        cpu_relax();
      }
    }
  };

  PcapRecord rec;
  while (reader_.next(rec)) {
    if (stop_.load(std::memory_order_relaxed)) break;
    if (!sendable(rec)) continue;
    uint64_t s = 0;
    switch (speed) {
      case ReplaySpeed::Pps:
        s = pc.t0 + static_cast<uint64_t>(static_cast<double>(pc.idx) * 1e9 / opts_.value);
        break;
      case ReplaySpeed::Mbps:
        s = pc.t0 + static_cast<uint64_t>(pc.bits * 1e3 / opts_.value);
        break;
      default: {  // original timing or a multiple of it
        double off = rec.ts_ns >= first_ts_ ? static_cast<double>(rec.ts_ns - first_ts_) / pc.mult : 0;
        s = pc.t0 + static_cast<uint64_t>(pc.loop_len * loop + off);
        if (s < pc.prev) s = pc.prev;  // out-of-order timestamps: no going back
        break;
      }
    }
    pc.idx++;
    pc.bits += rec.caplen * 8.0;
    pc.prev = s;
    uint64_t now = monotonic_ns();  // one clock read per packet unless it has to wait
    // Packets waiting in the burst are due: send them before sleeping.
    if (nb && s > now) flush(now);
    Mbuf* m = nullptr;
    while (!(m = pool_->alloc())) {
      flush(monotonic_ns());  // our own packets may be what holds the pool
      if (stop_.load(std::memory_order_relaxed)) break;
      cpu_relax();
    }
    if (!m) break;
    std::memcpy(m->data(), rec.data, rec.caplen);
    m->data_len = static_cast<uint16_t>(rec.caplen);
    m->port = port_id_;
    if (!nb && s > now) {
      wait_until(s);
      now = monotonic_ns();
    }
    burst[nb] = m;
    sched[nb++] = s;
    burst_bytes += rec.caplen;
    if (now < s + kLateNs || nb == kBurst) flush(now);  // on time: out at once
  }
  flush(monotonic_ns());
}

void ReplayManager::run() {
  set_this_lcore(kReplayLcore);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu_, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);  // best effort
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);                  // wake when asked, not up to 50 us later

  Pacing pc;
  pc.mult = opts_.speed == ReplaySpeed::Multiplier ? opts_.value : 1.0;
  // Loops at original timing follow each other after one average gap.
  const double avg_gap = file_packets_ > 1 ? static_cast<double>(span_ns_) / static_cast<double>(file_packets_ - 1) : 0;
  pc.loop_len = (static_cast<double>(span_ns_) + avg_gap) / pc.mult;
  pc.t0 = pc.prev = monotonic_ns();

  try {
    for (uint32_t loop = 0; opts_.loops == 0 || loop < opts_.loops; loop++) {
      if (stop_.load(std::memory_order_relaxed)) break;
      loop_.store(loop + 1, std::memory_order_relaxed);
      if (loop > 0) reader_.rewind();
      // A pass ends at the end of the file or where it stops early (file_stops_).
      if (opts_.speed == ReplaySpeed::Topspeed) topspeed_pass();
      else paced_pass(pc, loop);
    }
  } catch (const std::exception& e) {
    error_ = e.what();
  }
  pool_->flush_cache(kReplayLcore);
  end_mono_.store(monotonic_ns(), std::memory_order_relaxed);
  if (!stop_.load(std::memory_order_relaxed)) announce_end();
  done_.store(true, std::memory_order_release);
}

// The sender's last act: the shell prints it above the prompt.
void ReplayManager::announce_end() {
  if (!events_) return;
  // Not snapshot(): that reads control-thread state.
  uint64_t sent = sent_.load(std::memory_order_relaxed);
  uint64_t ns = end_mono_.load(std::memory_order_relaxed) - start_mono_;
  Event ev;
  ev.name = "replay_done";
  ev.ports = {port_id_};
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.0f", ns ? static_cast<double>(sent) * 1e9 / static_cast<double>(ns) : 0.0);
  ev.values = {{"file", opts_.path}, {"sent", std::to_string(sent)}, {"pps", rate}};
  if (!error_.empty()) ev.values.emplace_back("error", error_);
  events_->push(std::move(ev));
}

ReplayStatus ReplayManager::snapshot() const {
  ReplayStatus s;
  bool done = done_.load(std::memory_order_acquire);
  s.state = running_ && !done ? "running" : state_;
  if (done && !error_.empty()) s.state = "failed";
  s.error = done ? error_ : "";
  s.path = opts_.path;
  s.speed = speed_text(opts_);
  s.port = port_id_;
  s.queue = queue_;
  s.cpu = cpu_;
  s.loops = opts_.loops;
  s.loop = static_cast<uint32_t>(loop_.load(std::memory_order_relaxed));
  s.file_packets = file_packets_;
  s.file_bytes = file_bytes_;
  s.file_duration_ns = span_ns_;
  s.file_stops = file_stops_;
  s.sent = sent_.load(std::memory_order_relaxed);
  s.bytes = bytes_.load(std::memory_order_relaxed);
  s.skipped = skipped_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  uint64_t end = end_mono_.load(std::memory_order_relaxed);
  s.elapsed_ns = (end ? end : monotonic_ns()) - start_mono_;
  if (s.elapsed_ns) {
    s.pps = static_cast<double>(s.sent) * 1e9 / static_cast<double>(s.elapsed_ns);
    s.mbps = static_cast<double>(s.bytes) * 8e3 / static_cast<double>(s.elapsed_ns);
  }
  s.timing_samples = err_n_.load(std::memory_order_relaxed);
  s.timing_mean_ns = s.timing_samples ? static_cast<double>(err_sum_.load(std::memory_order_relaxed)) /
                                            static_cast<double>(s.timing_samples)
                                      : 0;
  s.timing_max_ns = err_max_.load(std::memory_order_relaxed);
  if (done && !samples_.empty()) {
    // The reservoir is the sender's until it is done.
    std::vector<uint32_t> v = samples_;
    auto pct = [&](double p) {
      std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
      std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
      return static_cast<uint64_t>(v[k]);
    };
    s.timing_p50_ns = pct(0.5);
    s.timing_p99_ns = pct(0.99);
  }
  return s;
}

ReplayStatus ReplayManager::status() {
  reap();
  if (!have_) throw Error("ENO_REPLAY", "no replay has run in this session: 'replay start FILE port N'");
  return snapshot();
}

ReplayStatus ReplayManager::stop() {
  reap();
  if (!running_)
    throw Error("ENO_REPLAY", have_ ? "no replay is running (the last one is " + state_ + "; 'show replay' has its figures)"
                                    : "no replay is running: 'replay start FILE port N'");
  stop_.store(true, std::memory_order_relaxed);
  thread_.join();
  running_ = false;
  reader_.close();
  state_ = error_.empty() ? "stopped" : "failed";
  return snapshot();
}

void ReplayManager::stop_port(uint16_t port) noexcept {
  reap();
  if (running_ && port_id_ == port) {
    try {
      stop();
    } catch (...) {
    }
  }
}

void ReplayManager::stop_all() noexcept {
  if (!running_) return;
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
  running_ = false;
  reader_.close();
  if (state_ == "running") state_ = "stopped";
}

}  // namespace rs
