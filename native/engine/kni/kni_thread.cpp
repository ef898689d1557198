// The KNI thread: moves packets between the TAPs and their ports in bursts,
// and sleeps in poll(2) when every KNI is quiet.
#include <poll.h>
#include <sched.h>
#include <unistd.h>
#include <thread>
#include "kni.h"

namespace rs {

// One pass over one KNI: ingress ring and (with `all`, not forwarding) the
// port's rx queues into the TAP; the TAP into the port (or, while
// forwarding, into the egress ring). Returns whether anything moved.
bool Kni::service(KniDev& d, bool forwarding) {
  Mbuf* b[KniDev::kBurst];
  bool work = false;
  auto to_tap = [&](Mbuf** pkts, uint32_t n) {
    uint64_t ok = 0, bytes = 0, bad = 0;
    for (uint32_t i = 0; i < n; i++) {
      ssize_t w = ::write(d.fd_, pkts[i]->data(), pkts[i]->data_len);
      if (w == static_cast<ssize_t>(pkts[i]->data_len)) {
        ok++;
        bytes += pkts[i]->data_len;
      } else {
        bad++;  // EIO while the interface is down
      }
    }
    mbuf_free_bulk(pkts, n);
    if (ok) {
      d.rx_packets_.fetch_add(ok, std::memory_order_relaxed);
      d.rx_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    }
    if (bad) d.rx_dropped_.fetch_add(bad, std::memory_order_relaxed);
  };
  uint32_t n = d.ingress_->dequeue_burst(reinterpret_cast<void**>(b), KniDev::kBurst);
  if (n) {
    to_tap(b, n);
    work = true;
  }
  Port* port = d.port_;
  bool port_io = !forwarding && port->started();
  if (port_io && d.all_) {
    for (uint16_t q = 0; q < port->nb_rx_queues(); q++) {
      uint16_t got = port->rx_burst(q, b, KniDev::kBurst);
      if (got) {
        to_tap(b, got);
        work = true;
      }
    }
  }
  // Egress: read the TAP, one packet per read (TAPs have no batch read).
  uint16_t got = 0;
  uint64_t bytes = 0;
  while (got < KniDev::kBurst) {
    Mbuf* m = d.spare_;
    d.spare_ = nullptr;
    if (!m && !(m = pool_->alloc())) break;
    ssize_t r = ::read(d.fd_, m->data(), m->tailroom());
    if (r <= 0) {
      d.spare_ = m;
      break;
    }
    m->data_len = static_cast<uint16_t>(r);
    m->port = d.port_id_;
    b[got++] = m;
    bytes += static_cast<uint64_t>(r);
  }
  if (got) {
    work = true;
    d.tx_packets_.fetch_add(got, std::memory_order_relaxed);
    d.tx_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    uint32_t sent = 0;
    if (forwarding) sent = d.egress_->enqueue_burst(reinterpret_cast<void* const*>(b), got);
    else if (port_io) sent = port->tx_burst(0, b, got);
    if (sent < got) {
      d.tx_dropped_.fetch_add(got - sent, std::memory_order_relaxed);
      mbuf_free_bulk(b + sent, got - sent);
    }
  }
  return work;
}

void Kni::run() {
  unsigned idle = 0;
  std::vector<pollfd> fds;
  while (!stop_.load(std::memory_order_relaxed)) {
    bool work = false;
    {
      std::unique_lock<std::mutex> lk(io_mu_);
      bool fwd = forwarding_.load(std::memory_order_relaxed);
      for (auto& d : devs_) work |= service(*d, fwd);
      if (!work && idle >= 200) {
        fds.clear();
        fds.push_back({evfd_, POLLIN, 0});
        for (auto& d : devs_) fds.push_back({d->fd_, POLLIN, 0});
      }
    }
    if (pause_.load(std::memory_order_relaxed)) {
      std::this_thread::yield();
      continue;
    }
    if (work) {
      idle = 0;
      continue;
    }
    if (++idle < 200) {
      sched_yield();
      continue;
    }
    // Quiet: sleep until the kernel sends something, at most 1 ms (port rx
    // and the ingress ring have no fd to wait on).
    ::poll(fds.data(), fds.size(), 1);
    uint64_t v;
    if (::read(evfd_, &v, sizeof v) > 0) idle = 0;
    if (fds.size() > 1) {
      for (size_t i = 1; i < fds.size(); i++)
        if (fds[i].revents & POLLIN) idle = 0;
    }
  }
}

}  // namespace rs
