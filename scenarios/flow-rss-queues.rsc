# Flow rules and RSS split one port's traffic over two rx queues:
#   - VXLAN (UDP to port 4789) goes to queue 1, whatever its hash;
#   - DNS (UDP to port 53) is dropped before any queue sees it;
#   - everything else is spread over both queues by the RSS hash.
# The fixture holds 200 ordinary UDP flows, 100 VXLAN and 50 DNS packets.
# A pcap port has one queue of its own: queue 1 is a software queue that the
# classifier fills, which needs RSS (or a rule) to be configured first.
ringside --vdev net_pcap0,rx_pcap=fixtures/mixed-350.pcap -- --forward-mode=rxonly

port stop 0
port config all rss udp
port config 0 rxq 2
flow create 0 ingress pattern eth / ipv4 / udp dst is 4789 / end actions queue index 1 / count / end
flow create 0 ingress pattern eth / ipv4 / udp dst is 53 / end actions drop / count / end
flow list 0
expect output contains ETH IPV4 UDP => QUEUE COUNT
port start 0

start
# Every packet of the file is either on a queue or dropped by rule 1.
wait until queue 0 0 rx-packets + queue 0 1 rx-packets + rss 0 dropped-by-rules == 350 within 5s
stop

# Each rule matched exactly its packets (flow query 0 N count).
expect flow 0 rule 0 hits == 100
expect flow 0 rule 1 hits == 50
expect rss 0 dropped-by-rules == 50
# The 200 other flows were spread by the hash (Toeplitz with the default key
# and table, so the split is always the same): 131 to queue 0, 69 to queue 1,
# which also holds the 100 VXLAN packets.
expect queue 0 0 rx-packets + queue 0 1 rx-packets == 300
expect queue 0 0 rx-packets == 131
expect queue 0 1 rx-packets == 100 + 69
expect rss 0 hashed == 200
show port 0 rss
expect output contains RX queues: 2 (1 fed by the driver, 1 software)
expect pool in-use == 0
