// `pcap info FILE` (like capinfos) and `pcap show FILE [count N] [filter EXPR]`
// (one line per packet, like `tcpdump -r`, decoded by diag/decode.h), both
// through PcapReader.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rs {

struct PcapInfo {
  std::string path, format, byte_order, ts_resolution, version, linktype_name;
  uint32_t linktype = 0, snaplen = 0, interfaces = 0, sections = 0;
  uint64_t packets = 0, data_bytes = 0, orig_bytes = 0, file_bytes = 0;
  uint64_t first_ns = 0, last_ns = 0;
  uint32_t min_caplen = 0, max_caplen = 0;
  uint64_t cut_packets = 0;  // caplen < origlen (snaplen applied)
  std::vector<std::string> interface_names;
};
// Reads the whole file; a damaged or truncated file throws its error
// (EPCAP_FORMAT / EPCAP_TRUNCATED with the byte offset).
PcapInfo pcap_info(const std::string& path);

struct PcapShowLine {
  uint64_t index = 0;  // the record's number in the file, from 1 (tcpdump -#)
  uint64_t ts_ns = 0;
  uint32_t caplen = 0, origlen = 0, iface = 0;
  uint8_t direction = 0;
  std::string summary;
};
struct PcapShow {
  bool nanosecond = false;
  std::vector<PcapShowLine> lines;
};
class Filter;
// The first `count` packets (0: all) the filter keeps (nullptr: all). Throws as
// pcap_info when a bad record comes before `count` packets were read, and
// EFILTER when a filter is given for a file whose link type is not Ethernet.
PcapShow pcap_show(const std::string& path, uint64_t count, const Filter* filter = nullptr);

const char* linktype_name(uint32_t lt);

}  // namespace rs
