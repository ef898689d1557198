// PcapWriter: classic pcap, the 24-byte file header and one record per packet.
#include <cstring>
#include "pcap_file.h"

namespace rs {

namespace {
constexpr uint64_t kNsPerSec = 1000000000ull;
}  // namespace

void PcapWriter::open(const std::string& path, uint32_t snaplen, uint32_t linktype, bool nanosecond) {
  create(path, snaplen);
  nsec_ = nanosecond;
  uint32_t magic = nsec_ ? kPcapMagicNsec : kPcapMagicUsec;
  uint16_t vmaj = 2, vmin = 4;
  uint32_t zero = 0, lt = linktype, snap = this->snaplen();
  uint8_t* p = reserve(kPcapFileHeaderLen);
  std::memcpy(p + 0, &magic, 4);
  std::memcpy(p + 4, &vmaj, 2);
  std::memcpy(p + 6, &vmin, 2);
  std::memcpy(p + 8, &zero, 4);   // thiszone: timestamps are UTC
  std::memcpy(p + 12, &zero, 4);  // sigfigs: always 0 in practice
  std::memcpy(p + 16, &snap, 4);
  std::memcpy(p + 20, &lt, 4);
  appended(kPcapFileHeaderLen, false);
  commit_headers();
}

bool PcapWriter::write(uint64_t ts_ns, const uint8_t* data, uint32_t len, uint32_t origlen) {
  uint32_t caplen = cut(len);
  std::size_t need = kPcapRecordHeaderLen + caplen;  // <= 16 + 256 KiB < kBufferSize
  uint8_t* p = reserve(need);
  if (!p) return false;
  uint32_t h[4];
  h[0] = static_cast<uint32_t>(ts_ns / kNsPerSec);
  uint32_t ns = static_cast<uint32_t>(ts_ns % kNsPerSec);
  h[1] = nsec_ ? ns : ns / 1000;
  h[2] = caplen;
  h[3] = origlen ? origlen : len;
  std::memcpy(p, h, sizeof h);
  if (caplen) std::memcpy(p + sizeof h, data, caplen);  // data may be null when empty
  appended(need, true);
  return true;
}

}  // namespace rs
