// RecordFile: the buffered, record-aligned file both pcap writers append to
// (see pcap_file.h).
#include <cerrno>
#include <cstring>
#include <unistd.h>
#include "error.h"
#include "pcap_file.h"
#include "user_file.h"

namespace rs {

RecordFile::~RecordFile() {
  try {
    close();
  } catch (...) {
    // Destructors must not throw; callers who care call close() themselves.
  }
}

void RecordFile::create(const std::string& path, uint32_t snaplen) {
  close();
  path_ = path;
  // 0 or oversize means "no limit" in practice; keep records readable by libpcap.
  snaplen_ = (snaplen == 0 || snaplen > kPcapMaxRecordLen) ? kPcapMaxRecordLen : snaplen;
  records_ = bytes_ = 0;
  err_ = 0;
  len_ = 0;
  UserFile file = create_user_file_to_write(path);  // no links, FIFOs or other users' files
  if (!file.refusal.empty())
    throw Error("EPCAP_OPEN", std::string("will not write ") + kind_ + " file '" + path + "': it " + file.refusal +
                                  ": name a new file");
  int fd = file.fd;
  if (fd < 0) {
    int e = file.err;
    std::string hint = e == ENOENT ? " (does the directory exist?)" : user_file_hint(e);
    throw Error("EPCAP_OPEN", std::string("cannot create ") + kind_ + " file '" + path + "': " + std::strerror(e) + hint);
  }
  fd_ = fd;
  buf_ = std::make_unique<uint8_t[]>(kBufferSize);
}

void RecordFile::commit_headers() {
  if (drain()) return;
  int e = err_;
  ::close(fd_);
  fd_ = -1;
  buf_.reset();
  throw Error("EPCAP_OPEN", std::string("cannot write to ") + kind_ + " file '" + path_ + "': " + std::strerror(e));
}

uint8_t* RecordFile::reserve(std::size_t need) {
  if (fd_ < 0 || err_) return nullptr;
  if (len_ + need > kBufferSize && !drain()) return nullptr;
  return buf_.get() + len_;
}

// The buffer holds whole records only, so every write(2) ends on a record boundary.
bool RecordFile::drain() {
  std::size_t off = 0;
  while (off < len_) {
    ssize_t n = ::write(fd_, buf_.get() + off, len_ - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      err_ = errno;
      len_ = 0;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  len_ = 0;
  return true;
}

void RecordFile::throw_if_failed() const {
  if (!err_) return;
  throw Error("EPCAP_WRITE", std::string("writing ") + kind_ + " file '" + path_ + "' failed: " + std::strerror(err_) +
                                 " (the " + unit_ + " written before the error are readable)");
}

void RecordFile::flush() {
  if (fd_ < 0) return;
  if (!err_) drain();
  throw_if_failed();
}

void RecordFile::close() {
  if (fd_ < 0) return;
  if (!err_) drain();
  if (::close(fd_) != 0 && !err_) err_ = errno;
  fd_ = -1;
  buf_.reset();
  throw_if_failed();
}

}  // namespace rs
