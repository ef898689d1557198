// Flow rules, a subset of rte_flow as testpmd writes it:
//   pattern eth / vlan / ipv4|ipv6 / udp|tcp|sctp|icmp|icmp6|gre / vxlan, and
//   any in any place (fields with is, or spec + mask, or a range spec + last)
//   actions queue index Q | drop | rss [queues ...] | kernel | jump group G |
//   passthru, plus count, mark id N, flag
// Rules live in groups; matching starts in group 0 and moves only by jump,
// to a higher group. A matching rule ends matching (rte_flow's rules are
// terminating) unless it has passthru; isolated mode (flow isolate) drops
// what no terminating rule matched.
// FlowRule is the parse result (built by the command layer or by tests);
// flow_compile() checks it against the port and turns it into the form the
// classifier matches per packet, or throws rs::Error saying why it cannot apply.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "pktview.h"

namespace rs {

enum class FlowItemType : uint8_t {
#define RS_FLOW_ITEM(type, name) type,
#include "flow_names.def"
#undef RS_FLOW_ITEM
};
enum class FlowField : uint8_t {
  EthDst, EthSrc, EthType, VlanVid, VlanTci, Ipv4Src, Ipv4Dst, Ipv4Proto, Ipv6Src, Ipv6Dst, Ipv6Proto, L4Src, L4Dst,
  SctpSrc, SctpDst, IcmpType, IcmpCode, GreProto, VxlanVni,
};

// One field condition: (packet & mask) == (spec & mask), bytes in network
// order; with `range` (testpmd's `last`), spec <= (packet & mask) <= last
// instead, comparing the masked bytes as big-endian numbers.
struct FlowFieldMatch {
  FlowField field;
  uint8_t len = 0;  // bytes used in spec, mask and last
  uint8_t spec[16] = {};
  uint8_t mask[16] = {};
  bool range = false;
  uint8_t last[16] = {};
};

struct FlowItem {
  FlowItemType type;
  std::vector<FlowFieldMatch> fields;
};

enum class FlowActionType : uint8_t {
#define RS_FLOW_ACTION(type, name) type,
#include "flow_names.def"
#undef RS_FLOW_ACTION
};

struct FlowAction {
  FlowActionType type;
  uint32_t value = 0;            // queue index (Queue), id (Mark) or group (Jump)
  std::vector<uint16_t> queues;  // Rss: queues to spread over; empty = all rx queues
};

struct FlowRule {
  uint32_t group = 0, priority = 0;
  bool ingress = true, egress = false;
  std::vector<FlowItem> pattern;
  std::vector<FlowAction> actions;
  std::string text;  // the rule as the user wrote it, for `flow list` (optional)
};

// Names as testpmd writes them ("eth", "ipv4", "src", "proto", "queue", ...).
const char* flow_item_name(FlowItemType t);
bool flow_item_from_name(const std::string& s, FlowItemType* t);
const char* flow_action_name(FlowActionType t);
bool flow_action_from_name(const std::string& s, FlowActionType* t);
// Every name, for messages: "eth, vlan, ...", "queue, drop, ...".
std::string flow_item_names();
std::string flow_action_names();
// The field `name` of item t and its width in bytes; false when the item has no such field.
bool flow_field_from_name(FlowItemType t, const std::string& name, FlowField* f, uint8_t* len);
const char* flow_field_name(FlowField f);
// "eth: src, dst, type" style list of valid fields, for error messages.
std::string flow_fields_of(FlowItemType t);

// What a rule is checked against.
struct FlowLimits {
  uint16_t port = 0;
  uint16_t nb_rx_queues = 1;
  bool has_exception_path = false;  // action kernel needs one (KNI)
};

// None: the packet stays where it came in (or RSS). Passthru lets later
// rules decide; Jump moves matching on to jump_group.
enum class FlowFate : uint8_t { None, Queue, Drop, Rss, Kernel, Jump, Passthru };

struct CompiledFlow {
  uint32_t group = 0, priority = 0;
  // Layers the packet must have.
  bool need_vlan = false;
  uint8_t need_ip = 0;     // 0 any, 4 or 6
  uint8_t need_proto = 0;  // 0 any, or UDP/TCP
  bool need_ports = false; // a port field is matched: unfragmented L4 header needed
  bool need_vxlan = false; // UDP to port 4789 with a VXLAN header
  std::vector<FlowFieldMatch> checks;  // spec already masked
  FlowFate fate = FlowFate::None;
  uint16_t queue = 0;
  uint32_t jump_group = 0;
  std::vector<uint16_t> rss_queues;    // Rss: never empty after compile
  bool count = false;
  bool mark = false;
  uint32_t mark_id = 0;
  bool flag = false;
};

// Throws rs::Error (EFLOW_*) naming what cannot apply.
CompiledFlow flow_compile(const FlowRule& r, const FlowLimits& lim);

// Whether a compiled rule matches the packet.
bool flow_match(const CompiledFlow& c, const PacketView& v);

// testpmd's `flow list` summary: "ETH IPV4 UDP" and "QUEUE COUNT".
std::string flow_pattern_summary(const FlowRule& r);
std::string flow_actions_summary(const FlowRule& r);

}  // namespace rs
