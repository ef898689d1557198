# Needs root (a topology). KNI, the exception path: a kernel interface bound
# to a port. A test host in namespace `far` sits on the far side of the port
# (a veth pair: far's eth0 <-> rskp0, which ringside opens with AF_PACKET).
# With `kni create ... all`, whatever the port receives goes into the kernel
# interface rskni0, and what the kernel sends out of rskni0 leaves through
# the port: the host pings an address that only rskni0 holds. At the end the
# port forwards (icmpecho) and the kernel still gets what ringside leaves.
# `ip link set rskni0 up|mtu N` become KNI requests that ringside applies to
# the port (stop, configure, start) or, under `kni handler 0 reject`, puts back.
topology
  netns far
  veth far:eth0 host:rskp0
  addr far:eth0 10.61.0.2/24
end
ringside --vdev net_af_packet0,iface=rskp0

# rskp0 is a kernel interface too: keep its own stack quiet so that only
# rskni0 answers (no ARP replies or IPv6 on it; IPv4 arriving on it for an
# address routed via rskni0 fails the reverse-path check).
shell sysctl -qw net.ipv6.conf.rskp0.disable_ipv6=1 net.ipv4.conf.rskp0.arp_ignore=8 net.ipv4.conf.rskp0.rp_filter=1

kni create 0 name rskni0 all
shell ip -brief link show rskni0
expect output contains rskni0

# Link up: a request, applied to the port.
shell ip link set rskni0 up
expect event kni_response port 0 request link to up result applied within 2s
expect port 0 link-up == 1
# MTU: the port follows the kernel interface.
shell ip link set rskni0 mtu 1400
expect event kni_response port 0 request mtu to 1400 result applied within 2s
expect port 0 mtu == 1400

# Addresses, IPv4 and IPv6, on the kernel side of the port.
shell ip addr add 10.61.0.1/24 dev rskni0
shell ip addr add fd00:61::1/64 dev rskni0 nodad
shell ip addr add 10.61.0.5/24 dev rskni0
shell ip addr del 10.61.0.5/24 dev rskni0
shell ip -brief addr show dev rskni0
expect output contains 10.61.0.1/24
expect output not-contains 10.61.0.5

# The test host pings the kernel through the port: no loss, one reply each.
# (Counters from here on: packets that met the interface while it was down
# or the port while it restarted for the MTU were dropped and counted.)
clear kni stats 0
netns far
shell ip addr add fd00:61::2/64 dev eth0 nodad
shell ping -c 10 -i 0.1 -W 2 10.61.0.1
expect output contains 10 received
expect output not-contains DUP!
shell ping -6 -c 10 -i 0.1 -W 2 fd00:61::1
expect output contains 10 received
# An address nobody holds gets no reply.
shell! ping -c 2 -i 0.2 -W 1 10.61.0.77
expect output contains 100% packet loss
netns host

# Counted both ways: to the kernel (requests, ARP, neighbour discovery) and
# from it (replies), nothing dropped.
show kni 0
expect kni 0 rx-packets >= 20
expect kni 0 tx-packets >= 20
expect kni 0 dropped == 0

# A refused request: the kernel interface is put back, the port keeps 1400.
kni handler 0 reject
shell ip link set rskni0 mtu 1300
expect event kni_response port 0 request mtu to 1300 result rejected within 2s
shell ip link show rskni0
expect output contains mtu 1400
expect port 0 mtu == 1400
expect kni 0 requests-rejected == 1

# While forwarding, `all` still means everything ringside does not consume:
# icmpecho answers ARP and ping for the port's own address (10.61.0.9) and
# hands every other packet to rskni0, so the kernel keeps answering for
# 10.61.0.1 through the same port.
port stop 0
port config 0 ip 10.61.0.9/24
port start 0
set fwd icmpecho
clear kni stats 0
start
netns far
shell ping -c 5 -i 0.1 -W 2 10.61.0.9
expect output contains 5 received
shell ping -c 5 -i 0.1 -W 2 10.61.0.1
expect output contains 5 received
netns host
stop
# ringside's own replies left as forwarded packets; the kernel's came through
# the KNI, answering the requests forwarding handed it.
expect fwd tx-packets >= 5
expect kni 0 rx-packets >= 5
expect kni 0 tx-packets >= 5
expect kni 0 dropped == 0
