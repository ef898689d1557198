#include "pcap_file.h"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "error.h"

namespace rs {

namespace {

constexpr std::size_t kReadBuffer = 256 * 1024;  // stdio buffer: a few large reads, not one per record
constexpr uint64_t kNsPerSec = 1000000000ull;

std::string errno_text(int e) { return std::strerror(e); }

std::string open_hint(int e) {
  switch (e) {
    case ENOENT: return " (check the path; relative paths start from the directory ringside runs in)";
    case EACCES: return " (permission denied: check the file and directory modes)";
    default: return "";
  }
}

std::string hex4(const uint8_t* p) {
  char s[16];
  std::snprintf(s, sizeof s, "%02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
  return s;
}

}  // namespace

// ---------------------------------------------------------------- reader

uint32_t PcapReader::u32(const uint8_t* p) const {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swap_ ? __builtin_bswap32(v) : v;
}

void PcapReader::open(const std::string& path) {
  close();
  path_ = path;
  records_ = 0;
  offset_ = kPcapFileHeaderLen;
  problem_.clear();
  status_ = Status::End;

  std::FILE* f = std::fopen(path.c_str(), "rbe");  // 'e': O_CLOEXEC, so tap/ip children do not inherit it
  if (!f) {
    int e = errno;
    throw Error("EPCAP_OPEN", "cannot open pcap file '" + path + "': " + errno_text(e) + open_hint(e));
  }
  struct stat st;
  if (::fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    throw Error("EPCAP_OPEN", "'" + path + "' is a directory: name a pcap file");
  }
  auto iobuf = std::make_unique<char[]>(kReadBuffer);
  std::setvbuf(f, iobuf.get(), _IOFBF, kReadBuffer);

  uint8_t h[kPcapFileHeaderLen];
  std::size_t got = std::fread(h, 1, sizeof h, f);
  if (got < sizeof h && std::ferror(f)) {
    int e = errno;
    std::fclose(f);
    throw Error("EPCAP_OPEN", "cannot read pcap file '" + path + "': " + errno_text(e));
  }
  auto fail = [&](const char* code, const std::string& msg) {
    std::fclose(f);
    throw Error(code, msg);
  };
  if (got >= 4) {
    uint32_t m;
    std::memcpy(&m, h, 4);
    if (m == kPcapMagicUsec || m == kPcapMagicNsec) {
      swap_ = false;
    } else if (__builtin_bswap32(m) == kPcapMagicUsec || __builtin_bswap32(m) == kPcapMagicNsec) {
      swap_ = true;
      m = __builtin_bswap32(m);
    } else if (m == kPcapngMagic) {
      fail("EPCAP_FORMAT", "'" + path + "' is a pcapng file; this reader takes classic pcap: convert it with 'editcap -F pcap " +
                               path + " out.pcap'");
    } else {
      fail("EPCAP_FORMAT", "'" + path + "' is not a pcap file: it starts with bytes " + hex4(h) +
                               ", a pcap file starts with a1 b2 c3 d4 or a1 b2 3c 4d (either byte order)");
    }
    nsec_ = m == kPcapMagicNsec;
  }
  if (got < sizeof h)
    fail("EPCAP_TRUNCATED", "'" + path + "' is " + std::to_string(got) + " bytes long, shorter than the " +
                                std::to_string(kPcapFileHeaderLen) +
                                "-byte pcap file header: the capture was cut off before anything was written");
  uint16_t vmaj, vmin;
  std::memcpy(&vmaj, h + 4, 2);
  std::memcpy(&vmin, h + 6, 2);
  ver_major_ = swap_ ? __builtin_bswap16(vmaj) : vmaj;
  ver_minor_ = swap_ ? __builtin_bswap16(vmin) : vmin;
  if (ver_major_ != 2)
    fail("EPCAP_FORMAT", "'" + path + "' has pcap version " + std::to_string(ver_major_) + "." +
                             std::to_string(ver_minor_) + "; only version 2.x exists in practice: the file is damaged");
  snaplen_ = u32(h + 16);
  linktype_ = u32(h + 20) & 0xffff;  // upper bits carry FCS information, not the type

  f_ = f;
  iobuf_ = std::move(iobuf);
  status_ = Status::Ok;
}

void PcapReader::close() {
  if (f_) std::fclose(f_);
  f_ = nullptr;
  iobuf_.reset();  // only after fclose: stdio may still use it until then
}

bool PcapReader::next(PcapRecord& rec) {
  if (!f_ || status_ != Status::Ok) return false;
  uint8_t h[kPcapRecordHeaderLen];
  std::size_t got = std::fread(h, 1, sizeof h, f_);
  if (got < sizeof h) {
    if (std::ferror(f_)) {
      status_ = Status::IoError;
      problem_ = errno_text(errno);
    } else if (got == 0) {
      status_ = Status::End;
    } else {
      status_ = Status::Truncated;
      problem_ = "record " + std::to_string(records_ + 1) + " at byte offset " + std::to_string(offset_) +
                 " has only " + std::to_string(got) + " of its " + std::to_string(kPcapRecordHeaderLen) +
                 " header bytes";
    }
    return false;
  }
  uint32_t sec = u32(h), frac = u32(h + 4), caplen = u32(h + 8), origlen = u32(h + 12);
  if (caplen > kPcapMaxRecordLen) {
    status_ = Status::Corrupt;
    problem_ = "record " + std::to_string(records_ + 1) + " at byte offset " + std::to_string(offset_) +
               " claims " + std::to_string(caplen) + " captured bytes (more than " +
               std::to_string(kPcapMaxRecordLen) + ")";
    return false;
  }
  if (data_.size() < caplen) data_.resize(caplen);  // grows to the largest record only
  got = caplen ? std::fread(data_.data(), 1, caplen, f_) : 0;
  if (got < caplen) {
    if (std::ferror(f_)) {
      status_ = Status::IoError;
      problem_ = errno_text(errno);
    } else {
      status_ = Status::Truncated;
      problem_ = "record " + std::to_string(records_ + 1) + " at byte offset " + std::to_string(offset_) +
                 " should hold " + std::to_string(caplen) + " bytes but only " + std::to_string(got) +
                 " are left";
    }
    return false;
  }
  rec.ts_ns = static_cast<uint64_t>(sec) * kNsPerSec + (nsec_ ? frac : static_cast<uint64_t>(frac) * 1000);
  rec.caplen = caplen;
  rec.origlen = origlen;
  rec.data = data_.data();
  offset_ += kPcapRecordHeaderLen + caplen;
  records_++;
  return true;
}

void PcapReader::throw_if_error() const {
  switch (status_) {
    case Status::Ok:
    case Status::End:
      return;
    case Status::Truncated:
      throw Error("EPCAP_TRUNCATED", "'" + path_ + "' is truncated: " + problem_ + "; the " +
                                         std::to_string(records_) +
                                         " complete records before it are usable (was the capture stopped "
                                         "while it was being written?)");
    case Status::Corrupt:
      throw Error("EPCAP_FORMAT", "'" + path_ + "' is damaged: " + problem_ + "; the " + std::to_string(records_) +
                                      " records before it are usable");
    case Status::IoError:
      throw Error("EPCAP_READ", "reading '" + path_ + "' failed after " + std::to_string(records_) +
                                    " records: " + problem_);
  }
}

// ---------------------------------------------------------------- writer

PcapWriter::~PcapWriter() {
  try {
    close();
  } catch (...) {
    // Destructors must not throw; callers who care call close() themselves.
  }
}

void PcapWriter::open(const std::string& path, uint32_t snaplen, uint32_t linktype, bool nanosecond) {
  close();
  path_ = path;
  nsec_ = nanosecond;
  // 0 or oversize means "no limit" in practice; keep records readable by libpcap.
  snaplen_ = (snaplen == 0 || snaplen > kPcapMaxRecordLen) ? kPcapMaxRecordLen : snaplen;
  records_ = 0;
  bytes_ = 0;
  err_ = 0;
  len_ = 0;

  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    std::string hint = e == ENOENT ? " (does the directory exist?)" : open_hint(e);
    throw Error("EPCAP_OPEN", "cannot create pcap file '" + path + "': " + errno_text(e) + hint);
  }
  fd_ = fd;
  buf_ = std::make_unique<uint8_t[]>(kBufferSize);

  uint32_t magic = nsec_ ? kPcapMagicNsec : kPcapMagicUsec;
  uint16_t vmaj = 2, vmin = 4;
  uint32_t zero = 0, lt = linktype;
  uint8_t* p = buf_.get();
  std::memcpy(p + 0, &magic, 4);
  std::memcpy(p + 4, &vmaj, 2);
  std::memcpy(p + 6, &vmin, 2);
  std::memcpy(p + 8, &zero, 4);   // thiszone: timestamps are UTC
  std::memcpy(p + 12, &zero, 4);  // sigfigs: always 0 in practice
  std::memcpy(p + 16, &snaplen_, 4);
  std::memcpy(p + 20, &lt, 4);
  len_ = kPcapFileHeaderLen;
  bytes_ = kPcapFileHeaderLen;
  // Written at once so the file is a valid (empty) capture from now on.
  if (!drain()) {
    int e = err_;
    ::close(fd_);
    fd_ = -1;
    buf_.reset();
    throw Error("EPCAP_OPEN", "cannot write to pcap file '" + path + "': " + errno_text(e));
  }
}

bool PcapWriter::write(uint64_t ts_ns, const uint8_t* data, uint32_t len, uint32_t origlen) {
  if (fd_ < 0 || err_) return false;
  uint32_t caplen = len < snaplen_ ? len : snaplen_;
  std::size_t need = kPcapRecordHeaderLen + caplen;  // <= 16 + 256 KiB < kBufferSize
  if (len_ + need > kBufferSize && !drain()) return false;
  uint32_t h[4];
  h[0] = static_cast<uint32_t>(ts_ns / kNsPerSec);
  uint32_t ns = static_cast<uint32_t>(ts_ns % kNsPerSec);
  h[1] = nsec_ ? ns : ns / 1000;
  h[2] = caplen;
  h[3] = origlen ? origlen : len;
  uint8_t* p = buf_.get() + len_;
  std::memcpy(p, h, sizeof h);
  if (caplen) std::memcpy(p + sizeof h, data, caplen);  // data may be null when empty
  len_ += need;
  records_++;
  bytes_ += need;
  return true;
}

// The buffer holds whole records only, so every write(2) ends on a record boundary.
bool PcapWriter::drain() {
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

void PcapWriter::throw_if_failed() const {
  if (!err_) return;
  throw Error("EPCAP_WRITE", "writing pcap file '" + path_ + "' failed: " + errno_text(err_) +
                                 " (the records written before the error are readable)");
}

void PcapWriter::flush() {
  if (fd_ < 0) return;
  if (!err_) drain();
  throw_if_failed();
}

void PcapWriter::close() {
  if (fd_ < 0) return;
  if (!err_) drain();
  if (::close(fd_) != 0 && !err_) err_ = errno;
  fd_ = -1;
  buf_.reset();
  throw_if_failed();
}

}  // namespace rs
