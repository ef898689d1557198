// The pcap-filter(7) compiler: text to Filter's postfix program.
//
//   expr      := unary (('and' | '&&' | 'or' | '||') (unary | id))*   equal precedence, left to right
//   unary     := ('not' | '!') unary | '(' expr ')' | primitive
//   primitive := [proto] [dir] [type] id | proto | vlan [N] | mpls [N]
//              | [ether|ip|ip6] broadcast|multicast | less N | greater N | arith relop arith
//              | inbound | outbound
//   proto     := ether | link | ip | ip6 | arp | rarp | tcp | udp | sctp | icmp | icmp6 | igmp
//   dir       := src | dst | src or dst | src and dst
//   type      := host | net | port | portrange | proto
//   id        := ADDR[/LEN] | ADDR mask MASK | NUMBER | NAME | \NAME | '(' id (and|or id)* ')' | not id
//   arith     := C-like over NUMBER, len, constants, proto[arith[:1|2|4]]
//                (| ^ & << >> + - * / % and unary -)
// A bare id after and/or (or not) takes the qualifiers of the id before it:
// `tcp port 80 or 443`, `dst host A or B`. Each vlan/mpls keyword moves
// the network header of everything after it 4 bytes in. Another link type
// than Ethernet moves the network header to the end of its fixed header and
// has no Ethernet addresses, broadcast, multicast, VLAN or MPLS: those are
// refused with tcpdump's reason.
#include <arpa/inet.h>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>
#include "filter.h"
#include "filter_layers.h"
#include "filter_names.h"
#include "../error.h"
#include "../packet.h"

namespace rs {

namespace {

using Op = Filter::Op;
using Kind = Filter::Kind;
using Dir = Filter::Dir;
using Arith = Filter::Arith;

struct Tok {
  std::string text;
  unsigned col;  // 1-based
};

enum class Proto : uint8_t { None, Ether, Ip, Ip6, Arp, Rarp, Tcp, Udp, Sctp, Icmp, Icmp6, Igmp };
enum class Type : uint8_t { None, Host, Net, Port, Portrange, ProtoNum };

struct Qual {
  Proto proto = Proto::None;
  Dir dir = Dir::Any;
  bool dir_given = false;
  Type type = Type::None;
};

struct ProtoWord { const char* word; Proto proto; };
constexpr ProtoWord kProtoWords[] = {
    {"ether", Proto::Ether}, {"link", Proto::Ether}, {"ip", Proto::Ip},     {"ip6", Proto::Ip6},
    {"arp", Proto::Arp},     {"rarp", Proto::Rarp},  {"tcp", Proto::Tcp},   {"udp", Proto::Udp},
    {"sctp", Proto::Sctp},   {"icmp", Proto::Icmp},  {"icmp6", Proto::Icmp6}, {"igmp", Proto::Igmp},
};

uint8_t transport_number(Proto p) {
  switch (p) {
    case Proto::Tcp: return kIpProtoTcp;
    case Proto::Udp: return kIpProtoUdp;
    case Proto::Sctp: return 132;
    case Proto::Icmp: return kIpProtoIcmp;
    case Proto::Icmp6: return 58;
    case Proto::Igmp: return 2;
    default: return 0;
  }
}

bool is_keyword(const std::string& w) {
  static const char* const kWords[] = {"and", "or", "not", "src", "dst", "host", "net", "port", "portrange", "proto",
                                       "vlan", "mpls", "less", "greater", "len", "broadcast", "multicast", "mask",
                                       "gateway", "protochain", "inbound", "outbound"};
  for (const char* k : kWords)
    if (w == k) return true;
  for (const ProtoWord& p : kProtoWords)
    if (w == p.word) return true;
  return false;
}

class Compiler {
 public:
  Compiler(const std::string& src, uint32_t linktype, std::vector<Op>* prog, std::vector<Arith>* arith)
      : src_(src), prog_(prog), arith_(arith), linktype_(linktype),
        nl_(static_cast<uint16_t>(link_header_len(linktype))) { lex(); }

  void compile() {
    if (toks_.empty()) fail(1, "an expression", "nothing");
    expr();
    if (i_ < toks_.size()) fail(toks_[i_].col, "'and', 'or' or the end of the filter", found());
  }

 private:
  // ------------------------------------------------------------ tokens
  void lex() {
    std::size_t k = 0;
    int brackets = 0;
    while (k < src_.size()) {
      unsigned char c = static_cast<unsigned char>(src_[k]);
      if (std::isspace(c)) { k++; continue; }
      unsigned col = static_cast<unsigned>(k + 1);
      static const char* const kSymbols[] = {"&&", "||", "<<", ">>", "<=", ">=", "==", "!=", "(", ")", "[", "]",
                                             ":", "+", "-", "*", "/", "%", "&", "|", "^", "<", ">", "=", "!"};
      bool word = std::isalnum(c) || c == '\\' || c == '_' || (c == ':' && brackets == 0 && k + 1 < src_.size() &&
                                                               (src_[k + 1] == ':' || std::isxdigit(static_cast<unsigned char>(src_[k + 1]))));
      if (!word) {
        const char* sym = nullptr;
        for (const char* s : kSymbols)
          if (src_.compare(k, std::strlen(s), s) == 0) { sym = s; break; }
        if (!sym) fail(col, "a word, a number, an operator or a parenthesis", std::string("'") + src_[k] + "'");
        std::string t = sym;
        if (t == "&&") t = "and";
        if (t == "||") t = "or";
        if (t == "!") t = "not";
        if (t == "[") brackets++;
        if (t == "]") brackets--;
        toks_.push_back({t, col});
        k += std::strlen(sym);
        continue;
      }
      // Letters, digits and . _ \ ; ':' outside brackets (IPv6 and MAC
      // addresses); '-' between word characters (tcp-syn, 1-1023).
      std::size_t e = k;
      auto inword = [&](std::size_t j) {
        unsigned char d = static_cast<unsigned char>(src_[j]);
        if (std::isalnum(d) || d == '.' || d == '_' || d == '\\') return true;
        if (d == ':' && brackets == 0) return true;
        return d == '-' && j > k && j + 1 < src_.size() && std::isalnum(static_cast<unsigned char>(src_[j + 1]));
      };
      while (e < src_.size() && inword(e)) e++;
      toks_.push_back({src_.substr(k, e - k), col});
      k = e;
    }
  }

  [[noreturn]] void fail(unsigned col, const std::string& expected, const std::string& found) const {
    throw Error("EFILTER", "filter '" + src_ + "': expected " + expected + " at column " + std::to_string(col) +
                               ", found " + found);
  }
  [[noreturn]] void refuse(unsigned col, const std::string& why) const {
    throw Error("EFILTER", "filter '" + src_ + "' at column " + std::to_string(col) + ": " + why);
  }
  // `what` reads the Ethernet header: refused on other link types, with the
  // reason tcpdump gives.
  void need_ethernet(unsigned col, const std::string& what, const std::string& tcpdump_says) const {
    if (linktype_ == kLinktypeEthernet) return;
    refuse(col, what + " needs an Ethernet header, which " + linktype_name(linktype_) + " packets (link type " +
                    std::to_string(linktype_) + ") do not have (tcpdump: " + tcpdump_says + ")");
  }
  const Tok* peek(std::size_t ahead = 0) const { return i_ + ahead < toks_.size() ? &toks_[i_ + ahead] : nullptr; }
  bool is(const char* w, std::size_t ahead = 0) const { const Tok* t = peek(ahead); return t && t->text == w; }
  unsigned end_col() const { return static_cast<unsigned>(src_.size() + 1); }
  std::string found() const { return peek() ? "'" + peek()->text + "'" : "the end"; }
  unsigned col() const { return peek() ? peek()->col : end_col(); }
  const Tok& take(const char* expected) {
    if (!peek()) fail(end_col(), expected, "the end");
    return toks_[i_++];
  }
  void expect(const char* w) {
    if (!is(w)) fail(col(), std::string("'") + w + "'", found());
    i_++;
  }

  // ------------------------------------------------------------ emit
  Op leaf(Kind k) const {
    Op op{};
    op.kind = k;
    op.nl = nl_;
    op.mpls = mpls_;
    return op;
  }
  void emit(const Op& op) { prog_->push_back(op); }
  void emit(Kind k) { Op op{}; op.kind = k; prog_->push_back(op); }

  // ------------------------------------------------------------ boolean
  void expr() {
    unary();
    while (is("and") || is("or")) {
      Kind k = is("and") ? Kind::And : Kind::Or;
      i_++;
      if (last_ && starts_id()) id(*last_);
      else unary();
      emit(k);
    }
  }

  // A bare id that inherits the qualifiers before it: not a keyword, not an
  // arithmetic relation.
  bool starts_id() const {
    const Tok* t = peek();
    if (!t) return false;
    if (t->text == "not") return peek(1) && !is_keyword(peek(1)->text) && peek(1)->text != "(" && !relation_follows(1);
    if (is_keyword(t->text) || !(std::isalnum(static_cast<unsigned char>(t->text[0])) || t->text[0] == '\\')) return false;
    if (filter_names::constant(t->text)) return false;
    return !relation_follows(0);
  }
  bool relation_follows(std::size_t ahead) const {
    const Tok* n = peek(ahead + 1);
    static const char* const kOps[] = {"<", ">", "<=", ">=", "=", "==", "!=", "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
    if (!n) return false;
    for (const char* o : kOps)
      if (n->text == o) return n->text != "/" || !std::strchr(peek(ahead)->text.c_str(), '.');
    return false;
  }

  void unary() {
    if (is("not")) { i_++; unary(); emit(Kind::Not); return; }
    if (is("(")) {
      // '(' opens a boolean group or an arithmetic operand: try the relation first.
      std::size_t at = i_, ops = prog_->size(), ar = arith_->size();
      uint16_t nl = nl_;
      uint8_t mp = mpls_;
      try {
        relation();
        return;
      } catch (const Error&) {
        i_ = at; prog_->resize(ops); arith_->resize(ar); nl_ = nl; mpls_ = mp;
      }
      i_++;
      expr();
      expect(")");
      return;
    }
    primitive();
  }

  // ------------------------------------------------------------ primitives
  static constexpr const char* kPrimitive =
      "a primitive (e.g. udp, host ADDR, net ADDR/LEN, port N, portrange N-M, vlan [N], ether host MAC, len > N, "
      "tcp[tcpflags] & tcp-syn != 0), 'not' or '('";

  std::optional<Proto> proto_word(std::size_t ahead = 0) const {
    const Tok* t = peek(ahead);
    if (!t) return std::nullopt;
    for (const ProtoWord& p : kProtoWords)
      if (t->text == p.word) return p.proto;
    return std::nullopt;
  }

  void primitive() {
    const Tok* t = peek();
    if (!t) fail(end_col(), kPrimitive, "the end");
    const std::string w = t->text;
    last_.reset();
    if (w == "less" || w == "greater") {
      i_++;
      uint32_t n = number(take("a length"), "a length");
      emit_len(w == "less" ? Relop::Le : Relop::Ge, n);
      return;
    }
    if (w == "vlan" || w == "mpls") {
      need_ethernet(t->col, "'" + w + "'", std::string(w == "vlan" ? "no VLAN" : "no MPLS") + " support for " + linktype_name(linktype_));
      i_++;
      Op op = leaf(w == "vlan" ? Kind::Vlan : Kind::Mpls);
      if (peek() && std::isdigit(static_cast<unsigned char>(peek()->text[0])) && !relation_follows(0)) {
        const Tok& n = take("an id");
        op.lo = number(n, w == "vlan" ? "a VLAN id 0..4095" : "an MPLS label 0..1048575");
        if (op.lo > (w == "vlan" ? 4095u : 0xfffffu)) fail(n.col, w == "vlan" ? "a VLAN id 0..4095" : "an MPLS label 0..1048575", "'" + n.text + "'");
        op.hi = 1;
      }
      emit(op);
      nl_ = static_cast<uint16_t>(nl_ + 4);
      if (w == "mpls") mpls_++;
      return;
    }
    if (w == "inbound" || w == "outbound") { i_++; direction(w == "outbound", t->col); return; }
    if (arith_start()) { relation(); return; }

    Qual q;
    unsigned qcol = t->col;
    if (auto p = proto_word()) { q.proto = *p; i_++; }
    if (is("broadcast") || is("multicast")) { cast(q, qcol); return; }
    if (is("src") || is("dst")) {
      q.dir = is("src") ? Dir::Src : Dir::Dst;
      q.dir_given = true;
      i_++;
      if ((is("or") || is("and")) && (is("src", 1) || is("dst", 1))) {  // src or dst, src and dst
        q.dir = is("or") ? Dir::Any : Dir::Both;
        i_ += 2;
      }
    }
    static const struct { const char* w; Type t; } kTypes[] = {
        {"host", Type::Host}, {"net", Type::Net}, {"port", Type::Port}, {"portrange", Type::Portrange}, {"proto", Type::ProtoNum}};
    for (const auto& ty : kTypes)
      if (is(ty.w)) { q.type = ty.t; i_++; break; }
    if (is("gateway") || is("protochain")) refuse(col(), "'" + peek()->text + "' is not supported");
    if (q.proto != Proto::None && !q.dir_given && q.type == Type::None) {
      // A protocol alone (tcp, ip6, arp): unless an address follows (ether 00:11:..)
      if (!(q.proto == Proto::Ether && peek() && std::strchr(peek()->text.c_str(), ':'))) { proto_only(q.proto); return; }
      q.type = Type::Host;
    }
    if (q.proto == Proto::None && !q.dir_given && q.type == Type::None) {
      if (!peek() || is_keyword(w) || !(std::isalnum(static_cast<unsigned char>(w[0])) || w[0] == '\\'))
        fail(t->col, kPrimitive, "'" + w + "'");
    }
    if (!peek()) fail(end_col(), "an address, a number or a name after '" + toks_[i_ - 1].text + "'", "the end");
    id(q);
  }

  void proto_only(Proto p) {
    switch (p) {
      case Proto::Ether: refuse(col(), "'ether' needs host, src, dst, proto, broadcast or multicast after it");
      case Proto::Ip: emit_link(kEtherTypeIpv4); return;
      case Proto::Ip6: emit_link(kEtherTypeIpv6); return;
      case Proto::Arp: emit_link(kEtherTypeArp); return;
      case Proto::Rarp: emit_link(kEtherTypeRarp); return;
      case Proto::Icmp: case Proto::Igmp: emit_ip_proto(transport_number(p), Filter::kIp4); return;
      case Proto::Icmp6: emit_ip_proto(58, Filter::kIp6); return;
      default: emit_ip_proto(transport_number(p), Filter::kIp4 | Filter::kIp6); return;
    }
  }

  void emit_link(uint16_t type) { Op op = leaf(Kind::Link); op.ethertype = type; emit(op); }
  void emit_ip_proto(uint8_t proto, uint8_t family) {
    Op op = leaf(Kind::IpProto);
    op.proto = proto;
    op.family = family;
    emit(op);
  }
  void emit_len(Relop r, uint32_t n) {
    Op op = leaf(Kind::Compare);
    op.arith = static_cast<uint16_t>(arith_->size());
    arith_->push_back({Arith::Len});
    Arith c{Arith::Const};
    c.value = n;
    arith_->push_back(c);
    op.arith_end = static_cast<uint16_t>(arith_->size());
    op.relop = static_cast<uint8_t>(r);
    emit(op);
  }

  // The packet type a Linux cooked header records (libpcap: outgoing is
  // type 4, inbound any other): a 2-byte field at 0 in v1, a byte at 10 in
  // v2. Other link types record no direction in a file, and ports none.
  void direction(bool out, unsigned c) {
    if (linktype_ != kLinktypeSll && linktype_ != kLinktypeSll2)
      refuse(c, std::string("'") + (out ? "outbound" : "inbound") + "' needs the packet direction a Linux cooked (SLL) header records, which " +
                    linktype_name(linktype_) + " packets do not have (tcpdump: inbound/outbound not supported on " +
                    linktype_name(linktype_) + " when reading savefiles)");
    constexpr uint32_t kOutgoing = 4;  // PACKET_OUTGOING
    Op op = leaf(Kind::Compare);
    op.arith = static_cast<uint16_t>(arith_->size());
    Arith at{Arith::Const};
    at.value = linktype_ == kLinktypeSll ? 0 : 10;
    arith_->push_back(at);
    arith_->push_back(load(Layer::Link, 0, linktype_ == kLinktypeSll ? 2 : 1));
    Arith type{Arith::Const};
    type.value = kOutgoing;
    arith_->push_back(type);
    op.arith_end = static_cast<uint16_t>(arith_->size());
    op.relop = static_cast<uint8_t>(out ? Relop::Eq : Relop::Ne);
    emit(op);
  }

  // ether|ip|ip6 broadcast|multicast, as comparisons on the bytes.
  void cast(const Qual& q, unsigned c) {
    bool bcast = is("broadcast");
    i_++;
    Proto p = q.proto == Proto::None ? Proto::Ether : q.proto;
    if (p == Proto::Ether)
      need_ethernet(c, bcast ? "'ether broadcast'" : "'ether multicast'",
                    bcast ? "not a broadcast link"
                          : "link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel");
    if (p == Proto::Ether && bcast) {
      Op op = leaf(Kind::Ether);
      op.dir = Dir::Dst;
      std::memset(op.addr, 0xff, 6);
      op.alen = 6;
      emit(op);
      return;
    }
    if (bcast) refuse(c, "'ip broadcast' needs the network's netmask, which a filter here does not know: use 'ip dst host 255.255.255.255' or 'ip dst net ...'");
    struct M { Proto p; Layer layer; uint32_t at, mask; Relop r; uint32_t v; };
    static constexpr M kMulti[] = {{Proto::Ether, Layer::Link, 0, 1, Relop::Ne, 0}, {Proto::Ip, Layer::Ip4, 16, 0xff, Relop::Ge, 224},
                                   {Proto::Ip6, Layer::Ip6, 24, 0xff, Relop::Eq, 255}};
    for (const M& m : kMulti) {
      if (m.p != p) continue;
      Op op = leaf(Kind::Compare);
      op.arith = static_cast<uint16_t>(arith_->size());
      Arith a{Arith::Const};
      a.value = m.at;
      arith_->push_back(a);
      Arith ld = load(m.layer, 0, 1);
      arith_->push_back(ld);
      a.value = m.mask;
      arith_->push_back(a);
      arith_->push_back({Arith::AndB});
      a.value = m.v;
      arith_->push_back(a);
      op.arith_end = static_cast<uint16_t>(arith_->size());
      op.relop = static_cast<uint8_t>(m.r);
      emit(op);
      return;
    }
    refuse(c, "multicast applies to ether, ip or ip6");
  }

  // ------------------------------------------------------------ ids
  void id(const Qual& q) {
    last_ = q;
    if (is("not")) { i_++; id(q); emit(Kind::Not); last_ = q; return; }
    if (is("(")) {
      i_++;
      id(q);
      while (is("and") || is("or")) {
        Kind k = is("and") ? Kind::And : Kind::Or;
        i_++;
        id(q);
        emit(k);
      }
      expect(")");
      last_ = q;
      return;
    }
    const Tok& t = take("an address, a number or a name");
    switch (q.type) {
      case Type::Port: case Type::Portrange: port_id(q, t); return;
      case Type::ProtoNum: proto_id(q, t); return;
      default: address_id(q, t); return;
    }
  }

  uint32_t number(const Tok& t, const char* what) const {
    const std::string& s = t.text;
    std::size_t used = 0;
    unsigned long long v = 0;
    bool ok = !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]));
    if (ok) {
      try { v = std::stoull(s, &used, 0); } catch (const std::exception&) { ok = false; }
    }
    if (!ok || used != s.size() || v > 0xffffffffull) fail(t.col, what, "'" + s + "'");
    return static_cast<uint32_t>(v);
  }

  uint16_t port_number(const Tok& t, const std::string& s) const {
    if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
      Tok n{s, t.col};
      uint32_t v = number(n, "a port number 0..65535");
      if (v > 65535) fail(t.col, "a port number 0..65535", "'" + s + "'");
      return static_cast<uint16_t>(v);
    }
    if (auto p = filter_names::service_port(s)) return *p;
    fail(t.col, "a port number 0..65535 or a service name (domain, http, ...)", "'" + s + "'");
  }

  void port_id(const Qual& q, const Tok& t) {
    Op op = leaf(Kind::Port);
    auto add = [&op](uint8_t proto) { op.transports[proto >> 6] |= 1ull << (proto & 63); };
    switch (q.proto) {
      case Proto::None: add(kIpProtoTcp); add(kIpProtoUdp); add(132); break;
      case Proto::Tcp: case Proto::Udp: case Proto::Sctp: add(transport_number(q.proto)); break;
      default: refuse(t.col, "ports belong to tcp, udp or sctp, not to the protocol before 'port'");
    }
    op.family = Filter::kIp4 | Filter::kIp6;
    op.dir = q.dir;
    std::string s = t.text;
    if (q.type == Type::Portrange) {
      std::size_t dash = s.find('-');
      if (dash == std::string::npos) fail(t.col, "a port range N-M", "'" + s + "'");
      op.lo = port_number(t, s.substr(0, dash));
      op.hi = port_number(t, s.substr(dash + 1));
      if (op.lo > op.hi) std::swap(op.lo, op.hi);
    } else {
      op.lo = op.hi = port_number(t, s);
    }
    emit(op);
  }

  void proto_id(const Qual& q, const Tok& t) {
    std::string s = t.text;
    if (!s.empty() && s[0] == '\\') s = s.substr(1);
    bool numeric = !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]));
    if (q.proto == Proto::Ether) {
      uint32_t v;
      if (numeric) v = number({s, t.col}, "an ethertype");
      else if (auto e = filter_names::ethertype(s)) v = *e;
      else fail(t.col, "an ethertype number or name (ip, ip6, arp, rarp, ...)", "'" + t.text + "'");
      if (v > 0xffff) fail(t.col, "an ethertype 0..0xffff", "'" + t.text + "'");
      if (v <= 1500) refuse(t.col, "ethertypes up to 1500 are 802.3 lengths; LLC protocols are not supported");
      emit_link(static_cast<uint16_t>(v));
      return;
    }
    uint32_t v;
    if (numeric) v = number({s, t.col}, "a protocol number 0..255");
    else if (auto p = filter_names::ip_protocol(s)) v = *p;
    else fail(t.col, "an IP protocol number or name (tcp, udp, gre, ...)", "'" + t.text + "'");
    if (v > 255) fail(t.col, "a protocol number 0..255", "'" + t.text + "'");
    switch (q.proto) {
      case Proto::None: emit_ip_proto(static_cast<uint8_t>(v), Filter::kIp4 | Filter::kIp6); return;
      case Proto::Ip: emit_ip_proto(static_cast<uint8_t>(v), Filter::kIp4); return;
      case Proto::Ip6: emit_ip_proto(static_cast<uint8_t>(v), Filter::kIp6); return;
      default: refuse(t.col, "'proto' applies to ether, ip or ip6");
    }
  }

  static bool parse_mac(const std::string& s, uint8_t* out) {
    unsigned b[6];
    char tail;
    if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 &&
        std::sscanf(s.c_str(), "%x-%x-%x-%x-%x-%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
      return false;
    for (int i = 0; i < 6; i++) {
      if (b[i] > 255) return false;
      out[i] = static_cast<uint8_t>(b[i]);
    }
    return true;
  }

  // 1 to 4 dotted decimal parts (10, 10.1, 10.1.2, 10.1.2.3): the address
  // and how many parts were given.
  static bool parse_dotted(const std::string& s, uint8_t* out, unsigned* parts) {
    unsigned n = 0;
    std::size_t k = 0;
    std::memset(out, 0, 4);
    while (k <= s.size()) {
      std::size_t e = s.find('.', k);
      if (e == std::string::npos) e = s.size();
      std::string part = s.substr(k, e - k);
      if (part.empty() || part.size() > 3 || n == 4) return false;
      for (char c : part)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      unsigned v = static_cast<unsigned>(std::stoul(part));
      if (v > 255) return false;
      out[n++] = static_cast<uint8_t>(v);
      k = e + 1;
      if (e == s.size()) break;
    }
    *parts = n;
    return n > 0;
  }

  static void set_prefix(Op* op, unsigned bits) {
    std::memset(op->mask, 0, sizeof(op->mask));
    for (unsigned i = 0; i < op->alen; i++) {
      unsigned b = bits > i * 8 ? std::min(8u, bits - i * 8) : 0;
      op->mask[i] = static_cast<uint8_t>(b ? 0xff << (8 - b) : 0);
      op->addr[i] &= op->mask[i];
    }
  }

  void address_id(const Qual& q, const Tok& t) {
    const std::string& s = t.text;
    if (q.proto == Proto::Ether) {
      need_ethernet(t.col, "an Ethernet address", "ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel");
      Op op = leaf(Kind::Ether);
      if (q.type != Type::Host && q.type != Type::None) refuse(t.col, "'ether' takes host, src or dst with a MAC address");
      if (!parse_mac(s, op.addr)) fail(t.col, "a MAC address like 00:11:22:33:44:55", "'" + s + "'");
      op.alen = 6;
      op.dir = q.dir;
      if (op.dir == Dir::Both) refuse(t.col, "'src and dst' is not supported for ether addresses");
      emit(op);
      return;
    }
    Op op = leaf(Kind::Host);
    op.dir = q.dir;
    bool v6 = s.find(':') != std::string::npos;
    unsigned parts = 0;
    if (v6) {
      if (inet_pton(AF_INET6, s.c_str(), op.addr) != 1) fail(t.col, "an IPv6 address", "'" + s + "'");
      op.alen = 16;
      op.family = Filter::kIp6;
      if (q.proto != Proto::None && q.proto != Proto::Ip6) refuse(t.col, "an IPv6 address goes with ip6 or no protocol");
    } else {
      if (!parse_dotted(s, op.addr, &parts)) {
        bool bare = q.proto == Proto::None && !q.dir_given && q.type == Type::None;
        if (bare && !s.empty() && std::isalpha(static_cast<unsigned char>(s[0]))) fail(t.col, kPrimitive, "'" + s + "'");
        if (!s.empty() && std::isalpha(static_cast<unsigned char>(s[0])))
          refuse(t.col, "'" + s + "' is not an address; host names are not looked up, give the address");
        fail(t.col, "an IPv4 or IPv6 address", "'" + s + "'");
      }
      op.alen = 4;
      switch (q.proto) {
        case Proto::None: op.family = Filter::kIp4 | Filter::kArp | Filter::kRarp; break;
        case Proto::Ip: op.family = Filter::kIp4; break;
        case Proto::Arp: op.family = Filter::kArp; break;
        case Proto::Rarp: op.family = Filter::kRarp; break;
        default: refuse(t.col, "an IPv4 address goes with ip, arp, rarp or no protocol");
      }
    }
    bool net = q.type == Type::Net || (q.type == Type::None && !v6 && parts < 4);
    unsigned bits = op.alen * 8u;
    if (is("/")) {
      i_++;
      const Tok& n = take("a prefix length");
      bits = number(n, "a prefix length");
      if (bits > op.alen * 8u) fail(n.col, "a prefix length 0.." + std::to_string(op.alen * 8), "'/" + n.text + "'");
      net = true;
    } else if (is("mask") && !v6) {
      i_++;
      const Tok& m = take("a netmask");
      uint8_t mask[4];
      unsigned mp = 0;
      if (!parse_dotted(m.text, mask, &mp) || mp != 4) fail(m.col, "a netmask like 255.255.0.0", "'" + m.text + "'");
      std::memcpy(op.mask, mask, 4);
      for (int i = 0; i < 4; i++) op.addr[i] &= op.mask[i];
      emit(op);
      return;
    } else if (net && !v6) {
      bits = parts * 8;  // net 10.1: the parts given
    } else if (q.type == Type::Host && !v6 && parts < 4) {
      fail(t.col, "a whole IPv4 address (four parts)", "'" + s + "'");
    }
    set_prefix(&op, bits);
    emit(op);
  }

  // ------------------------------------------------------------ arithmetic
  bool arith_start() const {
    const Tok* t = peek();
    if (!t) return false;
    if (t->text == "len" || t->text == "-" || t->text == "(") return true;
    if (std::isdigit(static_cast<unsigned char>(t->text[0]))) return relation_follows(0) || is("[", 1);
    if (filter_names::constant(t->text)) return true;
    return proto_word().has_value() && is("[", 1);
  }

  void relation() {
    Op op = leaf(Kind::Compare);
    op.arith = static_cast<uint16_t>(arith_->size());
    arith();
    static const struct { const char* w; Relop r; } kRel[] = {{"==", Relop::Eq}, {"=", Relop::Eq}, {"!=", Relop::Ne},
                                                               {"<", Relop::Lt}, {"<=", Relop::Le}, {">", Relop::Gt},
                                                               {">=", Relop::Ge}};
    bool got = false;
    for (const auto& r : kRel)
      if (is(r.w)) { op.relop = static_cast<uint8_t>(r.r); got = true; break; }
    if (!got) fail(col(), "a comparison (=, ==, !=, <, <=, >, >=)", found());
    i_++;
    arith();
    op.arith_end = static_cast<uint16_t>(arith_->size());
    // The deepest the operand stack gets.
    int depth = 0, max = 0;
    for (uint32_t k = op.arith; k < op.arith_end; k++) {
      Arith::Code c = (*arith_)[k].code;
      if (c == Arith::Const || c == Arith::Len) depth++;
      else if (c != Arith::Load && c != Arith::Neg) depth--;
      max = std::max(max, depth);
    }
    if (max > static_cast<int>(kArithDepth)) refuse(col(), "the comparison nests too deeply: simplify it");
    emit(op);
  }

  // Binary operators by precedence, loosest first (pcap-filter's order).
  void arith(int level = 0) {
    static const std::vector<std::vector<std::pair<const char*, Arith::Code>>> kLevels = {
        {{"|", Arith::OrB}, {"^", Arith::Xor}},
        {{"&", Arith::AndB}},
        {{"<<", Arith::Shl}, {">>", Arith::Shr}},
        {{"+", Arith::Add}, {"-", Arith::Sub}},
        {{"*", Arith::Mul}, {"/", Arith::Div}, {"%", Arith::Mod}},
    };
    if (level == static_cast<int>(kLevels.size())) { arith_unary(); return; }
    arith(level + 1);
    for (;;) {
      const std::pair<const char*, Arith::Code>* hit = nullptr;
      for (const auto& o : kLevels[level])
        if (is(o.first)) hit = &o;
      if (!hit) return;
      unsigned c = col();
      i_++;
      arith(level + 1);
      const Arith& right = arith_->back();
      if ((hit->second == Arith::Div || hit->second == Arith::Mod) && right.code == Arith::Const && right.value == 0)
        refuse(c, "division by zero");
      arith_->push_back({hit->second});
    }
  }

  void arith_unary() {
    if (is("-")) { i_++; arith_unary(); arith_->push_back({Arith::Neg}); return; }
    if (is("(")) { i_++; arith(); expect(")"); return; }
    const Tok& t = take("a number, len, a constant or proto[offset]");
    if (t.text == "len") { arith_->push_back({Arith::Len}); return; }
    Arith c{Arith::Const};
    if (auto k = filter_names::constant(t.text)) { c.value = *k; arith_->push_back(c); return; }
    if (std::isdigit(static_cast<unsigned char>(t.text[0]))) { c.value = number(t, "a number"); arith_->push_back(c); return; }
    for (const ProtoWord& p : kProtoWords) {
      if (t.text != p.word) continue;
      expect("[");
      arith();
      uint8_t size = 1;
      if (is(":")) {
        i_++;
        const Tok& n = take("a size 1, 2 or 4");
        uint32_t v = number(n, "a size 1, 2 or 4");
        if (v != 1 && v != 2 && v != 4) fail(n.col, "a size 1, 2 or 4", "'" + n.text + "'");
        size = static_cast<uint8_t>(v);
      }
      expect("]");
      Layer layer;
      switch (p.proto) {
        case Proto::Ether: layer = Layer::Link; break;
        case Proto::Ip: layer = Layer::Ip4; break;
        case Proto::Ip6: layer = Layer::Ip6; break;
        case Proto::Arp: layer = Layer::Arp; break;
        case Proto::Rarp: layer = Layer::Rarp; break;
        case Proto::Icmp6: layer = Layer::Transport6; break;
        default: layer = Layer::Transport4; break;
      }
      arith_->push_back(load(layer, transport_number(p.proto), size));
      return;
    }
    fail(t.col, "a number, len, a constant (tcpflags, tcp-syn, icmp-echo, ...) or proto[offset]", "'" + t.text + "'");
  }

  Arith load(Layer layer, uint8_t proto, uint8_t size) const {
    Arith a{Arith::Load};
    a.layer = static_cast<uint8_t>(layer);
    a.proto = proto;
    a.size = size;
    a.nl = nl_;
    a.mpls = mpls_;
    return a;
  }

  const std::string& src_;
  std::vector<Op>* prog_;
  std::vector<Arith>* arith_;
  std::vector<Tok> toks_;
  std::size_t i_ = 0;
  uint32_t linktype_;
  uint16_t nl_;  // the network header's offset for what comes next
  uint8_t mpls_ = 0;
  std::optional<Qual> last_;  // the qualifiers a bare id after and/or takes
};

}  // namespace

Filter Filter::compile(const std::string& expr, uint32_t linktype) {
  Filter f;
  f.text_ = expr;
  f.linktype_ = linktype;
  bool blank = true;
  for (char c : expr) blank = blank && std::isspace(static_cast<unsigned char>(c));
  if (blank) return f;
  if (!network_layer_known(linktype))
    throw Error("EFILTER", "filter '" + expr + "': link type " + std::to_string(linktype) + " (" + linktype_name(linktype) +
                               ") is not one filters read: Ethernet, Linux cooked v1/v2, raw IP or BSD loopback");
  Compiler(expr, linktype, &f.prog_, &f.arith_).compile();
  int depth = 0, max = 0;
  for (const Op& op : f.prog_) {
    if (op.kind == Kind::And || op.kind == Kind::Or) depth--;
    else if (op.kind != Kind::Not) depth++;
    max = std::max(max, depth);
  }
  if (max > static_cast<int>(kMaxPending))
    throw Error("EFILTER", "filter '" + expr + "' nests too deeply (" + std::to_string(max) + " pending operands, at most " +
                               std::to_string(kMaxPending) + "): simplify it");
  f.specialise();
  return f;
}

}  // namespace rs
