// Runs every registered test, or those whose name contains any argument;
// prints one line per test and a closing "N passed, N failed" line. Exit
// status 1 when anything failed.
#include <cstring>
#include <exception>
#include "harness.h"

static bool selected(const char* name, int argc, char** argv) {
  if (argc < 2) return true;
  for (int i = 1; i < argc; i++)
    if (std::strstr(name, argv[i])) return true;
  return false;
}

int main(int argc, char** argv) {
  int passed = 0, failed = 0;
  for (auto& c : rstest::cases()) {
    if (!selected(c.name, argc, argv)) continue;
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
