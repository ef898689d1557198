# 5tswap forwarding swaps the whole 5-tuple: MACs, IP addresses and UDP
# ports, so a reply flow comes back with valid checksums.
set var OUT ${WORKDIR}/5tswap-out.pcap
set var COUNT 100
ringside --vdev net_pcap0,rx_pcap=fixtures/udp-100.pcap,tx_pcap=${OUT} -- --forward-mode=5tswap

start
wait until port 0 rx-packets == 100 within 5s
stop
expect fwd tx-packets == 100

include common/pcap-out.rsc
expect output contains 02:00:00:00:00:01 > 02:00:00:00:00:02 IP 10.0.0.1.2000 > 10.0.0.2.1000 UDP length 64
expect output contains IP 10.0.0.1.2000 > 10.0.0.2.1099 UDP length 163 ip-cksum-ok udp-cksum-ok
