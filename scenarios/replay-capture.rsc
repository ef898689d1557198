# Replay, then capture, then compare: a pcap file is replayed out of port 0,
# crosses a pair of back-to-back rings, and is captured as it arrives on
# port 1. The capture must hold the very same packets, in the same order.
ringside --vdev net_ring0,peer=net_ring1 --vdev net_ring1,peer=net_ring0 -- --forward-mode=rxonly
set var CAP ${WORKDIR}/arrived.pcap

# The replay needs port 0's tx queue to itself, so it runs before forwarding:
# the 100 packets wait in the ring until rxonly on port 1 receives them. The
# capture taps port 1's receive side and writes every packet it sees.
capture start 1 rx file ${CAP}
replay start fixtures/udp-100.pcap port 0 speed topspeed
wait until port 0 tx-packets == 100 within 5s
show replay
start
wait until port 1 rx-packets == 100 within 5s
stop
capture stop 1

# What left and what arrived: nothing lost, nothing added (net_ring ports
# count packets only, as DPDK's do; the capture has the bytes).
expect port 0 tx-packets == 100
expect port 1 rx-packets == 100
expect capture ${CAP} packets == 100
expect capture ${CAP} bytes == capture fixtures/udp-100.pcap bytes
# Byte for byte, packet by packet (timestamps aside).
shell node fixtures/pcap-same.mjs fixtures/udp-100.pcap ${CAP}
expect output contains same 100 packets
