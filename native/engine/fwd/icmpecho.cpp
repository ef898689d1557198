// icmpecho: answer ARP requests and ICMP echo requests, like testpmd's
// icmpecho.c: the reply leaves on the stream's tx port (with the default
// "loop" use of this mode that is the port the request came in on).
//
// Addresses answered for: those configured on the rx port (`port config N ip
// ADDR/LEN`). A port with no address configured answers every unicast target,
// which is what testpmd (which has no per-port addresses) does.
// Anything not answered is freed and counted in fwd_dropped, or, on a port
// with `kni create PORT ... all`, goes to the kernel interface (fwd_unhandled):
// the kernel then answers what ringside does not (UDP, TCP, other addresses).
#include <cstring>
#include "../packet.h"
#include "engines.h"

namespace rs {

namespace {
struct EchoScratch {
  uint8_t mac[6];  // tx port's MAC, the source of every reply
};
static_assert(sizeof(EchoScratch) <= sizeof(FwdStream::scratch));

// addr in network byte order.
inline bool is_ours(const FwdStream& fs, const FwdSettings& s, uint32_t addr) {
  if (fs.rx_port >= s.port_ips.size() || s.port_ips[fs.rx_port].empty()) {
    uint8_t first = reinterpret_cast<const uint8_t*>(&addr)[0];
    return first < 224 && addr != 0xffffffffu;  // no configured address: any unicast
  }
  for (const PortIp& ip : s.port_ips[fs.rx_port])
    if (ip.addr == addr) return true;
  return false;
}

// Turn an ARP request for one of our addresses into the reply, in place.
bool arp_reply(uint8_t* p, uint32_t len, uint32_t l3, const FwdStream& fs, const FwdSettings& s,
               const uint8_t* mac) {
  if (len < l3 + sizeof(ArpHdr)) return false;
  auto* arp = reinterpret_cast<ArpHdr*>(p + l3);
  if (be16(arp->hrd) != kArpHrdEther || be16(arp->pro) != kEtherTypeIpv4 || arp->hln != 6 || arp->pln != 4 ||
      be16(arp->op) != kArpOpRequest)
    return false;
  uint32_t tip;
  std::memcpy(&tip, p + l3 + offsetof(ArpHdr, tip), 4);
  if (!is_ours(fs, s, tip)) return false;
  auto* eth = reinterpret_cast<EtherHdr*>(p);
  std::memcpy(eth->dst, eth->src, 6);
  std::memcpy(eth->src, mac, 6);
  arp->op = be16(kArpOpReply);
  std::memcpy(arp->tha, arp->sha, 6);
  std::memcpy(arp->sha, mac, 6);
  swap_bytes<4>(p + l3 + offsetof(ArpHdr, sip), p + l3 + offsetof(ArpHdr, tip));
  return true;
}

// Turn an ICMP echo request to one of our addresses into the reply, in place.
bool echo_reply(uint8_t* p, uint32_t len, uint32_t l3, const FwdStream& fs, const FwdSettings& s,
                const uint8_t* mac) {
  if (len < l3 + sizeof(Ipv4Hdr)) return false;
  auto* ip = reinterpret_cast<Ipv4Hdr*>(p + l3);
  uint32_t hl = ip->header_len();
  if ((ip->ver_ihl >> 4) != 4 || hl < sizeof(Ipv4Hdr) || ip->proto != kIpProtoIcmp || ip->fragment_offset() != 0 ||
      len < l3 + hl + sizeof(IcmpHdr))
    return false;
  auto* icmp = reinterpret_cast<IcmpHdr*>(p + l3 + hl);
  if (icmp->type != kIcmpEchoRequest || icmp->code != 0) return false;
  uint32_t dst;
  std::memcpy(&dst, p + l3 + offsetof(Ipv4Hdr, dst), 4);
  if (!is_ours(fs, s, dst)) return false;
  auto* eth = reinterpret_cast<EtherHdr*>(p);
  std::memcpy(eth->dst, eth->src, 6);
  std::memcpy(eth->src, mac, 6);
  // Swapping the addresses keeps the IPv4 header checksum valid.
  swap_bytes<4>(p + l3 + offsetof(Ipv4Hdr, src), p + l3 + offsetof(Ipv4Hdr, dst));
  // The type/code word changes from 08 00 to 00 00: update the ICMP checksum
  // incrementally (RFC 1624), trusting the request's, as testpmd does.
  uint16_t old_word, new_word;
  const uint8_t old_b[2] = {kIcmpEchoRequest, 0}, new_b[2] = {kIcmpEchoReply, 0};
  std::memcpy(&old_word, old_b, 2);
  std::memcpy(&new_word, new_b, 2);
  icmp->type = kIcmpEchoReply;
  icmp->csum = cksum_update16(icmp->csum, old_word, new_word);
  return true;
}
}  // namespace

static void icmpecho_init(FwdStream& fs, const FwdSettings&) {
  MacAddr m = fs.tx->mac();
  std::memcpy(reinterpret_cast<EchoScratch*>(fs.scratch)->mac, m.data(), 6);
}

static bool icmpecho_fwd(FwdStream& fs, const FwdSettings& s) {
  const uint8_t* mac = reinterpret_cast<const EchoScratch*>(fs.scratch)->mac;
  Mbuf* pkts[kMaxBurst];
  Mbuf* unhandled[kMaxBurst];
  uint16_t n = fwd_rx(fs, pkts, s.burst);
  uint16_t nb_reply = 0, nb_unhandled = 0;
  for (uint16_t i = 0; i < n; i++) {
    Mbuf* m = pkts[i];
    uint8_t* p = m->data();
    uint16_t type;
    uint32_t l3 = l2_parse(p, m->data_len, &type);
    bool ok = l3 != 0 && ((type == kEtherTypeArp && arp_reply(p, m->data_len, l3, fs, s, mac)) ||
                          (type == kEtherTypeIpv4 && echo_reply(p, m->data_len, l3, fs, s, mac)));
    if (ok) pkts[nb_reply++] = m;
    else unhandled[nb_unhandled++] = m;
  }
  fwd_unhandled(fs, unhandled, nb_unhandled);
  fwd_tx_and_free_rest(fs, pkts, nb_reply);
  return n != 0;
}

const FwdEngine fwd_icmpecho = {"icmpecho", "answer ARP and ICMP echo requests for the rx port's addresses",
                                icmpecho_init, icmpecho_fwd};

}  // namespace rs
