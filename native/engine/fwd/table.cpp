// The forwarding modes, in the order `set fwd` lists them (testpmd's order).
// The shell's choices and help come from here, never from a second list.
#include <string>
#include "engines.h"

namespace rs {

const std::vector<const FwdEngine*>& fwd_engine_table() {
  static const std::vector<const FwdEngine*> table = {
      &fwd_io, &fwd_mac, &fwd_macswap, &fwd_flowgen, &fwd_rxonly, &fwd_txonly, &fwd_csum, &fwd_icmpecho, &fwd_noisy, &fwd_5tswap,
  };
  return table;
}

const FwdEngine* find_fwd_engine(const std::string& name) {
  for (const FwdEngine* e : fwd_engine_table())
    if (name == e->name) return e;
  return nullptr;
}

}  // namespace rs
