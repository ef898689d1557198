// Runs every registered test; prints one line per test and a closing
// "N passed, N failed" line. Exit status 1 when anything failed.
#include <cstring>
#include <exception>
#include "harness.h"

int main(int argc, char** argv) {
  int passed = 0, failed = 0;
  for (auto& c : rstest::cases()) {
    if (argc > 1 && !std::strstr(c.name, argv[1])) continue;
    int before = rstest::failures();
    try {
      c.fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "    uncaught exception: %s\n", e.what());
      rstest::failures()++;
    }
    bool ok = rstest::failures() == before;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
    std::fflush(stdout);
    (ok ? passed : failed)++;
  }
  std::printf("native: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
