// `pcap info FILE` (like capinfos) and `pcap show FILE [count N] [filter EXPR]`
// (one line per packet, like `tcpdump -r`, decoded by diag/decode.h), both
// through PcapReader.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "../linktype.h"  // linktype_name

namespace rs {

struct PcapInfo {
  std::string path, format, byte_order, ts_resolution, version, linktype_name;
  uint32_t linktype = 0, snaplen = 0, interfaces = 0, sections = 0;
  uint64_t packets = 0, data_bytes = 0, orig_bytes = 0, file_bytes = 0;
  uint64_t first_ns = 0, last_ns = 0;
  uint32_t min_caplen = 0, max_caplen = 0;
  uint64_t cut_packets = 0;  // caplen < origlen (snaplen applied)
  std::vector<std::string> interface_names;
  std::string stopped;  // where a truncated or damaged file stops (PcapReader::ending), else ""
};
// Reads the whole file. The figures cover the records before a truncated or
// damaged one, and `stopped` says where it is; only a file that cannot be
// opened, or whose header is bad, throws (EPCAP_OPEN, EPCAP_FORMAT, EPCAP_TRUNCATED).
PcapInfo pcap_info(const std::string& path);

struct PcapShowLine {
  uint64_t index = 0;  // the record's number in the file, from 1 (tcpdump -#)
  uint64_t ts_ns = 0;
  bool ts_overflow = false;  // PcapRecord::ts_overflow: ts_ns is not the time
  uint32_t caplen = 0, origlen = 0, iface = 0;
  uint8_t direction = 0;
  std::string summary;
};
struct PcapShow {
  bool nanosecond = false;
  std::vector<PcapShowLine> lines;
  std::string stopped;  // as PcapInfo::stopped, when reading stopped there before `count`
};
// The first `count` packets (0: all) the pcap-filter expression keeps ("":
// all), compiled for each packet's link type; a damaged or truncated file
// gives its complete records and says where it stopped, as pcap_info. Throws
// EFILTER for a bad expression, or one a packet's link type cannot run
// (another link type than linktype.h lists, `vlan` on Linux cooked, ...).
PcapShow pcap_show(const std::string& path, uint64_t count, const std::string& filter = "");

}  // namespace rs
