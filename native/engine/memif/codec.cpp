#include "memif/codec.h"
#include <cstring>

namespace rs::memif {

const char* msg_type_name(MsgType t) {
  switch (t) {
    case MsgType::None: return "none";
    case MsgType::Ack: return "ack";
    case MsgType::Hello: return "hello";
    case MsgType::Init: return "init";
    case MsgType::AddRegion: return "add_region";
    case MsgType::AddRing: return "add_ring";
    case MsgType::Connect: return "connect";
    case MsgType::Connected: return "connected";
    case MsgType::Disconnect: return "disconnect";
  }
  return "unknown";
}

namespace {

// A fixed-size string field: printable text up to the first NUL. A field
// with no NUL is accepted whole (the peer filled it), control bytes are not.
bool text_field(const uint8_t* p, size_t n, std::string* out, bool allow_empty = true) {
  size_t len = 0;
  while (len < n && p[len]) len++;
  for (size_t i = 0; i < len; i++)
    if (p[i] < 0x20 || p[i] == 0x7f) return false;
  out->assign(reinterpret_cast<const char*>(p), len);
  return allow_empty || len > 0;
}

void put_text(uint8_t* p, size_t n, const std::string& s) {
  size_t len = s.size() < n - 1 ? s.size() : n - 1;
  std::memcpy(p, s.data(), len);
}

}  // namespace

std::string decode(const void* buf, size_t len, Message* out) {
  if (len != kMsgSize) return "control message of " + std::to_string(len) + " bytes, not " + std::to_string(kMsgSize);
  WireMsg w;
  std::memcpy(&w, buf, sizeof w);
  Message m;
  if (w.type < uint16_t(MsgType::Ack) || w.type > uint16_t(MsgType::Disconnect))
    return "unknown control message type " + std::to_string(w.type);
  m.type = MsgType(w.type);
  switch (m.type) {
    case MsgType::Hello: {
      const Hello& h = w.hello;
      if (!text_field(h.name, kNameSize, &m.name)) return "hello: peer name is not text";
      m.min_version = h.min_version;
      m.max_version = h.max_version;
      m.max_region = h.max_region;
      m.max_c2s_ring = h.max_c2s_ring;
      m.max_s2c_ring = h.max_s2c_ring;
      m.max_log2_ring_size = h.max_log2_ring_size;
      if (m.min_version > m.max_version) return "hello: min_version above max_version";
      break;
    }
    case MsgType::Init: {
      const Init& i = w.init;
      m.version = i.version;
      m.id = i.id;
      m.mode = i.mode;
      if (!text_field(i.name, kNameSize, &m.name)) return "init: peer name is not text";
      // The secret is compared byte for byte; keep it up to its NUL.
      size_t n = 0;
      while (n < kSecretSize && i.secret[n]) n++;
      m.secret.assign(reinterpret_cast<const char*>(i.secret), n);
      break;
    }
    case MsgType::AddRegion:
      m.index = w.add_region.index;
      m.size = w.add_region.size;
      if (m.index >= kMaxRegions) return "add_region: index " + std::to_string(m.index) + " above the limit of " + std::to_string(kMaxRegions) + " regions";
      if (m.size == 0 || m.size > kMaxRegionBytes)
        return "add_region: region " + std::to_string(m.index) + " of " + std::to_string(m.size) + " bytes (allowed 1 to " + std::to_string(kMaxRegionBytes) + ")";
      break;
    case MsgType::AddRing: {
      const AddRing& r = w.add_ring;
      m.flags = r.flags;
      m.index = r.index;
      m.region = r.region;
      m.offset = r.offset;
      m.log2_ring_size = r.log2_ring_size;
      m.private_hdr_size = r.private_hdr_size;
      if (m.flags & ~kAddRingC2S) return "add_ring: unknown flags " + std::to_string(m.flags);
      if (m.index >= kMaxQueuePairs) return "add_ring: ring index " + std::to_string(m.index) + " above the limit of " + std::to_string(kMaxQueuePairs);
      if (m.region >= kMaxRegions) return "add_ring: region " + std::to_string(m.region) + " above the limit of " + std::to_string(kMaxRegions);
      if (m.log2_ring_size > kMaxLog2Ring)
        return "add_ring: ring of 2^" + std::to_string(m.log2_ring_size) + " descriptors (at most 2^" + std::to_string(kMaxLog2Ring) + ")";
      if (m.private_hdr_size) return "add_ring: private headers are not supported";
      break;
    }
    case MsgType::Connect:
    case MsgType::Connected:
      if (!text_field(w.if_name.if_name, kNameSize, &m.name)) return std::string(msg_type_name(m.type)) + ": interface name is not text";
      break;
    case MsgType::Disconnect: {
      m.code = w.disconnect.code;
      // A reason is shown to the user: keep the text, replace what is not.
      const uint8_t* p = w.disconnect.reason;
      for (size_t i = 0; i < kReasonSize && p[i]; i++) m.name += (p[i] < 0x20 || p[i] >= 0x7f) ? '?' : char(p[i]);
      break;
    }
    default:
      break;
  }
  *out = std::move(m);
  return "";
}

WireMsg encode(const Message& m) {
  WireMsg w;
  std::memset(&w, 0, sizeof w);
  w.type = uint16_t(m.type);
  switch (m.type) {
    case MsgType::Hello:
      put_text(w.hello.name, kNameSize, m.name);
      w.hello.min_version = m.min_version;
      w.hello.max_version = m.max_version;
      w.hello.max_region = m.max_region;
      w.hello.max_c2s_ring = m.max_c2s_ring;
      w.hello.max_s2c_ring = m.max_s2c_ring;
      w.hello.max_log2_ring_size = m.max_log2_ring_size;
      break;
    case MsgType::Init:
      w.init.version = m.version;
      w.init.id = m.id;
      w.init.mode = m.mode;
      std::memcpy(w.init.secret, m.secret.data(), m.secret.size() < kSecretSize ? m.secret.size() : kSecretSize);
      put_text(w.init.name, kNameSize, m.name);
      break;
    case MsgType::AddRegion:
      w.add_region.index = m.index;
      w.add_region.size = m.size;
      break;
    case MsgType::AddRing:
      w.add_ring.flags = m.flags;
      w.add_ring.index = m.index;
      w.add_ring.region = m.region;
      w.add_ring.offset = m.offset;
      w.add_ring.log2_ring_size = m.log2_ring_size;
      w.add_ring.private_hdr_size = m.private_hdr_size;
      break;
    case MsgType::Connect:
    case MsgType::Connected:
      put_text(w.if_name.if_name, kNameSize, m.name);
      break;
    case MsgType::Disconnect:
      w.disconnect.code = m.code;
      put_text(w.disconnect.reason, kReasonSize, m.name);
      break;
    default:
      break;
  }
  return w;
}

}  // namespace rs::memif
