// Every feature's Engine methods, one line per feature binding file.
#include "binding.h"

namespace rsb {

const std::vector<const MethodTable*>& feature_method_tables() {
  static const std::vector<const MethodTable*> tables = {};
  return tables;
}

}  // namespace rsb
