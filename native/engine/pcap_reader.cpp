// PcapReader: classic pcap and pcapng read through one mmap of the file
// (see pcap_file.h), and the limits libpcap reads them with.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "error.h"
#include "pcap_file.h"
#include "user_file.h"

namespace rs {

namespace {

constexpr uint64_t kNsPerSec = 1000000000ull;

std::string hex4(const uint8_t* p) {
  char s[16];
  std::snprintf(s, sizeof s, "%02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
  return s;
}

constexpr uint32_t kBlockIdb = 1, kBlockOpb = 2, kBlockSpb = 3, kBlockIsb = 5, kBlockEpb = 6;

std::string at(uint64_t off) { return "at byte offset " + std::to_string(off); }

const char* block_name(uint32_t type) {
  switch (type) {
    case kPcapngMagic: return "section header block";
    case kBlockIdb: return "interface description block";
    case kBlockOpb: return "packet block";
    case kBlockSpb: return "simple packet block";
    case kBlockIsb: return "interface statistics block";
    case kBlockEpb: return "enhanced packet block";
    default: return "block";
  }
}

}  // namespace

uint32_t max_caplen(uint32_t linktype) {
  switch (linktype) {
    case 231: return 128u << 20;  // D-Bus: a message may be 128 MiB
    case 249: return 1u << 20;    // USBPcap: 1 MiB transfers
    case 279: return 8u << 20;    // EBHSCR
    default: return kPcapMaxRecordLen;
  }
}

uint32_t effective_snaplen(uint32_t linktype, uint32_t snaplen) {
  uint32_t max = max_caplen(linktype);
  return snaplen == 0 || snaplen > max ? max : snaplen;
}

bool PcapReader::nanosecond() const {
  if (format_ == PcapFormat::Pcap) return nsec_;
  return !ifaces_.empty() && ifaces_[0].tsresol == 9;
}
uint32_t PcapReader::snaplen() const {
  if (format_ == PcapFormat::Pcap) return snaplen_;
  return ifaces_.empty() ? 0 : ifaces_[0].snaplen;
}
uint32_t PcapReader::linktype() const {
  if (format_ == PcapFormat::Pcap) return linktype_;
  return ifaces_.empty() ? kLinktypeEthernet : ifaces_[0].linktype;
}

void PcapReader::open(const std::string& path) {
  close();
  path_ = path;
  records_ = 0;
  problem_.clear();
  status_ = Status::End;

  UserFile file = open_user_file_to_read(path);  // a FIFO would block open() for good
  if (!file.refusal.empty()) throw Error("EPCAP_OPEN", "'" + path + "' " + file.refusal + ": name a pcap or pcapng file");
  if (file.fd < 0) {
    int e = file.err;
    throw Error("EPCAP_OPEN", "cannot open pcap file '" + path + "': " + std::strerror(e) + user_file_hint(e));
  }
  int fd = file.fd;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw Error("EPCAP_OPEN", "cannot read pcap file '" + path + "': " + std::strerror(e));
  }
  size_ = static_cast<uint64_t>(st.st_size);
  map_ = nullptr;
  if (size_ > 0) {
    // Populated up front for files that fit comfortably: replay then takes no
    // page fault on its paced path.
    int flags = MAP_PRIVATE | (size_ <= (256ull << 20) ? MAP_POPULATE : 0);
    void* m = ::mmap(nullptr, size_, PROT_READ, flags, fd, 0);
    if (m == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      throw Error("EPCAP_OPEN", "cannot map pcap file '" + path + "': " + std::strerror(e));
    }
    ::madvise(m, size_, MADV_SEQUENTIAL);
    map_ = static_cast<const uint8_t*>(m);
  }
  fd_ = fd;
  try {
    parse_header();
  } catch (...) {
    close();
    throw;
  }
  status_ = Status::Ok;
}

void PcapReader::close() {
  if (map_) ::munmap(const_cast<uint8_t*>(map_), size_);
  map_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void PcapReader::rewind() {
  if (fd_ < 0) return;
  records_ = 0;
  problem_.clear();
  last_ts_ = 0;
  parse_header();  // succeeded at open: cannot throw now
  status_ = Status::Ok;
}

void PcapReader::parse_header() {
  const std::string name = "'" + path_ + "'";
  const uint8_t* h = map_;
  if (size_ >= 4) {
    uint32_t m;
    std::memcpy(&m, h, 4);
    if (m == kPcapngMagic) {
      format_ = PcapFormat::Pcapng;
      ifaces_.clear();
      sections_ = 0;
      pos_ = 0;
      std::string err;
      if (!section_header(0, &err)) throw Error(status_ == Status::Truncated ? ErrorCode("EPCAP_TRUNCATED") : ErrorCode("EPCAP_FORMAT"), err);
      first_swap_ = swap_;
      first_ = pos_;
      leading_interfaces();
      return;
    }
    format_ = PcapFormat::Pcap;
    if (m == kPcapMagicUsec || m == kPcapMagicNsec) {
      swap_ = false;
    } else if (__builtin_bswap32(m) == kPcapMagicUsec || __builtin_bswap32(m) == kPcapMagicNsec) {
      swap_ = true;
      m = __builtin_bswap32(m);
    } else {
      throw Error("EPCAP_FORMAT", name + " is not a pcap or pcapng file: " + at(0) + " it starts with bytes " +
                                      hex4(h) +
                                      "; a pcap file starts with a1 b2 c3 d4 or a1 b2 3c 4d (either byte order), "
                                      "a pcapng file with 0a 0d 0d 0a");
    }
    nsec_ = m == kPcapMagicNsec;
  }
  if (size_ < kPcapFileHeaderLen)
    throw Error("EPCAP_TRUNCATED", name + " is " + std::to_string(size_) + " bytes long, shorter than the " +
                                       std::to_string(kPcapFileHeaderLen) +
                                       "-byte pcap file header (truncated header at byte offset " +
                                       std::to_string(size_) + "): the capture was cut off before anything was written");
  ver_major_ = u16(h + 4);
  ver_minor_ = u16(h + 6);
  if (ver_major_ != 2)
    throw Error("EPCAP_FORMAT", name + " has pcap version " + std::to_string(ver_major_) + "." +
                                    std::to_string(ver_minor_) + " " + at(4) +
                                    "; only version 2.x exists in practice: the file is damaged");
  snaplen_ = u32(h + 16);
  linktype_ = u32(h + 20) & 0xffff;  // upper bits carry FCS information, not the type
  ifaces_.assign(1, PcapInterface{linktype_, snaplen_, static_cast<uint8_t>(nsec_ ? 9 : 6), 0, ""});
  sections_ = 1;
  first_ = pos_ = kPcapFileHeaderLen;
}

bool PcapReader::fail(Status s, const std::string& why) {
  status_ = s;
  problem_ = why;
  return false;
}

bool PcapReader::next(PcapRecord& rec) {
  if (fd_ < 0 || status_ != Status::Ok) return false;
  return format_ == PcapFormat::Pcap ? next_pcap(rec) : next_pcapng(rec);
}

bool PcapReader::next_pcap(PcapRecord& rec) {
  uint64_t left = size_ - pos_;
  if (left == 0) { status_ = Status::End; return false; }
  // Built only when a record is bad: no allocation on the per-packet path.
  auto which = [&] { return "record " + std::to_string(records_ + 1) + " " + at(pos_); };
  if (left < kPcapRecordHeaderLen)
    return fail(Status::Truncated, which() + " has only " + std::to_string(left) + " of its " +
                                       std::to_string(kPcapRecordHeaderLen) + " header bytes (truncated record)");
  const uint8_t* h = map_ + pos_;
  uint32_t sec = u32(h), frac = u32(h + 4), caplen = u32(h + 8), origlen = u32(h + 12);
  if (caplen > max_caplen(linktype_))
    return fail(Status::Corrupt, which() + " claims " + std::to_string(caplen) + " captured bytes (more than " +
                                     std::to_string(max_caplen(linktype_)) + ", the most libpcap accepts)");
  if (left - kPcapRecordHeaderLen < caplen)
    return fail(Status::Truncated, which() + " should hold " + std::to_string(caplen) + " bytes but only " +
                                       std::to_string(left - kPcapRecordHeaderLen) + " are left (truncated record)");
  rec.ts_ns = static_cast<uint64_t>(sec) * kNsPerSec + (nsec_ ? frac : static_cast<uint64_t>(frac) * 1000);
  rec.ts_overflow = false;  // 32-bit seconds always fit
  rec.caplen = std::min(caplen, effective_snaplen(linktype_, snaplen_));
  rec.origlen = origlen;
  rec.data = h + kPcapRecordHeaderLen;
  rec.iface = 0;
  rec.direction = kDirUnknown;
  rec.offset = pos_;
  pos_ += kPcapRecordHeaderLen + caplen;
  records_++;
  return true;
}

// The SHB at `off`: its byte-order magic decides how the rest of the section reads.
bool PcapReader::section_header(uint64_t off, std::string* err) {
  const std::string name = "'" + path_ + "'";
  uint64_t left = size_ - off;
  auto bad = [&](Status s, const std::string& why) {
    fail(s, why);
    if (err) *err = name + " is " + (s == Status::Truncated ? "truncated" : "not a valid pcapng file") + ": " + why;
    return false;
  };
  if (left < 28)
    return bad(Status::Truncated, "the section header block " + at(off) + " has only " + std::to_string(left) +
                                      " of its at least 28 bytes (truncated header)");
  const uint8_t* b = map_ + off;
  uint32_t bom;
  std::memcpy(&bom, b + 8, 4);
  if (bom == kPcapngByteOrderMagic) swap_ = false;
  else if (bom == __builtin_bswap32(kPcapngByteOrderMagic)) swap_ = true;
  else
    return bad(Status::Corrupt, "the section header block " + at(off + 8) + " has byte-order magic " + hex4(b + 8) +
                                    "; pcapng needs 1a 2b 3c 4d or 4d 3c 2b 1a (bad byte-order magic)");
  uint32_t len = u32(b + 4);
  if (len < 28 || len % 4 != 0)
    return bad(Status::Corrupt, "the section header block " + at(off) + " has total length " + std::to_string(len) +
                                    " (wrong block length: must be a multiple of 4 and at least 28)");
  if (len > left)
    return bad(Status::Truncated, "the section header block " + at(off) + " is " + std::to_string(len) +
                                      " bytes long but only " + std::to_string(left) + " are left (truncated block)");
  uint32_t trail = u32(b + len - 4);
  if (trail != len)
    return bad(Status::Corrupt, "the section header block " + at(off) + " has total length " + std::to_string(len) +
                                    " but its trailing length " + at(off + len - 4) + " says " + std::to_string(trail) +
                                    " (wrong block length)");
  ver_major_ = u16(b + 12);
  ver_minor_ = u16(b + 14);
  if (ver_major_ != 1)
    return bad(Status::Corrupt, "the section header block " + at(off + 12) + " has version " +
                                    std::to_string(ver_major_) + "." + std::to_string(ver_minor_) +
                                    "; only pcapng 1.x is defined");
  ifaces_.clear();  // interface ids restart with every section
  sections_++;
  pos_ = off + len;
  return true;
}

// The interface blocks before the first packet, so linktype(), snaplen() and
// nanosecond() answer at open. Stops quietly at anything unusual: next()
// reads from there and reports it.
void PcapReader::leading_interfaces() {
  while (size_ - pos_ >= 12) {
    const uint8_t* b = map_ + pos_;
    uint32_t type = u32(b), len = u32(b + 4);
    if (type == kPcapngMagic || type == kBlockEpb || type == kBlockSpb || type == kBlockOpb) return;
    if (len < 12 || len % 4 != 0 || len > size_ - pos_ || u32(b + len - 4) != len) return;
    if (type == kBlockIdb) {
      std::size_t n = ifaces_.size();
      if (!interface_block(b + 8, len - 12, pos_)) {
        status_ = Status::Ok;  // reported again by next()
        problem_.clear();
        ifaces_.resize(n);
        return;
      }
    }
    pos_ += len;
  }
}

bool PcapReader::interface_block(const uint8_t* body, uint32_t body_len, uint64_t off) {
  if (body_len < 8)
    return fail(Status::Corrupt, "the interface description block " + at(off) + " has a body of " +
                                     std::to_string(body_len) + " bytes, less than the 8 it needs (wrong block length)");
  PcapInterface i;
  i.linktype = u16(body);
  i.snaplen = u32(body + 4);
  uint32_t o = 8;
  while (o + 4 <= body_len) {
    uint16_t code = u16(body + o), olen = u16(body + o + 2);
    if (code == 0) break;
    uint32_t padded = (olen + 3u) & ~3u;
    if (o + 4 + padded > body_len) break;  // a bad option ends the options, not the file
    const uint8_t* v = body + o + 4;
    if (code == 2) i.name.assign(reinterpret_cast<const char*>(v), olen);
    else if (code == 9 && olen >= 1) i.tsresol = v[0];
    else if (code == 14 && olen == 8) {
      uint64_t x;
      std::memcpy(&x, v, 8);
      i.tsoffset = static_cast<int64_t>(swap_ ? __builtin_bswap64(x) : x);
    }
    o += 4 + padded;
  }
  if ((i.tsresol & 0x80) == 0 && i.tsresol > 19)
    return fail(Status::Corrupt, "the interface description block " + at(off) + " has if_tsresol 10^-" +
                                     std::to_string(i.tsresol) + ", finer than any clock (damaged option)");
  ifaces_.push_back(std::move(i));
  return true;
}

// A timestamp in if_tsresol units (plus if_tsoffset seconds) in nanoseconds
// since the epoch, computed in 128 bits. One that 64-bit nanoseconds cannot
// hold (after 2554-07-21, or before 1970) would wrap to a wrong date: it is
// clamped to the nearest end and flagged instead.
uint64_t PcapReader::to_ns(const PcapInterface& i, uint64_t ts, bool* overflow) const {
  __int128 ns;
  if (i.tsresol & 0x80) {
    unsigned e = i.tsresol & 0x7f;
    ns = e >= 64 ? 0 : static_cast<__int128>((static_cast<unsigned __int128>(ts) * kNsPerSec) >> e);
  } else {
    unsigned e = i.tsresol;
    __int128 p = 1;
    if (e <= 9) {
      for (unsigned k = e; k < 9; k++) p *= 10;
      ns = static_cast<__int128>(ts) * p;
    } else {
      for (unsigned k = 9; k < e; k++) p *= 10;
      ns = static_cast<__int128>(ts) / p;
    }
  }
  ns += static_cast<__int128>(i.tsoffset) * static_cast<__int128>(kNsPerSec);
  *overflow = ns < 0 || ns > static_cast<__int128>(UINT64_MAX);
  return ns < 0 ? 0 : *overflow ? UINT64_MAX : static_cast<uint64_t>(ns);
}

bool PcapReader::next_pcapng(PcapRecord& rec) {
  for (;;) {
    uint64_t left = size_ - pos_;
    if (left == 0) { status_ = Status::End; return false; }
    if (left < 12)
      return fail(Status::Truncated, "a block " + at(pos_) + " has only " + std::to_string(left) +
                                         " of its at least 12 bytes (truncated block)");
    const uint8_t* b = map_ + pos_;
    uint32_t type;
    std::memcpy(&type, b, 4);  // the SHB type reads the same in both byte orders
    if (type == kPcapngMagic) {
      if (!section_header(pos_, nullptr)) return false;
      continue;
    }
    type = u32(b);
    uint32_t len = u32(b + 4);
    auto which = [&] { return std::string("the ") + block_name(type) + " " + at(pos_); };  // only for errors
    if (len < 12 || len % 4 != 0)
      return fail(Status::Corrupt, which() + " (type " + std::to_string(type) + ") has total length " +
                                       std::to_string(len) + " (wrong block length: must be a multiple of 4 and at least 12)");
    if (len > left)
      return fail(Status::Truncated, which() + " is " + std::to_string(len) + " bytes long but only " +
                                         std::to_string(left) + " are left (truncated block)");
    uint32_t trail = u32(b + len - 4);
    if (trail != len)
      return fail(Status::Corrupt, which() + " has total length " + std::to_string(len) + " but its trailing length " +
                                       at(pos_ + len - 4) + " says " + std::to_string(trail) + " (wrong block length)");
    const uint8_t* body = b + 8;
    uint32_t body_len = len - 12;
    uint64_t off = pos_;
    if (type == kBlockIdb) {
      if (!interface_block(body, body_len, off)) return false;
      pos_ += len;
      continue;
    }
    if (type != kBlockEpb && type != kBlockSpb && type != kBlockOpb) {
      pos_ += len;  // NRB, ISB, DSB, custom and unknown blocks
      continue;
    }
    uint32_t iface, caplen, origlen, hdr;
    uint64_t ts;
    uint8_t dir = kDirUnknown;
    if (type == kBlockSpb) {
      if (body_len < 4)
        return fail(Status::Corrupt, which() + " has a body of " + std::to_string(body_len) +
                                         " bytes, less than the 4 it needs (wrong block length)");
      iface = 0;
      origlen = u32(body);
      hdr = 4;
      if (ifaces_.empty())
        return fail(Status::Corrupt, which() + " comes before any interface description block in its section");
      uint32_t snap = ifaces_[0].snaplen;
      caplen = (snap != 0 && origlen > snap) ? snap : origlen;
      if (caplen > body_len - hdr) caplen = body_len - hdr;  // SPB data fills the block
      ts = 0;
    } else {
      hdr = 20;
      if (body_len < hdr)
        return fail(Status::Corrupt, which() + " has a body of " + std::to_string(body_len) + " bytes, less than the " +
                                         std::to_string(hdr) + " its header needs (wrong block length)");
      iface = type == kBlockOpb ? u16(body) : u32(body);
      ts = (static_cast<uint64_t>(u32(body + 4)) << 32) | u32(body + 8);
      caplen = u32(body + 12);
      origlen = u32(body + 16);
    }
    if (iface >= ifaces_.size())
      return fail(Status::Corrupt, which() + " refers to interface " + std::to_string(iface) + " but its section describes " +
                                       std::to_string(ifaces_.size()) + " interface" + (ifaces_.size() == 1 ? "" : "s"));
    const PcapInterface& ifc = ifaces_[iface];
    if (caplen > max_caplen(ifc.linktype))
      return fail(Status::Corrupt, which() + " claims " + std::to_string(caplen) + " captured bytes (more than " +
                                       std::to_string(max_caplen(ifc.linktype)) + ", the most libpcap accepts)");
    // Unlike classic pcap, libpcap refuses (not cuts) a pcapng record above the snaplen.
    if (caplen > effective_snaplen(ifc.linktype, ifc.snaplen))
      return fail(Status::Corrupt, which() + " claims " + std::to_string(caplen) + " captured bytes, more than interface " +
                                       std::to_string(iface) + "'s snaplen of " + std::to_string(ifc.snaplen));
    if (caplen > body_len - hdr)
      return fail(Status::Corrupt, which() + " claims " + std::to_string(caplen) + " captured bytes but the block holds only " +
                                       std::to_string(body_len - hdr) + " (wrong block length)");
    if (type == kBlockEpb) {
      // Options after the padded data: epb_flags (2) carries the direction.
      uint32_t o = hdr + ((caplen + 3u) & ~3u);
      while (o + 4 <= body_len) {
        uint16_t code = u16(body + o), olen = u16(body + o + 2);
        if (code == 0) break;
        uint32_t padded = (olen + 3u) & ~3u;
        if (o + 4 + padded > body_len) break;
        if (code == 2 && olen == 4) dir = static_cast<uint8_t>(u32(body + o + 4) & 3);
        o += 4 + padded;
      }
    }
    bool overflow = false;
    rec.ts_ns = type == kBlockSpb ? last_ts_ : to_ns(ifc, ts, &overflow);
    rec.ts_overflow = overflow;
    last_ts_ = rec.ts_ns;
    rec.caplen = caplen;
    rec.origlen = origlen;
    rec.data = body + hdr;
    rec.iface = iface;
    rec.direction = dir;
    rec.offset = off;
    pos_ += len;
    records_++;
    return true;
  }
}

std::string PcapReader::ending() const {
  const std::string before = std::to_string(records_) + (records_ == 1 ? " record" : " records");
  switch (status_) {
    case Status::Ok:
    case Status::End:
      return "";
    case Status::Truncated:
      return "'" + path_ + "' is truncated: " + problem_ + "; the " + before +
             " before it are complete (was the capture stopped while it was being written?)";
    case Status::Corrupt:
      return "'" + path_ + "' is damaged: " + problem_ + "; the " + before + " before it are usable";
    case Status::IoError:
      return "reading '" + path_ + "' failed after " + before + ": " + problem_;
  }
  return "";
}

void PcapReader::throw_if_error() const {
  if (stopped_early())
    throw Error(status_ == Status::Truncated ? ErrorCode("EPCAP_TRUNCATED")
                : status_ == Status::Corrupt ? ErrorCode("EPCAP_FORMAT")
                                             : ErrorCode("EPCAP_READ"),
                ending());
}

std::string frames_above_mbuf(const std::string& path, uint64_t frames, uint32_t largest, uint64_t record, uint32_t room) {
  std::string what = "'" + path + "' holds " + std::to_string(frames) + (frames == 1 ? " frame" : " frames") +
                     " longer than an mbuf's " + std::to_string(room) + "-byte data room (the longest: " +
                     std::to_string(largest) + " bytes, record " + std::to_string(record) + "): ";
  if (largest > kMaxMbufDataRoom)
    return what + "no mbuf holds more than " + std::to_string(kMaxMbufDataRoom) +
           " bytes; cut the frames first (editcap -s " + std::to_string(kMaxMbufDataRoom) + ")";
  return what + "start ringside with --mbuf-size=" + std::to_string(largest) + " (or more) to send them whole";
}

}  // namespace rs
