# Needs root (a topology) and 2 CPUs. AF_XDP takes some queues of an interface and
# leaves the others to the kernel. rsxq0 has two rx queues: ringside binds an
# AF_XDP socket to queue 1 only (start_queue=1,queue_count=1); its XDP program
# redirects what arrives on queue 1 to ringside and passes queue 0's traffic
# to the kernel, which keeps answering on the same interface.
#
# Which queue a packet lands on is chosen by the sender: far's eth0 sends on
# tx queue N, which is rsxq0's rx queue N. XPS maps CPU 0 to tx queue 0 and
# CPU 1 to tx queue 1, so `taskset -c N ping` picks the queue.
topology
  netns far
  veth far:eth0 host:rsxq0 queues 2
  addr far:eth0 10.62.0.2/24
  addr host:rsxq0 10.62.0.1/24
end
ringside --vdev net_af_xdp0,iface=rsxq0,start_queue=1,queue_count=1 -- --forward-mode=rxonly

netns far
shell sh -c 'echo 1 > /sys/class/net/eth0/queues/tx-0/xps_cpus && echo 2 > /sys/class/net/eth0/queues/tx-1/xps_cpus'
netns host

show port info 0
expect output contains queues kept by the kernel: 0
start

# Queue 0 is the kernel's: it answers the ping.
netns far
shell taskset -c 0 ping -c 5 -i 0.2 -W 2 10.62.0.1
expect output contains 5 received
# Queue 1 is ringside's: the kernel never sees these, rxonly counts them.
shell! taskset -c 1 ping -c 5 -i 0.2 -W 1 10.62.0.1
expect output contains 5 packets transmitted, 0 received
netns host
wait until port 0 rx-packets >= 5 within 2s
expect queue 0 0 rx-packets == port 0 rx-packets

# Stopped, the port gives queue 1 back: the kernel answers there too.
stop
port stop 0
show port info 0
expect output contains queues kept by the kernel: 0-1
netns far
shell taskset -c 1 ping -c 3 -i 0.2 -W 2 10.62.0.1
expect output contains 3 received
