# icmpecho forwarding answers for the port's own addresses: a host asks who
# has 10.0.0.1 (ARP), then pings it ten times; the port replies to all.
set var OUT ${WORKDIR}/icmpecho-out.pcap
set var COUNT 11
ringside --vdev net_pcap0,rx_pcap=fixtures/ping-10.pcap,tx_pcap=${OUT} -- --forward-mode=icmpecho

port stop 0
mac_addr set 0 02:00:00:00:00:01
port config 0 ip 10.0.0.1/24
port start 0

start
wait until port 0 rx-packets == 11 within 5s
# Replies go out as the requests come in.
wait until port 0 tx-packets == 11 within 2s
stop

include common/pcap-out.rsc
expect output contains ARP reply
expect output contains 02:00:00:00:00:01 > 02:00:00:00:00:02 IP 10.0.0.1 > 10.0.0.2 ICMP echo reply id 7 seq 1
expect output contains ICMP echo reply id 7 seq 10
expect output not-contains echo request
