// The limits of limits.def as constants; the headers that own each limit
// (port.h, lcore.h, fwd_engine.h, pcap_file.h) name theirs from here. Not
// "limits.h": with -Iengine that name would hide the C library's.
#pragma once
#include <cstdint>

namespace rs::limits {

#define RS_LIMIT(name, value) inline constexpr uint32_t k##name = value;
#include "limits.def"
#undef RS_LIMIT

}  // namespace rs::limits
