# rxonly forwarding receives and frees: every packet of the file is counted
# on receive and none is sent.
ringside --vdev net_pcap0,rx_pcap=fixtures/udp-100.pcap,tx_pcap=${WORKDIR}/rxonly-out.pcap -- --forward-mode=rxonly

start
wait until port 0 rx-packets == 100 within 5s
stop
expect port 0 rx-bytes == capture fixtures/udp-100.pcap bytes
expect port 0 tx-packets == 0
expect fwd tx-packets == 0
expect pool in-use == 0
port stop 0
expect capture ${WORKDIR}/rxonly-out.pcap packets == 0
