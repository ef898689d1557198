// pcap and pcapng reading and writing, shared by net_pcap, capture and replay.
// Classic pcap, as documented in pcap-savefile(5) and the IETF draft "PCAP
// Capture File Format":
//   file header (24 bytes): magic, version 2.4, thiszone, sigfigs, snaplen,
//                           link type (low 16 bits; the rest is FCS info)
//   per record  (16 bytes): ts seconds, ts fraction, captured len, original len
//                           followed by the captured bytes.
// The magic says both the byte order of the writer and the timestamp unit:
// 0xa1b2c3d4 = microseconds, 0xa1b23c4d = nanoseconds (byte-swapped when the
// writer's byte order differs from ours).
//
// pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks (type, total length,
// body, total length again), each section starting with a Section Header
// Block whose byte-order magic 0x1A2B3C4D says the writer's byte order.
// PcapReader reads both formats through one mmap of the file: records are
// handed out as pointers into the mapping, with no system call per packet.
// pcapng: Interface Description Blocks (link type, snaplen, if_tsresol,
// if_tsoffset), Enhanced/Simple/obsolete Packet Blocks, several interfaces
// and sections; every other block type is skipped.
//
// Neither class throws on the per-packet path: next()/write() report through
// their return value and a sticky status; control calls (open, flush, close,
// throw_if_error) throw rs::Error with EPCAP_* codes.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include "engine_limits.h"
#include "linktype.h"

namespace rs {

constexpr uint32_t kPcapMagicUsec = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNsec = 0xa1b23c4d;
constexpr uint32_t kPcapngMagic = 0x0a0d0d0a;  // Section Header Block type (a palindrome)
constexpr uint32_t kPcapngByteOrderMagic = 0x1a2b3c4d;
constexpr uint32_t kPcapFileHeaderLen = 24;
constexpr uint32_t kPcapRecordHeaderLen = 16;
// libpcap refuses records larger than this (for most link types; see
// max_caplen); a bigger length means a corrupt file.
constexpr uint32_t kPcapMaxRecordLen = 262144;

// libpcap's largest captured length for a link type: kPcapMaxRecordLen but for
// the few whose packets are larger by nature (D-Bus messages, USBPcap, EBHSCR).
uint32_t max_caplen(uint32_t linktype);
// The snaplen libpcap reads a file with: the header's (or interface's),
// unless it is 0 or above max_caplen, then max_caplen. A classic pcap record
// with more captured bytes is cut to it, as libpcap cuts it (tcpdump shows
// that much); a pcapng one is damage, as libpcap says.
uint32_t effective_snaplen(uint32_t linktype, uint32_t snaplen);

enum class PcapFormat : uint8_t { Pcap, Pcapng };

// The largest frame an mbuf can hold (--mbuf-size is 128..65000 bytes).
constexpr uint32_t kMaxMbufDataRoom = limits::kMaxMbufDataRoom;

// What a port or replay says before sending a file holding `frames` records
// longer than `room` bytes (the mbuf data room; the longest is `largest`
// bytes, record number `record`): their size and the option that lets them
// through (--mbuf-size), or why none can.
std::string frames_above_mbuf(const std::string& path, uint64_t frames, uint32_t largest, uint64_t record, uint32_t room);

// pcapng epb_flags direction bits (also what capture records).
constexpr uint8_t kDirUnknown = 0, kDirInbound = 1, kDirOutbound = 2;

struct PcapRecord {
  uint64_t ts_ns = 0;             // timestamp, nanoseconds since the epoch
  bool ts_overflow = false;       // pcapng: beyond what ts_ns holds (clamped to 0 or UINT64_MAX)
  uint32_t caplen = 0;            // bytes present in data
  uint32_t origlen = 0;           // length of the packet on the wire
  const uint8_t* data = nullptr;  // valid until close() (points into the mapping)
  uint32_t iface = 0;             // pcapng interface id (0 for classic pcap)
  uint8_t direction = kDirUnknown;  // pcapng epb_flags bits 0-1
  uint64_t offset = 0;            // file offset of the record (header or block)
};

// One pcapng interface (classic pcap has one, from the file header).
struct PcapInterface {
  uint32_t linktype = kLinktypeEthernet;
  uint32_t snaplen = 0;     // 0: no limit
  uint8_t tsresol = 6;      // if_tsresol as stored (bit 7 set: power of 2)
  int64_t tsoffset = 0;     // if_tsoffset, seconds
  std::string name;         // if_name, may be empty
};

class PcapReader {
 public:
  enum class Status { Ok, End, Truncated, Corrupt, IoError };

  PcapReader() = default;
  ~PcapReader() { close(); }
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  // Maps the file and checks its header (pcapng: the first Section Header
  // Block). Throws EPCAP_OPEN (cannot open), EPCAP_FORMAT (neither pcap nor
  // pcapng, or a damaged header), EPCAP_TRUNCATED (header cut short). Every
  // message names the file, the byte offset and what was wrong.
  void open(const std::string& path);
  void close();
  bool is_open() const { return fd_ >= 0; }
  // Back to the first record (for replay loops); the status becomes Ok.
  void rewind();

  // Reads the next record. Returns false at the end of the file or at the
  // first bad record; status() then says which (End, Truncated, Corrupt,
  // IoError), ending() where and why, and throw_if_error() turns a bad
  // ending into an rs::Error. Every complete record before a truncated or
  // damaged one is returned normally: like libpcap (tcpdump prints them, then
  // "truncated dump file"), callers use them and then say where the file stops.
  // Zero-length records are records, as libpcap reads them.
  bool next(PcapRecord& rec);
  Status status() const { return status_; }
  bool stopped_early() const { return status_ != Status::Ok && status_ != Status::End; }
  // "" unless stopped_early(): one sentence naming the file, the record and
  // its byte offset, what is wrong, and how many records came before it.
  std::string ending() const;
  void throw_if_error() const;  // EPCAP_TRUNCATED, EPCAP_FORMAT, EPCAP_READ

  const std::string& path() const { return path_; }
  PcapFormat format() const { return format_; }
  // Of the file header (classic) or of interface 0 (pcapng).
  bool nanosecond() const;
  bool swapped() const { return swap_; }  // written with the other byte order (first section)
  uint16_t version_major() const { return ver_major_; }
  uint16_t version_minor() const { return ver_minor_; }
  uint32_t snaplen() const;
  uint32_t linktype() const;
  uint64_t records() const { return records_; }  // complete records returned so far
  uint64_t file_size() const { return size_; }
  // Interfaces seen so far (pcapng: grows as blocks are read; ids restart
  // with each section, so this is the current section's list).
  const std::vector<PcapInterface>& interfaces() const { return ifaces_; }
  uint32_t sections() const { return sections_; }

 private:
  uint32_t u32(const uint8_t* p) const { uint32_t v; std::memcpy(&v, p, 4); return swap_ ? __builtin_bswap32(v) : v; }
  uint16_t u16(const uint8_t* p) const { uint16_t v; std::memcpy(&v, p, 2); return swap_ ? __builtin_bswap16(v) : v; }
  void parse_header();  // throws; sets pos_ to the first record/block
  bool next_pcap(PcapRecord& rec);
  bool next_pcapng(PcapRecord& rec);
  bool fail(Status s, const std::string& why);  // sets status_/problem_, returns false
  // pcapng: reads an SHB at pos_ (byte order, version); false + status on error.
  bool section_header(uint64_t at, std::string* err);
  bool interface_block(const uint8_t* body, uint32_t body_len, uint64_t at);
  void leading_interfaces();
  uint64_t to_ns(const PcapInterface& i, uint64_t ts, bool* overflow) const;

  std::string path_;
  int fd_ = -1;
  const uint8_t* map_ = nullptr;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;         // offset of the next record header / block
  uint64_t first_ = 0;       // offset of the first record / first block after the SHB
  PcapFormat format_ = PcapFormat::Pcap;
  bool nsec_ = false, swap_ = false, first_swap_ = false;
  uint16_t ver_major_ = 0, ver_minor_ = 0;
  uint32_t snaplen_ = 0, linktype_ = 0;
  std::vector<PcapInterface> ifaces_;
  uint32_t sections_ = 0;
  uint64_t records_ = 0;
  uint64_t last_ts_ = 0;
  Status status_ = Status::End;
  std::string problem_;  // detail for throw_if_error()
};

// What both writers share: a file written through a large user-space buffer
// that only ever holds whole records (blocks), written with one write(2) when
// the next one does not fit, so the file on disk always ends on a record
// boundary (a stdio buffer could flush half a record). No system call per
// packet. Records are in host byte order.
class RecordFile {
 public:
  static constexpr std::size_t kBufferSize = 1 << 20;

  ~RecordFile();  // closes, swallowing errors (call close() to see them)
  RecordFile(const RecordFile&) = delete;
  RecordFile& operator=(const RecordFile&) = delete;

  void flush();  // throws EPCAP_WRITE
  void close();  // flush, then close; throws EPCAP_WRITE
  bool is_open() const { return fd_ >= 0; }

  const std::string& path() const { return path_; }
  uint32_t snaplen() const { return snaplen_; }
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }  // file size including buffered data
  bool failed() const { return err_ != 0; }

 protected:
  // kind names the format in messages ("pcap"), unit what it holds ("records").
  RecordFile(const char* kind, const char* unit) : kind_(kind), unit_(unit) {}
  // Creates or truncates path; snaplen 0 or oversize means no limit. Throws EPCAP_OPEN.
  void create(const std::string& path, uint32_t snaplen);
  // Puts the headers now in the buffer on disk, so even an empty capture is
  // a valid file. Throws EPCAP_OPEN (and closes) when that fails.
  void commit_headers();
  // Room for need bytes (at most kBufferSize), draining first when they do
  // not fit; null after a write error or when closed.
  uint8_t* reserve(std::size_t need);
  void appended(std::size_t n, bool record) { len_ += n; bytes_ += n; records_ += record; }
  uint32_t cut(uint32_t len) const { return len < snaplen_ ? len : snaplen_; }

 private:
  bool drain();  // writes the buffer out; false on error (sets err_)
  void throw_if_failed() const;

  const char* kind_;
  const char* unit_;
  std::string path_;
  int fd_ = -1;
  uint32_t snaplen_ = 0;
  std::unique_ptr<uint8_t[]> buf_;
  std::size_t len_ = 0;
  uint64_t records_ = 0, bytes_ = 0;
  int err_ = 0;  // errno of the first failed write
};

// Classic pcap: the 24-byte file header, then one record per packet.
class PcapWriter : public RecordFile {
 public:
  PcapWriter() : RecordFile("pcap", "records") {}

  // The file header is on disk when open returns. Throws EPCAP_OPEN.
  void open(const std::string& path, uint32_t snaplen, uint32_t linktype = kLinktypeEthernet,
            bool nanosecond = true);
  // Appends one record, cut to snaplen. origlen 0 means len. Returns false
  // (and keeps failing) after a write error; flush()/close() then throw it.
  bool write(uint64_t ts_ns, const uint8_t* data, uint32_t len, uint32_t origlen = 0);

 private:
  bool nsec_ = true;
};

// pcapng writer: a Section Header Block, one Interface Description Block
// (link type, snaplen, if_name, if_tsresol = 9: nanoseconds), then one
// Enhanced Packet Block per packet with epb_flags (direction) and epb_queue.
// close() may be preceded by an Interface Statistics Block (write_stats).
class PcapngWriter : public RecordFile {
 public:
  PcapngWriter() : RecordFile("pcapng", "blocks") {}

  // Throws EPCAP_OPEN. The headers are on disk when open returns.
  void open(const std::string& path, uint32_t snaplen, uint32_t linktype = kLinktypeEthernet,
            const std::string& if_name = "", const std::string& app = "ringside");
  // direction: kDirInbound/kDirOutbound/kDirUnknown; queue < 0: no epb_queue.
  bool write(uint64_t ts_ns, const uint8_t* data, uint32_t len, uint32_t origlen = 0,
             uint8_t direction = kDirUnknown, int32_t queue = -1);
  // Buffers an Interface Statistics Block for interface 0.
  bool write_stats(uint64_t ts_ns, uint64_t start_ns, uint64_t end_ns, uint64_t ifrecv, uint64_t ifdrop);
};

}  // namespace rs
