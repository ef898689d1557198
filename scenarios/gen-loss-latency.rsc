# Traffic generation with a loss and latency check. Two net_ring ports are
# wired back to back; flowgen on each sends 4000 packets at 20,000 packets
# a second to the other, varying the source address over 16 flows, and
# measures what it receives: every generated packet carries a sequence number
# and a send time, so the receiver counts what is lost, duplicated or out of
# order, and how long each packet took (`show port latency`).
ringside --vdev net_ring0,peer=net_ring1 --vdev net_ring1,peer=net_ring0 -- --forward-mode=flowgen

set flowgen src-ip 16
set txrate all 20000 pps
set txcount all 4000
show config txpkts

start
wait until port 0 rx-packets >= 4000 within 5s
wait until port 1 rx-packets >= 4000 within 5s
stop
show port latency all

# Loss: every packet one side sent, the other received; none twice, none late.
expect latency 0 stamped == 4000
expect latency 1 stamped == 4000
expect latency 0 lost + latency 1 lost == 0
expect latency 0 duplicates + latency 1 duplicates == 0
expect latency 0 reordered + latency 1 reordered == 0
# Latency: through a ring in one process, well under a second even on a busy
# machine; the percentiles are ordered.
expect latency 0 p99-us < 1000000
expect latency 0 p50-us <= latency 0 p99-us
expect latency 0 min-us > 0
# Conservation: what one side sent is what the other received.
expect port 0 tx-packets == port 1 rx-packets
expect port 1 tx-packets == port 0 rx-packets
