# Needs root. IF proxy: ringside follows the kernel's configuration of an
# interface over rtnetlink and reports each change as an event for the ports
# bound to it, one event kind per IF-proxy RFC callback (plus neighbours).
# Here a proxy TAP (port 2) serves both default ports: every `ip` command
# below must produce its event, with its values, for ports 0 and 1.
ringside --vdev net_null0 --vdev net_null1

ifproxy create name rsifp0
ifproxy bind 0 2
ifproxy bind 1 rsifp0
show ifproxy
expect output contains bound ports: 0, 1

# Listening dumps the current state first, then says cfg_finished.
ifproxy listen
wait until event cfg_finished within 3s
expect event mtu_change proxy rsifp0 port 0 mtu 1500

# Link: MTU, MAC address, state.
shell ip link set rsifp0 mtu 1600
expect event mtu_change port 0 mtu 1600 within 2s
expect event mtu_change port 1 mtu 1600
shell ip link set rsifp0 address 02:11:22:33:44:55
expect event mac_change port 1 mac 02:11:22:33:44:55 within 2s
shell ip link set rsifp0 down
expect event link_change port 0 up 0 within 2s
shell ip link set rsifp0 up
expect event link_change port 0 up 1 within 2s

# Addresses, IPv4 and IPv6.
shell ip addr add 10.41.0.1/24 dev rsifp0
expect event addr_add port 0 addr 10.41.0.1/24 within 2s
shell ip addr add 2001:db8:41::1/64 dev rsifp0 nodad
expect event addr6_add port 0 addr 2001:db8:41::1/64 within 2s

# Routes through the proxy, IPv4 and IPv6, with their prefix lengths.
shell ip route add 10.42.0.0/16 via 10.41.0.2
expect event route_add port 0 dst 10.42.0.0/16 via 10.41.0.2 within 2s
shell ip -6 route add 2001:db8:42::/48 via 2001:db8:41::2
expect event route6_add port 1 dst 2001:db8:42::/48 within 2s

# Neighbours.
shell ip neigh add 10.41.0.9 lladdr 02:00:00:00:00:09 dev rsifp0
expect event neigh_add port 0 dst 10.41.0.9 lladdr 02:00:00:00:00:09 within 2s
shell ip neigh del 10.41.0.9 dev rsifp0
expect event neigh_del port 0 dst 10.41.0.9 within 2s

# And everything taken away again, in reverse.
shell ip -6 route del 2001:db8:42::/48
expect event route6_del port 0 dst 2001:db8:42::/48 within 2s
shell ip route del 10.42.0.0/16
expect event route_del port 0 dst 10.42.0.0/16 within 2s
shell ip addr del 2001:db8:41::1/64 dev rsifp0
expect event addr6_del port 0 addr 2001:db8:41::1/64 within 2s
shell ip addr del 10.41.0.1/24 dev rsifp0
expect event addr_del port 1 addr 10.41.0.1/24 within 2s

# One cfg_finished; the counters of `show ifproxy events`.
expect event cfg_finished-count == 1
expect event neigh_add-count == 1
expect event neigh_del-count >= 1
show ifproxy events last 5
