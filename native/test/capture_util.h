// Helpers shared by the capture, pcapng and filter tests: a temporary
// directory, whole-file I/O and a pcapng/pcap builder in either byte order.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace captest {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ringside-cap-XXXXXX";
    path = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  if (!b.empty()) std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::vector<uint8_t> b;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return b;
  uint8_t buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) b.insert(b.end(), buf, buf + n);
  std::fclose(f);
  return b;
}

inline std::vector<uint8_t> pattern(std::size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (std::size_t i = 0; i < n; i++) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

// Bytes in a chosen byte order; pcapng blocks with both length fields.
struct Bytes {
  bool big = false;
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u16(uint16_t v) {
    if (big) { b.push_back(uint8_t(v >> 8)); b.push_back(uint8_t(v)); }
    else { b.push_back(uint8_t(v)); b.push_back(uint8_t(v >> 8)); }
  }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; i++) b.push_back(uint8_t(big ? v >> (24 - 8 * i) : v >> (8 * i)));
  }
  void u64(uint64_t v) {
    if (big) { u32(uint32_t(v >> 32)); u32(uint32_t(v)); }
    else { u32(uint32_t(v)); u32(uint32_t(v >> 32)); }
  }
  void raw(const std::vector<uint8_t>& d) { b.insert(b.end(), d.begin(), d.end()); }
  void pad4() { while (b.size() % 4) b.push_back(0); }
  void option(uint16_t code, const std::vector<uint8_t>& v) {
    u16(code); u16(uint16_t(v.size())); raw(v); pad4();
  }
  // Appends a block: type, length, body (built by fn), length.
  template <typename F>
  void block(uint32_t type, F body) {
    std::size_t start = b.size();
    u32(type);
    u32(0);
    body(*this);
    pad4();
    uint32_t len = uint32_t(b.size() - start + 4);
    u32(len);
    Bytes l{big, {}};
    l.u32(len);
    for (int i = 0; i < 4; i++) b[start + 4 + i] = l.b[i];
  }
  void shb() {
    block(0x0a0d0d0a, [](Bytes& x) { x.u32(0x1a2b3c4d); x.u16(1); x.u16(0); x.u64(~0ull); x.u16(0); x.u16(0); });
  }
  void idb(uint16_t linktype, uint32_t snaplen, int tsresol = -1, const std::string& name = "") {
    block(1, [&](Bytes& x) {
      x.u16(linktype); x.u16(0); x.u32(snaplen);
      if (!name.empty()) x.option(2, std::vector<uint8_t>(name.begin(), name.end()));
      if (tsresol >= 0) x.option(9, {uint8_t(tsresol)});
      x.u16(0); x.u16(0);
    });
  }
  void epb(uint32_t iface, uint64_t ts, const std::vector<uint8_t>& data, uint32_t origlen = 0, int flags = -1) {
    block(6, [&](Bytes& x) {
      x.u32(iface); x.u32(uint32_t(ts >> 32)); x.u32(uint32_t(ts));
      x.u32(uint32_t(data.size())); x.u32(origlen ? origlen : uint32_t(data.size()));
      x.raw(data); x.pad4();
      if (flags >= 0) { x.u16(2); x.u16(4); x.u32(uint32_t(flags)); x.u16(0); x.u16(0); }
    });
  }
  void spb(const std::vector<uint8_t>& data, uint32_t origlen = 0) {
    block(3, [&](Bytes& x) { x.u32(origlen ? origlen : uint32_t(data.size())); x.raw(data); x.pad4(); });
  }
  // Classic pcap.
  void pcap_header(uint32_t magic, uint32_t snaplen = 65535, uint32_t linktype = 1) {
    u32(magic); u16(2); u16(4); u32(0); u32(0); u32(snaplen); u32(linktype);
  }
  void pcap_record(uint32_t sec, uint32_t frac, const std::vector<uint8_t>& data, uint32_t origlen = 0) {
    u32(sec); u32(frac); u32(uint32_t(data.size())); u32(origlen ? origlen : uint32_t(data.size()));
    raw(data);
  }
};

}  // namespace captest
