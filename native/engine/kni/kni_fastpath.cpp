// KNI fast path: what poll threads call to hand packets to the kernel
// (ingress) and to send what the kernel sent (egress while forwarding).
#include "kni.h"

namespace rs {

uint16_t kni_ingress(const Port* port, Mbuf** pkts, uint16_t n) {
  KniDev* d = kni_for_port(port);
  if (d) return d->to_kernel(pkts, n);
  mbuf_free_bulk(pkts, n);
  return 0;
}

uint16_t KniDev::to_kernel(Mbuf** pkts, uint16_t n) {
  if (n == 0) return 0;
  uint32_t q = ingress_->enqueue_burst(reinterpret_cast<void* const*>(pkts), n);
  if (q < n) {
    rx_dropped_.fetch_add(n - q, std::memory_order_relaxed);
    mbuf_free_bulk(pkts + q, n - q);
  }
  return static_cast<uint16_t>(q);
}

uint16_t kni_to_kernel(KniDev* d, Mbuf** pkts, uint16_t n) { return d->to_kernel(pkts, n); }

uint16_t KniDev::from_kernel(Port* port, uint16_t queue) {
  Mbuf* b[kBurst];
  uint32_t n = egress_->dequeue_burst(reinterpret_cast<void**>(b), kBurst);
  if (!n) return 0;
  uint16_t sent = port->tx_burst(queue, b, static_cast<uint16_t>(n));
  if (sent < n) {
    tx_dropped_.fetch_add(n - sent, std::memory_order_relaxed);
    mbuf_free_bulk(b + sent, n - sent);
  }
  return sent;
}

}  // namespace rs
