#include "memif/service.h"
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>
#include "error.h"

namespace rs::memif {

namespace {

constexpr int kTickMs = 100;         // fault flags are polled this often
constexpr int kRetryMs = 1000;       // a client without its server tries again this often
// A peer that stalls mid-handshake is dropped. A DPDK client sends init when
// it connects (at probe) but its regions only when its port starts, which on
// a busy machine comes many seconds later: 5 s dropped testpmd mid-start-up.
constexpr auto kHandshakeLimit = std::chrono::seconds(15);
constexpr size_t kSunPath = sizeof(sockaddr_un::sun_path);

socklen_t make_addr(const std::string& path, bool abstract, sockaddr_un* sun) {
  std::memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  if (abstract) {
    // Abstract names: a leading NUL, and the length says where the name ends.
    size_t n = std::min(path.size(), kSunPath - 1);
    std::memcpy(sun->sun_path + 1, path.data(), n);
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  }
  std::memcpy(sun->sun_path, path.data(), std::min(path.size(), kSunPath - 1));
  return sizeof *sun;
}

std::string where(const std::string& path, bool abstract) { return abstract ? "@" + path : path; }

struct Listener {
  std::string path;
  bool abstract = true;
  int fd = -1;
};

struct Conn {
  int fd = -1;
  std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  std::string key;              // socket key
  Interface* itf = nullptr;     // bound interface (client: from the start; server: after init)
  std::unique_ptr<Channel> ch;
};

class Service {
 public:
  // Never destroyed: its thread runs until the process ends.
  static Service& get() {
    static Service* s = new Service;
    return *s;
  }

  void add(Interface* itf) {
    std::lock_guard<std::mutex> g(mu_);
    start_thread();
    std::string key = key_of(itf);
    for (Interface* o : itfs_)
      if (key_of(o) == key && o->cfg.id == itf->cfg.id && o->cfg.role == itf->cfg.role)
        throw Error("EMEMIF", "memif: another " + std::string(role_name(itf->cfg.role)) + " interface already has id " +
                                  std::to_string(itf->cfg.id) + " on socket " + where(itf->socket_path, itf->abstract) +
                                  ": give each a different id=");
    if (itf->cfg.role == Role::Server && !listeners_.count(key)) listeners_[key] = listen_on(itf);
    itfs_.push_back(itf);
    if (itf->cfg.role == Role::Client) {
      retry_at_[itf] = {};
      try_client(itf);
    }
  }

  void remove(Interface* itf, const std::string& reason) {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = conns_.begin(); it != conns_.end();) {
      Conn& c = it->second;
      if (c.itf == itf) {
        send_step(c, c.ch->fail(reason));
        itf->on_disconnected(reason);
        close_conn_fd(c);
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
    retry_at_.erase(itf);
    waiting_said_.erase(itf);
    std::erase(itfs_, itf);
    std::string key = key_of(itf);
    bool still = false;
    for (Interface* o : itfs_) still = still || (o->cfg.role == Role::Server && key_of(o) == key);
    if (itf->cfg.role == Role::Server && !still) {
      auto it = listeners_.find(key);
      if (it != listeners_.end()) {
        epoll_ctl(ep_, EPOLL_CTL_DEL, it->second.fd, nullptr);
        close(it->second.fd);
        if (!it->second.abstract) unlink(it->second.path.c_str());
        listeners_.erase(it);
      }
    }
  }

 private:
  using Step = Channel::Step;
  std::mutex mu_;
  int ep_ = -1;
  std::vector<Interface*> itfs_;
  std::map<std::string, Listener> listeners_;
  std::map<int, Conn> conns_;
  std::map<Interface*, std::chrono::steady_clock::time_point> retry_at_;
  std::map<Interface*, bool> waiting_said_;

  static std::string key_of(const Interface* i) { return (i->abstract ? "@" : "") + i->socket_path; }

  // The thread lives for the process (a static), parked in epoll_wait.
  void start_thread() {
    if (ep_ >= 0) return;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) throw Error("EMEMIF", std::string("memif: epoll_create1 failed: ") + std::strerror(errno));
    ep_ = ep;
    std::thread([this] { run(); }).detach();
  }

  Listener listen_on(Interface* itf) {
    Listener l;
    l.path = itf->socket_path;
    l.abstract = itf->abstract;
    sockaddr_un sun;
    socklen_t len = make_addr(l.path, l.abstract, &sun);
    l.fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l.fd < 0) throw Error("EMEMIF", std::string("memif: socket failed: ") + std::strerror(errno));
    int rc = bind(l.fd, reinterpret_cast<sockaddr*>(&sun), len);
    if (rc < 0 && errno == EADDRINUSE && !l.abstract) {
      // A socket file left by a process that died: nobody answers on it.
      int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
      bool alive = probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&sun), len) == 0;
      if (probe >= 0) close(probe);
      if (!alive) {
        unlink(l.path.c_str());
        rc = bind(l.fd, reinterpret_cast<sockaddr*>(&sun), len);
      } else {
        errno = EADDRINUSE;
      }
    }
    if (rc < 0 || listen(l.fd, 8) < 0) {
      int e = errno;
      close(l.fd);
      std::string why = e == EADDRINUSE ? "another process already listens there: stop it or use another socket="
                                        : std::string(std::strerror(e));
      throw Error("EMEMIF", "memif: cannot listen on " + where(l.path, l.abstract) + ": " + why);
    }
    add_fd(l.fd);
    return l;
  }

  void add_fd(int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  }

  void close_conn_fd(Conn& c) {
    if (c.fd < 0) return;
    epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
  }

  // Sends what a step asks for; false when the socket failed.
  bool send_step(Conn& c, const Step& s) {
    for (const Outgoing& o : s.send) {
      if (c.fd < 0 || !send_message(c.fd, o)) return false;
    }
    return true;
  }

  void try_client(Interface* itf) {
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sockaddr_un sun;
    socklen_t len = make_addr(itf->socket_path, itf->abstract, &sun);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sun), len) < 0) {
      int e = errno;
      close(fd);
      retry_at_[itf] = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRetryMs);
      if (!waiting_said_[itf])
        itf->report("waiting for a memif server on " + where(itf->socket_path, itf->abstract) + " (" + std::strerror(e) +
                        "); retrying every second",
                    false);
      waiting_said_[itf] = true;
      return;
    }
    waiting_said_[itf] = false;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    retry_at_.erase(itf);
    Conn c;
    c.fd = fd;
    c.key = key_of(itf);
    c.itf = itf;
    c.ch = std::make_unique<Channel>(Channel::client(itf->cfg));
    add_fd(fd);
    conns_.emplace(fd, std::move(c));
  }

  void accept_on(const std::string& key, int lfd) {
    for (;;) {
      int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      Conn c;
      c.fd = fd;
      c.key = key;
      c.ch = std::make_unique<Channel>(Channel::server([this, key](uint32_t id, std::string* why) { return lookup(key, id, why); }));
      Step s = c.ch->open();
      add_fd(fd);
      auto [it, ok] = conns_.emplace(fd, std::move(c));
      if (!send_step(it->second, s)) {
        close_conn_fd(it->second);
        conns_.erase(it);
      }
    }
  }

  const IfConfig* lookup(const std::string& key, uint32_t id, std::string* why) {
    for (Interface* i : itfs_) {
      if (i->cfg.role != Role::Server || key_of(i) != key || i->cfg.id != id) continue;
      for (auto& [fd, c] : conns_)
        if (c.itf == i) {
          *why = "Already connected";
          return nullptr;
        }
      return &i->cfg;
    }
    *why = "ID not found";
    return nullptr;
  }

  Interface* bound_server(const std::string& key, const IfConfig* cfg) {
    for (Interface* i : itfs_)
      if (&i->cfg == cfg && key_of(i) == key) return i;
    return nullptr;
  }

  // One readable control socket: every message waiting on it.
  void on_readable(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    Conn& c = it->second;
    for (;;) {
      WireMsg w;
      iovec iov{&w, sizeof w};
      alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int) * 4)];
      msghdr mh{};
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = ctl;
      mh.msg_controllen = sizeof ctl;
      ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      int afd = -1;
      for (cmsghdr* cm = CMSG_FIRSTHDR(&mh); n >= 0 && cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t k = 0; k < nfds; k++) {
          int f;
          std::memcpy(&f, CMSG_DATA(cm) + k * sizeof(int), sizeof f);
          if (afd < 0) afd = f;
          else close(f);  // one fd per message is the protocol; more are refused
        }
      }
      Step s;
      if (n <= 0) {
        if (afd >= 0) close(afd);
        s = c.ch->fail(n == 0 ? "peer closed the control channel (it exited or was killed)"
                              : std::string("control channel error: ") + std::strerror(errno));
        s.send.clear();  // nobody to tell
      } else if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (afd >= 0) close(afd);
        s = c.ch->fail("Invalid message size");
      } else {
        Message m;
        std::string bad = decode(&w, static_cast<size_t>(n), &m);
        if (!bad.empty()) {
          if (afd >= 0) close(afd);
          s = c.ch->fail("malformed control message: " + bad);
        } else {
          s = c.ch->on_message(m, afd);
        }
      }
      if (!c.itf && c.ch->config()) c.itf = bound_server(c.key, c.ch->config());
      bool sent = send_step(c, s);
      if (s.connected && sent && c.itf) {
        c.itf->on_connected(c.ch->take_session(), c.ch->peer());
      }
      if (s.closed || !sent) {
        std::string why = s.closed ? s.error : "cannot send on the control channel";
        Interface* itf = c.itf;
        close_conn_fd(c);
        conns_.erase(it);
        if (itf) {
          itf->on_disconnected(why);
          if (itf->cfg.role == Role::Client)
            retry_at_[itf] = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRetryMs);
        }
        return;
      }
    }
  }

  void tick() {
    auto now = std::chrono::steady_clock::now();
    std::vector<Interface*> due;
    for (auto& [itf, at] : retry_at_)
      if (at <= now) due.push_back(itf);
    for (Interface* itf : due) try_client(itf);
    for (auto it = conns_.begin(); it != conns_.end();) {
      Conn& c = it->second;
      std::string fault = c.itf ? c.itf->take_fault() : "";
      // Else it would hold its interface ("Already connected") for ever.
      if (fault.empty() && !c.ch->is_connected() && now - c.opened > kHandshakeLimit)
        fault = "the peer stalled in the handshake for 15 s";
      if (!fault.empty() && !c.itf) {
        send_step(c, c.ch->fail(fault));
        close_conn_fd(c);
        it = conns_.erase(it);
        continue;
      }
      if (fault.empty()) {
        ++it;
        continue;
      }
      Interface* itf = c.itf;
      send_step(c, c.ch->fail(fault));
      close_conn_fd(c);
      it = conns_.erase(it);
      itf->on_disconnected(fault);
      if (itf->cfg.role == Role::Client) retry_at_[itf] = now + std::chrono::milliseconds(kRetryMs);
    }
  }

  void run() {
    auto next_tick = std::chrono::steady_clock::now();
    for (;;) {
      epoll_event evs[16];
      int n = epoll_wait(ep_, evs, 16, kTickMs);
      std::lock_guard<std::mutex> g(mu_);
      for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        bool is_listener = false;
        for (auto& [key, l] : listeners_)
          if (l.fd == fd) {
            accept_on(key, fd);
            is_listener = true;
            break;
          }
        if (!is_listener) on_readable(fd);
      }
      auto now = std::chrono::steady_clock::now();
      if (now >= next_tick) {
        tick();
        next_tick = now + std::chrono::milliseconds(kTickMs);
      }
    }
  }
};

}  // namespace

std::string check_socket_path(const std::string& path, bool abstract) {
  if (path.empty()) return "socket= is empty: give a path such as /run/memif.sock";
  if (path.size() >= kSunPath - (abstract ? 1 : 0))
    return "socket path of " + std::to_string(path.size()) + " characters is too long (a Unix socket address holds " +
           std::to_string(kSunPath - 1) + ")";
  if (abstract) return "";
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct stat st {};
  if (stat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
    return "socket directory " + dir + " does not exist: create it, or use socket-abstract=yes";
  if (access(dir.c_str(), W_OK | X_OK) < 0)
    return "socket directory " + dir + " is not writable: choose another socket=, or use socket-abstract=yes";
  return "";
}

void add_interface(Interface* itf) { Service::get().add(itf); }
void remove_interface(Interface* itf, const std::string& reason) { Service::get().remove(itf, reason); }

bool send_message(int fd, const Outgoing& o) {
  iovec iov{const_cast<WireMsg*>(&o.msg), sizeof o.msg};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
  if (o.fd >= 0) {
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    cmsghdr* cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cm), &o.fd, sizeof(int));
  }
  return sendmsg(fd, &mh, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof o.msg);
}

}  // namespace rs::memif
