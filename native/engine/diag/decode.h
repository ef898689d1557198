// The packet decoder behind `pcap show` and `set verbose`: Ethernet (and in
// files Linux cooked v1/v2, raw IP and BSD loopback), VLAN/QinQ, 802.3 LLC and
// SNAP, STP, ARP, IPv4, IPv6 with extension headers (hop-by-hop, routing,
// fragment, destination options), UDP, TCP, SCTP and DCCP ports, ICMP, ICMPv6
// and VXLAN (UDP 4789, the inner frame decoded too).
//
// The summary reads like `tcpdump -nn -t` ("IP 10.0.0.1.1000 > 10.0.0.2.2000:
// UDP, length 18"). A malformed packet is decoded as far as it is valid and
// the summary ends by saying where it stops ("[truncated IPv4 header at byte
// 14]"). Control-thread code: allocates strings, never runs on a poll thread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rs {

struct DecodedPacket {
  std::string src_mac, dst_mac;  // empty when the Ethernet header is cut
  uint16_t ethertype = 0;        // after the VLAN tags
  std::string summary;           // tcpdump-like, from the tags / network layer on
  std::string ptype;             // testpmd's sw packet type words: "L2_ETHER L3_IPV4 L4_UDP"
  uint32_t l2_len = 0, l3_len = 0, l4_len = 0;  // outer headers, as testpmd's verbose shows
};

// An Ethernet frame (ports carry Ethernet).
DecodedPacket decode_packet(const uint8_t* p, uint32_t caplen, uint32_t origlen);
// decode_packet(...).summary.
std::string describe_packet(const uint8_t* p, uint32_t caplen, uint32_t origlen);
// A capture file's record of any link type: Ethernet, Linux cooked v1/v2,
// raw IPv4/IPv6 and BSD/OpenBSD loopback are decoded from their network layer
// on (linktype.h); others are named with their length.
std::string describe_record(uint32_t linktype, const uint8_t* p, uint32_t caplen, uint32_t origlen);
// 16 bytes a line: "0000  45 00 00 1c ... 00 00  E..............." (offset in hex).
std::vector<std::string> hex_dump(const uint8_t* p, uint32_t len);

}  // namespace rs
