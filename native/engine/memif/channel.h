// The memif control channel as a state machine, for both roles, with no
// socket inside: it takes decoded messages (and the fd that came with each)
// and returns what to send, so the socket service drives it and the fuzz test
// can feed it anything.
//
//   server                          client
//   hello            ------------>
//                    <------------  init (id, secret)
//   ack              ------------>
//                    <------------  add_region (memfd)   } one per region,
//   ack              ------------>                       } then per ring
//                    <------------  add_ring (eventfd)   }
//   ack              ------------>
//                    <------------  connect (if name)
//   connected        ------------>
//   either side: disconnect (reason), then close
//
// The client sends its next message on each ack, as DPDK does.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include "memif/codec.h"
#include "memif/shm.h"

namespace rs::memif {

// One local interface's settings.
struct IfConfig {
  Role role = Role::Client;
  uint32_t id = 0;
  std::string secret;
  uint8_t log2_ring = 10;
  uint32_t buffer_size = 2048;
  uint16_t c2s = 1, s2c = 1;  // rings wanted: client tx/rx, server rx/tx
  std::string app_name;       // sent in hello/init ("ringside")
  std::string if_name;        // sent in connect/connected (the port's name)
};

struct PeerInfo {
  std::string app_name, if_name;
  uint16_t version = 0;
};

struct Outgoing {
  WireMsg msg;
  int fd = -1;  // passed with SCM_RIGHTS; owned by the session, not the message
};

class Channel {
 public:
  // Finds the server interface an init names: its config, or null with why
  // ("no interface with id 7 on this socket", "already connected").
  using Lookup = std::function<const IfConfig*(uint32_t id, std::string* why)>;

  static Channel server(Lookup lookup);  // starts by sending hello
  static Channel client(const IfConfig& cfg);

  struct Step {
    std::vector<Outgoing> send;
    bool connected = false;  // the session is complete: take it
    bool closed = false;     // the channel is over (error or peer's disconnect); close the socket after sending
    std::string error;       // why we end it (also sent to the peer), or the peer's reason
  };

  // Messages to send when the connection opens (server: hello).
  Step open();
  // One message from the peer, and the fd that came with it (the channel
  // owns it from here and closes it if unused).
  Step on_message(const Message& m, int fd);
  // Protocol-level failure of the socket itself (a malformed message).
  Step fail(const std::string& why);

  // The interface this channel serves (server: once init named it).
  const IfConfig* config() const { return role_ == Role::Client ? &own_cfg_ : cfg_; }
  const PeerInfo& peer() const { return peer_; }
  // After connected: the shared memory, for the data path.
  std::unique_ptr<Session> take_session() { return std::move(session_); }
  bool is_connected() const { return state_ == State::Connected; }

  Channel(Channel&&) = default;
  Channel& operator=(Channel&&) = default;
  ~Channel();

 private:
  enum class State { AwaitHello, AwaitInit, Setup, AwaitConnected, Connected, Closed };
  explicit Channel(Role role) : role_(role) {}
  Step server_msg(const Message& m, int* fd);
  Step client_msg(const Message& m, int* fd);
  Step end(const std::string& why, bool tell_peer = true);
  Step send_next();

  Role role_;
  State state_ = State::Closed;
  Lookup lookup_;
  IfConfig own_cfg_;              // client's settings
  const IfConfig* cfg_ = nullptr;  // server: the interface init named
  PeerInfo peer_;
  std::unique_ptr<Session> session_;
  std::deque<Outgoing> queue_;  // client: setup messages not sent yet
  // Server: what add_ring announced, attached at connect once regions are mapped.
  struct PendingRing { bool c2s; uint16_t index, region; uint32_t offset; uint8_t log2; int eventfd; };
  std::vector<PendingRing> rings_;
};

}  // namespace rs::memif
