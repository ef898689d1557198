// Minimal test harness for the standalone engine test binary: TEST(name)
// registers a function; CHECK/CHECK_EQ record failures with file and line and
// carry on; main() runs every test (or those whose name contains argv[1]).
#pragma once
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace rstest {

// Sanitizer builds run several times slower (ThreadSanitizer most): stress
// tests divide their rounds by this, keeping the same coverage.
#if defined(__SANITIZE_THREAD__)
inline constexpr unsigned kStressDivisor = 8;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr unsigned kStressDivisor = 2;
#else
inline constexpr unsigned kStressDivisor = 1;
#endif

struct Case { const char* name; std::function<void()> fn; };
inline std::vector<Case>& cases() { static std::vector<Case> c; return c; }
inline int& failures() { static int f = 0; return f; }
struct Register { Register(const char* n, std::function<void()> f) { cases().push_back({n, std::move(f)}); } };

template <typename A, typename B>
void check_eq(const A& a, const B& b, const char* ea, const char* eb, const char* file, int line) {
  if (a == b) return;
  std::ostringstream os;
  os << file << ":" << line << ": CHECK_EQ(" << ea << ", " << eb << ") failed: " << a << " != " << b;
  std::fprintf(stderr, "    %s\n", os.str().c_str());
  failures()++;
}

}  // namespace rstest

#define RS_CAT2(a, b) a##b
#define RS_CAT(a, b) RS_CAT2(a, b)
#define TEST(name)                                                              \
  static void RS_CAT(test_, name)();                                            \
  static rstest::Register RS_CAT(reg_, name)(#name, RS_CAT(test_, name));       \
  static void RS_CAT(test_, name)()
#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);     \
      rstest::failures()++;                                                                  \
    }                                                                                        \
  } while (0)
#define CHECK_EQ(a, b) rstest::check_eq((a), (b), #a, #b, __FILE__, __LINE__)
// Expect an rs::Error with this code from the statement.
#define CHECK_THROWS_CODE(stmt, want)                                                         \
  do {                                                                                        \
    std::string got_code = "(no error)";                                                      \
    try { stmt; } catch (const rs::Error& e) { got_code = e.code(); }                         \
    if (got_code != (want)) {                                                                 \
      std::fprintf(stderr, "    %s:%d: %s: expected error %s, got %s\n", __FILE__, __LINE__, #stmt, \
                   std::string(want).c_str(), got_code.c_str());                              \
      rstest::failures()++;                                                                   \
    }                                                                                         \
  } while (0)
