// The IF proxy's rtnetlink listener thread: started quietly for bindings and
// KNI, listening (events out) on request, and an overflow (ENOBUFS) followed
// by a re-dump diffed against the cache (ifproxy_diff.cpp).
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include "../error.h"
#include "ifproxy.h"

namespace rs {

namespace {

constexpr uint64_t kReqListen = 1, kReqStop = 2, kReqUnlisten = 4, kReqStall = 8;

}  // namespace

void IfProxy::wake(uint64_t what) {
  requests_.fetch_or(what);
  uint64_t one = 1;
  if (evfd_ >= 0) (void)!::write(evfd_, &one, sizeof one);
}

void IfProxy::start(int rcvbuf) {
  if (running_) return;
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) throw Error("ENETLINK", std::string("cannot create an eventfd: ") + std::strerror(errno));
  evfd_ = fd;
  try {
    sock_.open(true, rcvbuf > 0 ? rcvbuf : kDefaultRcvbuf);
    rcvbuf_ = sock_.rcvbuf();
    inode_ = sock_.inode();
    drops_seen_ = std::max<int64_t>(0, rtnl::socket_drops(inode_));
    resync(false, nullptr);  // the cache, quietly, before anyone asks
    requests_ = 0;
    thread_ = std::thread(&IfProxy::run, this);
  } catch (...) {
    sock_.close();
    ::close(evfd_);
    evfd_ = -1;
    throw;
  }
  running_ = true;
}

void IfProxy::stop() {
  if (!running_) return;
  wake(kReqStop);
  thread_.join();
  sock_.close();
  ::close(evfd_);
  evfd_ = -1;
  running_ = false;
  std::lock_guard<std::mutex> g(mu_);
  emitting_ = false;
}

void IfProxy::listen(int rcvbuf) {
  if (!running_) {
    start(rcvbuf);
  } else if (rcvbuf > 0 && rcvbuf != rcvbuf_) {
    int fd = sock_.fd();
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    rcvbuf_ = sock_.rcvbuf();
  }
  wake(kReqListen);
}

void IfProxy::stall(uint32_t ms) {
  if (!running_) start();
  stall_ms_ = ms;
  wake(kReqStall);
}

void IfProxy::close_listen() {
  if (running_) wake(kReqUnlisten);
}

void IfProxy::run() {
  pollfd fds[2] = {{sock_.fd(), POLLIN, 0}, {evfd_, POLLIN, 0}};
  auto error_event = [this](const std::string& what) {
    Event e;
    e.name = "error";
    e.values.push_back({"message", what});
    events_.push(std::move(e));
  };
  for (;;) {
    int r = ::poll(fds, 2, -1);
    if (r < 0 && errno != EINTR) {
      error_event(std::string("netlink listener poll: ") + std::strerror(errno));
      return;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      (void)!::read(evfd_, &v, sizeof v);
      uint64_t req = requests_.exchange(0);
      if (req & kReqStop) return;
      if (req & kReqStall) {
        // Slept in small steps so a stop is not held up.
        for (uint32_t t = 0; t < stall_ms_.load() && !(requests_.load() & kReqStop); t += 10)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (requests_.load() & kReqStop) return;
      }
      if (req & kReqUnlisten) {
        std::lock_guard<std::mutex> g(mu_);
        emitting_ = false;
      }
      if (req & kReqListen) {
        {
          std::lock_guard<std::mutex> g(mu_);
          emitting_ = true;
        }
        try {
          resync(true, nullptr);
        } catch (const Error& e) {
          error_event(e.what());
        }
        Event fin;
        fin.name = "cfg_finished";
        events_.push(std::move(fin));
      }
    }
    // Everything queued, in batches, each batch's events pushed together.
    for (;;) {
      std::vector<Event> evs;
      std::vector<rtnl::LinkMsg> links;
      std::vector<int> gone;
      int n;
      try {
        n = sock_.receive([&](const rtnl::Msg& m) { handle(m, evs, links, gone); }, 32);
      } catch (const Error& e) {
        error_event(e.what());
        n = 0;
      }
      events_.push(std::move(evs));
      call_link_hooks(links, gone);
      if (n == -ENOBUFS) {
        overflow();
        continue;
      }
      if (n <= 0) break;
    }
  }
}

void IfProxy::overflow() {
  overflows_++;
  int64_t d = rtnl::socket_drops(inode_);
  int64_t missed = -1;
  if (d >= 0) {
    missed = d - drops_seen_;
    drops_seen_ = d;
    missed_ += static_cast<uint64_t>(std::max<int64_t>(missed, 0));
  }
  bool emitting;
  {
    std::lock_guard<std::mutex> g(mu_);
    emitting = emitting_;
  }
  if (emitting) {
    Event e;
    e.name = "overflow";
    e.values.push_back({"missed", missed >= 0 ? std::to_string(missed) : "unknown"});
    e.values.push_back({"rcvbuf", std::to_string(rcvbuf_)});
    events_.push(std::move(e));
  }
  uint64_t changes = 0;
  try {
    resync(false, &changes);
  } catch (const Error& err) {
    Event e;
    e.name = "error";
    e.values.push_back({"message", std::string("re-dump after overflow: ") + err.what()});
    events_.push(std::move(e));
  }
  recovered_ += changes;
  if (emitting) {
    Event fin;
    fin.name = "cfg_finished";
    fin.values.push_back({"after", "overflow"});
    fin.values.push_back({"recovered", std::to_string(changes)});
    events_.push(std::move(fin));
  }
}

}  // namespace rs
