// Classic pcap (libpcap savefile) reading and writing, shared by net_pcap,
// capture and replay. Format, as documented in pcap-savefile(5) and the IETF
// draft "PCAP Capture File Format":
//   file header (24 bytes): magic, version 2.4, thiszone, sigfigs, snaplen,
//                           link type (low 16 bits; the rest is FCS info)
//   per record  (16 bytes): ts seconds, ts fraction, captured len, original len
//                           followed by the captured bytes.
// The magic says both the byte order of the writer and the timestamp unit:
// 0xa1b2c3d4 = microseconds, 0xa1b23c4d = nanoseconds (byte-swapped when the
// writer's byte order differs from ours).
//
// Neither class throws on the per-packet path: next()/write() report through
// their return value and a sticky status; control calls (open, flush, close,
// throw_if_error) throw rs::Error with EPCAP_* codes.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace rs {

constexpr uint32_t kPcapMagicUsec = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNsec = 0xa1b23c4d;
constexpr uint32_t kPcapngMagic = 0x0a0d0d0a;  // recognised only to explain it
constexpr uint32_t kPcapFileHeaderLen = 24;
constexpr uint32_t kPcapRecordHeaderLen = 16;
constexpr uint32_t kLinktypeEthernet = 1;
// libpcap refuses records larger than this; a bigger length means a corrupt file.
constexpr uint32_t kPcapMaxRecordLen = 262144;

struct PcapRecord {
  uint64_t ts_ns = 0;             // timestamp, nanoseconds since the epoch
  uint32_t caplen = 0;            // bytes present in data
  uint32_t origlen = 0;           // length of the packet on the wire
  const uint8_t* data = nullptr;  // valid until the next next() or close()
};

class PcapReader {
 public:
  enum class Status { Ok, End, Truncated, Corrupt, IoError };

  PcapReader() = default;
  ~PcapReader() { close(); }
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  // Opens and checks the file header. Throws EPCAP_OPEN (cannot open),
  // EPCAP_FORMAT (not a classic pcap file), EPCAP_TRUNCATED (header cut short).
  void open(const std::string& path);
  void close();
  bool is_open() const { return f_ != nullptr; }

  // Reads the next record. Returns false at the end of the file or at the
  // first bad record; status() then says which (End, Truncated, Corrupt,
  // IoError) and throw_if_error() turns a bad ending into an rs::Error.
  // Every complete record before a truncated tail is returned normally.
  bool next(PcapRecord& rec);
  Status status() const { return status_; }
  void throw_if_error() const;  // EPCAP_TRUNCATED, EPCAP_FORMAT, EPCAP_READ

  const std::string& path() const { return path_; }
  bool nanosecond() const { return nsec_; }
  bool swapped() const { return swap_; }  // written with the other byte order
  uint16_t version_major() const { return ver_major_; }
  uint16_t version_minor() const { return ver_minor_; }
  uint32_t snaplen() const { return snaplen_; }
  uint32_t linktype() const { return linktype_; }
  uint64_t records() const { return records_; }  // complete records returned so far

 private:
  uint32_t u32(const uint8_t* p) const;

  std::string path_;
  std::FILE* f_ = nullptr;
  std::unique_ptr<char[]> iobuf_;  // stdio buffer: must outlive f_
  std::vector<uint8_t> data_;      // grows to the largest record, then reused
  bool nsec_ = false, swap_ = false;
  uint16_t ver_major_ = 0, ver_minor_ = 0;
  uint32_t snaplen_ = 0, linktype_ = 0;
  uint64_t records_ = 0;
  uint64_t offset_ = 0;  // file offset of the next record header
  Status status_ = Status::End;
  std::string problem_;  // detail for throw_if_error()
};

// Writes records in host byte order. Records are appended whole to a large
// user-space buffer and the buffer is written with one write(2) when a record
// no longer fits, so the file on disk only ever ends on a record boundary
// (a stdio buffer could flush half a record). No system call per packet.
class PcapWriter {
 public:
  static constexpr std::size_t kBufferSize = 1 << 20;

  PcapWriter() = default;
  ~PcapWriter();  // closes, swallowing errors (call close() to see them)
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Creates or truncates path and writes the file header at once, so even an
  // empty capture is a valid file. Throws EPCAP_OPEN.
  void open(const std::string& path, uint32_t snaplen, uint32_t linktype = kLinktypeEthernet,
            bool nanosecond = true);
  // Appends one record, cut to snaplen. origlen 0 means len. Returns false
  // (and keeps failing) after a write error; flush()/close() then throw it.
  bool write(uint64_t ts_ns, const uint8_t* data, uint32_t len, uint32_t origlen = 0);
  void flush();  // throws EPCAP_WRITE
  void close();  // flush, then close; throws EPCAP_WRITE
  bool is_open() const { return fd_ >= 0; }

  const std::string& path() const { return path_; }
  uint32_t snaplen() const { return snaplen_; }
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }  // file size including buffered data
  bool failed() const { return err_ != 0; }

 private:
  bool drain();  // writes the buffer out; false on error (sets err_)
  void throw_if_failed() const;

  std::string path_;
  int fd_ = -1;
  bool nsec_ = true;
  uint32_t snaplen_ = 0;
  std::unique_ptr<uint8_t[]> buf_;
  std::size_t len_ = 0;
  uint64_t records_ = 0, bytes_ = 0;
  int err_ = 0;  // errno of the first failed write
};

}  // namespace rs
