// Every feature's Engine methods, one line per feature binding file.
#include "binding.h"

namespace rsb {

extern const MethodTable port_methods;        // ports.cpp: attach, detach, port info and settings
extern const MethodTable forwarding_methods;  // forwarding.cpp: forwarding settings, start/stop, snapshot
extern const MethodTable netevents_methods;  // netevents.cpp: IF proxy, KNI, events
extern const MethodTable capture_methods;  // capture.cpp: capture, replay, pcap info/show
extern const MethodTable gen_methods;      // gen.cpp: templates, IMIX, flowgen, txrate/txcount, latency

extern const MethodTable flow_methods;      // flow.cpp: software RSS and flow rules
extern const MethodTable diag_methods;      // diag.cpp: queue info/rings, mempool, lcore load
extern const MethodTable verbose_methods;   // verbose.cpp: set verbose taps and their packets

const std::vector<const MethodTable*>& feature_method_tables() {
  static const std::vector<const MethodTable*> tables = {&port_methods, &forwarding_methods,
                                                                &capture_methods, &netevents_methods, &gen_methods, &flow_methods,
                                                                &diag_methods, &verbose_methods};
  return tables;
}

}  // namespace rsb
