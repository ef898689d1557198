// The driver table: the single list of drivers. `port attach` looks drivers up
// here by devargs prefix; help and completion come from the same entries.
#include <sstream>
#include "drivers.h"
#include "error.h"

namespace rs {

const std::vector<DriverInfo>& driver_table() {
  static const std::vector<DriverInfo> table{net_null_driver(), net_ring_driver(), net_pcap_driver(), net_tap_driver(),
                                                net_af_packet_driver(), net_af_xdp_driver(),
                                                net_memif_driver()};
  return table;
}

const DriverInfo* find_driver(const std::string& name) {
  for (const DriverInfo& d : driver_table())
    if (name == d.name) return &d;
  return nullptr;
}

void check_devargs(const DevArgs& args, const DriverInfo& d) {
  if (args.driver != d.name)
    throw Error("EDEVARGS", "'" + args.name + "' is not a " + d.name + " device name: write " + d.name + "0, " +
                                d.name + "1, ...");
  std::string keys = d.keys;
  std::vector<std::string> valid;
  std::istringstream in(keys);
  for (std::string k; std::getline(in, k, ',');)
    if (!k.empty()) valid.push_back(k);
  for (const auto& [key, value] : args.kv) {
    bool ok = false;
    for (const auto& k : valid) ok = ok || k == key;
    if (ok) continue;
    std::string takes;
    for (const auto& k : valid) takes += (takes.empty() ? "" : ", ") + k + "=";
    throw Error("EDEVARGS", args.name + ": unknown key '" + key + "'; " + d.name +
                                (valid.empty() ? std::string(" takes no keys") : " takes " + takes));
  }
}

bool parse_uint(const std::string& s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

}  // namespace rs
