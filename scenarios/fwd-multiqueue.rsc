# Two queues per port and two forwarding cores: every rx queue of every port
# carries traffic (net_null ports produce packets on each queue).
ringside --vdev net_null0 --vdev net_null1 -- --rxq=2 --txq=2 --nb-cores=2

show config fwd
expect output contains streams=4
start
wait until fwd rx-packets >= 100000 within 5s
stop

expect queue 0 0 rx-packets > 0
expect queue 0 1 rx-packets > 0
expect queue 1 0 rx-packets > 0
expect queue 1 1 rx-packets > 0
expect queue 0 0 rx-packets + queue 0 1 rx-packets == port 0 rx-packets
expect fwd rx-packets == fwd tx-packets + fwd tx-dropped
