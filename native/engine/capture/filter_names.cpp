#include "filter_names.h"

namespace rs::filter_names {

namespace {

template <typename T>
struct Name {
  const char* name;
  T value;
};

template <typename T, std::size_t N>
std::optional<T> find(const Name<T> (&table)[N], const std::string& name) {
  for (const Name<T>& n : table)
    if (name == n.name) return n.value;
  return std::nullopt;
}

// The IANA numbers of the services people filter on most.
constexpr Name<uint16_t> kServices[] = {
    {"echo", 7},          {"discard", 9},       {"daytime", 13},      {"ftp-data", 20},      {"ftp", 21},
    {"ssh", 22},          {"telnet", 23},       {"smtp", 25},         {"time", 37},          {"whois", 43},
    {"tacacs", 49},       {"domain", 53},       {"bootps", 67},       {"bootpc", 68},        {"tftp", 69},
    {"gopher", 70},       {"finger", 79},       {"http", 80},         {"www", 80},           {"kerberos", 88},
    {"pop3", 110},        {"sunrpc", 111},      {"auth", 113},        {"nntp", 119},         {"ntp", 123},
    {"epmap", 135},       {"netbios-ns", 137},  {"netbios-dgm", 138}, {"netbios-ssn", 139},  {"imap", 143},
    {"imap2", 143},       {"snmp", 161},        {"snmp-trap", 162},   {"snmptrap", 162},     {"xdmcp", 177},
    {"bgp", 179},         {"irc", 194},         {"ldap", 389},        {"svrloc", 427},       {"https", 443},
    {"microsoft-ds", 445}, {"kpasswd", 464},    {"isakmp", 500},      {"syslog", 514},       {"printer", 515},
    {"talk", 517},        {"ntalk", 518},       {"route", 520},       {"router", 520},       {"ripng", 521},
    {"timed", 525},       {"uucp", 540},        {"rtsp", 554},        {"submission", 587},   {"ipp", 631},
    {"ldp", 646},         {"ldaps", 636},       {"rsync", 873},       {"ftps", 990},         {"telnets", 992},
    {"imaps", 993},       {"pop3s", 995},       {"socks", 1080},      {"openvpn", 1194},     {"l2tp", 1701},
    {"pptp", 1723},       {"radius", 1812},     {"radius-acct", 1813}, {"nfs", 2049},        {"mysql", 3306},
    {"bfd-control", 3784}, {"bfd-echo", 3785},  {"lisp", 4342},       {"ipsec-nat-t", 4500}, {"vxlan", 4789},
    {"sip", 5060},        {"sips", 5061},       {"postgresql", 5432}, {"mdns", 5353},        {"x11", 6000},
    {"geneve", 6081},     {"babel", 6696},      {"http-alt", 8080},
};

constexpr Name<uint8_t> kIpProtocols[] = {
    {"ip", 0},     {"hopopt", 0},  {"icmp", 1},  {"igmp", 2},  {"ggp", 3},     {"ipencap", 4}, {"ipip", 4},
    {"st", 5},     {"tcp", 6},     {"egp", 8},   {"igp", 9},   {"pup", 12},    {"udp", 17},    {"hmp", 20},
    {"xns-idp", 22}, {"rdp", 27},  {"ipv6", 41}, {"ipv6-route", 43}, {"ipv6-frag", 44}, {"idrp", 45},
    {"rsvp", 46},  {"gre", 47},    {"esp", 50},  {"ah", 51},   {"icmp6", 58},  {"ipv6-icmp", 58}, {"ipv6-nonxt", 59},
    {"ipv6-opts", 60}, {"eigrp", 88}, {"ospf", 89}, {"ax.25", 93}, {"ipip-encap", 94}, {"etherip", 97},
    {"encap", 98}, {"pim", 103},   {"ipcomp", 108}, {"vrrp", 112}, {"l2tp", 115}, {"isis", 124}, {"sctp", 132},
    {"fc", 133},   {"mobility-header", 135}, {"udplite", 136}, {"mpls-in-ip", 137}, {"carp", 112},
};

constexpr Name<uint16_t> kEthertypes[] = {
    {"ip", 0x0800},     {"ip6", 0x86dd},   {"arp", 0x0806},  {"rarp", 0x8035}, {"atalk", 0x809b},
    {"aarp", 0x80f3},   {"decnet", 0x6003}, {"lat", 0x6004}, {"sca", 0x6007},  {"moprc", 0x6002},
    {"mopdl", 0x6001},  {"vlan", 0x8100},  {"mpls", 0x8847}, {"pppoed", 0x8863}, {"pppoes", 0x8864},
    {"lldp", 0x88cc},   {"eapol", 0x888e}, {"macsec", 0x88e5}, {"ptp", 0x88f7},
};

// pcap-filter(7)'s names for header offsets and field values.
constexpr Name<uint32_t> kConstants[] = {
    {"icmptype", 0},  {"icmpcode", 1},  {"icmp6type", 0}, {"icmp6code", 1}, {"tcpflags", 13},
    {"tcp-fin", 0x01}, {"tcp-syn", 0x02}, {"tcp-rst", 0x04}, {"tcp-push", 0x08}, {"tcp-ack", 0x10},
    {"tcp-urg", 0x20}, {"tcp-ece", 0x40}, {"tcp-cwr", 0x80},
    {"icmp-echoreply", 0}, {"icmp-unreach", 3}, {"icmp-sourcequench", 4}, {"icmp-redirect", 5},
    {"icmp-echo", 8}, {"icmp-routeradvert", 9}, {"icmp-routersolicit", 10}, {"icmp-timxceed", 11},
    {"icmp-paramprob", 12}, {"icmp-tstamp", 13}, {"icmp-tstampreply", 14}, {"icmp-ireq", 15},
    {"icmp-ireqreply", 16}, {"icmp-maskreq", 17}, {"icmp-maskreply", 18},
    {"icmp6-destinationunreach", 1}, {"icmp6-packettoobig", 2}, {"icmp6-timeexceeded", 3},
    {"icmp6-parameterproblem", 4}, {"icmp6-echo", 128}, {"icmp6-echoreply", 129},
    {"icmp6-multicastlistenerquery", 130}, {"icmp6-multicastlistenerreportv1", 131},
    {"icmp6-multicastlistenerdone", 132}, {"icmp6-routersolicit", 133}, {"icmp6-routeradvert", 134},
    {"icmp6-neighborsolicit", 135}, {"icmp6-neighboradvert", 136}, {"icmp6-redirect", 137},
    {"icmp6-routerrenum", 138}, {"icmp6-nodeinformationquery", 139}, {"icmp6-nodeinformationresponse", 140},
    {"icmp6-ineighbordiscoverysolicit", 141}, {"icmp6-ineighbordiscoveryadvert", 142},
    {"icmp6-multicastlistenerreportv2", 143},
};

}  // namespace

std::optional<uint16_t> service_port(const std::string& name) { return find(kServices, name); }
std::optional<uint8_t> ip_protocol(const std::string& name) { return find(kIpProtocols, name); }
std::optional<uint16_t> ethertype(const std::string& name) { return find(kEthertypes, name); }
std::optional<uint32_t> constant(const std::string& name) { return find(kConstants, name); }

}  // namespace rs::filter_names
