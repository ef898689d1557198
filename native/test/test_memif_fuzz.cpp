// Fuzz test of the memif control messages (issue 21): random bytes into the
// decoder, and a real client's handshake, mutated (bytes flipped, fields set
// to edge values, messages dropped, repeated or swapped, fds withheld or
// swapped for a tiny file), into the server's state machine; random and
// mutated server messages into the client's. Nothing may crash, every refusal
// must carry a reason, and a session the server accepts must have every ring
// inside its region. Seeded and bounded; `make sanitize` runs it under ASan
// and UBSan.
#include <sys/mman.h>
#include <unistd.h>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>
#include "harness.h"
#include "xorshift.h"
#include "memif/channel.h"
#include "memif/codec.h"

namespace {

using namespace rs::memif;

constexpr int kMaxCases = 4000;
constexpr auto kTimeBudget = std::chrono::seconds(4);

using Rng = Xorshift;

struct Recorded {
  WireMsg msg;
  int fd;  // the client's, not owned here: the server gets a dup
};

// A real client's messages after a hello, with the session that backs them.
struct ClientScript {
  std::vector<Recorded> msgs;
  std::unique_ptr<Session> session;
  Channel ch = Channel::client(IfConfig{});
  ClientScript() {
    IfConfig cfg;
    cfg.log2_ring = 4;
    cfg.buffer_size = 128;
    cfg.c2s = 2;
    cfg.s2c = 1;
    cfg.app_name = "fuzz";
    ch = Channel::client(cfg);
    Message hello;
    hello.type = MsgType::Hello;
    hello.min_version = hello.max_version = kVersion;
    hello.max_c2s_ring = hello.max_s2c_ring = 254;
    hello.max_log2_ring_size = 14;
    Message ack;
    ack.type = MsgType::Ack;
    Channel::Step s = ch.on_message(hello, -1);
    while (!s.send.empty()) {
      for (auto& o : s.send) msgs.push_back({o.msg, o.fd});
      if (msgs.back().msg.type == uint16_t(MsgType::Connect)) break;
      s = ch.on_message(ack, -1);
    }
  }
};

int tiny_file() {
  int fd = memfd_create("fuzz-tiny", MFD_CLOEXEC);
  if (fd >= 0 && ftruncate(fd, 64) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void mutate(Rng& r, WireMsg& w) {
  auto* b = reinterpret_cast<uint8_t*>(&w);
  switch (r.below(5)) {
    case 0:
      b[r.below(sizeof w)] ^= static_cast<uint8_t>(1u << r.below(8));
      break;
    case 1: {  // a 16/32/64-bit field to an edge value
      static const uint64_t edges[] = {0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, ~0ull, 4096, 1u << 20};
      uint64_t v = edges[r.below(sizeof edges / sizeof edges[0])];
      uint32_t at = 2 + r.below(sizeof w - 10);
      std::memcpy(b + at, &v, 1u << r.below(4));
      break;
    }
    case 2:
      w.type = static_cast<uint16_t>(r.below(12));
      break;
    case 3:
      for (int i = 0; i < 4; i++) b[r.below(sizeof w)] = static_cast<uint8_t>(r.next());
      break;
    default:
      break;  // unchanged
  }
}

// Every ring of an accepted session lies inside its region.
bool rings_inside(const Session& s) {
  for (const auto* rings : {&s.c2s, &s.s2c})
    for (const auto& r : *rings) {
      if (!r) return false;
      if (r->region >= s.regions.size()) return false;
      if (uint64_t(r->offset) + ring_bytes(r->log2) > s.regions[r->region].size) return false;
    }
  return true;
}

TEST(memif_fuzz_decode_random_bytes) {
  Rng r{0x9e3779b97f4a7c15ull};
  std::vector<uint8_t> buf(256);
  int accepted = 0;
  for (int i = 0; i < 20000; i++) {
    for (auto& b : buf) b = static_cast<uint8_t>(r.next());
    if (r.below(2)) buf[0] = static_cast<uint8_t>(r.below(10)), buf[1] = 0;
    size_t len = r.below(3) ? kMsgSize : r.below(256);
    Message m;
    std::string why = decode(buf.data(), len, &m);
    if (why.empty()) accepted++;
    else CHECK(why.size() > 5);
  }
  CHECK(accepted > 0);
}

TEST(memif_fuzz_server_state_machine) {
  ClientScript script;
  CHECK(script.msgs.size() >= 5);  // init, region, 3 rings, connect
  IfConfig srv;
  srv.role = Role::Server;
  srv.c2s = 2;
  srv.s2c = 2;
  srv.if_name = "fuzz-server";
  Rng r{12345};
  auto start = std::chrono::steady_clock::now();
  int cases = 0, connected = 0, refused = 0;
  for (; cases < kMaxCases && std::chrono::steady_clock::now() - start < kTimeBudget; cases++) {
    std::vector<Recorded> seq = script.msgs;
    uint32_t edits = 1 + r.below(3);
    for (uint32_t e = 0; e < edits; e++) {
      uint32_t k = r.below(seq.size());
      switch (r.below(5)) {
        case 0: seq.erase(seq.begin() + k); break;
        case 1: seq.insert(seq.begin() + k, seq[r.below(seq.size())]); break;
        case 2: std::swap(seq[k], seq[r.below(seq.size())]); break;
        case 3: seq[k].fd = r.below(2) ? -1 : -2; break;  // withheld, or a tiny file instead
        default: mutate(r, seq[k].msg); break;
      }
      if (seq.empty()) break;
    }
    if (cases % 4 == 0) seq = script.msgs, mutate(r, seq[r.below(seq.size())].msg);
    Channel ch = Channel::server([&](uint32_t id, std::string* why) -> const IfConfig* {
      if (id != 0) {
        *why = "ID not found";
        return nullptr;
      }
      return &srv;
    });
    ch.open();
    bool done = false;
    for (const Recorded& m : seq) {
      Message dm;
      std::string bad = decode(&m.msg, sizeof m.msg, &dm);
      Channel::Step s;
      if (!bad.empty()) s = ch.fail(bad);
      else s = ch.on_message(dm, m.fd == -2 ? tiny_file() : m.fd >= 0 ? dup(m.fd) : -1);
      if (s.closed) {
        CHECK(!s.error.empty());
        refused++;
        done = true;
        break;
      }
      if (s.connected) {
        auto session = ch.take_session();
        CHECK(session && rings_inside(*session));
        connected++;
        done = true;
        break;
      }
    }
    (void)done;
  }
  CHECK(connected > 0);
  CHECK(refused > 0);
  std::fprintf(stderr, "    memif server fuzz: %d cases, %d connected, %d refused\n", cases, connected, refused);
}

TEST(memif_fuzz_client_state_machine) {
  Rng r{777};
  auto start = std::chrono::steady_clock::now();
  int cases = 0, connected = 0;
  for (; cases < kMaxCases && std::chrono::steady_clock::now() - start < kTimeBudget; cases++) {
    IfConfig cfg;
    cfg.log2_ring = static_cast<uint8_t>(1 + r.below(5));
    cfg.buffer_size = 64;
    Channel ch = Channel::client(cfg);
    Message hello;
    hello.type = MsgType::Hello;
    hello.min_version = hello.max_version = kVersion;
    hello.max_c2s_ring = hello.max_s2c_ring = static_cast<uint16_t>(r.below(3));
    hello.max_log2_ring_size = static_cast<uint8_t>(r.below(16));
    std::vector<WireMsg> seq{encode(hello)};
    Message ack;
    ack.type = MsgType::Ack;
    for (int i = 0; i < 8; i++) seq.push_back(encode(ack));
    Message con;
    con.type = MsgType::Connected;
    con.name = "peer";
    seq.push_back(encode(con));
    for (uint32_t e = 0; e < 1 + r.below(3); e++) mutate(r, seq[r.below(seq.size())]);
    for (const WireMsg& w : seq) {
      Message m;
      std::string bad = decode(&w, sizeof w, &m);
      Channel::Step s = bad.empty() ? ch.on_message(m, r.below(8) == 0 ? tiny_file() : -1) : ch.fail(bad);
      if (s.closed) {
        CHECK(!s.error.empty());
        break;
      }
      if (s.connected) {
        connected++;
        auto session = ch.take_session();
        CHECK(session && rings_inside(*session));
        break;
      }
    }
  }
  CHECK(connected > 0);
}

}  // namespace
