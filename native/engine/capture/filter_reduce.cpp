// specialise(): a compiled program reduced once per frame layout
// (filter_shapes.h). On a frame of a layout each primitive is either known
// in advance (`ip6` on IPv4, `vlan` on an untagged frame, `tcp[13]` on IPv6)
// or a test at fixed offsets that cannot read past the frame (a
// comparison's loads still can): what is known becomes True or False and
// and/or/not over it fold away, so `vlan and udp` is False on an untagged
// frame and `udp port 4789` is one port test. Each reduced program gets the
// form of test select() runs it with.
#include "filter.h"
#include "filter_eval.h"
#include "filter_shapes.h"

namespace rs {

namespace {

using namespace filter_eval;
using namespace filter_shapes;
using Kind = Filter::Kind;
using Arith = Filter::Arith;

// What a primitive is on every frame of shape S.
enum class Known : uint8_t { False, True, Fixed, General };

// A comparison is fixed when S says whether every layer it loads from is
// there, and False when one is not: a network layer is S's or not; a
// transport header is there when the protocol byte is its protocol (one
// protocol: the comparison's guard, compare_guard). Its loads then count
// from S's offsets; they may still read past the frame.
template <class S>
Known compare_on_shape(const Op& op, const std::vector<Arith>& arith) {
  Known known = Known::Fixed;
  uint8_t guard = 0;
  for (uint32_t i = op.arith; i < op.arith_end; i++) {
    const Arith& a = arith[i];
    if (a.code != Arith::Load || static_cast<Layer>(a.layer) == Layer::Link) continue;
    if (a.mpls) return Known::General;
    if (S::kTagged && a.nl == S::kNl - 4) return Known::False;  // a network layer at the tag: its type is 0x8100
    if (a.nl != S::kNl) return Known::General;
    switch (static_cast<Layer>(a.layer)) {
      case Layer::Ip4: if (S::kType != kEtherTypeIpv4) known = Known::False; break;
      case Layer::Ip6: if (S::kType != kEtherTypeIpv6) known = Known::False; break;
      case Layer::Transport4: case Layer::Transport6: {
        bool v4 = static_cast<Layer>(a.layer) == Layer::Transport4;
        if (S::kType != (v4 ? kEtherTypeIpv4 : kEtherTypeIpv6) || (guard && guard != a.proto)) known = Known::False;
        guard = a.proto;
        break;
      }
      default: known = Known::False; break;  // ARP, RARP
    }
  }
  return known;
}

// The transport protocol a fixed comparison's loads need, or 0.
uint8_t compare_guard(const Op& op, const std::vector<Arith>& arith) {
  for (uint32_t i = op.arith; i < op.arith_end; i++) {
    const Arith& a = arith[i];
    Layer l = static_cast<Layer>(a.layer);
    if (a.code == Arith::Load && (l == Layer::Transport4 || l == Layer::Transport6)) return a.proto;
  }
  return 0;
}

template <class S>
Known on_shape(const Op& op, const std::vector<Arith>& arith) {
  if (op.kind == Kind::Compare) return compare_on_shape<S>(op, arith);
  if (op.mpls) return Known::General;  // inside labels S has not
  if (S::kTagged && op.nl == S::kNl - 4) {  // at the tag: its type field is 0x8100
    switch (op.kind) {
      case Kind::Link: return op.ethertype == kEtherTypeVlan ? Known::True : Known::False;
      case Kind::Vlan: return op.hi ? Known::Fixed : Known::True;  // an id: read it
      case Kind::Mpls: case Kind::IpProto: case Kind::Port: case Kind::Host: return Known::False;
      default: return Known::General;
    }
  }
  if (op.nl != S::kNl) return Known::General;  // inside tags S has not
  switch (op.kind) {
    case Kind::Link: return op.ethertype == S::kType ? Known::True : Known::False;
    case Kind::Vlan: case Kind::Mpls: return Known::False;  // the type field is S's, not a tag's or a label's
    case Kind::IpProto: case Kind::Port: return op.family & S::kFamily ? Known::Fixed : Known::False;
    case Kind::Host: return (op.family & S::kFamily) && op.alen == S::kAlen ? Known::Fixed : Known::False;
    default: return Known::General;  // Ether: as anywhere
  }
}

// A port test's transport when it has one (of tcp, udp, sctp: those the
// compiler gives a port), else 0.
uint8_t one_transport(const Op& op) {
  uint8_t one = 0;
  unsigned n = 0;
  for (uint8_t p : {kIpProtoTcp, kIpProtoUdp, kIpProtoSctp})
    if (transport_in(p, op)) one = p, n++;
  return n == 1 ? one : 0;
}

// A piece of the reduced program: its code, or the constant it is.
struct Piece {
  std::vector<Op> code;
  int8_t value = -1;        // 0 or 1 when known
  bool may_reject = false;  // has a general primitive (which may reject the packet)
};

Piece constant(bool v) {
  Op op{};
  op.kind = v ? Kind::True : Kind::False;
  return Piece{{op}, static_cast<int8_t>(v), false};
}

// The program on frames of shape S, and/or/not folded over what is known:
// and is (a == yes ? b : a), or is (a == no ? b : a), as run() has them.
template <class S>
std::vector<Op> reduce(const std::vector<Op>& prog, const std::vector<Arith>& arith) {
  std::vector<Piece> st;
  for (const Op& op : prog) {
    if (op.kind == Kind::And || op.kind == Kind::Or) {
      Piece b = std::move(st.back());
      st.pop_back();
      Piece& a = st.back();
      const int8_t ends = op.kind == Kind::And ? 0 : 1;  // and: a no is the answer; or: a yes
      if (a.value == ends) continue;
      if (a.value == 1 - ends) { a = std::move(b); continue; }
      if (b.value == 1 - ends) continue;  // a and yes = a; a or no = a
      if (b.value == ends && !a.may_reject) { a = constant(ends); continue; }
      a.code.insert(a.code.end(), b.code.begin(), b.code.end());
      a.code.push_back(op);
      a.may_reject |= b.may_reject;
      continue;
    }
    if (op.kind == Kind::Not) {
      Piece& a = st.back();
      if (a.value >= 0) a = constant(!a.value);
      else a.code.push_back(op);
      continue;
    }
    switch (on_shape<S>(op, arith)) {
      case Known::False: st.push_back(constant(false)); break;
      case Known::True: st.push_back(constant(true)); break;
      case Known::Fixed: {
        Op fixed = op;
        fixed.plain = true;
        if (op.kind == Kind::Port) fixed.proto = one_transport(op);
        if (op.kind == Kind::Compare) fixed.proto = compare_guard(op, arith);
        if (op.dir != Dir::Both) {
          st.push_back(Piece{{fixed}, -1, op.kind == Kind::Compare});
          break;
        }
        // `src and dst`: the source test and the destination test (the
        // fixed tests join their sides with or).
        Op src = fixed, dst = fixed, both{};
        src.dir = Dir::Src;
        dst.dir = Dir::Dst;
        both.kind = Kind::And;
        st.push_back(Piece{{src, dst, both}, -1, false});
        break;
      }
      case Known::General: st.push_back(Piece{{op}, -1, true}); break;
    }
  }
  return st.back().code;
}

uint8_t form_of(const std::vector<Op>& prog) {
  auto fixed = [](const Op& op) { return op.plain && op.kind != Kind::Compare; };
  if (prog.size() == 3 && fixed(prog[0]) && fixed(prog[1]) && (prog[2].kind == Kind::And || prog[2].kind == Kind::Or))
    return kPair;
  if (prog.size() != 1) return kProgram;
  const Op& op = prog[0];
  if (op.kind == Kind::True || op.kind == Kind::False) return op.kind == Kind::True ? kTrue : kFalse;
  if (!op.plain) return kProgram;
  switch (op.kind) {
    case Kind::Port: return op.proto && op.lo == op.hi ? kPortOne : kPort;
    case Kind::Host: return kHost;
    case Kind::IpProto: return kProto;
    case Kind::Compare: return kCompare;
    default: return kProgram;  // a VLAN id
  }
}

}  // namespace

void Filter::specialise() {
  shapes_[0].prog = reduce<Ip4Shape>(prog_, arith_);
  shapes_[1].prog = reduce<Ip6Shape>(prog_, arith_);
  shapes_[2].prog = reduce<Vlan4Shape>(prog_, arith_);
  shapes_[3].prog = reduce<Vlan6Shape>(prog_, arith_);
  for (ShapeProgram& s : shapes_) s.form = form_of(s.prog);
}

}  // namespace rs
