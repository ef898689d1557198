#include "lcore.h"

namespace rs {

static thread_local unsigned tls_lcore = kNoLcore;

unsigned this_lcore() { return tls_lcore; }
void set_this_lcore(unsigned id) { tls_lcore = id; }

}  // namespace rs
