// Link-layer types of capture files (the LINKTYPE_ numbers of
// pcap-linktype(7), as pcap and pcapng store them) and where, in a record of
// each, the network layer starts. Shared by the decoder behind `pcap show`,
// the pcap tools and capture filters that read files of these link types.
#pragma once
#include <cstdint>

namespace rs {

constexpr uint32_t kLinktypeNull = 0;        // BSD loopback: 4-byte address family, writer's byte order
constexpr uint32_t kLinktypeEthernet = 1;
constexpr uint32_t kLinktypeRawDlt = 12;     // DLT_RAW as most systems number it (raw IPv4 or IPv6)
constexpr uint32_t kLinktypeRawDltBsd = 14;  // DLT_RAW as OpenBSD numbers it
constexpr uint32_t kLinktypeRaw = 101;       // LINKTYPE_RAW: raw IPv4 or IPv6, by the version nibble
constexpr uint32_t kLinktypeLoop = 108;      // OpenBSD loopback: the family in network byte order
constexpr uint32_t kLinktypeSll = 113;       // Linux cooked capture v1 (16-byte header)
constexpr uint32_t kLinktypeIpv4 = 228;
constexpr uint32_t kLinktypeIpv6 = 229;
constexpr uint32_t kLinktypeSll2 = 276;      // Linux cooked capture v2 (20-byte header)

constexpr uint32_t kSllHeaderLen = 16, kSll2HeaderLen = 20, kLoopbackHeaderLen = 4;

// Where the network layer starts in a record, and what it is.
struct NetworkLayer {
  uint32_t offset = 0;     // bytes of link-layer header before it
  uint16_t ethertype = 0;  // what follows, as an Ethernet type (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP, ...);
                           // an 802.3 length (<= 1500) means LLC follows, as in an Ethernet frame
};

// The network layer of a record of `caplen` bytes: false when `linktype` is
// not one listed above, or its link-layer header is cut, or (raw IP, BSD
// loopback) it does not say IPv4 or IPv6. Raw IP of all four numbers goes by
// the version nibble, as tcpdump does (an IPv4 packet in a LINKTYPE_IPV6 file
// is IPv4). Ethernet gives offset 14 and the
// type field as it is: VLAN tags are left to the caller, as each `vlan` of a
// filter moves what follows one tag in. Reads only the bytes it names; no
// allocation, so a filter can call it per packet.
bool network_layer(uint32_t linktype, const uint8_t* p, uint32_t caplen, NetworkLayer* out);
// True for the link types network_layer reads (those listed above).
bool network_layer_known(uint32_t linktype);
// The fixed link-layer header of those link types (0 for raw IP).
uint32_t link_header_len(uint32_t linktype);

// The name tcpdump's "link-type" line gives (without its DLT_ token), or "unknown".
const char* linktype_name(uint32_t linktype);

}  // namespace rs
