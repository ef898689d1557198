# Conservation on ring ports after `start tx_first` (one burst of 32 on each
# of 2 streams): every packet the streams sent was either received back or is
# still in a ring; nothing was dropped.
expect fwd tx-dropped == 0
expect fwd tx-packets == fwd rx-packets + 64
expect port 0 tx-packets + port 1 tx-packets == port 0 rx-packets + port 1 rx-packets + 64
expect port 0 tx-dropped == 0
expect port 1 tx-dropped == 0
