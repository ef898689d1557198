// Running a compiled filter (filter_compile.cpp builds it) on one packet of
// any link type: the general evaluators of filter_eval.h. select(), the poll
// thread's burst call, is in filter_select.cpp.
#include <algorithm>
#include "filter.h"
#include "filter_eval.h"
#include "../linktype.h"

namespace rs {

namespace {

using namespace filter_eval;

// The network layer's type as libpcap's compiled filters test it.
// network_layer reads it as the decoder (and tcpdump's printer) does;
// libpcap's filters differ twice: a LINKTYPE_IPV4 or _IPV6 file is all of
// that version whatever the nibble says (its `ip` is always true), and BSD
// loopback's IPv6 is family 24, 28 or 30, not Linux's 10.
LinkPkt link_packet(uint32_t linktype, const uint8_t* f, uint32_t len, uint32_t wire_len) {
  LinkPkt p{{f, len, wire_len}, 0, false};
  if (linktype == kLinktypeIpv4 || linktype == kLinktypeIpv6) {
    p.type = linktype == kLinktypeIpv4 ? kEtherTypeIpv4 : kEtherTypeIpv6;
    return p;
  }
  if (len < std::max(link_header_len(linktype), 1u)) {
    p.cut = true;
    return p;
  }
  NetworkLayer nl;
  if (!network_layer(linktype, f, len, &nl)) return p;
  bool linux_family = (linktype == kLinktypeNull || linktype == kLinktypeLoop) && (f[0] == 10 || f[3] == 10);
  p.type = linux_family ? 0 : nl.ethertype;
  return p;
}

}  // namespace

bool Filter::match(const uint8_t* frame, uint32_t len, uint32_t wire_len) const {
  if (prog_.empty()) return true;
  auto on = [this](const auto& p) { return run(prog_, [&](const Op& op) { return leaf(p, op, arith_); }) == kYes; };
  if (linktype_ == kLinktypeEthernet) return on(Pkt{frame, len, wire_len});
  return on(link_packet(linktype_, frame, len, wire_len));
}

}  // namespace rs
