# Two ringside instances joined by memif. This one is the server; a second
# ringside, started in the background (peers/memif-io-client.rsc), connects as
# the client and forwards all it receives straight back (io). Here, io
# forwarding between the pcap port and the memif port sends the 100 frames of
# udp-100.pcap out through memif; what returns is written to back.pcap and
# captured on the memif port: byte for byte the same, both times.
ringside --vdev net_memif0,role=server,socket=${WORKDIR}/memif.sock,socket-abstract=no,id=4 --vdev net_pcap0,rx_pcap=fixtures/udp-100.pcap,tx_pcap=${WORKDIR}/back.pcap -- --forward-mode=io

shell sh -c 'node "$0" run "$1" --var SOCK="$2" > "$3" 2>&1 &' ${SCENARIO_DIR}/../dist/shell/main.js ${SCENARIO_DIR}/peers/memif-io-client.rsc ${WORKDIR}/memif.sock ${WORKDIR}/peer.log
wait until port 0 link-up == 1 within 15s
show port info 0
expect output contains "memif peer: 'ringside' interface 'net_memif0', memif 2.0, role client"

capture start 0 rx file ${WORKDIR}/memif-rx.pcap count 100
start
wait until port 0 rx-packets >= 100 within 15s
stop
expect port 0 tx-packets == 100
expect capture ${WORKDIR}/memif-rx.pcap packets == 100
port stop 1
shell node fixtures/pcap-same.mjs fixtures/udp-100.pcap ${WORKDIR}/back.pcap
expect output contains same 100 packets
shell node fixtures/pcap-same.mjs fixtures/udp-100.pcap ${WORKDIR}/memif-rx.pcap
expect output contains same 100 packets
