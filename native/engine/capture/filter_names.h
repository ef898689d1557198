// The names a filter may use for numbers, built in (never /etc/services or
// /etc/protocols, so a filter means the same on every machine): services
// for ports, IP protocols, ethertypes, and pcap-filter's byte-offset
// constants (tcpflags, tcp-syn, icmp-echo, ...).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace rs::filter_names {

std::optional<uint16_t> service_port(const std::string& name);  // "domain" -> 53 (TCP and UDP alike)
std::optional<uint8_t> ip_protocol(const std::string& name);    // "udp" -> 17
std::optional<uint16_t> ethertype(const std::string& name);     // "ip6" -> 0x86dd
std::optional<uint32_t> constant(const std::string& name);      // "tcpflags" -> 13, "tcp-syn" -> 2

}  // namespace rs::filter_names
