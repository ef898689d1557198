# mac forwarding rewrites the Ethernet header: the source becomes the tx
# port's MAC, the destination its eth-peer. Everything else is untouched.
set var OUT ${WORKDIR}/mac-out.pcap
set var COUNT 100
ringside --vdev net_pcap0,rx_pcap=fixtures/udp-100.pcap,tx_pcap=${OUT} -- --forward-mode=mac

port stop 0
mac_addr set 0 02:AA:00:00:00:01
set eth-peer 0 02:BB:00:00:00:02
port start 0

start
wait until port 0 rx-packets == 100 within 5s
stop
expect fwd tx-packets == fwd rx-packets
expect fwd tx-dropped == 0

include common/pcap-out.rsc
expect output contains 02:aa:00:00:00:01 > 02:bb:00:00:00:02 IP 10.0.0.2.1000 > 10.0.0.1.2000
expect output not-contains 02:00:00:00:00:02 > 02:00:00:00:00:01
