// Files the user names: a FIFO given as a pcap to read or a capture to write
// is refused at once instead of blocking open(); a capture does not write
// through a symbolic link, nor over another user's file in a sticky directory.
#include <chrono>
#include <fcntl.h>
#include <future>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include "capture_util.h"
#include "error.h"
#include "harness.h"
#include "pcap_file.h"

using captest::TempDir;

namespace {

// Runs open_fn on another thread. If it is still blocked after two seconds
// (the bug), opening the FIFO's other end with `unblock_flags` releases it so
// the test fails instead of hanging. Returns the error code it threw, or "".
template <typename F>
std::string code_within_deadline(const std::string& fifo, int unblock_flags, F open_fn) {
  auto result = std::async(std::launch::async, [&] {
    try {
      open_fn();
    } catch (const rs::Error& e) {
      return std::string(e.code()) + ": " + e.what();
    }
    return std::string();
  });
  if (result.wait_for(std::chrono::seconds(2)) == std::future_status::timeout) {
    std::fprintf(stderr, "    open() of the FIFO %s blocked\n", fifo.c_str());
    int fd = ::open(fifo.c_str(), unblock_flags | O_NONBLOCK);
    std::string got = result.get();
    if (fd >= 0) ::close(fd);
    return "blocked";
  }
  return result.get();
}

// A sticky, world-writable directory like /tmp, inside a private one.
std::string sticky_dir(const TempDir& d) {
  std::string dir = d.file("shared");
  ::mkdir(dir.c_str(), 0777);
  ::chmod(dir.c_str(), 01777);
  return dir;
}

}  // namespace

TEST(user_file_fifo_refused_without_blocking) {
  TempDir d;
  std::string fifo = d.file("fifo");
  CHECK_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got = code_within_deadline(fifo, O_WRONLY, [&] { rs::PcapReader r; r.open(fifo); });
  CHECK(got.rfind("EPCAP_OPEN: ", 0) == 0);
  CHECK(got.find("is a FIFO, not a regular file") != std::string::npos);
  got = code_within_deadline(fifo, O_RDONLY, [&] { rs::PcapWriter w; w.open(fifo, 65535); });
  CHECK(got.rfind("EPCAP_OPEN: ", 0) == 0);
  CHECK(got.find("is a FIFO") != std::string::npos);
  // With a reader waiting at the other end the open succeeds; still refused.
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  got = code_within_deadline(fifo, O_RDONLY, [&] { rs::PcapWriter w; w.open(fifo, 65535); });
  CHECK(got.find("is a FIFO") != std::string::npos);
  ::close(reader);
}

TEST(user_file_capture_does_not_follow_a_link) {
  TempDir d;
  std::string dir = sticky_dir(d);
  std::string victim = d.file("victim");
  captest::write_bytes(victim, {'k', 'e', 'e', 'p'});
  std::string link = dir + "/cap.pcap";
  CHECK_EQ(::symlink(victim.c_str(), link.c_str()), 0);
  rs::PcapWriter w;
  std::string what;
  try {
    w.open(link, 65535);
  } catch (const rs::Error& e) {
    what = std::string(e.code()) + ": " + e.what();
  }
  CHECK(what.find("EPCAP_OPEN") == 0);
  CHECK(what.find("symbolic link") != std::string::npos);
  CHECK(captest::read_bytes(victim) == std::vector<uint8_t>({'k', 'e', 'e', 'p'}));
  // A dangling link is not followed into a new file either.
  std::string dangling = dir + "/new.pcap";
  CHECK_EQ(::symlink(d.file("created-through-link").c_str(), dangling.c_str()), 0);
  CHECK_THROWS_CODE(w.open(dangling, 65535), "EPCAP_OPEN");
  CHECK(::access(d.file("created-through-link").c_str(), F_OK) != 0);
}

TEST(user_file_capture_keeps_other_users_files_in_sticky_dirs) {
  if (::geteuid() != 0) { std::fprintf(stderr, "    (not root: cannot give a file to another user)\n"); return; }
  TempDir d;
  std::string dir = sticky_dir(d);
  std::string planted = dir + "/cap.pcap";
  captest::write_bytes(planted, {'k', 'e', 'e', 'p'});
  CHECK_EQ(::chown(planted.c_str(), 65534, 65534), 0);
  rs::PcapWriter w;
  std::string what;
  try {
    w.open(planted, 65535);
  } catch (const rs::Error& e) {
    what = e.what();
  }
  CHECK(what.find("belongs to another user (uid 65534)") != std::string::npos);
  CHECK(captest::read_bytes(planted) == std::vector<uint8_t>({'k', 'e', 'e', 'p'}));

  // Our own file there, and another user's file outside sticky directories,
  // are overwritten as before.
  std::string own = dir + "/own.pcap";
  captest::write_bytes(own, std::vector<uint8_t>(100, 'x'));
  w.open(own, 65535);
  w.close();
  CHECK_EQ(captest::read_bytes(own).size(), 24u);  // the pcap file header alone
  std::string theirs = d.file("theirs.pcap");
  captest::write_bytes(theirs, std::vector<uint8_t>(100, 'x'));
  CHECK_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  w.open(theirs, 65535);
  w.close();
  CHECK_EQ(captest::read_bytes(theirs).size(), 24u);
}
