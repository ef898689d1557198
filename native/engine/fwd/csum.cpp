// csum: check the IPv4 header checksum and the UDP, TCP and ICMP checksums
// of each packet, count the wrong ones (testpmd's Bad-ipcsum and Bad-l4csum),
// write the right ones, then forward. testpmd's csumonly.c with every
// checksum in software: ringside's ports have no checksum offload, so what a
// NIC would flag on receive is found here by computing the sums.
#include <cstddef>
#include <cstring>
#include "../classify/pktview.h"
#include "../packet.h"
#include "engines.h"

namespace rs {
namespace {

// Checks and rewrites the 16-bit checksum at `field` (in a packed header:
// copied, never dereferenced unaligned) against `want`. False when it was wrong.
inline bool fix(uint8_t* field, uint16_t want) {
  uint16_t have;
  std::memcpy(&have, field, 2);
  if (have == want) return true;
  std::memcpy(field, &want, 2);
  return false;
}

// Offset of the checksum in a UDP, TCP or ICMP header, or 0 when l4_len
// cannot hold that header (or the protocol has none we check).
inline uint32_t l4_csum_offset(uint8_t proto, uint32_t l4_len) {
  if (proto == kIpProtoUdp && l4_len >= sizeof(UdpHdr)) return offsetof(UdpHdr, csum);
  if (proto == kIpProtoTcp && l4_len >= sizeof(TcpHdr)) return offsetof(TcpHdr, csum);
  if (proto == kIpProtoIcmp && l4_len >= sizeof(IcmpHdr)) return offsetof(IcmpHdr, csum);
  return 0;
}

// UDP/TCP/ICMP checksum of l4 (l4_len bytes, all in the frame). pseudo: the
// pseudo-header sum (0 for ICMP, which has none). False when it was wrong.
bool fix_l4(uint8_t proto, uint8_t* l4, uint32_t l4_len, uint64_t pseudo) {
  uint32_t off = l4_csum_offset(proto, l4_len);
  if (off == 0) return true;
  uint8_t given[2] = {l4[off], l4[off + 1]};
  l4[off] = l4[off + 1] = 0;  // the sum is taken with the field zero
  uint64_t sum = cksum_add(l4, l4_len, pseudo);
  uint16_t want = proto == kIpProtoIcmp ? static_cast<uint16_t>(~cksum_fold(sum)) : l4_cksum_finish(sum, proto);
  l4[off] = given[0];
  l4[off + 1] = given[1];
  return fix(l4 + off, want);
}

void check_packet(FwdStream& fs, Mbuf* m) {
  uint8_t* f = m->at<uint8_t>(0);
  PacketView v;
  parse_view(f, m->data_len, &v);
  if (v.ip_version == 4) {
    auto* ip = reinterpret_cast<Ipv4Hdr*>(f + v.l3_off);
    uint32_t hl = ip->header_len(), total = be16(ip->total_len);
    if (hl < sizeof(Ipv4Hdr) || v.l3_off + hl > m->data_len) return;
    if (!fix(f + v.l3_off + offsetof(Ipv4Hdr, csum), ipv4_hdr_cksum(ip))) fs.bad_ip_csum.add(1);
    // A fragment's L4 checksum covers the whole datagram; a frame shorter
    // than its IP length is not checked past its end.
    if (v.fragment || total < hl || v.l3_off + total > m->data_len) return;
    uint8_t* l4 = f + v.l3_off + hl;
    uint32_t l4_len = total - hl;
    // UDP over IPv4 may carry no checksum (0): nothing to check.
    if (ip->proto == kIpProtoUdp && l4_len >= sizeof(UdpHdr) && (l4[6] | l4[7]) == 0) return;
    uint64_t pseudo = ip->proto == kIpProtoIcmp ? 0 : ipv4_pseudo_sum(ip, ip->proto, l4_len);
    if (!fix_l4(ip->proto, l4, l4_len, pseudo)) fs.bad_l4_csum.add(1);
  } else if (v.ip_version == 6 && v.has_ports) {
    auto* ip = reinterpret_cast<Ipv6Hdr*>(f + v.l3_off);
    uint32_t end = v.l3_off + sizeof(Ipv6Hdr) + be16(ip->payload_len);
    if (end > m->data_len || end < v.l4_off) return;
    uint32_t l4_len = end - v.l4_off;
    if (!fix_l4(v.proto, f + v.l4_off, l4_len, ipv6_pseudo_sum(ip, v.proto, l4_len))) fs.bad_l4_csum.add(1);
  }
}

bool csum_fwd(FwdStream& fs, const FwdSettings& s) {
  Mbuf* pkts[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  for (uint16_t i = 0; i < n; i++) check_packet(fs, pkts[i]);
  fwd_tx_and_free_rest(fs, pkts, n);
  return n != 0;
}

}  // namespace

const FwdEngine fwd_csum = {"csum", "check and fix IPv4, UDP, TCP and ICMP checksums in software, counting bad ones, then forward",
                            nullptr, csum_fwd};

}  // namespace rs
