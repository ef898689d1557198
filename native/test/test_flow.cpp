// Flow rules: what flow_compile refuses (and says why), and what a compiled
// rule matches.
#include <arpa/inet.h>
#include "classify/flow.h"
#include "classify_frames.h"
#include "error.h"
#include "harness.h"

using namespace rs;
using cls_test::FrameSpec;

namespace {

FlowFieldMatch field(FlowItemType item, const char* name, std::vector<uint8_t> spec, std::vector<uint8_t> mask = {}) {
  FlowFieldMatch m;
  uint8_t len = 0;
  flow_field_from_name(item, name, &m.field, &len);
  m.len = len;
  for (uint8_t i = 0; i < len; i++) {
    m.spec[i] = i < spec.size() ? spec[i] : 0;
    m.mask[i] = mask.empty() ? 0xff : mask[i];
  }
  return m;
}
std::vector<uint8_t> be(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
std::vector<uint8_t> v4(const char* s) { uint8_t a[4]; inet_pton(AF_INET, s, a); return {a, a + 4}; }

FlowRule udp_dst_rule(uint16_t port, FlowAction fate) {
  FlowRule r;
  r.pattern = {{FlowItemType::Eth, {}}, {FlowItemType::Ipv4, {}},
               {FlowItemType::Udp, {field(FlowItemType::Udp, "dst", be(port))}}};
  r.actions = {fate};
  return r;
}

bool matches(const CompiledFlow& c, const FrameSpec& s) {
  auto f = cls_test::frame(s);
  PacketView v;
  parse_view(f.data(), static_cast<uint32_t>(f.size()), &v);
  return flow_match(c, v);
}

const FlowLimits kTwoQueues{0, 2, false};

}  // namespace

TEST(flow_compile_refuses_what_cannot_apply) {
  CHECK_THROWS_CODE(flow_compile(udp_dst_rule(4789, {FlowActionType::Queue, 2, {}}), kTwoQueues), "EFLOW_QUEUE");
  CHECK_THROWS_CODE(flow_compile(udp_dst_rule(4789, {FlowActionType::Rss, 0, {0, 5}}), kTwoQueues), "EFLOW_QUEUE");
  CHECK_THROWS_CODE(flow_compile(udp_dst_rule(4789, {FlowActionType::Kernel, 0, {}}), kTwoQueues), "EFLOW_KERNEL");
  FlowRule two = udp_dst_rule(1, {FlowActionType::Queue, 1, {}});
  two.actions.push_back({FlowActionType::Drop, 0, {}});
  CHECK_THROWS_CODE(flow_compile(two, kTwoQueues), "EFLOW_ACTION");
  FlowRule none = udp_dst_rule(1, {FlowActionType::Drop, 0, {}});
  none.actions.clear();
  CHECK_THROWS_CODE(flow_compile(none, kTwoQueues), "EFLOW_ACTION");
  FlowRule order;
  order.pattern = {{FlowItemType::Udp, {}}, {FlowItemType::Ipv4, {}}};
  order.actions = {{FlowActionType::Drop, 0, {}}};
  CHECK_THROWS_CODE(flow_compile(order, kTwoQueues), "EFLOW_PATTERN");
  FlowRule wrong_field = udp_dst_rule(1, {FlowActionType::Drop, 0, {}});
  wrong_field.pattern[1].fields.push_back(field(FlowItemType::Udp, "dst", be(1)));  // udp's field on ipv4
  CHECK_THROWS_CODE(flow_compile(wrong_field, kTwoQueues), "EFLOW_FIELD");
  FlowRule loop = udp_dst_rule(1, {FlowActionType::Jump, 1, {}});
  loop.group = 1;
  CHECK_THROWS_CODE(flow_compile(loop, kTwoQueues), "EFLOW_ACTION");  // jumps go to higher groups only
  loop.actions[0].value = 2;
  CHECK_EQ(flow_compile(loop, kTwoQueues).jump_group, 2u);
  FlowRule icmp_after_v6;
  icmp_after_v6.pattern = {{FlowItemType::Eth, {}}, {FlowItemType::Ipv6, {}}, {FlowItemType::Icmp, {}}};
  icmp_after_v6.actions = {{FlowActionType::Drop, 0, {}}};
  CHECK_THROWS_CODE(flow_compile(icmp_after_v6, kTwoQueues), "EFLOW_PATTERN");
  FlowRule eg = udp_dst_rule(1, {FlowActionType::Drop, 0, {}});
  eg.egress = true;
  CHECK_THROWS_CODE(flow_compile(eg, kTwoQueues), "EFLOW_ATTR");
  CHECK_THROWS_CODE(flow_compile(udp_dst_rule(4789, {FlowActionType::Kernel, 0, {}}), FlowLimits{0, 2, true}), "(no error)");
  CHECK_THROWS_CODE(flow_compile(udp_dst_rule(4789, {FlowActionType::Queue, 1, {}}), kTwoQueues), "(no error)");
}

TEST(flow_match_udp_port_ip_mask_vlan_and_layers) {
  CompiledFlow vx = flow_compile(udp_dst_rule(4789, {FlowActionType::Queue, 1, {}}), kTwoQueues);
  CHECK(matches(vx, {.dport = 4789}));
  CHECK(!matches(vx, {.dport = 4790}));
  CHECK(!matches(vx, {.proto = kIpProtoTcp, .dport = 4789}));
  CHECK(!matches(vx, {.v6 = true, .dport = 4789}));                 // ipv4 item
  CHECK(matches(vx, {.dport = 4789, .vlan = 7}));                   // VLAN skipped when not asked for

  FlowRule net;
  net.pattern = {{FlowItemType::Ipv4, {field(FlowItemType::Ipv4, "src", v4("192.168.1.0"), v4("255.255.255.0"))}}};
  net.actions = {{FlowActionType::Drop, 0, {}}};
  CompiledFlow n = flow_compile(net, kTwoQueues);
  CHECK(matches(n, {.src = "192.168.1.77"}));
  CHECK(!matches(n, {.src = "192.168.2.77"}));
  CHECK(!matches(n, {.ethertype = kEtherTypeArp}));

  FlowRule vl;
  vl.pattern = {{FlowItemType::Eth, {}}, {FlowItemType::Vlan, {field(FlowItemType::Vlan, "vid", be(100))}}};
  vl.actions = {{FlowActionType::Count, 0, {}}};
  CompiledFlow v = flow_compile(vl, kTwoQueues);
  CHECK(matches(v, {.vlan = 100}));
  CHECK(!matches(v, {.vlan = 101}));
  CHECK(!matches(v, {}));

  FlowRule et;
  et.pattern = {{FlowItemType::Eth, {field(FlowItemType::Eth, "type", be(kEtherTypeArp))}}};
  et.actions = {{FlowActionType::Queue, 1, {}}};
  CompiledFlow e = flow_compile(et, kTwoQueues);
  CHECK(matches(e, {.ethertype = kEtherTypeArp}));
  CHECK(!matches(e, {}));

  FlowRule t6;
  t6.pattern = {{FlowItemType::Ipv6, {}}, {FlowItemType::Tcp, {field(FlowItemType::Tcp, "src", be(443))}}};
  t6.actions = {{FlowActionType::Mark, 9, {}}};
  CompiledFlow t = flow_compile(t6, kTwoQueues);
  CHECK(matches(t, {.v6 = true, .proto = kIpProtoTcp, .sport = 443}));
  CHECK(!matches(t, {.v6 = true, .proto = kIpProtoUdp, .sport = 443}));
  CHECK(t.mark && t.mark_id == 9 && t.fate == FlowFate::None);

  FlowRule any;  // empty pattern: every packet
  any.actions = {{FlowActionType::Drop, 0, {}}};
  CHECK(matches(flow_compile(any, kTwoQueues), {.ethertype = kEtherTypeArp}));
}

// testpmd's `last`: spec..last as big-endian numbers, after the mask.
TEST(flow_match_ranges) {
  auto range = [](FlowItemType item, const char* name, std::vector<uint8_t> lo, std::vector<uint8_t> hi) {
    FlowFieldMatch m = field(item, name, lo);
    m.range = true;
    for (uint8_t i = 0; i < m.len; i++) m.last[i] = hi[i];
    return m;
  };
  FlowRule ports = udp_dst_rule(0, {FlowActionType::Drop, 0, {}});
  ports.pattern[2].fields = {range(FlowItemType::Udp, "dst", be(5000), be(5009))};
  CompiledFlow p = flow_compile(ports, kTwoQueues);
  CHECK(!matches(p, {.dport = 4999}));
  CHECK(matches(p, {.dport = 5000}));
  CHECK(matches(p, {.dport = 5004}));
  CHECK(matches(p, {.dport = 5009}));
  CHECK(!matches(p, {.dport = 5010}));
  CHECK(!matches(p, {.dport = 0x1488}));  // 5256: high byte in range, low byte not: compared as a number

  FlowRule hosts;  // 10.0.0.250 .. 10.0.1.5 crosses a byte boundary
  hosts.pattern = {{FlowItemType::Ipv4, {range(FlowItemType::Ipv4, "src", v4("10.0.0.250"), v4("10.0.1.5"))}}};
  hosts.actions = {{FlowActionType::Count, 0, {}}};
  CompiledFlow h = flow_compile(hosts, kTwoQueues);
  CHECK(matches(h, {.src = "10.0.0.255"}));
  CHECK(matches(h, {.src = "10.0.1.0"}));
  CHECK(!matches(h, {.src = "10.0.1.6"}));
  CHECK(!matches(h, {.src = "10.0.0.249"}));

  ports.pattern[2].fields = {range(FlowItemType::Udp, "dst", be(6000), be(5000))};
  CHECK_THROWS_CODE(flow_compile(ports, kTwoQueues), "EFLOW_VALUE");  // last below spec
  ports.pattern[2].fields = {range(FlowItemType::Udp, "dst", be(53), be(53))};
  CompiledFlow one = flow_compile(ports, kTwoQueues);
  CHECK(!one.checks[0].range);  // spec == last: a plain match
  CHECK(matches(one, {.dport = 53}));
}

TEST(flow_names_and_summaries) {
  FlowItemType t;
  CHECK(flow_item_from_name("ipv6", &t) && t == FlowItemType::Ipv6);
  CHECK(flow_item_from_name("sctp", &t) && t == FlowItemType::Sctp);
  CHECK(!flow_item_from_name("gtp", &t));
  FlowField f;
  uint8_t len;
  CHECK(flow_field_from_name(FlowItemType::Ipv4, "proto", &f, &len) && len == 1);
  CHECK(!flow_field_from_name(FlowItemType::Udp, "proto", &f, &len));
  CHECK_EQ(flow_fields_of(FlowItemType::Eth), std::string("dst, src, type"));
  FlowRule r = udp_dst_rule(4789, {FlowActionType::Queue, 1, {}});
  r.actions.push_back({FlowActionType::Count, 0, {}});
  CHECK_EQ(flow_pattern_summary(r), std::string("ETH IPV4 UDP"));
  CHECK_EQ(flow_actions_summary(r), std::string("QUEUE COUNT"));
}

// One-item rules (after eth / ip) on the newer items.
static CompiledFlow item_rule(bool v6, FlowItemType item, FlowFieldMatch f) {
  FlowRule r;
  r.pattern = {{FlowItemType::Eth, {}}, {v6 ? FlowItemType::Ipv6 : FlowItemType::Ipv4, {}}, {item, {f}}};
  r.actions = {{FlowActionType::Drop, 0, {}}};
  return flow_compile(r, kTwoQueues);
}

TEST(flow_match_icmp_sctp_gre_vxlan_any_and_vlan_tci) {
  // The frame helper's "ports" are the first four bytes after IP: ICMP type/code, SCTP ports, GRE flags/protocol.
  CompiledFlow echo = item_rule(false, FlowItemType::Icmp, field(FlowItemType::Icmp, "type", {8}));
  CHECK(matches(echo, {.proto = 1, .sport = 0x0800}));
  CHECK(!matches(echo, {.proto = 1, .sport = 0x0000}));
  CHECK(!matches(echo, {.proto = kIpProtoUdp, .sport = 0x0800}));
  CompiledFlow echo6 = item_rule(true, FlowItemType::Icmp6, field(FlowItemType::Icmp6, "type", {128}));
  CHECK(matches(echo6, {.v6 = true, .proto = kIpProtoIcmp6, .sport = 0x8000}));
  CHECK(!matches(echo6, {.v6 = true, .proto = kIpProtoIcmp6, .sport = 0x8100}));
  CompiledFlow sctp = item_rule(false, FlowItemType::Sctp, field(FlowItemType::Sctp, "dst", be(80)));
  CHECK(matches(sctp, {.proto = kIpProtoSctp, .dport = 80}));
  CHECK(!matches(sctp, {.proto = kIpProtoUdp, .dport = 80}));
  CompiledFlow gre = item_rule(false, FlowItemType::Gre, field(FlowItemType::Gre, "protocol", be(0x6558)));
  CHECK(matches(gre, {.proto = kIpProtoGre, .dport = 0x6558}));
  CHECK(!matches(gre, {.proto = kIpProtoGre, .dport = 0x0800}));
  // VXLAN: UDP to 4789; the helper's payload bytes (0xab) hold the VNI.
  FlowRule vx;
  vx.pattern = {{FlowItemType::Eth, {}}, {FlowItemType::Ipv4, {}}, {FlowItemType::Udp, {}},
                {FlowItemType::Vxlan, {field(FlowItemType::Vxlan, "vni", {0xab, 0xab, 0xab})}}};
  vx.actions = {{FlowActionType::Drop, 0, {}}};
  CompiledFlow vxc = flow_compile(vx, kTwoQueues);
  CHECK(matches(vxc, {.dport = 4789}));
  CHECK(!matches(vxc, {.dport = 4790}));
  vx.pattern[3].fields[0].spec[2] = 0x01;
  CHECK(!matches(flow_compile(vx, kTwoQueues), {.dport = 4789}));
  // any stands for a layer without fixing it.
  FlowRule any;
  any.pattern = {{FlowItemType::Eth, {}}, {FlowItemType::Any, {}}, {FlowItemType::Udp, {field(FlowItemType::Udp, "dst", be(53))}}};
  any.actions = {{FlowActionType::Drop, 0, {}}};
  CompiledFlow anyc = flow_compile(any, kTwoQueues);
  CHECK(matches(anyc, {.dport = 53}) && matches(anyc, {.v6 = true, .dport = 53}) && !matches(anyc, {.dport = 54}));
  // vlan tci: the whole tag control word (priority, DEI, id).
  FlowRule tci;
  tci.pattern = {{FlowItemType::Eth, {}}, {FlowItemType::Vlan, {field(FlowItemType::Vlan, "tci", be(0x0123))}}};
  tci.actions = {{FlowActionType::Flag, 0, {}}};
  CompiledFlow tcic = flow_compile(tci, kTwoQueues);
  CHECK(tcic.flag);
  CHECK(matches(tcic, {.vlan = 0x123}) && !matches(tcic, {.vlan = 0x124}) && !matches(tcic, {}));
}
