// rtnetlink parsing and dumps, and the IF-proxy listener: every event from
// the matching `ip` command, with the right values and ports; ENOBUFS
// reported and resynchronised; callbacks free to call back in. Each test runs
// in its own network namespace (netns_fork.h).
#include <linux/rtnetlink.h>
#include <atomic>
#include <fstream>
#include <string>
#include <vector>
#include "engine.h"
#include "harness.h"
#include "netlink/ifproxy.h"
#include "netlink/rtnl.h"
#include "netns_fork.h"

namespace {

using rsnet::sh;
using rsnet::wait_for;

// The first event named `name` after seq `after` whose values include all of kv.
const rs::Event* find_event(const std::vector<rs::Event>& evs, const std::string& name,
                            const std::vector<std::pair<std::string, std::string>>& kv = {}) {
  for (const auto& e : evs) {
    if (e.name != name) continue;
    bool ok = true;
    for (const auto& [k, v] : kv) {
      const std::string* have = e.value(k);
      ok = ok && have && *have == v;
    }
    if (ok) return &e;
  }
  return nullptr;
}

bool seen(rs::IfProxy& ifp, uint64_t after, const std::string& name,
          const std::vector<std::pair<std::string, std::string>>& kv = {}, int ms = 3000) {
  bool ok = wait_for([&] { return find_event(ifp.events().history(~size_t(0), after), name, kv) != nullptr; }, ms);
  if (!ok) {
    std::fprintf(stderr, "    no %s event with", name.c_str());
    for (const auto& [k, v] : kv) std::fprintf(stderr, " %s=%s", k.c_str(), v.c_str());
    std::fprintf(stderr, "; events seen:\n");
    for (const auto& e : ifp.events().history(30, after)) {
      std::fprintf(stderr, "      %s %s", e.name.c_str(), e.proxy.c_str());
      for (const auto& [k, v] : e.values) std::fprintf(stderr, " %s=%s", k.c_str(), v.c_str());
      std::fprintf(stderr, "\n");
    }
  }
  return ok;
}

void write_batch(const std::string& path, const char* verb, int n) {
  std::ofstream f(path);
  for (int i = 0; i < n; i++) f << "route " << verb << " 10." << (100 + i / 65536) << "." << ((i / 256) % 256) << "." << (i % 256) << "/32 dev rsb0\n";
}

}  // namespace

TEST(netlink_parse_and_dump) {
  rsnet::in_netns("netlink_parse_and_dump", [] {
    sh("ip tuntap add dev rsd0 mode tap && ip link set rsd0 mtu 1400 up && ip addr add 10.40.0.1/24 dev rsd0");
    rs::rtnl::Socket s;
    s.open(false);
    bool link = false, addr = false, route = false;
    s.dump(RTM_GETLINK, 0, [&](const rs::rtnl::Msg& m) {
      if (m.kind == rs::rtnl::Kind::Link && m.link.name == "rsd0") link = m.link.mtu == 1400 && m.link.has_mac;
    });
    s.dump(RTM_GETADDR, 0, [&](const rs::rtnl::Msg& m) {
      if (m.kind == rs::rtnl::Kind::Addr && m.addr.addr == "10.40.0.1") addr = m.addr.prefix_len == 24;
    });
    s.dump(RTM_GETROUTE, 0, [&](const rs::rtnl::Msg& m) {
      if (m.kind == rs::rtnl::Kind::Route && m.route.dst == "10.40.0.0" && m.route.table == RT_TABLE_MAIN)
        route = m.route.dst_len == 24;
    });
    CHECK(link);
    CHECK(addr);
    CHECK(route);
  });
}

TEST(ifproxy_every_event_from_ip) {
  rsnet::in_netns("ifproxy_every_event_from_ip", [] {
    rs::Engine e;
    uint16_t p0 = e.attach("net_ring0");
    uint16_t p1 = e.attach("net_ring1");
    uint16_t px = e.attach("net_tap0,iface=rspx0");
    rs::IfProxy& ifp = e.ifproxy();
    ifp.bind(p0, "rspx0", px);
    ifp.bind(p1, "rspx0", px);  // one proxy, two ports
    ifp.listen();
    CHECK(seen(ifp, 0, "cfg_finished"));
    auto all = ifp.events().history();
    const rs::Event* first = find_event(all, "mtu_change");
    CHECK(first && first->ports.size() == 2 && first->proxy == "rspx0");  // the dump, before cfg_finished
    uint64_t after = ifp.events().last_seq();
    sh("ip link set rspx0 mtu 1600");
    CHECK(seen(ifp, after, "mtu_change", {{"mtu", "1600"}}));
    auto since = ifp.events().history(~size_t(0), after);
    const rs::Event* ev = find_event(since, "mtu_change", {{"mtu", "1600"}});
    CHECK(ev && ev->ports == std::vector<uint16_t>({0, 1}));
    sh("ip link set rspx0 address 02:11:22:33:44:55");
    CHECK(seen(ifp, after, "mac_change", {{"mac", "02:11:22:33:44:55"}}));
    sh("ip addr add 10.41.0.1/24 dev rspx0");
    CHECK(seen(ifp, after, "addr_add", {{"addr", "10.41.0.1/24"}}));
    sh("ip addr add 2001:db8:41::1/64 dev rspx0 nodad");
    CHECK(seen(ifp, after, "addr6_add", {{"addr", "2001:db8:41::1/64"}}));
    sh("ip route add 10.42.0.0/16 via 10.41.0.2");
    CHECK(seen(ifp, after, "route_add", {{"dst", "10.42.0.0/16"}, {"via", "10.41.0.2"}, {"dev", "rspx0"}}));
    sh("ip -6 route add 2001:db8:42::/48 via 2001:db8:41::2");
    CHECK(seen(ifp, after, "route6_add", {{"dst", "2001:db8:42::/48"}, {"via", "2001:db8:41::2"}}));
    sh("ip neigh add 10.41.0.9 lladdr 02:00:00:00:00:09 dev rspx0");
    CHECK(seen(ifp, after, "neigh_add", {{"dst", "10.41.0.9"}, {"lladdr", "02:00:00:00:00:09"}}));
    sh("ip neigh del 10.41.0.9 dev rspx0");
    CHECK(seen(ifp, after, "neigh_del", {{"dst", "10.41.0.9"}}));
    sh("ip -6 route del 2001:db8:42::/48");
    CHECK(seen(ifp, after, "route6_del", {{"dst", "2001:db8:42::/48"}}));
    sh("ip route del 10.42.0.0/16");
    CHECK(seen(ifp, after, "route_del", {{"dst", "10.42.0.0/16"}}));
    sh("ip addr del 2001:db8:41::1/64 dev rspx0");
    CHECK(seen(ifp, after, "addr6_del", {{"addr", "2001:db8:41::1/64"}}));
    sh("ip addr del 10.41.0.1/24 dev rspx0");
    CHECK(seen(ifp, after, "addr_del", {{"addr", "10.41.0.1/24"}}));
    sh("ip link set rspx0 down");
    CHECK(seen(ifp, after, "link_change", {{"up", "0"}}));
    sh("ip link set rspx0 up");
    CHECK(seen(ifp, after, "link_change", {{"up", "1"}}));
    // show ifproxy's facts
    auto px_list = ifp.proxies();
    CHECK_EQ(px_list.size(), 1u);
    if (!px_list.empty()) {
      CHECK_EQ(px_list[0].mtu, 1600u);
      CHECK_EQ(px_list[0].proxy_port, static_cast<int>(px));
    }
    e.shutdown();
  });
}

TEST(ifproxy_callbacks_may_call_back_in) {
  rsnet::in_netns("ifproxy_callbacks_may_call_back_in", [] {
    rs::Engine e;
    e.attach("net_tap0,iface=rspx1");
    rs::IfProxy& ifp = e.ifproxy();
    std::atomic<int> notified{0}, hooked{0};
    // Both callbacks use the IF proxy from inside: a lock held around them would deadlock.
    ifp.events().set_notify([&] {
      (void)ifp.proxies();
      (void)ifp.listener();
      (void)ifp.events().history(1);
      notified++;
    });
    int h = ifp.add_link_hook([&](const rs::rtnl::LinkMsg&, bool) {
      (void)ifp.proxies();
      (void)ifp.proxy_of(0);
      hooked++;
    });
    ifp.bind(0, "rspx1");
    ifp.listen();
    sh("ip link set rspx1 mtu 1500 && ip link set rspx1 mtu 1280");
    CHECK(wait_for([&] { return notified.load() > 0 && hooked.load() > 0; }));
    ifp.remove_link_hook(h);
    ifp.events().set_notify(nullptr);
    e.shutdown();
  });
}

// 10,000 routes in one `ip -batch`, traced: exact counts with the default
// 32 MiB buffer, or an overflow reported and the cache resynchronised.
TEST(ifproxy_10000_routes_batch) {
  rsnet::in_netns("ifproxy_10000_routes_batch", [] {
    sh("ip tuntap add dev rsb0 mode tap && ip link set rsb0 up");
    rs::Engine e;
    rs::IfProxy& ifp = e.ifproxy();
    ifp.bind(e.attach("net_ring0"), "rsb0");  // route events are those of bound interfaces
    ifp.listen();
    CHECK(seen(ifp, 0, "cfg_finished"));
    size_t base = ifp.listener().routes;
    write_batch("/tmp/rs-nl-add.batch", "add", 10000);
    write_batch("/tmp/rs-nl-del.batch", "del", 10000);
    ifp.events().clear_counters();
    sh("ip -batch /tmp/rs-nl-add.batch");
    CHECK(wait_for([&] { return ifp.listener().routes == base + 10000; }, 20000));
    auto c = ifp.events().counters();
    if (ifp.listener().overflows == 0) CHECK_EQ(c["route_add"], 10000u);
    else CHECK(c["overflow"] >= 1 && c["cfg_finished"] >= 1);
    sh("ip -batch /tmp/rs-nl-del.batch");
    CHECK(wait_for([&] { return ifp.listener().routes == base; }, 20000));
    c = ifp.events().counters();
    if (ifp.listener().overflows == 0) CHECK_EQ(c["route_del"], 10000u);
    std::remove("/tmp/rs-nl-add.batch");
    std::remove("/tmp/rs-nl-del.batch");
  }, 120);
}

TEST(ifproxy_enobufs_reported_and_resynced) {
  rsnet::in_netns("ifproxy_enobufs_reported_and_resynced", [] {
    sh("ip tuntap add dev rsb0 mode tap && ip link set rsb0 up");
    rs::Engine e;
    rs::IfProxy& ifp = e.ifproxy();
    ifp.listen(4096);  // far too small for a burst
    CHECK(seen(ifp, 0, "cfg_finished"));
    size_t base = ifp.listener().routes;
    write_batch("/tmp/rs-nl-small.batch", "add", 5000);
    ifp.stall(1500);  // a slow reader: the burst cannot fit
    sh("ip -batch /tmp/rs-nl-small.batch");
    std::remove("/tmp/rs-nl-small.batch");
    CHECK(wait_for([&] { return ifp.listener().overflows > 0; }, 10000));
    CHECK(seen(ifp, 0, "overflow"));
    CHECK(seen(ifp, 0, "cfg_finished", {{"after", "overflow"}}, 10000));
    // The view is whole again: every route is known.
    CHECK(wait_for([&] { return ifp.listener().routes == base + 5000; }, 10000));
    auto hist = ifp.events().history();
    const rs::Event* ov = find_event(hist, "overflow");
    CHECK(ov && ov->value("missed") && *ov->value("missed") != "0");
  }, 120);
}

// After an overflow the re-dump's differences stand for the notifications the
// kernel dropped: with those that still arrive, every change is one event.
TEST(ifproxy_counts_exact_after_overflow) {
  rsnet::in_netns("ifproxy_counts_exact_after_overflow", [] {
    sh("ip tuntap add dev rsb0 mode tap && ip link set rsb0 up");
    rs::Engine e;
    uint16_t p = e.attach("net_ring0");
    rs::IfProxy& ifp = e.ifproxy();
    ifp.bind(p, "rsb0");
    ifp.listen(65536);
    CHECK(seen(ifp, 0, "cfg_finished"));
    constexpr int kChanges = 5000;
    for (const char* verb : {"add", "del"}) {
      std::ofstream f(std::string("/tmp/rs-nl-exact-") + verb + ".batch");
      for (int i = 0; i < kChanges; i++)
        f << "address " << verb << " 10." << (100 + i / 65536) << "." << ((i / 256) % 256) << "." << (i % 256) << "/32 dev rsb0\n";
    }
    ifp.events().clear_counters();
    for (const char* verb : {"add", "del"}) {
      ifp.stall(300);  // a slow reader while the burst arrives
      sh(std::string("ip -batch /tmp/rs-nl-exact-") + verb + ".batch");
      std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // the stall, the resync, what is still queued
    }
    auto c = ifp.events().counters();
    CHECK(ifp.listener().overflows > 0);
    CHECK_EQ(c["addr_add"], uint64_t(kChanges));
    CHECK_EQ(c["addr_del"], uint64_t(kChanges));
    std::remove("/tmp/rs-nl-exact-add.batch");
    std::remove("/tmp/rs-nl-exact-del.batch");
  }, 120);
}

// The trace is of bound interfaces: a route out of another interface is no
// event. A carrier change (the veth peer coming up) is a link_change even
// though the administrative state stays up. KNI, capture and replay events
// share the queue but not the IF-proxy counters.
TEST(ifproxy_traces_bound_interfaces_and_carrier_changes) {
  rsnet::in_netns("ifproxy_traces_bound_interfaces_and_carrier_changes", [] {
    sh("ip link add rsv0 type veth peer name rsv1 && ip link set rsv0 up");
    sh("ip tuntap add dev rsu0 mode tap && ip link set rsu0 up");
    rs::Engine e;
    rs::IfProxy& ifp = e.ifproxy();
    ifp.bind(e.attach("net_ring0"), "rsv0");
    ifp.listen();
    CHECK(seen(ifp, 0, "cfg_finished"));
    uint64_t after = ifp.events().last_seq();
    ifp.events().clear_counters();
    sh("ip link set rsv1 up");  // rsv0's carrier comes up; its IFF_UP was already set
    CHECK(seen(ifp, after, "link_change", {{"up", "1"}, {"carrier", "1"}, {"operstate", "up"}}));
    sh("ip route add 10.77.0.0/16 dev rsu0");  // not bound
    sh("ip route add 10.78.0.0/16 dev rsv0");  // bound
    CHECK(seen(ifp, after, "route_add", {{"dst", "10.78.0.0/16"}}));
    CHECK(find_event(ifp.events().history(~size_t(0), after), "route_add", {{"dst", "10.77.0.0/16"}}) == nullptr);
    rs::Event other;
    other.name = "replay_done";
    ifp.events().push(other);
    other.name = "kni_request";
    ifp.events().push(other);
    auto c = ifp.events().counters();
    CHECK_EQ(c.count("replay_done"), 0u);
    CHECK_EQ(c.count("kni_request"), 0u);
    CHECK_EQ(c["route_add"], 1u);
    CHECK(c["link_change"] >= 1u);
  });
}
