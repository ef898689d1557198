# txonly forwarding generates UDP packets on every port and receives
# nothing. net_null ports free what is sent, so the generator runs flat out.
ringside --vdev net_null0 --vdev net_null1 -- --forward-mode=txonly --txpkts=64

start
wait until port 0 tx-packets >= 10000 within 5s
wait until port 1 tx-packets >= 10000 within 5s
stop
show fwd stats all

expect fwd rx-packets == 0
expect fwd tx-packets > 0
# Every generated packet left through queue 0 of its port.
expect queue 0 0 tx-packets == port 0 tx-packets
expect queue 1 0 tx-packets == port 1 tx-packets
expect pool alloc-failures == 0
