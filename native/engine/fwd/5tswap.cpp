// 5tswap: swap the 5-tuple so the packet goes back where it came from: MACs,
// IPv4/IPv6 addresses and UDP/TCP ports (testpmd's 5tswap.c). Every swap
// exchanges two words of a checksummed region, which leaves the sum (and so
// every checksum) unchanged.
#include "../packet.h"
#include "engines.h"

namespace rs {

static void swap_l4_ports(uint8_t* l4, uint32_t avail, uint8_t proto) {
  if ((proto == kIpProtoUdp && avail >= sizeof(UdpHdr)) || (proto == kIpProtoTcp && avail >= sizeof(TcpHdr)))
    swap_bytes<2>(l4, l4 + 2);  // src_port, dst_port lead both headers
}

static void swap_5tuple(Mbuf* m) {
  uint8_t* p = m->data();
  uint32_t len = m->data_len;
  uint16_t type;
  uint32_t l3 = l2_parse(p, len, &type);
  if (l3 == 0) return;  // runt frame: forward untouched
  auto* eth = reinterpret_cast<EtherHdr*>(p);
  swap_bytes<6>(eth->dst, eth->src);
  if (type == kEtherTypeIpv4 && len >= l3 + sizeof(Ipv4Hdr)) {
    auto* ip = reinterpret_cast<Ipv4Hdr*>(p + l3);
    uint32_t hl = ip->header_len();
    swap_bytes<4>(p + l3 + offsetof(Ipv4Hdr, src), p + l3 + offsetof(Ipv4Hdr, dst));
    // Only the first fragment carries the ports; later ones carry payload.
    if (hl >= sizeof(Ipv4Hdr) && ip->fragment_offset() == 0 && len >= l3 + hl)
      swap_l4_ports(p + l3 + hl, len - l3 - hl, ip->proto);
  } else if (type == kEtherTypeIpv6 && len >= l3 + sizeof(Ipv6Hdr)) {
    auto* ip = reinterpret_cast<Ipv6Hdr*>(p + l3);
    swap_bytes<16>(ip->src, ip->dst);
    // Extension headers are not walked (as in testpmd): ports are swapped only
    // when UDP/TCP follows the fixed header directly.
    uint32_t l4 = l3 + sizeof(Ipv6Hdr);
    swap_l4_ports(p + l4, len - l4, ip->next_header);
  }
}

static bool fivetswap_fwd(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  for (uint16_t i = 0; i < n; i++) swap_5tuple(pkts[i]);
  fwd_tx_and_free_rest(fs, pkts, n);
  return n != 0;
}

const FwdEngine fwd_5tswap = {"5tswap", "swap MACs, IPv4/IPv6 addresses and UDP/TCP ports, then forward", nullptr,
                              fivetswap_fwd};

}  // namespace rs
