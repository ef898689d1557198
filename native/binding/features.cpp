// Every feature's Engine methods, one line per feature binding file.
#include "binding.h"

namespace rsb {

extern const MethodTable netevents_methods;  // netevents.cpp: IF proxy, KNI, events
extern const MethodTable capture_methods;  // capture.cpp: capture, replay, pcap info/show

const std::vector<const MethodTable*>& feature_method_tables() {
  static const std::vector<const MethodTable*> tables = {&capture_methods, &netevents_methods};
  return tables;
}

}  // namespace rsb
