#include "pcap_tools.h"
#include "../diag/decode.h"
#include "../error.h"
#include "filter.h"
#include "../pcap_file.h"

namespace rs {

PcapInfo pcap_info(const std::string& path) {
  PcapReader r;
  r.open(path);
  PcapInfo i;
  i.path = path;
  i.format = r.format() == PcapFormat::Pcap ? "pcap" : "pcapng";
  bool host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
  i.byte_order = (r.swapped() != host_big) ? "big-endian" : "little-endian";
  i.version = std::to_string(r.version_major()) + "." + std::to_string(r.version_minor());
  i.file_bytes = r.file_size();
  PcapRecord rec;
  bool first = true;
  while (r.next(rec)) {
    if (first) { i.first_ns = rec.ts_ns; i.min_caplen = rec.caplen; first = false; }
    if (rec.ts_ns < i.first_ns) i.first_ns = rec.ts_ns;
    if (rec.ts_ns > i.last_ns) i.last_ns = rec.ts_ns;
    i.packets++;
    i.data_bytes += rec.caplen;
    i.orig_bytes += rec.origlen;
    if (rec.caplen < i.min_caplen) i.min_caplen = rec.caplen;
    if (rec.caplen > i.max_caplen) i.max_caplen = rec.caplen;
    if (rec.caplen < rec.origlen) i.cut_packets++;
  }
  i.stopped = r.ending();
  if (i.packets == 0) i.first_ns = i.last_ns = 0;
  i.linktype = r.linktype();
  i.linktype_name = linktype_name(i.linktype);
  i.snaplen = r.snaplen();
  i.interfaces = static_cast<uint32_t>(r.interfaces().size());
  i.sections = r.sections();
  for (const auto& f : r.interfaces()) i.interface_names.push_back(f.name);
  if (r.format() == PcapFormat::Pcap) {
    i.ts_resolution = r.nanosecond() ? "nanoseconds" : "microseconds";
  } else if (!r.interfaces().empty()) {
    uint8_t t = r.interfaces()[0].tsresol;
    if (t == 6) i.ts_resolution = "microseconds";
    else if (t == 9) i.ts_resolution = "nanoseconds";
    else if (t == 3) i.ts_resolution = "milliseconds";
    else if (t & 0x80) i.ts_resolution = "2^-" + std::to_string(t & 0x7f) + " seconds";
    else i.ts_resolution = "10^-" + std::to_string(t) + " seconds";
  }
  return i;
}

PcapShow pcap_show(const std::string& path, uint64_t count, const std::string& filter) {
  PcapReader r;
  r.open(path);
  PcapShow out;
  out.nanosecond = r.nanosecond();
  // The filter compiled for each link type met (a pcapng file may mix them),
  // as tcpdump compiles it for the file's.
  std::vector<Filter> compiled{Filter::compile(filter, r.linktype())};
  auto filter_for = [&](uint32_t linktype) -> const Filter& {
    for (const Filter& f : compiled)
      if (f.linktype() == linktype) return f;
    try {
      return compiled.emplace_back(Filter::compile(filter, linktype));
    } catch (const Error& e) {
      throw Error(e, path + ": " + e.what());
    }
  };
  PcapRecord rec;
  uint64_t index = 0;
  while ((count == 0 || out.lines.size() < count) && r.next(rec)) {
    index++;
    uint32_t lt = rec.iface < r.interfaces().size() ? r.interfaces()[rec.iface].linktype : r.linktype();
    if (!compiled[0].empty() && !filter_for(lt).match(rec.data, rec.caplen, rec.origlen)) continue;
    PcapShowLine l;
    l.index = index;
    l.ts_ns = rec.ts_ns;
    l.ts_overflow = rec.ts_overflow;
    l.caplen = rec.caplen;
    l.origlen = rec.origlen;
    l.iface = rec.iface;
    l.direction = rec.direction;
    l.summary = describe_record(lt, rec.data, rec.caplen, rec.origlen);
    out.lines.push_back(std::move(l));
  }
  out.stopped = r.ending();
  return out;
}

}  // namespace rs
