#include "memif/channel.h"
#include <unistd.h>
#include <algorithm>
#include "error.h"

namespace rs::memif {

namespace {

struct FdGuard {  // closes a received fd unless the channel keeps it
  int* fd;
  ~FdGuard() {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
};

Outgoing out(Message m, int fd = -1) { return Outgoing{encode(m), fd}; }

Message simple(MsgType t, const std::string& name = "") {
  Message m;
  m.type = t;
  m.name = name;
  return m;
}

}  // namespace

Channel::~Channel() {
  for (auto& r : rings_)
    if (r.eventfd >= 0) close(r.eventfd);
}

Channel Channel::server(Lookup lookup) {
  Channel c(Role::Server);
  c.lookup_ = std::move(lookup);
  c.state_ = State::AwaitInit;
  return c;
}

Channel Channel::client(const IfConfig& cfg) {
  Channel c(Role::Client);
  c.own_cfg_ = cfg;
  c.state_ = State::AwaitHello;
  return c;
}

Channel::Step Channel::open() {
  Step s;
  if (role_ != Role::Server) return s;
  Message h;
  h.type = MsgType::Hello;
  h.name = "ringside";
  h.min_version = h.max_version = kVersion;
  h.max_region = kMaxRegions - 1;
  h.max_c2s_ring = h.max_s2c_ring = kMaxQueuePairs - 1;
  h.max_log2_ring_size = kMaxLog2Ring;
  s.send.push_back(out(h));
  return s;
}

Channel::Step Channel::end(const std::string& why, bool tell_peer) {
  Step s;
  if (tell_peer && state_ != State::Closed) {
    Message d = simple(MsgType::Disconnect, why);
    s.send.push_back(out(d));
  }
  state_ = State::Closed;
  session_.reset();
  queue_.clear();
  s.closed = true;
  s.error = why;
  return s;
}

Channel::Step Channel::fail(const std::string& why) { return end(why); }

Channel::Step Channel::on_message(const Message& m, int fd) {
  FdGuard guard{&fd};
  if (state_ == State::Closed) return Step{};
  if (m.type == MsgType::Disconnect) {
    Step s = end("peer disconnected: " + (m.name.empty() ? std::string("no reason given") : m.name), false);
    return s;
  }
  return role_ == Role::Server ? server_msg(m, &fd) : client_msg(m, &fd);
}

Channel::Step Channel::server_msg(const Message& m, int* fd) {
  switch (state_) {
    case State::AwaitInit: {
      if (m.type != MsgType::Init) return end(std::string("expected init, got ") + msg_type_name(m.type));
      if (m.version != kVersion) return end("Incompatible memif version");
      std::string why;
      const IfConfig* cfg = lookup_(m.id, &why);
      if (!cfg) return end(why);
      if (m.mode != kModeEthernet) return end("Only ethernet mode supported");
      if (!cfg->secret.empty()) {
        if (m.secret.empty()) return end("Secret required");
        if (m.secret != cfg->secret.substr(0, kSecretSize)) return end("Incorrect secret");
      }
      cfg_ = cfg;
      peer_.app_name = m.name;
      peer_.version = m.version;
      session_ = std::make_unique<Session>();
      state_ = State::Setup;
      Step s;
      s.send.push_back(out(simple(MsgType::Ack)));
      return s;
    }
    case State::Setup: {
      Step s;
      if (m.type == MsgType::AddRegion) {
        if (*fd < 0) return end("Missing region fd");
        if (m.index != session_->regions.size()) return end("Invalid region index");
        Region r;
        std::string why = map_region(*fd, m.size, &r);
        if (!why.empty()) return end("region " + std::to_string(m.index) + ": " + why);
        *fd = -1;  // the region owns it now
        session_->regions.push_back(std::move(r));
        session_->index_bounds();
        s.send.push_back(out(simple(MsgType::Ack)));
        return s;
      }
      if (m.type == MsgType::AddRing) {
        if (*fd < 0) return end("Missing interrupt fd");
        bool c2s = m.flags & kAddRingC2S;
        uint16_t have = c2s ? cfg_->c2s : cfg_->s2c;
        if (m.index >= have) return end("Invalid ring index");
        for (const auto& r : rings_)
          if (r.c2s == c2s && r.index == m.index) return end("Invalid ring index");
        rings_.push_back(PendingRing{c2s, m.index, m.region, m.offset, m.log2_ring_size, *fd});
        *fd = -1;
        s.send.push_back(out(simple(MsgType::Ack)));
        return s;
      }
      if (m.type == MsgType::Connect) {
        // Rings must be numbered 0..n-1 in each direction.
        for (bool c2s : {true, false}) {
          auto& dst = c2s ? session_->c2s : session_->s2c;
          uint16_t n = static_cast<uint16_t>(std::count_if(rings_.begin(), rings_.end(), [&](const PendingRing& r) { return r.c2s == c2s; }));
          dst.resize(n);
          for (auto& r : rings_) {
            if (r.c2s != c2s) continue;
            if (r.index >= n) return end("Invalid ring index");
            auto ref = std::make_unique<RingRef>();
            std::string why = attach_ring(*session_, r.region, r.offset, r.log2, r.eventfd, ref.get());
            if (!why.empty()) return end(std::string(c2s ? "c2s" : "s2c") + " ring " + std::to_string(r.index) + ": " + why);
            r.eventfd = -1;  // the session owns it now
            dst[r.index] = std::move(ref);
          }
        }
        rings_.clear();
        reset_rings(*session_, Role::Server);  // before connected goes out: the client refills after it
        peer_.if_name = m.name;
        state_ = State::Connected;
        s.send.push_back(out(simple(MsgType::Connected, cfg_->if_name)));
        s.connected = true;
        return s;
      }
      return end(std::string("unexpected ") + msg_type_name(m.type) + " during setup");
    }
    case State::Connected:
      if (m.type == MsgType::Ack) return Step{};
      return end(std::string("unexpected ") + msg_type_name(m.type) + " while connected");
    default:
      return end("Unexpected message");
  }
}

Channel::Step Channel::send_next() {
  Step s;
  if (!queue_.empty()) {
    s.send.push_back(queue_.front());
    queue_.pop_front();
    if (queue_.empty()) state_ = State::AwaitConnected;
  }
  return s;
}

Channel::Step Channel::client_msg(const Message& m, int* fd) {
  switch (state_) {
    case State::AwaitHello: {
      if (m.type != MsgType::Hello) return end(std::string("expected hello, got ") + msg_type_name(m.type));
      if (m.min_version > kVersion || m.max_version < kVersion) return end("Incompatible memif version");
      peer_.app_name = m.name;
      peer_.version = kVersion;
      uint16_t c2s = static_cast<uint16_t>(std::min<uint32_t>(uint32_t(m.max_c2s_ring) + 1, own_cfg_.c2s));
      uint16_t s2c = static_cast<uint16_t>(std::min<uint32_t>(uint32_t(m.max_s2c_ring) + 1, own_cfg_.s2c));
      uint8_t log2 = std::min(m.max_log2_ring_size, own_cfg_.log2_ring);
      try {
        session_ = create_client_session(c2s, s2c, log2, own_cfg_.buffer_size);
      } catch (const Error& e) {
        return end(e.what());
      }
      Message init;
      init.type = MsgType::Init;
      init.version = kVersion;
      init.id = own_cfg_.id;
      init.mode = kModeEthernet;
      init.secret = own_cfg_.secret;
      init.name = own_cfg_.app_name;
      queue_.push_back(out(init));
      Message reg;
      reg.type = MsgType::AddRegion;
      reg.index = 0;
      reg.size = session_->regions[0].size;
      queue_.push_back(out(reg, session_->regions[0].fd));
      for (bool c2s_dir : {true, false}) {
        auto& rings = c2s_dir ? session_->c2s : session_->s2c;
        for (size_t i = 0; i < rings.size(); i++) {
          Message r;
          r.type = MsgType::AddRing;
          r.flags = c2s_dir ? kAddRingC2S : 0;
          r.index = static_cast<uint16_t>(i);
          r.region = rings[i]->region;
          r.offset = rings[i]->offset;
          r.log2_ring_size = rings[i]->log2;
          queue_.push_back(out(r, rings[i]->eventfd));
        }
      }
      queue_.push_back(out(simple(MsgType::Connect, own_cfg_.if_name)));
      state_ = State::Setup;
      return send_next();
    }
    case State::Setup:
      if (m.type != MsgType::Ack) return end(std::string("expected ack, got ") + msg_type_name(m.type));
      return send_next();
    case State::AwaitConnected:
      if (m.type == MsgType::Ack) return Step{};
      if (m.type != MsgType::Connected) return end(std::string("expected connected, got ") + msg_type_name(m.type));
      peer_.if_name = m.name;
      state_ = State::Connected;
      reset_rings(*session_, Role::Client);
      {
        Step s;
        s.connected = true;
        return s;
      }
    case State::Connected:
      if (m.type == MsgType::Ack) return Step{};
      return end(std::string("unexpected ") + msg_type_name(m.type) + " while connected");
    default:
      return end("Unexpected message");
  }
}

}  // namespace rs::memif
