// select(), the poll thread's per-burst filter. Most frames come in a few
// layouts (filter_shapes.h) for which specialise() has reduced the program
// (filter_reduce.cpp) to a constant, a fixed-offset test or a small program.
// select() runs untagged IPv4's test in a loop chosen once per burst and
// the other layouts' tests by their form per frame; any other frame runs
// the whole program the general way (filter_eval.h), as match() does,
// which the native tests hold select() to.
#include <bit>
#include <cstring>
#include <type_traits>
#include "filter.h"
#include "filter_eval.h"
#include "filter_shapes.h"

namespace rs {

namespace {

using namespace filter_eval;
using namespace filter_shapes;
using Kind = Filter::Kind;
using Arith = Filter::Arith;

// The fixed-offset tests: bitwise & and |, no branch. Each is built from
// its primitive with a few loads, per burst for untagged IPv4 and per frame
// for the other shapes. The source and destination sides join with or: a
// side the direction leaves out is given a value it never matches (reduce()
// makes `src and dst` two tests).
// kOne: one transport and one port (`udp port 4789`), compared in network
// order as they lie in the frame.
template <class S, bool kOne>
struct PortTest {
  static constexpr uint32_t kNever = 0x10000;  // no 16-bit port equals it; a range from it holds none
  explicit PortTest(const Op& op) : span(op.hi - op.lo), transport(op.proto), transports(op.transports) {
    uint32_t want = kOne ? be16(static_cast<uint16_t>(op.lo)) : op.lo;
    src = op.dir != Dir::Dst ? want : kNever;
    dst = op.dir != Dir::Src ? want : kNever;
  }
  bool operator()(const uint8_t* f, uint32_t) const {
    uint32_t proto = f[S::kProto];
    bool s, d, in;
    if constexpr (kOne) {
      uint16_t sp, dp;
      std::memcpy(&sp, f + S::kL4, 2);
      std::memcpy(&dp, f + S::kL4 + 2, 2);
      s = sp == src;
      d = dp == dst;
      in = proto == transport;
    } else {
      s = u16_at(f, S::kL4) - src <= span;  // src <= port <= src + span
      d = u16_at(f, S::kL4 + 2) - dst <= span;
      in = (transports[proto >> 6] >> (proto & 63)) & 1;
    }
    return in & S::has_ports(f) & (s | d);
  }
  uint32_t src, dst, span;
  uint8_t transport;
  const uint64_t* transports;
};

// The 64-bit word whose first four bytes in memory are `first`.
constexpr uint64_t word_of(uint32_t first, uint32_t second) {
  return std::endian::native == std::endian::little ? first | uint64_t{second} << 32 : uint64_t{first} << 32 | second;
}

// The addresses under their mask, source and destination (side by side in
// the frame) read together: IPv4's in one 64-bit word, IPv6's in four. A
// side the direction leaves out has mask 0 and address 1.
template <class S>
struct HostTest {
  static_assert(S::kDst == S::kSrc + S::kAlen);
  static constexpr unsigned kWords = 2 * S::kAlen / 8;
  explicit HostTest(const Op& op) {
    const bool src = op.dir != Dir::Dst, dst = op.dir != Dir::Src;
    if constexpr (S::kAlen == 4) {
      uint32_t m, a;
      std::memcpy(&m, op.mask, 4);
      std::memcpy(&a, op.addr, 4);
      mask[0] = word_of(src ? m : 0, dst ? m : 0);
      addr[0] = word_of(src ? a : 1, dst ? a : 1);
    } else {
      for (unsigned i = 0; i < kWords; i++) {
        const bool used = i < kWords / 2 ? src : dst;
        uint64_t m, a;
        std::memcpy(&m, op.mask + 8 * (i % 2), 8);
        std::memcpy(&a, op.addr + 8 * (i % 2), 8);
        mask[i] = used ? m : 0;
        addr[i] = used ? a : i % 2 == 0;
      }
    }
  }
  bool operator()(const uint8_t* f, uint32_t) const {
    uint64_t diff[kWords];
    for (unsigned i = 0; i < kWords; i++) {
      uint64_t w;
      std::memcpy(&w, f + S::kSrc + 8 * i, 8);
      diff[i] = (w & mask[i]) ^ addr[i];
    }
    if constexpr (S::kAlen == 4)
      return ((diff[0] & word_of(~0u, 0)) == 0) | ((diff[0] & word_of(0, ~0u)) == 0);
    else
      return ((diff[0] | diff[1]) == 0) | ((diff[2] | diff[3]) == 0);
  }
  uint64_t mask[kWords], addr[kWords];
};

template <class S>
struct ProtoTest {
  explicit ProtoTest(const Op& op) : proto(op.proto) {}
  bool operator()(const uint8_t* f, uint32_t) const { return S::proto_is(f, proto); }
  uint8_t proto;
};

// `vlan N` at S's tag: its id.
template <class S>
struct VlanTest {
  static_assert(S::kTagged);
  explicit VlanTest(const Op& op) : id(op.lo) {}
  bool operator()(const uint8_t* f, uint32_t) const { return (u16_at(f, S::kNl - 4) & 0x0fff) == id; }
  uint32_t id;
};

// A frame of shape S under a fixed comparison (compare_on_shape): the
// layers its loads count from are there, at S's offsets.
template <class S>
struct ShapePkt : Pkt {};

template <class S>
inline uint32_t layer_base(const ShapePkt<S>&, const Arith& a) {
  switch (static_cast<Layer>(a.layer)) {
    case Layer::Link: return 0;
    case Layer::Transport4: case Layer::Transport6: return S::kL4;
    default: return S::kNl;
  }
}

// A fixed comparison: its guard (a transport header of IPv4 not a later
// fragment, or of IPv6's fixed header) at S's offsets, then the relation,
// out of line (it is large; most frames fail the guard).
template <class S>
[[gnu::noinline]] Verdict relate_on(const uint8_t* f, uint32_t len, const Op& op, const std::vector<Arith>& arith) {
  return relate(ShapePkt<S>{{f, len, len}}, op, arith);
}

template <class S>
struct CompareTest {
  Verdict operator()(const uint8_t* f, uint32_t len) const {
    if (op->proto && !((f[S::kProto] == op->proto) & S::has_ports(f))) return kNo;
    return relate_on<S>(f, len, *op, *arith);
  }
  const Op* op;
  const std::vector<Arith>* arith;
};

template <bool V>
struct Always {
  bool operator()(const uint8_t*, uint32_t) const { return V; }
};
// A test whose answer needs no frame.
template <typename Test>
constexpr bool kConstant = false;
template <bool V>
constexpr bool kConstant<Always<V>> = true;

// A fixed primitive but a comparison (which may reject the frame).
template <class S>
[[gnu::always_inline]] inline bool fixed_test(const Op& op, const uint8_t* f) {
  switch (op.kind) {
    case Kind::Port: return PortTest<S, false>(op)(f, 0);
    case Kind::Host: return HostTest<S>(op)(f, 0);
    case Kind::IpProto: return ProtoTest<S>(op)(f, 0);
    default: if constexpr (S::kTagged) return VlanTest<S>(op)(f, 0); else return false;  // vlan N: only at a tag
  }
}

// Two fixed primitives but comparisons, joined by and or or (`udp port
// 4789 or host 10.9.0.1`, `vlan 10 and udp`): no program to run.
template <class S>
struct PairTest {
  explicit PairTest(const std::vector<Op>& prog) : a(&prog[0]), b(&prog[1]), either(prog[2].kind == Kind::Or) {}
  bool operator()(const uint8_t* f, uint32_t) const {
    bool x = fixed_test<S>(*a, f), y = fixed_test<S>(*b, f);
    return either ? x | y : x & y;
  }
  const Op *a, *b;
  bool either;
};

// A reduced program: its fixed primitives at S's offsets, the rest the
// general way.
template <class S>
bool run_program(const std::vector<Op>& prog, const std::vector<Arith>& arith, const uint8_t* f, uint32_t len) {
  Pkt p{f, len, len};
  auto one = [&](const Op& op) -> Verdict {
    if (!op.plain) {
      if (op.kind == Kind::True || op.kind == Kind::False) return op.kind == Kind::True ? kYes : kNo;
      return leaf(p, op, arith);
    }
    if (op.kind == Kind::Compare) return CompareTest<S>{&op, &arith}(f, len);
    return fixed_test<S>(op, f) ? kYes : kNo;
  };
  if (prog.size() == 1) return one(prog[0]) == kYes;
  return run(prog, one) == kYes;
}

// Out of the burst loop's line (it is large), but for untagged IPv4, the
// usual frame, which one loop has inline.
template <class S>
[[gnu::noinline]] bool run_program_outlined(const std::vector<Op>& prog, const std::vector<Arith>& arith,
                                            const uint8_t* f, uint32_t len) {
  return run_program<S>(prog, arith, f, len);
}

template <class S>
struct ProgramTest {
  bool operator()(const uint8_t* f, uint32_t len) const {
    if constexpr (std::is_same_v<S, Ip4Shape>) return run_program<S>(*prog, *arith, f, len);
    else return run_program_outlined<S>(*prog, *arith, f, len);
  }
  const std::vector<Op>* prog;
  const std::vector<Arith>* arith;
};

// The test of shape S's program, handed to `then`.
template <class S, typename Then>
[[gnu::always_inline]] inline auto with_test(uint8_t form, const std::vector<Op>& prog, const std::vector<Arith>& arith, Then then) {
  switch (form) {
    case kFalse: return then(Always<false>{});
    case kTrue: return then(Always<true>{});
    case kPortOne: return then(PortTest<S, true>(prog[0]));
    case kPort: return then(PortTest<S, false>(prog[0]));
    case kHost: return then(HostTest<S>(prog[0]));
    case kProto: return then(ProtoTest<S>(prog[0]));
    case kCompare: return then([test = CompareTest<S>{&prog[0], &arith}](const uint8_t* f, uint32_t len) { return test(f, len) == kYes; });
    case kPair: return then(PairTest<S>(prog));
    default: return then(ProgramTest<S>{&prog, &arith});
  }
}

// Any other frame: the whole program the general way.
[[gnu::noinline]] bool general(const std::vector<Op>& prog, const std::vector<Arith>& arith, const uint8_t* f,
                               uint32_t len) {
  Pkt p{f, len, len};
  if (prog.size() == 1) return leaf(p, prog[0], arith) == kYes;
  return run(prog, [&](const Op& op) { return leaf(p, op, arith); }) == kYes;
}

// The burst loop with untagged IPv4's test inlined; `ip6` tests untagged
// IPv6 and `rest` the rest.
// A function per test, it and its loops each starting a cache line: where
// the loops fell moved their cost by up to 0.4 ns a frame from build to
// build (native/bench/filter_compare.sh).
template <typename T4, typename Ip6, typename Rest>
[[gnu::noinline, gnu::aligned(64), gnu::optimize("align-loops=64")]] uint16_t select_with(
    Mbuf* const* pkts, uint16_t n, uint16_t* kept, T4 t4, Ip6 ip6, Rest rest) {
  // Forwarding that moves pointers never reads the headers, so they may be
  // out of cache: ask for all of them first and let the misses overlap
  // (frames out of cache: ~25 ns a packet instead of ~55; in cache it
  // costs ~0.6 ns).
  for (unsigned i = 0; i < n; i++) __builtin_prefetch(pkts[i]->data());
  // Untagged IPv4 frames in a loop of their own, which holds only their
  // test in registers, up to the first other frame; from there on one loop
  // for every shape (no loop to leave and enter again when IPv4 and IPv6
  // frames alternate).
  unsigned k = 0, i = 0;
  for (; i < n; i++) {
    const uint8_t* f = pkts[i]->data();
    uint32_t len = pkts[i]->data_len;
    if (!Ip4Shape::fits(f, len)) break;
    if constexpr (kConstant<T4>) {  // the answer without a test: no store when it is no
      if (t4(f, len)) kept[k++] = static_cast<uint16_t>(i);
    } else {
      kept[k] = static_cast<uint16_t>(i);
      k += t4(f, len) ? 1 : 0;  // no branch on the (rare) match
    }
  }
  for (; i < n; i++) {
    const uint8_t* f = pkts[i]->data();
    uint32_t len = pkts[i]->data_len;
    bool hit;
    if (Ip4Shape::fits(f, len))
      hit = t4(f, len);
    else if (Ip6Shape::fits(f, len))
      hit = ip6(f, len);
    else
      hit = rest(f, len);
    kept[k] = static_cast<uint16_t>(i);
    k += hit ? 1 : 0;
  }
  return static_cast<uint16_t>(k);
}

}  // namespace

uint16_t Filter::select(Mbuf* const* pkts, uint16_t n, uint16_t* kept) const {
  if (prog_.empty()) {
    for (uint16_t i = 0; i < n; i++) kept[i] = i;
    return n;
  }
  // Untagged IPv4's test is chosen once per burst; the other shapes' per
  // frame, by their form (the same every frame: a predicted branch).
  auto on = [this](auto shape, const ShapeProgram& s, const uint8_t* f, uint32_t len) __attribute__((always_inline)) {
    if (s.form <= kTrue) return s.form == kTrue;  // a constant: no jump through the form's table
    return with_test<decltype(shape)>(s.form, s.prog, arith_,
                                      [&](auto test) __attribute__((always_inline)) -> bool { return test(f, len); });
  };
  auto ip6 = [&](const uint8_t* f, uint32_t len) __attribute__((always_inline)) { return on(Ip6Shape{}, shapes_[1], f, len); };
  auto rest = [&](const uint8_t* f, uint32_t len) __attribute__((always_inline)) {
    if (Vlan4Shape::fits(f, len)) return on(Vlan4Shape{}, shapes_[2], f, len);
    if (Vlan6Shape::fits(f, len)) return on(Vlan6Shape{}, shapes_[3], f, len);
    return general(prog_, arith_, f, len);
  };
  return with_test<Ip4Shape>(shapes_[0].form, shapes_[0].prog, arith_,
                             [&](auto t4) { return select_with(pkts, n, kept, t4, ip6, rest); });
}

}  // namespace rs
