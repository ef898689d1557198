# The other ringside of memif-two-ringside.rsc (started by it): a memif client
# on the socket ${SOCK} that sends back everything it receives.
ringside --vdev net_memif0,role=client,socket=${SOCK},socket-abstract=no,id=4 -- --forward-mode=io

wait until port 0 link-up == 1 within 15s
start
wait until port 0 rx-packets >= 100 within 20s
sleep 1s
stop
expect port 0 tx-packets == 100
