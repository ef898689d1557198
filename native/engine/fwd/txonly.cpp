// txonly: generate UDP/IPv4 packets and send them, receiving nothing
// (testpmd's txonly.c). Also the engine behind `start tx_first`.
//
// The content is constant, so the whole header (both checksums included) is
// built once per stream in txonly_init; per packet we copy it and zero the
// payload.
#include <cstring>
#include "../packet.h"
#include "engines.h"

namespace rs {

namespace {
constexpr uint32_t kHdrLen = sizeof(EtherHdr) + sizeof(Ipv4Hdr) + sizeof(UdpHdr);  // 42

struct TxTemplate {
  uint8_t hdr[kHdrLen];
  uint16_t pkt_len;  // whole frame: the sum of settings.txpkts
};
static_assert(sizeof(TxTemplate) <= sizeof(FwdStream::scratch));
}  // namespace

static void txonly_init(FwdStream& fs, const FwdSettings& s) {
  auto* t = reinterpret_cast<TxTemplate*>(fs.scratch);
  uint32_t len = 0;
  for (uint16_t seg : s.txpkts) len += seg;
  // The engine validates txpkts; clamp anyway so a direct caller can never
  // make us write past an mbuf.
  if (s.pool && len > s.pool->data_room()) len = s.pool->data_room();
  if (len < kHdrLen) len = kHdrLen;
  t->pkt_len = static_cast<uint16_t>(len);

  std::memset(t->hdr, 0, sizeof t->hdr);
  auto* eth = reinterpret_cast<EtherHdr*>(t->hdr);
  MacAddr dst = fs.tx_port < s.eth_peer.size() ? s.eth_peer[fs.tx_port] : MacAddr{};
  MacAddr src = fs.tx->mac();
  std::memcpy(eth->dst, dst.data(), 6);
  std::memcpy(eth->src, src.data(), 6);
  eth->type = be16(kEtherTypeIpv4);

  auto* ip = reinterpret_cast<Ipv4Hdr*>(t->hdr + sizeof(EtherHdr));
  ip->ver_ihl = 0x45;
  ip->total_len = be16(static_cast<uint16_t>(len - sizeof(EtherHdr)));
  ip->ttl = 64;
  ip->proto = kIpProtoUdp;
  ip->src = be32(s.txonly_src_ip);
  ip->dst = be32(s.txonly_dst_ip);
  ip->csum = ipv4_hdr_cksum(ip);

  auto* udp = reinterpret_cast<UdpHdr*>(t->hdr + sizeof(EtherHdr) + sizeof(Ipv4Hdr));
  uint32_t udp_len = len - sizeof(EtherHdr) - sizeof(Ipv4Hdr);
  udp->src_port = be16(s.txonly_src_port);
  udp->dst_port = be16(s.txonly_dst_port);
  udp->len = be16(static_cast<uint16_t>(udp_len));
  udp->csum = 0;
  // The zero payload adds nothing to the sum: header and pseudo-header suffice.
  udp->csum = l4_cksum_finish(cksum_add(udp, sizeof(UdpHdr), ipv4_pseudo_sum(ip, kIpProtoUdp, udp_len)),
                              kIpProtoUdp);
}

static void txonly_fwd(FwdStream& fs, const FwdSettings& s) {
  const auto* t = reinterpret_cast<const TxTemplate*>(fs.scratch);
  Mbuf* pkts[kMaxBurst];
  uint16_t n = s.burst;
  if (s.pool->alloc_bulk(pkts, n) != n) {
    // Pool nearly empty (packets parked in rings): send what we can get, as
    // testpmd falls back to single allocations.
    uint16_t got = 0;
    while (got < n && (pkts[got] = s.pool->alloc()) != nullptr) got++;
    n = got;
  }
  const uint32_t len = t->pkt_len;
  for (uint16_t i = 0; i < n; i++) {
    uint8_t* d = pkts[i]->data();
    std::memcpy(d, t->hdr, kHdrLen);
    std::memset(d + kHdrLen, 0, len - kHdrLen);  // mbufs are recycled: clear old payload
    pkts[i]->data_len = static_cast<uint16_t>(len);
    pkts[i]->port = fs.tx_port;
  }
  fwd_tx_and_free_rest(fs, pkts, n);
}

const FwdEngine fwd_txonly = {"txonly", "generate UDP/IPv4 packets (set txpkts) and send them; receive nothing",
                              txonly_init, txonly_fwd};

}  // namespace rs
