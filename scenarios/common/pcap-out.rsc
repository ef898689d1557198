# Shared ending for the pcap scenarios: stop the port so the output file is
# complete, then list its packets so the including scenario can check them.
# Needs: ${OUT} (the tx_pcap file) and ${COUNT} (how many packets it holds).
port stop 0
expect capture ${OUT} packets == ${COUNT}
shell node fixtures/pcap-summary.mjs ${OUT}
expect output not-contains cksum-BAD
