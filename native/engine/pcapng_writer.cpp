// PcapngWriter: a Section Header Block, one Interface Description Block,
// then Enhanced Packet Blocks and an optional Interface Statistics Block.
#include <cstring>
#include "pcap_file.h"

namespace rs {

namespace {

// Appends little helpers to a block under construction (host byte order: the
// SHB's byte-order magic tells readers which).
struct BlockBuf {
  uint8_t* p;
  std::size_t n = 0;
  void u16(uint16_t v) { std::memcpy(p + n, &v, 2); n += 2; }
  void u32(uint32_t v) { std::memcpy(p + n, &v, 4); n += 4; }
  void u64(uint64_t v) { std::memcpy(p + n, &v, 8); n += 8; }
  void bytes(const void* d, std::size_t len) {
    if (len) std::memcpy(p + n, d, len);
    n += len;
    while (n % 4) p[n++] = 0;
  }
  void option(uint16_t code, const void* d, uint16_t len) { u16(code); u16(len); bytes(d, len); }
  void end_options() { u16(0); u16(0); }
  void ts(uint64_t ns) { u32(static_cast<uint32_t>(ns >> 32)); u32(static_cast<uint32_t>(ns)); }
  void finish() {  // total length at offset 4 and at the end
    uint32_t total = static_cast<uint32_t>(n + 4);
    std::memcpy(p + 4, &total, 4);
    u32(total);
  }
};

constexpr std::size_t pad4(std::size_t n) { return (n + 3) & ~std::size_t(3); }

}  // namespace

void PcapngWriter::open(const std::string& path, uint32_t snaplen, uint32_t linktype, const std::string& if_name,
                        const std::string& app) {
  create(path, snaplen);
  std::string app_s = app.substr(0, 200), name_s = if_name.substr(0, 200);

  BlockBuf shb{reserve(512)};  // an SHB with a 200-byte option is under 256 bytes
  shb.u32(kPcapngMagic);
  shb.u32(0);  // total length, set by finish()
  shb.u32(kPcapngByteOrderMagic);
  shb.u16(1);
  shb.u16(0);
  shb.u64(~0ull);  // section length not known
  if (!app_s.empty()) shb.option(4, app_s.data(), static_cast<uint16_t>(app_s.size()));  // shb_userappl
  shb.end_options();
  shb.finish();
  appended(shb.n, false);

  BlockBuf idb{reserve(512)};  // likewise the IDB
  idb.u32(1);
  idb.u32(0);
  idb.u16(static_cast<uint16_t>(linktype));
  idb.u16(0);
  idb.u32(this->snaplen());
  if (!name_s.empty()) idb.option(2, name_s.data(), static_cast<uint16_t>(name_s.size()));  // if_name
  uint8_t tsresol = 9;                                                                       // nanoseconds
  idb.option(9, &tsresol, 1);
  idb.end_options();
  idb.finish();
  appended(idb.n, false);
  commit_headers();
}

bool PcapngWriter::write(uint64_t ts_ns, const uint8_t* data, uint32_t len, uint32_t origlen, uint8_t direction,
                         int32_t queue) {
  uint32_t caplen = cut(len);
  // header 28 + data + flags 8 + queue 8 + end 4 + trailer 4
  uint8_t* p = reserve(28 + pad4(caplen) + 8 + 8 + 4 + 4);
  if (!p) return false;
  BlockBuf b{p};
  b.u32(6);
  b.u32(0);
  b.u32(0);  // interface 0
  b.ts(ts_ns);
  b.u32(caplen);
  b.u32(origlen ? origlen : len);
  b.bytes(data, caplen);
  if (direction != kDirUnknown) {
    uint32_t flags = direction & 3u;
    b.option(2, &flags, 4);  // epb_flags
  }
  if (queue >= 0) {
    uint32_t q = static_cast<uint32_t>(queue);
    b.option(6, &q, 4);  // epb_queue (32 bits)
  }
  b.end_options();
  b.finish();
  appended(b.n, true);
  return true;
}

bool PcapngWriter::write_stats(uint64_t ts_ns, uint64_t start_ns, uint64_t end_ns, uint64_t ifrecv, uint64_t ifdrop) {
  uint8_t* p = reserve(128);
  if (!p) return false;
  BlockBuf b{p};
  b.u32(5);
  b.u32(0);
  b.u32(0);
  b.ts(ts_ns);
  uint32_t t[2] = {static_cast<uint32_t>(start_ns >> 32), static_cast<uint32_t>(start_ns)};
  b.option(2, t, 8);  // isb_starttime
  t[0] = static_cast<uint32_t>(end_ns >> 32);
  t[1] = static_cast<uint32_t>(end_ns);
  b.option(3, t, 8);        // isb_endtime
  b.option(4, &ifrecv, 8);  // isb_ifrecv
  b.option(5, &ifdrop, 8);  // isb_ifdrop
  b.end_options();
  b.finish();
  appended(b.n, false);
  return true;
}


}  // namespace rs
