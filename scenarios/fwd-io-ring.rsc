# Two net_ring ports wired back to back: `start tx_first` puts one burst of
# 32 packets on each stream, and io forwarding keeps them circling. Nothing
# is created or lost on the way.
ringside --vdev net_ring0,peer=net_ring1 --vdev net_ring1,peer=net_ring0 -- --forward-mode=io

start tx_first
wait until fwd rx-packets >= 100000 within 5s
stop

expect port 0 rx-packets > 0
expect port 1 rx-packets > 0
include common/ring-conservation.rsc
