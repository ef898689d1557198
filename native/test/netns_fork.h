// Shared by test_netlink.cpp and test_kni.cpp: run a test body in a forked
// child inside a fresh network namespace (unshare(CLONE_NEWNET)), so every
// interface, address and route made there vanishes with the child. Root
// only; otherwise the test prints why it skips (a failure under CI=true).
#pragma once
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include "harness.h"

namespace rsnet {

inline void skip_or_fail(const char* test, const std::string& why) {
  const char* ci = std::getenv("CI");
  if (ci && std::strcmp(ci, "true") == 0) {
    std::fprintf(stderr, "    %s: %s; CI=true, so this is a failure, not a skip\n", test, why.c_str());
    rstest::failures()++;
  } else {
    std::printf("skip %s: %s\n", test, why.c_str());
  }
}

inline void in_netns(const char* test, const std::function<void()>& fn, unsigned timeout_s = 90) {
  if (::geteuid() != 0) {
    skip_or_fail(test, "needs root (network namespaces, CAP_NET_ADMIN); run 'sudo make -C native test'");
    return;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::fprintf(stderr, "    %s: fork: %s\n", test, std::strerror(errno));
    rstest::failures()++;
    return;
  }
  if (pid == 0) {
    ::alarm(timeout_s);
    if (::unshare(CLONE_NEWNET) != 0 || std::system("ip link set lo up") != 0) ::_exit(77);
    int before = rstest::failures();
    try {
      fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "    uncaught exception in namespace child: %s\n", e.what());
      rstest::failures()++;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(std::min(rstest::failures() - before, 76));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    std::fprintf(stderr, "    %s: namespace child died of signal %d%s\n", test, WTERMSIG(status),
                 WTERMSIG(status) == SIGALRM ? " (timed out)" : "");
    rstest::failures()++;
  } else if (WEXITSTATUS(status) == 77) {
    skip_or_fail(test, "cannot create a network namespace here (no CAP_SYS_ADMIN, or iproute2 missing)");
  } else {
    rstest::failures() += WEXITSTATUS(status);
  }
}

inline bool sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::fprintf(stderr, "    command failed (%d): %s\n", rc, cmd.c_str());
    rstest::failures()++;
  }
  return rc == 0;
}

// Polls pred every 5 ms for at most ms milliseconds.
template <typename P>
bool wait_for(P pred, int ms = 3000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

}  // namespace rsnet
