// `pcap info FILE` (like capinfos) and `pcap show FILE [count N]` (one line
// per packet, like `tcpdump -r`, decoded by diag/decode.h), both through PcapReader.
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
// The first `count` packets (0: all); throws as pcap_info.
PcapShow pcap_show(const std::string& path, uint64_t count);

}  // namespace rs
