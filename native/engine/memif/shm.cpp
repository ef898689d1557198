#include "memif/shm.h"
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include "error.h"

namespace rs::memif {

Region& Region::operator=(Region&& o) noexcept {
  if (this != &o) {
    this->~Region();
    addr = o.addr;
    size = o.size;
    fd = o.fd;
    o.addr = nullptr;
    o.fd = -1;
  }
  return *this;
}

Region::~Region() {
  if (addr) munmap(addr, size);
  if (fd >= 0) close(fd);
  addr = nullptr;
  fd = -1;
}

Session::~Session() {
  for (auto* rings : {&c2s, &s2c})
    for (auto& r : *rings)
      if (r && r->eventfd >= 0) close(r->eventfd);
}

void Session::index_bounds() {
  bounds.clear();
  for (const Region& r : regions) bounds.push_back({r.addr, r.size});
}

static Error sys_error(const std::string& what) {
  return Error("EMEMIF", "memif: " + what + " failed: " + std::strerror(errno));
}

std::unique_ptr<Session> create_client_session(uint16_t c2s, uint16_t s2c, uint8_t log2, uint32_t bsize) {
  auto s = std::make_unique<Session>();
  s->buffer_size = bsize;
  const uint32_t slots = 1u << log2;
  const uint32_t rings = uint32_t(c2s) + s2c;
  const uint64_t buffers_at = rings * ring_bytes(log2);
  Region r;
  r.size = buffers_at + uint64_t(bsize) * slots * rings;
  if (r.size > kMaxRegionBytes || buffers_at + uint64_t(bsize) * slots * rings > UINT32_MAX)
    throw Error("EMEMIF", "memif: " + std::to_string(rings) + " rings of 2^" + std::to_string(log2) + " buffers of " +
                              std::to_string(bsize) + " bytes need " + std::to_string(r.size) +
                              " bytes, above the 4 GiB a descriptor offset can address: lower rsize or bsize");
  r.fd = memfd_create("memif_region_0", MFD_ALLOW_SEALING | MFD_CLOEXEC);
  if (r.fd < 0) throw sys_error("memfd_create");
  // The peer maps this size: forbid shrinking it under the peer's feet.
  if (fcntl(r.fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) throw sys_error("sealing the region");
  if (ftruncate(r.fd, static_cast<off_t>(r.size)) < 0) throw sys_error("sizing the region");
  void* p = mmap(nullptr, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
  if (p == MAP_FAILED) throw sys_error("mmap of the region");
  r.addr = static_cast<uint8_t*>(p);
  s->regions.push_back(std::move(r));
  s->index_bounds();
  uint8_t* base = s->regions[0].addr;
  for (uint32_t i = 0; i < rings; i++) {
    auto ref = std::make_unique<RingRef>();
    ref->offset = static_cast<uint32_t>(i * ring_bytes(log2));
    ref->hdr = reinterpret_cast<RingHeader*>(base + ref->offset);
    ref->desc = reinterpret_cast<Desc*>(base + ref->offset + sizeof(RingHeader));
    ref->size = static_cast<uint16_t>(slots);  // 2^14 at most: fits
    ref->mask = static_cast<uint16_t>(slots - 1);
    ref->log2 = log2;
    ref->hdr->cookie = kCookie;
    for (uint32_t j = 0; j < slots; j++) {
      Desc& d = ref->desc[j];
      d.region = 0;
      d.offset = static_cast<uint32_t>(buffers_at + uint64_t(i * slots + j) * bsize);
      d.length = bsize;
    }
    ref->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ref->eventfd < 0) throw sys_error("eventfd");
    (i < c2s ? s->c2s : s->s2c).push_back(std::move(ref));
  }
  return s;
}

std::string map_region(int fd, uint64_t size, Region* out) {
  struct stat st {};
  if (fstat(fd, &st) < 0) return std::string("cannot stat the region's file: ") + std::strerror(errno);
  if (static_cast<uint64_t>(st.st_size) < size)
    return "the region's file has " + std::to_string(st.st_size) + " bytes, the peer announced " + std::to_string(size);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return std::string("mmap of the region failed: ") + std::strerror(errno);
  out->addr = static_cast<uint8_t*>(p);
  out->size = size;
  out->fd = fd;
  return "";
}

std::string attach_ring(const Session& s, uint16_t region, uint32_t offset, uint8_t log2, int eventfd, RingRef* ref) {
  if (region >= s.regions.size()) return "ring in region " + std::to_string(region) + ", which the peer did not send";
  const Region& r = s.regions[region];
  if (offset % 16) return "ring at offset " + std::to_string(offset) + " is not 16-byte aligned";
  if (uint64_t(offset) + ring_bytes(log2) > r.size)
    return "ring of 2^" + std::to_string(log2) + " descriptors at offset " + std::to_string(offset) + " runs past the end of region " +
           std::to_string(region) + " (" + std::to_string(r.size) + " bytes)";
  ref->hdr = reinterpret_cast<RingHeader*>(r.addr + offset);
  if (ref->hdr->cookie != kCookie) return "ring at offset " + std::to_string(offset) + " has no memif cookie";
  ref->desc = reinterpret_cast<Desc*>(r.addr + offset + sizeof(RingHeader));
  ref->size = static_cast<uint16_t>(1u << log2);
  ref->mask = static_cast<uint16_t>(ref->size - 1);
  ref->log2 = log2;
  ref->region = region;
  ref->offset = offset;
  ref->eventfd = eventfd;
  return "";
}

void reset_rings(Session& s, Role role) {
  // No poll thread sees this session yet: plain stores, published later by
  // the release store of the session pointer. The peer reads them only after
  // the connect/connected message, which orders them for it.
  for (bool c2s : {true, false}) {
    bool receiving = (role == Role::Server) == c2s;
    for (auto& r : c2s ? s.c2s : s.s2c) {
      if (!r) continue;
      __atomic_store_n(&r->hdr->head, 0, __ATOMIC_RELAXED);
      __atomic_store_n(&r->hdr->tail, 0, __ATOMIC_RELAXED);
      // Only the receiver's flag is ours to set: the client resets after the
      // server, and clearing the server's mask on C2S would make it read the
      // eventfd on every poll and us write it on every burst.
      if (receiving) r->hdr->flags = kRingMaskInterrupt;
      r->last = 0;
      r->peer_seen = 0;
      if (role == Role::Client && !c2s) {
        for (uint32_t j = 0; j < r->size; j++) {
          r->desc[j].length = s.buffer_size;
          r->desc[j].flags = 0;
        }
        __atomic_store_n(&r->hdr->head, r->size, __ATOMIC_RELEASE);
      }
    }
  }
}

}  // namespace rs::memif
