// What each driver file exports to the driver table (table.cpp), plus the
// devargs helpers every driver uses so all of them reject and explain bad
// options the same way.
#pragma once
#include <cstdint>
#include <string>
#include "port.h"

namespace rs {

const DriverInfo& net_null_driver();
const DriverInfo& net_ring_driver();
const DriverInfo& net_pcap_driver();
const DriverInfo& net_af_xdp_driver();
const DriverInfo& net_tap_driver();
const DriverInfo& net_af_packet_driver();
const DriverInfo& net_memif_driver();

// Throws EDEVARGS when args names another driver or holds a key the driver
// does not take; the message lists the keys it does take.
void check_devargs(const DevArgs& args, const DriverInfo& d);

// Strict unsigned decimal (no sign, no spaces, no trailing text); false if
// malformed or above max.
bool parse_uint(const std::string& s, uint64_t max, uint64_t* out);

}  // namespace rs
