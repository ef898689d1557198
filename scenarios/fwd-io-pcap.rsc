# io forwarding, pcap in -> pcap out: every packet read from the file is
# written out unchanged, and nothing is lost on the way.
ringside --vdev net_pcap0,rx_pcap=fixtures/udp-100.pcap,tx_pcap=${WORKDIR}/out.pcap \
         -- --forward-mode=io

start
# The file holds 100 packets: wait for forwarding to have read them all.
wait until port 0 rx-packets == 100 within 5s
stop

# Conservation: what came in went out, nothing was dropped.
expect fwd rx-packets == fwd tx-packets
expect fwd tx-dropped == 0
expect port 0 tx-packets == 100
expect port 0 rx-bytes == port 0 tx-bytes

# The written file holds the same 100 packets, intact.
port stop 0
expect capture ${WORKDIR}/out.pcap packets == 100
expect capture ${WORKDIR}/out.pcap bytes == capture fixtures/udp-100.pcap bytes
shell node fixtures/pcap-summary.mjs ${WORKDIR}/out.pcap
expect output contains 10.0.0.2.1099 > 10.0.0.1.2000 UDP length 163
expect output not-contains BAD
