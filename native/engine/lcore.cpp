#include "lcore.h"
#include <sched.h>

namespace rs {

static thread_local unsigned tls_lcore = kNoLcore;

unsigned this_lcore() { return tls_lcore; }
void set_this_lcore(unsigned id) { tls_lcore = id; }

// CPUs this process may run on, read once: lcore i goes to the (i % n)-th of
// them, so lcore 1 avoids the first CPU, where Node's main thread usually is.
const std::vector<int>& allowed_cpus() {
  static const std::vector<int> cpus = [] {
    std::vector<int> v;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
      for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) v.push_back(c);
    if (v.empty()) v.push_back(0);
    return v;
  }();
  return cpus;
}

}  // namespace rs
