// A deterministic mutation test of PcapReader (the fuzz target of issue 6):
// valid pcap and pcapng files in both byte orders are damaged with seeded
// byte flips, truncations, corrupted length fields and inserted or removed
// bytes, and each result is read to the end. Every record handed out must lie
// inside the file (its bytes are summed, so a pointer past the mapping
// faults), and every failure must be an rs::Error naming the file and the
// byte offset. At least a thousand cases, more while a few seconds last; under
// `make sanitize` this runs with ASan and UBSan.
#include <chrono>
#include <cstring>
#include <string>
#include <vector>
#include "capture_util.h"
#include "error.h"
#include "harness.h"
#include "xorshift.h"
#include "pcap_file.h"

using namespace captest;

namespace {

// At least kMinCases run whatever the machine's load (the time budget only
// decides how many more), so a busy machine cannot fail the test.
constexpr int kMinCases = 1000;
constexpr int kMaxCases = 6000;
constexpr auto kTimeBudget = std::chrono::seconds(4);

using Rng = Xorshift;

std::vector<std::vector<uint8_t>> seeds() {
  std::vector<std::vector<uint8_t>> out;
  for (bool big : {false, true}) {
    for (uint32_t magic : {rs::kPcapMagicUsec, rs::kPcapMagicNsec}) {
      Bytes b{big, {}};
      b.pcap_header(magic, 200);
      for (uint8_t i = 0; i < 6; i++) b.pcap_record(1700000000 + i, 1000u * i, pattern(40 + 30 * i, i), 60 + 30 * i);
      out.push_back(b.b);
    }
    Bytes n{big, {}};
    n.shb();
    n.idb(1, 65535, 9, "eth0");
    n.block(0x00000BAD, [](Bytes& x) { x.u32(1); x.u32(2); });  // unknown: skipped
    n.idb(1, 128, 0x86, "eth1");                                // 2^-6 s
    n.epb(0, 1700000000123456789ull, pattern(60, 1), 0, 1);
    n.epb(1, 1700000000123456ull, pattern(100, 2), 1500, 2);
    n.spb(pattern(70, 3));
    n.block(5, [](Bytes& x) { x.u32(0); x.u32(0); x.u32(0); x.u16(0); x.u16(0); });  // ISB
    n.shb();  // a second section restarts the interfaces
    n.idb(1, 0, 6);
    n.epb(0, 1700000000000001ull, pattern(64, 4));
    out.push_back(n.b);
  }
  return out;
}

// One damage of a valid file, chosen by the generator.
std::vector<uint8_t> mutate(std::vector<uint8_t> b, Rng& rng) {
  switch (rng.below(5)) {
    case 0: {  // flip a few bits
      int n = 1 + static_cast<int>(rng.below(8));
      for (int i = 0; i < n; i++) b[rng.below(b.size())] ^= static_cast<uint8_t>(1u << rng.below(8));
      break;
    }
    case 1:  // cut short
      b.resize(rng.below(b.size()));
      break;
    case 2: {  // a length (or any 32-bit field) set to an awkward value
      static const uint32_t kAwkward[] = {0, 1, 3, 4, 11, 12, 13, 27, 28, 0x7fffffff, 0x80000000, 0xfffffff0,
                                          0xffffffff, 262144, 262145, 65536};
      std::size_t at = rng.below(b.size() / 4) * 4;
      uint32_t v = rng.below(3) == 0 ? static_cast<uint32_t>(rng.next()) : kAwkward[rng.below(std::size(kAwkward))];
      if (rng.below(2)) v = __builtin_bswap32(v);
      if (at + 4 <= b.size()) std::memcpy(&b[at], &v, 4);
      break;
    }
    case 3: {  // bytes inserted: everything after shifts
      std::size_t at = rng.below(b.size() + 1);
      b.insert(b.begin() + static_cast<long>(at), 1 + rng.below(7), static_cast<uint8_t>(rng.next()));
      break;
    }
    default: {  // bytes removed
      std::size_t at = rng.below(b.size());
      std::size_t n = std::min<std::size_t>(1 + rng.below(16), b.size() - at);
      b.erase(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at + n));
      break;
    }
  }
  if (rng.below(4) == 0 && !b.empty()) b.resize(rng.below(b.size()));  // and sometimes cut as well
  return b;
}

// Reads the whole file; "" when it read cleanly, else the error (checked).
std::string read_all(const std::string& path, uint64_t size, uint64_t* sum) {
  rs::PcapReader r;
  try {
    r.open(path);
    for (int pass = 0; pass < 2; pass++) {  // rewind must give the same records again
      rs::PcapRecord rec;
      while (r.next(rec)) {
        if (rec.offset >= size || rec.caplen > size - rec.offset) {
          std::fprintf(stderr, "    record at %llu with %u bytes lies outside a %llu-byte file\n",
                       static_cast<unsigned long long>(rec.offset), rec.caplen, static_cast<unsigned long long>(size));
          rstest::failures()++;
          return "bad record";
        }
        for (uint32_t i = 0; i < rec.caplen; i++) *sum += rec.data[i];
      }
      r.throw_if_error();
      r.rewind();
    }
  } catch (const rs::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(pcap_reader_survives_seeded_mutations) {
  TempDir d;
  const std::string path = d.file("mutant.pcap");
  const auto base = seeds();
  Rng rng{0x5eed5eedcafef00dull};
  auto until = std::chrono::steady_clock::now() + kTimeBudget;
  int cases = 0, failed = 0, bad_messages = 0;
  uint64_t sum = 0;
  for (; cases < kMinCases || (cases < kMaxCases && std::chrono::steady_clock::now() < until); cases++) {
    std::vector<uint8_t> b = mutate(base[rng.below(base.size())], rng);
    write_bytes(path, b);
    std::string err = read_all(path, b.size(), &sum);
    if (err.empty()) continue;
    failed++;
    // Every failure names the file and where in it (an empty file has no offset to name).
    if (err.find(path) == std::string::npos || (!b.empty() && err.find("offset") == std::string::npos)) {
      if (bad_messages++ < 5) std::fprintf(stderr, "    unhelpful error for case %d: %s\n", cases, err.c_str());
    }
  }
  std::printf("    %d mutated files read, %d refused with an error\n", cases, failed);
  CHECK(failed > cases / 4);  // the mutations do damage: the test can fail
  CHECK(failed < cases);      // and some mutants stay readable
  CHECK_EQ(bad_messages, 0);
  CHECK(sum != 1);  // keep the byte sum alive
}
