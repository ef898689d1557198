// The memif control plane of the process: one thread that owns every memif
// Unix socket (listeners and control channels), drives their Channels, retries
// clients every second until their server answers, and polls the data path's
// fault flags. Never on the packet path. Interfaces on one socket path share
// its listener and are told apart by id, as in DPDK.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include "memif/channel.h"

namespace rs::memif {

// What the service needs from a port (implemented by net_memif).
class Interface {
 public:
  IfConfig cfg;
  std::string socket_path;
  bool abstract = true;

  // Service thread, service lock held. on_connected publishes the session to
  // the data path; on_disconnected withdraws it and waits until no poll
  // thread uses it before returning (the session is then freed).
  virtual void on_connected(std::unique_ptr<Session> s, const PeerInfo& peer) = 0;
  virtual void on_disconnected(const std::string& why) = 0;
  // A data-path fault seen since the last call ("" none): descriptors
  // outside their region, ring indexes out of range.
  virtual std::string take_fault() = 0;
  // A line for the user (waiting for the server, refused, ...).
  virtual void report(const std::string& line, bool is_error) = 0;

 protected:
  ~Interface() = default;
};

// Checks a socket path as DPDK does before use: length, and for a file path a
// directory that exists and is writable. "" or the line to show.
std::string check_socket_path(const std::string& path, bool abstract);

// Registers an interface (port start): a server's listener is created with
// the first server interface on its path (throws rs::Error EMEMIF if it
// cannot be), a client connects now and then every second until it can.
// Throws EMEMIF for a second interface with the same id and role on a path.
void add_interface(Interface* itf);
// Unregisters (port stop): sends disconnect to a connected peer, withdraws
// the session; the listener goes with the last server interface on its path.
void remove_interface(Interface* itf, const std::string& reason);

// Sends one control message on a connected socket, with its file descriptor
// (SCM_RIGHTS) when it carries one; false when the socket failed.
bool send_message(int fd, const Outgoing& o);

}  // namespace rs::memif
