#include "flow.h"
#include <algorithm>
#include <cstring>
#include "error.h"

namespace rs {

namespace {

struct FieldDef {
  FlowItemType item;
  const char* name;
  FlowField field;
  uint8_t len;
};

// rte_flow's field names for each item, as testpmd spells them.
constexpr FieldDef kFields[] = {
    {FlowItemType::Eth, "dst", FlowField::EthDst, 6},
    {FlowItemType::Eth, "src", FlowField::EthSrc, 6},
    {FlowItemType::Eth, "type", FlowField::EthType, 2},
    {FlowItemType::Vlan, "vid", FlowField::VlanVid, 2},
    {FlowItemType::Vlan, "tci", FlowField::VlanTci, 2},
    {FlowItemType::Ipv4, "src", FlowField::Ipv4Src, 4},
    {FlowItemType::Ipv4, "dst", FlowField::Ipv4Dst, 4},
    {FlowItemType::Ipv4, "proto", FlowField::Ipv4Proto, 1},
    {FlowItemType::Ipv6, "src", FlowField::Ipv6Src, 16},
    {FlowItemType::Ipv6, "dst", FlowField::Ipv6Dst, 16},
    {FlowItemType::Ipv6, "proto", FlowField::Ipv6Proto, 1},
    {FlowItemType::Udp, "src", FlowField::L4Src, 2},
    {FlowItemType::Udp, "dst", FlowField::L4Dst, 2},
    {FlowItemType::Tcp, "src", FlowField::L4Src, 2},
    {FlowItemType::Tcp, "dst", FlowField::L4Dst, 2},
    {FlowItemType::Sctp, "src", FlowField::SctpSrc, 2},
    {FlowItemType::Sctp, "dst", FlowField::SctpDst, 2},
    {FlowItemType::Icmp, "type", FlowField::IcmpType, 1},
    {FlowItemType::Icmp, "code", FlowField::IcmpCode, 1},
    {FlowItemType::Icmp6, "type", FlowField::IcmpType, 1},
    {FlowItemType::Icmp6, "code", FlowField::IcmpCode, 1},
    {FlowItemType::Gre, "protocol", FlowField::GreProto, 2},
    {FlowItemType::Vxlan, "vni", FlowField::VxlanVni, 3},
};


// Layer of an item: a pattern goes down to up, one item per layer.
int layer(FlowItemType t) {
  switch (t) {
    case FlowItemType::Eth: return 0;
    case FlowItemType::Vlan: return 1;
    case FlowItemType::Ipv4:
    case FlowItemType::Ipv6: return 2;
    case FlowItemType::Udp:
    case FlowItemType::Tcp:
    case FlowItemType::Sctp:
    case FlowItemType::Icmp:
    case FlowItemType::Icmp6:
    case FlowItemType::Gre: return 3;
    case FlowItemType::Vxlan: return 4;
    case FlowItemType::Any: return -1;  // stands for any layer: not ordered
  }
  return 0;
}

// The header after IP (need bytes of it), or null: not IP, a later fragment,
// or truncated. IPv6 extension headers are not followed (as pktview.h).
inline const uint8_t* l4_header(const PacketView& v, uint32_t need) {
  if (v.ip_version == 0 || v.fragment) return nullptr;
  uint32_t off = v.ip_version == 4 ? v.l3_off + (v.frame[v.l3_off] & 0x0fu) * 4 : v.l3_off + 40;
  return off + need <= v.len ? v.frame + off : nullptr;
}

std::string upper(const char* s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return u;
}

// The packet's bytes for a field (network order), or null when absent.
inline const uint8_t* field_bytes(FlowField f, const PacketView& v, uint8_t* tmp) {
  switch (f) {
    case FlowField::EthDst: return v.frame;
    case FlowField::EthSrc: return v.frame + 6;
    case FlowField::EthType: return v.frame + 12;
    case FlowField::VlanVid:
      if (!v.nvlan) return nullptr;
      tmp[0] = static_cast<uint8_t>(v.vid[0] >> 8);
      tmp[1] = static_cast<uint8_t>(v.vid[0]);
      return tmp;
    case FlowField::VlanTci: return v.nvlan ? v.frame + 14 : nullptr;  // the outer tag's TCI
    case FlowField::Ipv4Src:
    case FlowField::Ipv6Src: return v.src_addr();
    case FlowField::Ipv4Dst:
    case FlowField::Ipv6Dst: return v.dst_addr();
    case FlowField::Ipv4Proto:
    case FlowField::Ipv6Proto: return &v.proto;
    case FlowField::L4Src: return v.has_ports ? v.ports() : nullptr;
    case FlowField::L4Dst: return v.has_ports ? v.ports() + 2 : nullptr;
    case FlowField::SctpSrc: return l4_header(v, 4);
    case FlowField::SctpDst: { const uint8_t* h = l4_header(v, 4); return h ? h + 2 : nullptr; }
    case FlowField::IcmpType: return l4_header(v, 2);
    case FlowField::IcmpCode: { const uint8_t* h = l4_header(v, 2); return h ? h + 1 : nullptr; }
    case FlowField::GreProto: { const uint8_t* h = l4_header(v, 4); return h ? h + 2 : nullptr; }
    case FlowField::VxlanVni: { const uint8_t* h = l4_header(v, 16); return h ? h + 12 : nullptr; }  // UDP 8, flags 4
  }
  return nullptr;
}

}  // namespace

namespace {
constexpr FlowItemType kFlowItems[] = {
#define RS_FLOW_ITEM(type, name) FlowItemType::type,
#include "flow_names.def"
#undef RS_FLOW_ITEM
};
constexpr FlowActionType kFlowActions[] = {
#define RS_FLOW_ACTION(type, name) FlowActionType::type,
#include "flow_names.def"
#undef RS_FLOW_ACTION
};
}  // namespace

const char* flow_item_name(FlowItemType t) {
  switch (t) {
#define RS_FLOW_ITEM(type, name) \
  case FlowItemType::type: return name;
#include "flow_names.def"
#undef RS_FLOW_ITEM
  }
  return "?";
}

bool flow_item_from_name(const std::string& s, FlowItemType* t) {
  for (auto x : kFlowItems) {
    if (s == flow_item_name(x)) {
      *t = x;
      return true;
    }
  }
  return false;
}

const char* flow_action_name(FlowActionType t) {
  switch (t) {
#define RS_FLOW_ACTION(type, name) \
  case FlowActionType::type: return name;
#include "flow_names.def"
#undef RS_FLOW_ACTION
  }
  return "?";
}

std::string flow_item_names() {
  std::string out;
  for (auto x : kFlowItems) out += (out.empty() ? "" : ", ") + std::string(flow_item_name(x));
  return out;
}

std::string flow_action_names() {
  std::string out;
  for (auto x : kFlowActions) out += (out.empty() ? "" : ", ") + std::string(flow_action_name(x));
  return out;
}

bool flow_action_from_name(const std::string& s, FlowActionType* t) {
  for (auto x : kFlowActions) {
    if (s == flow_action_name(x)) {
      *t = x;
      return true;
    }
  }
  return false;
}

bool flow_field_from_name(FlowItemType t, const std::string& name, FlowField* f, uint8_t* len) {
  for (const FieldDef& d : kFields) {
    if (d.item == t && name == d.name) {
      *f = d.field;
      *len = d.len;
      return true;
    }
  }
  return false;
}

const char* flow_field_name(FlowField f) {
  for (const FieldDef& d : kFields)
    if (d.field == f) return d.name;
  return "?";
}

std::string flow_fields_of(FlowItemType t) {
  std::string s;
  for (const FieldDef& d : kFields) {
    if (d.item != t) continue;
    if (!s.empty()) s += ", ";
    s += d.name;
  }
  return s;
}

CompiledFlow flow_compile(const FlowRule& r, const FlowLimits& lim) {
  const std::string port = "port " + std::to_string(lim.port);
  if (r.egress || !r.ingress)
    throw Error("EFLOW_ATTR", "only ingress rules are supported: write 'flow create " + std::to_string(lim.port) + " ingress pattern ...'");
  CompiledFlow c;
  c.group = r.group;
  c.priority = r.priority;
  // An item needing an IP version or protocol the pattern already fixed otherwise can never match.
  auto need = [&](const FlowItem& it, uint8_t ip, uint8_t proto) {
    if ((ip && c.need_ip && c.need_ip != ip) || (c.need_proto && c.need_proto != proto))
      throw Error("EFLOW_PATTERN", std::string("pattern item '") + flow_item_name(it.type) + "' cannot follow " +
                                       (c.need_ip && ip && c.need_ip != ip ? "ipv" + std::to_string(c.need_ip) : "the protocol before it") +
                                       (it.type == FlowItemType::Icmp ? ": after ipv6 write icmp6" : ""));
    if (ip) c.need_ip = ip;
    c.need_proto = proto;
  };

  int last = -1;
  const FlowItem* prev = nullptr;
  for (const FlowItem& it : r.pattern) {
    int l = layer(it.type);
    if (l >= 0 && l <= last)
      throw Error("EFLOW_PATTERN", std::string("pattern item '") + flow_item_name(it.type) + "' cannot follow '" +
                                       flow_item_name(prev->type) +
                                       "': items go eth / vlan / ipv4|ipv6 / udp|tcp|sctp|icmp|icmp6|gre / vxlan, once each");
    if (l >= 0) {
      last = l;
      prev = &it;
    }
    switch (it.type) {
      case FlowItemType::Vlan: c.need_vlan = true; break;
      case FlowItemType::Ipv4:
      case FlowItemType::Ipv6: c.need_ip = it.type == FlowItemType::Ipv4 ? 4 : 6; break;
      case FlowItemType::Udp: c.need_proto = kIpProtoUdp; break;
      case FlowItemType::Tcp: c.need_proto = kIpProtoTcp; break;
      case FlowItemType::Sctp: need(it, 0, kIpProtoSctp); break;
      case FlowItemType::Icmp: need(it, 4, kIpProtoIcmp); break;
      case FlowItemType::Icmp6: need(it, 6, kIpProtoIcmp6); break;
      case FlowItemType::Gre: need(it, 0, kIpProtoGre); break;
      case FlowItemType::Vxlan:
        need(it, 0, kIpProtoUdp);
        c.need_vxlan = true;
        break;
      case FlowItemType::Eth:
      case FlowItemType::Any: break;
    }
    for (const FlowFieldMatch& f : it.fields) {
      FlowField check;
      uint8_t len = 0;
      if (!flow_field_from_name(it.type, flow_field_name(f.field), &check, &len) || check != f.field || len != f.len)
        throw Error("EFLOW_FIELD", std::string("item '") + flow_item_name(it.type) + "' has no field '" +
                                       flow_field_name(f.field) + "': its fields are " + flow_fields_of(it.type));
      FlowFieldMatch m = f;
      if (f.field == FlowField::VlanVid) {
        if (f.spec[0] & 0xf0) throw Error("EFLOW_FIELD", "vlan vid is 12 bits: the value must be at most 4095");
        m.mask[0] &= 0x0f;  // a full mask means the 12 VID bits
      }
      bool any = false;
      for (uint8_t i = 0; i < m.len; i++) {
        m.spec[i] &= m.mask[i];
        m.last[i] &= m.mask[i];
        any = any || m.mask[i];
      }
      if (!any) continue;  // a zero mask matches everything
      if (m.range) {
        int order = std::memcmp(m.spec, m.last, m.len);
        if (order > 0)
          throw Error("EFLOW_VALUE", std::string("'") + flow_item_name(it.type) + " " + flow_field_name(f.field) +
                                         "': the range's last is below its spec: write spec LOW last HIGH");
        m.range = order < 0;  // spec == last: a plain match
      }
      if (f.field == FlowField::L4Src || f.field == FlowField::L4Dst) c.need_ports = true;
      c.checks.push_back(m);
    }
  }

  int fates = 0;
  bool counted = false;
  for (const FlowAction& a : r.actions) {
    switch (a.type) {
      case FlowActionType::Count:
        if (counted) throw Error("EFLOW_ACTION", "action 'count' is given twice");
        counted = c.count = true;
        continue;
      case FlowActionType::Mark:
        if (c.mark) throw Error("EFLOW_ACTION", "action 'mark' is given twice");
        c.mark = true;
        c.mark_id = a.value;
        continue;
      case FlowActionType::Flag:
        if (c.flag) throw Error("EFLOW_ACTION", "action 'flag' is given twice");
        c.flag = true;
        continue;
      default: break;
    }
    if (++fates > 1)
      throw Error("EFLOW_ACTION", std::string("action '") + flow_action_name(a.type) +
                                      "' conflicts with an earlier fate action: give one of queue, drop, rss, kernel, jump, passthru");
    switch (a.type) {
      case FlowActionType::Queue:
        if (a.value >= lim.nb_rx_queues)
          throw Error("EFLOW_QUEUE", "queue index " + std::to_string(a.value) + " is out of range: " + port + " has " +
                                         std::to_string(lim.nb_rx_queues) + " rx queue" + (lim.nb_rx_queues == 1 ? "" : "s") +
                                         " (0.." + std::to_string(lim.nb_rx_queues - 1) +
                                         "); add queues with 'port config " + std::to_string(lim.port) + " rxq N' while the port is stopped");
        c.fate = FlowFate::Queue;
        c.queue = static_cast<uint16_t>(a.value);
        break;
      case FlowActionType::Drop: c.fate = FlowFate::Drop; break;
      case FlowActionType::Rss:
        c.fate = FlowFate::Rss;
        for (uint16_t q : a.queues) {
          if (q >= lim.nb_rx_queues)
            throw Error("EFLOW_QUEUE", "rss queue " + std::to_string(q) + " is out of range: " + port + " has " +
                                           std::to_string(lim.nb_rx_queues) + " rx queues (0.." +
                                           std::to_string(lim.nb_rx_queues - 1) + ")");
        }
        c.rss_queues = a.queues;
        if (c.rss_queues.empty())
          for (uint16_t q = 0; q < lim.nb_rx_queues; q++) c.rss_queues.push_back(q);
        break;
      case FlowActionType::Kernel:
        if (!lim.has_exception_path)
          throw Error("EFLOW_KERNEL", "action 'kernel' needs " + port +
                                          "'s exception path to the kernel, which it does not have: create it first ('kni create " +
                                          std::to_string(lim.port) + "')");
        c.fate = FlowFate::Kernel;
        break;
      case FlowActionType::Jump:
        // Forward only, so matching always ends.
        if (a.value <= r.group)
          throw Error("EFLOW_ACTION", "jump group " + std::to_string(a.value) + " must be above the rule's group " +
                                          std::to_string(r.group) + ": matching moves to higher groups only");
        c.fate = FlowFate::Jump;
        c.jump_group = a.value;
        break;
      case FlowActionType::Passthru: c.fate = FlowFate::Passthru; break;
      default: break;
    }
  }
  if (r.actions.empty()) throw Error("EFLOW_ACTION", "the rule has no action: give e.g. 'actions queue index 1 / end'");
  return c;
}

bool flow_match(const CompiledFlow& c, const PacketView& v) {
  if (v.len < 14) return false;
  if (c.need_vlan && !v.nvlan) return false;
  if (c.need_ip && v.ip_version != c.need_ip) return false;
  if (c.need_proto && (v.ip_version == 0 || v.proto != c.need_proto)) return false;
  if (c.need_ports && !v.has_ports) return false;
  if (c.need_vxlan) {
    const uint8_t* udp = l4_header(v, 16);
    if (!udp || (udp[2] << 8 | udp[3]) != kUdpPortVxlan) return false;
  }
  uint8_t tmp[2];
  for (const FlowFieldMatch& m : c.checks) {
    const uint8_t* p = field_bytes(m.field, v, tmp);
    if (!p) return false;
    if (m.range) {
      uint8_t masked[16];
      for (uint8_t i = 0; i < m.len; i++) masked[i] = p[i] & m.mask[i];
      if (std::memcmp(masked, m.spec, m.len) < 0 || std::memcmp(masked, m.last, m.len) > 0) return false;
      continue;
    }
    for (uint8_t i = 0; i < m.len; i++)
      if ((p[i] & m.mask[i]) != m.spec[i]) return false;
  }
  return true;
}

std::string flow_pattern_summary(const FlowRule& r) {
  std::string s;
  for (const FlowItem& it : r.pattern) {
    if (!s.empty()) s += ' ';
    s += upper(flow_item_name(it.type));
  }
  return s.empty() ? "(any)" : s;
}

std::string flow_actions_summary(const FlowRule& r) {
  std::string s;
  for (const FlowAction& a : r.actions) {
    if (!s.empty()) s += ' ';
    s += upper(flow_action_name(a.type));
  }
  return s;
}

}  // namespace rs
