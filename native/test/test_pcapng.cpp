// pcapng reading (both byte orders, several interfaces and sections,
// if_tsresol, simple and enhanced packet blocks, unknown blocks skipped,
// damaged blocks reported with their offset) and PcapngWriter round trips.
#include <cstring>
#include <string>
#include "capture_util.h"
#include "error.h"
#include "harness.h"
#include "pcap_file.h"

using namespace captest;

namespace {

std::string error_of(const std::string& path, uint64_t* good = nullptr) {
  rs::PcapReader r;
  try {
    r.open(path);
    rs::PcapRecord rec;
    uint64_t n = 0;
    while (r.next(rec)) n++;
    if (good) *good = n;
    r.throw_if_error();
  } catch (const rs::Error& e) {
    return e.code() + ": " + e.what();
  }
  return "";
}

}  // namespace

TEST(pcapng_reads_both_byte_orders_interfaces_and_blocks) {
  TempDir d;
  for (bool big : {false, true}) {
    Bytes b{big, {}};
    b.shb();
    b.idb(1, 65535, 9, "eth0");                              // nanoseconds
    b.block(0x00000BAD, [](Bytes& x) { x.u32(1); x.u32(2); });  // custom/unknown: skipped
    b.idb(1, 128, -1, "eth1");                               // default: microseconds
    b.epb(0, 1700000000123456789ull, pattern(60, 1), 0, 1);   // inbound
    b.epb(1, 1700000000123456ull, pattern(100, 2), 1500, 2);  // outbound, cut
    b.spb(pattern(70, 3));
    b.block(5, [](Bytes& x) { x.u32(0); x.u32(0); x.u32(0); x.u16(0); x.u16(0); });  // ISB: skipped
    std::string p = d.file(big ? "be.pcapng" : "le.pcapng");
    write_bytes(p, b.b);
    rs::PcapReader r;
    r.open(p);
    CHECK(r.format() == rs::PcapFormat::Pcapng);
    rs::PcapRecord rec;
    CHECK(r.next(rec));
    CHECK_EQ(r.interfaces().size(), 2u);
    CHECK_EQ(r.interfaces()[0].name, std::string("eth0"));
    CHECK_EQ(r.linktype(), 1u);
    CHECK(r.nanosecond());
    CHECK_EQ(rec.ts_ns, 1700000000123456789ull);
    CHECK_EQ(rec.caplen, 60u);
    CHECK_EQ(rec.iface, 0u);
    CHECK_EQ(int(rec.direction), int(rs::kDirInbound));
    CHECK(std::memcmp(rec.data, pattern(60, 1).data(), 60) == 0);
    CHECK(r.next(rec));
    CHECK_EQ(rec.iface, 1u);
    CHECK_EQ(rec.ts_ns, 1700000000123456000ull);
    CHECK_EQ(rec.caplen, 100u);
    CHECK_EQ(rec.origlen, 1500u);
    CHECK_EQ(int(rec.direction), int(rs::kDirOutbound));
    CHECK(r.next(rec));  // SPB: interface 0, previous timestamp
    CHECK_EQ(rec.caplen, 70u);
    CHECK_EQ(rec.ts_ns, 1700000000123456000ull);
    CHECK(std::memcmp(rec.data, pattern(70, 3).data(), 70) == 0);
    CHECK(!r.next(rec));
    CHECK(r.status() == rs::PcapReader::Status::End);
    CHECK_EQ(r.records(), 3u);
    r.rewind();
    CHECK(r.next(rec));
    CHECK_EQ(rec.caplen, 60u);
  }
}

TEST(pcapng_several_sections_restart_interfaces) {
  TempDir d;
  Bytes a{false, {}};
  a.shb();
  a.idb(1, 0, 6);
  a.epb(0, 5, pattern(40, 1));
  Bytes b{true, {}};  // second section in the other byte order
  b.shb();
  b.idb(1, 0, 0x80 | 10);  // 2^-10 s
  b.epb(0, 1024, pattern(41, 2));
  a.raw(b.b);
  write_bytes(d.file("two.pcapng"), a.b);
  rs::PcapReader r;
  r.open(d.file("two.pcapng"));
  rs::PcapRecord rec;
  CHECK(r.next(rec));
  CHECK_EQ(rec.ts_ns, 5000u);
  CHECK(r.next(rec));
  CHECK_EQ(rec.caplen, 41u);
  CHECK_EQ(rec.ts_ns, 1000000000u);  // 1024 * 2^-10 s
  CHECK_EQ(r.sections(), 2u);
  CHECK(!r.next(rec));
  CHECK(r.status() == rs::PcapReader::Status::End);
}

TEST(pcapng_damaged_blocks_name_offset_and_problem) {
  TempDir d;
  auto base = [] {
    Bytes b{false, {}};
    b.shb();
    b.idb(1, 1000);
    b.epb(0, 1, pattern(60, 1));
    return b;
  };
  {  // bad byte-order magic
    Bytes b = base();
    b.b[8] = 0x12;
    write_bytes(d.file("bom.pcapng"), b.b);
    std::string e = error_of(d.file("bom.pcapng"));
    CHECK(e.find("EPCAP_FORMAT") == 0);
    CHECK(e.find("byte-order magic") != std::string::npos);
    CHECK(e.find("offset 8") != std::string::npos);
    CHECK(e.find("bom.pcapng") != std::string::npos);
  }
  {  // trailing length differs
    Bytes b = base();
    std::size_t epb_at = b.b.size() - 88;  // 28 hdr + 60 data = 88 -> block is 92 incl. trailer
    (void)epb_at;
    b.b[b.b.size() - 4] ^= 0x40;
    write_bytes(d.file("trail.pcapng"), b.b);
    uint64_t good = 9;
    std::string e = error_of(d.file("trail.pcapng"), &good);
    CHECK(e.find("EPCAP_FORMAT") == 0);
    CHECK(e.find("wrong block length") != std::string::npos);
    CHECK_EQ(good, 0u);
  }
  {  // length not a multiple of 4
    Bytes b = base();
    std::size_t epb = b.b.size() - 92;
    b.b[epb + 4] = 93;
    write_bytes(d.file("len.pcapng"), b.b);
    std::string e = error_of(d.file("len.pcapng"));
    CHECK(e.find("wrong block length") != std::string::npos);
    CHECK(e.find("offset " + std::to_string(epb)) != std::string::npos);
  }
  {  // caplen over the interface snaplen: libpcap refuses it in pcapng
    Bytes b{false, {}};
    b.shb();
    b.idb(1, 50);
    b.epb(0, 1, pattern(60, 1));
    write_bytes(d.file("snap.pcapng"), b.b);
    CHECK(error_of(d.file("snap.pcapng")).find("snaplen of 50") != std::string::npos);
  }
  {  // caplen over libpcap's maximum: damaged
    Bytes b{false, {}};
    b.shb();
    b.idb(1, 0);
    b.epb(0, 1, pattern(rs::kPcapMaxRecordLen + 4, 1));
    write_bytes(d.file("huge.pcapng"), b.b);
    CHECK(error_of(d.file("huge.pcapng")).find("more than 262144") != std::string::npos);
  }
  {  // truncated: complete blocks before it are read
    Bytes b = base();
    b.epb(0, 2, pattern(60, 2));
    b.b.resize(b.b.size() > 10 ? b.b.size() - 10 : 0);
    write_bytes(d.file("cut.pcapng"), b.b);
    uint64_t good = 0;
    std::string e = error_of(d.file("cut.pcapng"), &good);
    CHECK(e.find("EPCAP_TRUNCATED") == 0);
    CHECK_EQ(good, 1u);
  }
  {  // unknown interface
    Bytes b{false, {}};
    b.shb();
    b.idb(1, 0);
    b.epb(3, 1, pattern(60, 1));
    write_bytes(d.file("if.pcapng"), b.b);
    CHECK(error_of(d.file("if.pcapng")).find("interface 3") != std::string::npos);
  }
  {  // zero-length block
    Bytes b = base();
    b.u32(6);
    b.u32(0);
    b.u32(0);
    write_bytes(d.file("zero.pcapng"), b.b);
    CHECK(error_of(d.file("zero.pcapng")).find("wrong block length") != std::string::npos);
  }
}

TEST(pcapng_writer_round_trip_with_direction_queue_and_stats) {
  TempDir d;
  std::string p = d.file("w.pcapng");
  rs::PcapngWriter w;
  w.open(p, 64, 1, "net_ring0");
  auto data = pattern(100, 5);
  CHECK(w.write(1700000000000000001ull, data.data(), 100, 0, rs::kDirInbound, 0));
  CHECK(w.write(1700000000000000002ull, data.data(), 30, 0, rs::kDirOutbound, 3));
  CHECK(w.write(1700000000000000003ull, data.data(), 31));
  CHECK(w.write_stats(1700000000000000004ull, 1, 2, 3, 4));
  w.close();
  auto bytes = read_bytes(p);
  CHECK_EQ(bytes.size() % 4, 0u);
  rs::PcapReader r;
  r.open(p);
  CHECK(r.format() == rs::PcapFormat::Pcapng);
  CHECK(r.nanosecond());
  CHECK_EQ(r.snaplen(), 64u);
  rs::PcapRecord rec;
  CHECK(r.next(rec));
  CHECK_EQ(rec.ts_ns, 1700000000000000001ull);
  CHECK_EQ(rec.caplen, 64u);
  CHECK_EQ(rec.origlen, 100u);
  CHECK_EQ(int(rec.direction), int(rs::kDirInbound));
  CHECK(std::memcmp(rec.data, data.data(), 64) == 0);
  CHECK_EQ(r.interfaces()[0].name, std::string("net_ring0"));
  CHECK(r.next(rec));
  CHECK_EQ(rec.caplen, 30u);
  CHECK_EQ(int(rec.direction), int(rs::kDirOutbound));
  CHECK(r.next(rec));
  CHECK_EQ(rec.caplen, 31u);
  CHECK_EQ(int(rec.direction), int(rs::kDirUnknown));
  CHECK(!r.next(rec));
  CHECK(r.status() == rs::PcapReader::Status::End);
}

// What libpcap reads, ringside reads: zero-length records, and records with
// more captured bytes than the snaplen (cut to it; the next record follows
// the whole stored length).
TEST(pcap_classic_reads_what_libpcap_reads) {
  TempDir d;
  {  // zero-length record between two others
    Bytes b{false, {}};
    b.pcap_header(rs::kPcapMagicUsec);
    b.pcap_record(1, 1, pattern(10, 1));
    b.pcap_record(0, 0, {}, 0);
    b.pcap_record(2, 2, pattern(12, 2));
    write_bytes(d.file("z.pcap"), b.b);
    uint64_t good = 0;
    CHECK_EQ(error_of(d.file("z.pcap"), &good), std::string());
    CHECK_EQ(good, 3u);
  }
  {  // caplen above the snaplen
    Bytes b{false, {}};
    b.pcap_header(rs::kPcapMagicNsec, 64);
    b.pcap_record(1, 1, pattern(65, 1));
    b.pcap_record(2, 2, pattern(30, 2));
    write_bytes(d.file("s.pcap"), b.b);
    rs::PcapReader r;
    r.open(d.file("s.pcap"));
    rs::PcapRecord rec;
    CHECK(r.next(rec));
    CHECK_EQ(rec.caplen, 64u);
    CHECK_EQ(rec.origlen, 65u);
    CHECK(r.next(rec));
    CHECK_EQ(rec.caplen, 30u);
    CHECK_EQ(rec.data[0], pattern(30, 2)[0]);
    CHECK(!r.next(rec));
    CHECK(r.status() == rs::PcapReader::Status::End);
  }
  {  // snaplen 0 or above the maximum means the maximum
    CHECK_EQ(rs::effective_snaplen(1, 0), rs::kPcapMaxRecordLen);
    CHECK_EQ(rs::effective_snaplen(1, 1u << 30), rs::kPcapMaxRecordLen);
    CHECK_EQ(rs::effective_snaplen(231, 1u << 20), 1u << 20);  // D-Bus allows more
  }
  {  // caplen above libpcap's maximum: damaged, with what came before
    Bytes b{false, {}};
    b.pcap_header(rs::kPcapMagicUsec, 0);
    b.pcap_record(1, 1, pattern(10, 1));
    b.pcap_record(2, 2, pattern(rs::kPcapMaxRecordLen + 1, 2));
    write_bytes(d.file("big.pcap"), b.b);
    uint64_t good = 0;
    std::string e = error_of(d.file("big.pcap"), &good);
    CHECK(e.find("EPCAP_FORMAT") == 0);
    CHECK(e.find("record 2 at byte offset 50") != std::string::npos);
    CHECK_EQ(good, 1u);
  }
}

// A timestamp 64-bit nanoseconds cannot hold is flagged and clamped, never
// wrapped round to a plausible-looking date.
TEST(pcapng_timestamp_overflow_is_flagged_not_wrapped) {
  TempDir d;
  Bytes b{false, {}};
  b.shb();
  b.idb(1, 0, 0);                        // if_tsresol 10^0: whole seconds
  b.epb(0, 1ull << 40, pattern(60, 1));  // year ~34 million
  b.epb(0, 1700000000ull, pattern(60, 2));
  write_bytes(d.file("t.pcapng"), b.b);
  rs::PcapReader r;
  r.open(d.file("t.pcapng"));
  rs::PcapRecord rec;
  CHECK(r.next(rec));
  CHECK(rec.ts_overflow);
  CHECK_EQ(rec.ts_ns, UINT64_MAX);
  CHECK(r.next(rec));
  CHECK(!rec.ts_overflow);
  CHECK_EQ(rec.ts_ns, 1700000000ull * 1000000000ull);
}
