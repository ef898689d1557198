# Written from `help` and the READMEs alone (the check that a newcomer can):
# io forwarding from a pcap file, and a capture on the tx side whose filter
# keeps only the packets asked for. The capture counts what it saw, what
# matched and what it wrote; the file holds exactly the matches.
ringside --vdev net_pcap0,rx_pcap=fixtures/udp-100.pcap,tx_pcap=${WORKDIR}/out.pcap -- --forward-mode=io
set var CAP ${WORKDIR}/cap.pcap

# The fixture's packets come from UDP ports 1000..1099: two of them match.
capture start 0 tx file ${CAP} filter udp src port 1000 or udp src port 1099
start
wait until port 0 rx-packets == 100 within 5s
stop
capture stop 0
show capture
expect output contains 'Seen: 100   Matched: 2   Captured: 2   Dropped: 0'

expect port 0 tx-packets == 100
expect capture ${CAP} packets == 2
shell node fixtures/pcap-summary.mjs ${CAP}
expect output contains 10.0.0.2.1000 > 10.0.0.1.2000 UDP length 64
expect output contains 10.0.0.2.1099 > 10.0.0.1.2000 UDP length 163
