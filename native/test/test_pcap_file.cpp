// PcapReader / PcapWriter: round trips, the four magic/byte-order variants
// built by hand, truncated and damaged files, and open errors.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <vector>
#include "error.h"
#include "harness.h"
#include "pcap_file.h"

namespace {

// A mkdtemp directory removed with everything in it when the test ends.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ringside-pcap-XXXXXX";
    path = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  if (!b.empty()) std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::vector<uint8_t> b;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return b;
  int c;
  while ((c = std::fgetc(f)) != EOF) b.push_back(static_cast<uint8_t>(c));
  std::fclose(f);
  return b;
}

uint64_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Builds a pcap file byte by byte in a chosen byte order.
struct Builder {
  bool big;
  std::vector<uint8_t> b;
  void u16(uint16_t v) {
    if (big) { b.push_back(uint8_t(v >> 8)); b.push_back(uint8_t(v)); }
    else { b.push_back(uint8_t(v)); b.push_back(uint8_t(v >> 8)); }
  }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; i++) b.push_back(uint8_t(big ? v >> (24 - 8 * i) : v >> (8 * i)));
  }
  void header(uint32_t magic, uint32_t snaplen = 65535, uint32_t linktype = 1) {
    u32(magic); u16(2); u16(4); u32(0); u32(0); u32(snaplen); u32(linktype);
  }
  void record(uint32_t sec, uint32_t frac, const std::vector<uint8_t>& data, uint32_t origlen = 0) {
    u32(sec); u32(frac); u32(static_cast<uint32_t>(data.size()));
    u32(origlen ? origlen : static_cast<uint32_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
  }
};

std::vector<uint8_t> pattern(std::size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (std::size_t i = 0; i < n; i++) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

std::string open_code(const std::string& path) {
  rs::PcapReader r;
  try { r.open(path); } catch (const rs::Error& e) { return e.code(); }
  return "";
}

}  // namespace

TEST(pcap_file_round_trip_nanoseconds) {
  TempDir d;
  std::string p = d.file("rt.pcap");
  const uint64_t ts[3] = {1700000000123456789ull, 1700000000123456790ull, 1700000001000000001ull};
  const std::size_t len[3] = {60, 1514, 0};
  {
    rs::PcapWriter w;
    w.open(p, 65535);
    for (int i = 0; i < 3; i++) {
      auto data = pattern(len[i], uint8_t(i));
      CHECK(w.write(ts[i], data.data(), uint32_t(len[i])));
    }
    CHECK_EQ(w.records(), 3u);
    w.close();
  }
  rs::PcapReader r;
  r.open(p);
  CHECK(r.nanosecond());
  CHECK(!r.swapped());
  CHECK_EQ(r.linktype(), 1u);
  CHECK_EQ(r.snaplen(), 65535u);
  rs::PcapRecord rec;
  for (int i = 0; i < 3; i++) {
    CHECK(r.next(rec));
    CHECK_EQ(rec.ts_ns, ts[i]);
    CHECK_EQ(rec.caplen, uint32_t(len[i]));
    CHECK_EQ(rec.origlen, uint32_t(len[i]));
    auto want = pattern(len[i], uint8_t(i));
    CHECK(len[i] == 0 || std::memcmp(rec.data, want.data(), len[i]) == 0);
  }
  CHECK(!r.next(rec));
  CHECK(r.status() == rs::PcapReader::Status::End);
  r.throw_if_error();  // clean end: no error
  CHECK_EQ(r.records(), 3u);
}

TEST(pcap_file_microsecond_writer_and_snaplen) {
  TempDir d;
  std::string p = d.file("us.pcap");
  rs::PcapWriter w;
  w.open(p, 64, 1, false);
  auto data = pattern(100, 3);
  w.write(5000000123456789ull, data.data(), 100);
  w.write(7, data.data(), 100, 1500);  // origlen given explicitly
  w.close();
  rs::PcapReader r;
  r.open(p);
  CHECK(!r.nanosecond());
  rs::PcapRecord rec;
  CHECK(r.next(rec));
  CHECK_EQ(rec.ts_ns, 5000000123456000ull);  // microsecond resolution
  CHECK_EQ(rec.caplen, 64u);
  CHECK_EQ(rec.origlen, 100u);
  CHECK(std::memcmp(rec.data, data.data(), 64) == 0);
  CHECK(r.next(rec));
  CHECK_EQ(rec.caplen, 64u);
  CHECK_EQ(rec.origlen, 1500u);
  CHECK(!r.next(rec));
}

TEST(pcap_file_four_magic_variants) {
  TempDir d;
  struct V { uint32_t magic; bool big; bool nsec; } vs[] = {
      {rs::kPcapMagicUsec, false, false}, {rs::kPcapMagicUsec, true, false},
      {rs::kPcapMagicNsec, false, true},  {rs::kPcapMagicNsec, true, true}};
  int i = 0;
  for (const V& v : vs) {
    Builder b{v.big, {}};
    b.header(v.magic, 9000, 1);
    b.record(1000, 123456, pattern(42, 1), 60);
    b.record(1001, 999999, pattern(70, 2));
    std::string p = d.file("v" + std::to_string(i++) + ".pcap");
    write_bytes(p, b.b);
    rs::PcapReader r;
    r.open(p);
    bool host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
    CHECK_EQ(r.swapped(), v.big != host_big);
    CHECK_EQ(r.nanosecond(), v.nsec);
    CHECK_EQ(r.version_major(), 2u);
    CHECK_EQ(r.version_minor(), 4u);
    CHECK_EQ(r.snaplen(), 9000u);
    CHECK_EQ(r.linktype(), 1u);
    uint64_t unit = v.nsec ? 1 : 1000;
    rs::PcapRecord rec;
    CHECK(r.next(rec));
    CHECK_EQ(rec.ts_ns, 1000ull * 1000000000ull + 123456ull * unit);
    CHECK_EQ(rec.caplen, 42u);
    CHECK_EQ(rec.origlen, 60u);
    CHECK(std::memcmp(rec.data, pattern(42, 1).data(), 42) == 0);
    CHECK(r.next(rec));
    CHECK_EQ(rec.ts_ns, 1001ull * 1000000000ull + 999999ull * unit);
    CHECK_EQ(rec.caplen, 70u);
    CHECK(std::memcmp(rec.data, pattern(70, 2).data(), 70) == 0);
    CHECK(!r.next(rec));
    CHECK(r.status() == rs::PcapReader::Status::End);
  }
}

TEST(pcap_file_truncated_data_returns_complete_records) {
  TempDir d;
  Builder b{false, {}};
  b.header(rs::kPcapMagicNsec);
  b.record(1, 1, pattern(100, 1));
  b.record(2, 2, pattern(100, 2));
  b.b.resize(b.b.size() - 30);  // cut the last record's data short
  std::string p = d.file("cut.pcap");
  write_bytes(p, b.b);
  rs::PcapReader r;
  r.open(p);
  rs::PcapRecord rec;
  CHECK(r.next(rec));
  CHECK_EQ(rec.ts_ns, 1000000001ull);
  CHECK(!r.next(rec));
  CHECK(!r.next(rec));  // stays at the end, no crash
  CHECK(r.status() == rs::PcapReader::Status::Truncated);
  CHECK_EQ(r.records(), 1u);
  CHECK_THROWS_CODE(r.throw_if_error(), "EPCAP_TRUNCATED");
}

TEST(pcap_file_truncated_record_header) {
  TempDir d;
  Builder b{false, {}};
  b.header(rs::kPcapMagicUsec);
  b.record(1, 1, pattern(10, 1));
  b.u32(2);  // 4 of 16 header bytes of a second record
  std::string p = d.file("cuthdr.pcap");
  write_bytes(p, b.b);
  rs::PcapReader r;
  r.open(p);
  rs::PcapRecord rec;
  CHECK(r.next(rec));
  CHECK(!r.next(rec));
  CHECK_THROWS_CODE(r.throw_if_error(), "EPCAP_TRUNCATED");
}

TEST(pcap_file_truncated_file_header) {
  TempDir d;
  Builder b{false, {}};
  b.header(rs::kPcapMagicUsec);
  b.b.resize(10);
  write_bytes(d.file("short.pcap"), b.b);
  CHECK_EQ(open_code(d.file("short.pcap")), std::string("EPCAP_TRUNCATED"));
  write_bytes(d.file("empty.pcap"), {});
  CHECK_EQ(open_code(d.file("empty.pcap")), std::string("EPCAP_TRUNCATED"));
}

TEST(pcap_file_open_errors) {
  TempDir d;
  CHECK_EQ(open_code(d.file("missing.pcap")), std::string("EPCAP_OPEN"));
  CHECK_EQ(open_code(d.path), std::string("EPCAP_OPEN"));  // a directory
  write_bytes(d.file("text.pcap"), std::vector<uint8_t>(64, 'x'));
  CHECK_EQ(open_code(d.file("text.pcap")), std::string("EPCAP_FORMAT"));
  Builder ng{false, {}};
  ng.u32(rs::kPcapngMagic);
  ng.u32(28);
  ng.u32(0x1a2b3c4d);
  ng.b.resize(28);
  write_bytes(d.file("ng.pcapng"), ng.b);
  CHECK_EQ(open_code(d.file("ng.pcapng")), std::string("EPCAP_FORMAT"));
  try {
    rs::PcapReader r;
    r.open(d.file("ng.pcapng"));
  } catch (const rs::Error& e) {
    CHECK(std::string(e.what()).find("pcapng") != std::string::npos);
  }
  Builder v{false, {}};
  v.u32(rs::kPcapMagicUsec); v.u16(9); v.u16(0); v.u32(0); v.u32(0); v.u32(0); v.u32(1);
  write_bytes(d.file("v9.pcap"), v.b);
  CHECK_EQ(open_code(d.file("v9.pcap")), std::string("EPCAP_FORMAT"));

  rs::PcapWriter w;
  CHECK_THROWS_CODE(w.open(d.file("no/such/dir/out.pcap"), 65535), "EPCAP_OPEN");
  CHECK(!w.is_open());
}

TEST(pcap_file_corrupt_length_is_reported) {
  TempDir d;
  Builder b{false, {}};
  b.header(rs::kPcapMagicUsec);
  b.record(1, 1, pattern(10, 1));
  b.u32(2); b.u32(0); b.u32(0x7fffffff); b.u32(60);  // absurd captured length
  std::string p = d.file("bad.pcap");
  write_bytes(p, b.b);
  rs::PcapReader r;
  r.open(p);
  rs::PcapRecord rec;
  CHECK(r.next(rec));
  CHECK(!r.next(rec));
  CHECK(r.status() == rs::PcapReader::Status::Corrupt);
  CHECK_THROWS_CODE(r.throw_if_error(), "EPCAP_FORMAT");
}

// The file on disk only ever ends on a record boundary, and a large capture
// is written in few large writes (the buffer fills before anything is written).
TEST(pcap_file_writer_writes_whole_records) {
  TempDir d;
  std::string p = d.file("big.pcap");
  rs::PcapWriter w;
  w.open(p, 65535);
  CHECK_EQ(file_size(p), 24u);  // header on disk at once: a valid empty capture
  auto data = pattern(1000, 9);
  const uint64_t rec = 16 + 1000;
  bool saw_partial_flush = false;
  for (int i = 0; i < 3000; i++) {
    w.write(uint64_t(i), data.data(), 1000);
    uint64_t on_disk = file_size(p);
    CHECK_EQ((on_disk - 24) % rec, 0u);
    if (on_disk > 24 && on_disk < w.bytes()) saw_partial_flush = true;
  }
  CHECK(saw_partial_flush);  // 3 MB went out before close, in whole records
  w.flush();
  CHECK_EQ(file_size(p), 24 + 3000 * rec);
  w.close();
  rs::PcapReader r;
  r.open(p);
  rs::PcapRecord x;
  uint64_t n = 0;
  while (r.next(x)) {
    CHECK_EQ(x.ts_ns, n);
    n++;
  }
  CHECK_EQ(n, 3000u);
  CHECK(r.status() == rs::PcapReader::Status::End);
}

TEST(pcap_file_reader_reopen_and_empty_capture) {
  TempDir d;
  std::string p = d.file("empty.pcap");
  { rs::PcapWriter w; w.open(p, 0); }  // destructor closes
  auto bytes = read_bytes(p);
  CHECK_EQ(bytes.size(), 24u);
  rs::PcapReader r;
  r.open(p);
  CHECK_EQ(r.snaplen(), rs::kPcapMaxRecordLen);
  rs::PcapRecord rec;
  CHECK(!r.next(rec));
  CHECK(r.status() == rs::PcapReader::Status::End);
  r.open(p);  // reopen closes the previous file first
  CHECK(r.is_open());
  r.close();
  CHECK(!r.is_open());
  CHECK(!r.next(rec));
}
