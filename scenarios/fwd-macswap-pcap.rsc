# macswap forwarding sends each packet back where it came from: source and
# destination MAC addresses change places; IP and UDP stay as they were.
set var OUT ${WORKDIR}/macswap-out.pcap
set var COUNT 100
ringside --vdev net_pcap0,rx_pcap=fixtures/udp-100.pcap,tx_pcap=${OUT} -- --forward-mode=macswap

start
wait until port 0 rx-packets == 100 within 5s
stop
expect fwd tx-packets == fwd rx-packets
expect port 0 tx-bytes == port 0 rx-bytes

include common/pcap-out.rsc
expect output contains 02:00:00:00:00:01 > 02:00:00:00:00:02 IP 10.0.0.2.1000 > 10.0.0.1.2000
