// The classifier inside Port::rx_burst, through a test driver that feeds one
// rx queue (like net_pcap): software queues, RSS spread, flow rules steering,
// dropping, counting and marking, draining on stop, and no work when off.
#include <deque>
#include <memory>
#include <set>
#include "classify_frames.h"
#include "error.h"
#include "harness.h"
#include "mbuf_frame.h"
#include "mempool.h"
#include "port.h"

using namespace rs;
using cls_test::FrameSpec;

namespace {

class FeedPort : public Port {
 public:
  FeedPort(Mempool* pool, uint16_t hw_queues = 1)
      : Port(0, DevArgs::parse("net_feed0"), pool), hw_(hw_queues) {}
  ~FeedPort() override { close(); }
  uint16_t max_rx_queues() const override { return hw_; }

  std::deque<Mbuf*> wire[kMaxQueues];  // per driver queue
  int rx_calls[kMaxQueues] = {};

  void feed(const FrameSpec& s, uint16_t q = 0) {
    auto f = cls_test::frame(s);
    Mbuf* m = pool()->alloc();
    cls_test::put_frame(m, f);
    wire[q].push_back(m);
  }

 protected:
  uint32_t do_drain() override {
    uint32_t n = 0;
    for (auto& w : wire) {
      for (Mbuf* m : w) mbuf_free(m);
      n += static_cast<uint32_t>(w.size());
      w.clear();
    }
    return n;
  }
  uint16_t do_rx_burst(uint16_t q, Mbuf** pkts, uint16_t n) override {
    rx_calls[q]++;
    CHECK(q < hw_);  // software queues never reach the driver
    uint16_t got = 0;
    while (got < n && !wire[q].empty()) {
      pkts[got] = wire[q].front();
      pkts[got]->queue = q;
      wire[q].pop_front();
      got++;
    }
    return got;
  }
  uint16_t do_tx_burst(uint16_t, Mbuf** pkts, uint16_t n) override {
    mbuf_free_bulk(pkts, n);
    return n;
  }

 private:
  uint16_t hw_;
};

FlowFieldMatch field(FlowItemType item, const char* name, uint16_t v) {
  FlowFieldMatch m;
  uint8_t len = 0;
  flow_field_from_name(item, name, &m.field, &len);
  m.len = len;
  m.spec[0] = static_cast<uint8_t>(v >> 8);
  m.spec[1] = static_cast<uint8_t>(v);
  m.mask[0] = m.mask[1] = 0xff;
  return m;
}

FlowRule udp_dst(uint16_t port, std::vector<FlowAction> actions) {
  FlowRule r;
  r.pattern = {{FlowItemType::Eth, {}}, {FlowItemType::Ipv4, {}}, {FlowItemType::Udp, {field(FlowItemType::Udp, "dst", port)}}};
  r.actions = std::move(actions);
  return r;
}

// Polls every queue until nothing more comes; returns packets per queue and frees them.
std::vector<uint64_t> poll_all(Port& p, std::vector<uint32_t>* marks = nullptr) {
  std::vector<uint64_t> per(p.nb_rx_queues(), 0);
  Mbuf* b[8];
  // A burst may give nothing while work was done (all dropped or steered
  // away), so stop only after many empty passes.
  for (int idle = 0; idle < 64;) {
    bool any = false;
    for (uint16_t q = 0; q < p.nb_rx_queues(); q++) {
      uint16_t n = p.rx_burst(q, b, 8);  // small bursts: several passes interleave
      for (uint16_t i = 0; i < n; i++) {
        CHECK_EQ(b[i]->queue, q);
        if (marks && (b[i]->flags & kMbufFlagMark)) marks->push_back(b[i]->mark);
      }
      per[q] += n;
      any = any || n;
      mbuf_free_bulk(b, n);
    }
    idle = any ? 0 : idle + 1;
  }
  return per;
}

}  // namespace

TEST(classifier_off_by_default_and_software_queues_need_rss_or_rules) {
  Mempool pool("cls0", 512);
  FeedPort p(&pool);
  p.configure(1, 1);
  CHECK(!p.classifier().enabled());
  CHECK_THROWS_CODE(p.configure(2, 1), "EQUEUE_RANGE");  // the driver feeds one queue
  p.classifier().set_rss_types(kRssUdp);
  CHECK(!p.classifier().enabled());  // one queue: nothing to spread
  p.configure(2, 1);
  CHECK_EQ(p.nb_rx_queues(), 2);
  CHECK_EQ(p.hw_rx_queues(), 1);
  CHECK(p.classifier().enabled());
  p.classifier().set_rss_types(0);
  CHECK(p.classifier().enabled());  // queue 1 is still a software queue: never asks the driver
  p.start();
  p.feed({});
  Mbuf* b[4];
  CHECK_EQ(p.rx_burst(1, b, 4), 0);
  CHECK_EQ(p.rx_calls[1], 0);
  CHECK_EQ(p.rx_burst(0, b, 4), 1);  // without RSS or rules everything stays on queue 0
  mbuf_free_bulk(b, 1);
  p.stop();
  p.configure(1, 1);
  CHECK(!p.classifier().enabled());
}

TEST(classifier_rule_steers_4789_rss_spreads_the_rest_drop_and_count) {
  Mempool pool("cls1", 2048);
  FeedPort p(&pool);
  p.classifier().set_rss_types(kRssUdp | kRssIp);
  p.configure(2, 1);
  uint32_t vx = p.classifier().create(udp_dst(4789, {{FlowActionType::Queue, 1, {}}, {FlowActionType::Count, 0, {}}}));
  uint32_t dn = p.classifier().create(udp_dst(53, {{FlowActionType::Drop, 0, {}}, {FlowActionType::Count, 0, {}}}));
  CHECK_EQ(vx, 0u);
  CHECK_EQ(dn, 1u);
  p.start();
  // 100 VXLAN packets from many sources, 30 DNS (dropped), 200 other flows.
  for (int i = 0; i < 100; i++) p.feed({.sport = static_cast<uint16_t>(5000 + i), .dport = 4789});
  for (int i = 0; i < 30; i++) p.feed({.sport = static_cast<uint16_t>(6000 + i), .dport = 53});
  for (int i = 0; i < 200; i++) p.feed({.sport = static_cast<uint16_t>(7000 + i), .dport = 9999});
  auto per = poll_all(p);
  CHECK_EQ(per[0] + per[1], 300u);
  // The 200 others were spread by the hash: both queues have some.
  CHECK(per[0] > 20 && per[1] > 100 + 20);
  CHECK_EQ(p.classifier().query(vx).hits, 100u);
  CHECK_EQ(p.classifier().query(dn).hits, 30u);
  CHECK_EQ(p.classifier().stats().dropped, 30u);
  auto st = p.stats();
  CHECK_EQ(st.rx_packets, 300u);
  CHECK_EQ(st.rx_missed, 0u);
  CHECK_EQ(pool.in_use(), 0u);
  CHECK_THROWS_CODE(p.configure(1, 1), "EBUSY_STARTED");
  p.stop();
  CHECK_THROWS_CODE(p.configure(1, 1), "EFLOW_QUEUE");  // a rule sends to queue 1
  p.classifier().flush();
  CHECK_EQ(p.classifier().rule_count(), 0u);
}

TEST(classifier_rss_matches_the_reference_hash_and_reta) {
  Mempool pool("cls2", 1024);
  FeedPort p(&pool);
  p.classifier().set_rss_types(kRssAll);
  p.configure(4, 1);
  // Everything to queue 3 by the redirection table.
  std::vector<std::pair<uint16_t, uint16_t>> all3;
  for (uint16_t i = 0; i < kRetaSize; i++) all3.push_back({i, 3});
  CHECK_THROWS_CODE(p.classifier().set_reta({{0, 4}}), "ERETA");
  CHECK_THROWS_CODE(p.classifier().set_reta({{kRetaSize, 1}}), "ERETA");
  p.classifier().set_reta(all3);
  p.start();
  for (int i = 0; i < 50; i++) p.feed({.sport = static_cast<uint16_t>(i)});
  p.feed({.ethertype = kEtherTypeArp});  // not hashed: stays on queue 0
  auto per = poll_all(p);
  CHECK_EQ(per[3], 50u);
  CHECK_EQ(per[0], 1u);
  p.stop();
  // Default table: hash & 127 -> entry -> queue (hash % 4 for 4 queues).
  p.configure(4, 1);
  p.start();
  p.feed({.src = "66.9.149.187", .dst = "161.142.100.80", .sport = 2794, .dport = 1766});
  Mbuf* b[4];
  uint16_t q = 0x51ccc178u % 4;  // Microsoft's 4-tuple hash of this flow
  CHECK_EQ(p.rx_burst(0, b, 4), q == 0 ? 1 : 0);
  if (q != 0) CHECK_EQ(p.rx_burst(q, b, 4), 1);
  CHECK_EQ(b[0]->hash, 0x51ccc178u);
  CHECK(b[0]->flags & kMbufFlagRssHash);
  mbuf_free_bulk(b, 1);
  p.stop();
}

TEST(classifier_mark_priority_and_drain_on_stop) {
  Mempool pool("cls3", 1024);
  FeedPort p(&pool);
  p.classifier().set_rss_types(kRssIp);
  p.configure(2, 1);
  // Lower priority value first: the drop rule (priority 1) loses to the mark rule (priority 0).
  FlowRule drop = udp_dst(4789, {{FlowActionType::Drop, 0, {}}});
  drop.priority = 1;
  p.classifier().create(drop);
  p.classifier().create(udp_dst(4789, {{FlowActionType::Mark, 42, {}}, {FlowActionType::Queue, 1, {}}}));
  auto l = p.classifier().list();
  CHECK_EQ(l.size(), 2u);
  CHECK_EQ(l[0].id, 1u);  // matching order
  CHECK_EQ(l[0].actions, std::string("MARK QUEUE"));
  p.start();
  for (int i = 0; i < 5; i++) p.feed({.dport = 4789});
  std::vector<uint32_t> marks;
  auto per = poll_all(p, &marks);
  CHECK_EQ(per[1], 5u);
  CHECK_EQ(marks.size(), 5u);
  CHECK(marks.size() == 5 && marks[0] == 42);
  CHECK_THROWS_CODE(p.classifier().query(1), "EFLOW_QUERY");  // no count action
  CHECK_THROWS_CODE(p.classifier().destroy(7), "EFLOW_RULE");
  // Packets steered to queue 1 but never polled go back to the pool at stop.
  for (int i = 0; i < 10; i++) p.feed({.dport = 4789});
  Mbuf* b[32];
  CHECK_EQ(p.rx_burst(0, b, 32), 0);
  CHECK_EQ(p.classifier().stats().ring_count[1], 10u);
  p.stop();
  CHECK_EQ(p.stats().rx_missed, 10u);
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(classifier_several_driver_queues_resteer_between_them) {
  Mempool pool("cls4", 1024);
  FeedPort p(&pool, 2);
  p.configure(2, 1);
  CHECK(!p.classifier().enabled());  // both queues are the driver's: nothing to do
  p.classifier().create(udp_dst(4789, {{FlowActionType::Queue, 0, {}}}));
  p.classifier().create(udp_dst(53, {{FlowActionType::Queue, 1, {}}}));
  p.start();
  for (int i = 0; i < 7; i++) p.feed({.dport = 4789}, 1);  // arrives on 1, belongs to 0
  for (int i = 0; i < 4; i++) p.feed({.dport = 53}, 0);    // arrives on 0, belongs to 1
  for (int i = 0; i < 3; i++) p.feed({.dport = 80}, 1);    // no rule, no RSS: stays
  auto per = poll_all(p);
  CHECK_EQ(per[0], 7u);
  CHECK_EQ(per[1], 7u);
  p.stop();
  CHECK_EQ(pool.in_use(), 0u);
}

TEST(classifier_groups_jump_passthru_and_isolate) {
  Mempool pool("cls6", 1024);
  FeedPort p(&pool);
  p.classifier().set_rss_types(kRssIp);  // software queues need RSS or rules first
  p.configure(2, 1);
  p.classifier().set_rss_types(0);       // no RSS: what no rule steers stays on queue 0
  // Group 0: count everything to 53 and pass it on; jump 4789 to group 1, where it goes to queue 1.
  uint32_t counted = p.classifier().create(udp_dst(53, {{FlowActionType::Count, 0, {}}, {FlowActionType::Passthru, 0, {}}}));
  p.classifier().create(udp_dst(53, {{FlowActionType::Queue, 1, {}}}));
  p.classifier().create(udp_dst(4789, {{FlowActionType::Jump, 1, {}}}));
  FlowRule in1 = udp_dst(4789, {{FlowActionType::Queue, 1, {}}, {FlowActionType::Count, 0, {}}});
  in1.group = 1;
  uint32_t grouped = p.classifier().create(in1);
  FlowRule unreachable = udp_dst(53, {{FlowActionType::Drop, 0, {}}});  // group 1: 53 never jumps there
  unreachable.group = 1;
  p.classifier().create(unreachable);
  p.start();
  for (int i = 0; i < 3; i++) p.feed({.dport = 53});
  for (int i = 0; i < 4; i++) p.feed({.dport = 4789});
  for (int i = 0; i < 5; i++) p.feed({.dport = 7});
  auto per = poll_all(p);
  CHECK_EQ(per[0], 5u);      // no rule: where it came in
  CHECK_EQ(per[1], 3u + 4u);  // 53 after passthru, 4789 after the jump
  CHECK_EQ(p.classifier().query(counted).hits, 3u);
  CHECK_EQ(p.classifier().query(grouped).hits, 4u);
  p.stop();
  // Isolated: what no terminating rule matched is dropped.
  p.classifier().set_isolated(true);
  p.start();
  for (int i = 0; i < 5; i++) p.feed({.dport = 7});
  for (int i = 0; i < 2; i++) p.feed({.dport = 4789});
  per = poll_all(p);
  CHECK_EQ(per[0] + per[1], 2u);
  CHECK_EQ(p.classifier().stats().dropped, 5u);
  p.stop();
  CHECK_EQ(pool.in_use(), 0u);
}
