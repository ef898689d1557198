// Every forwarding engine, one per file in fwd/; table.cpp lists them.
#pragma once
#include "fwd_engine.h"

namespace rs {

extern const FwdEngine fwd_io;
extern const FwdEngine fwd_mac;
extern const FwdEngine fwd_macswap;
extern const FwdEngine fwd_flowgen;
extern const FwdEngine fwd_rxonly;
extern const FwdEngine fwd_txonly;
extern const FwdEngine fwd_csum;
extern const FwdEngine fwd_icmpecho;
extern const FwdEngine fwd_5tswap;
extern const FwdEngine fwd_noisy;

}  // namespace rs
