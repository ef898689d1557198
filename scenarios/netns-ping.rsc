# Needs root. Two network namespaces joined by a veth pair: the scenario
# makes them, pings across, and removes them afterwards (also when it fails
# or is interrupted). ringside itself is not involved in the traffic here:
# this is the pattern for kernel-port scenarios.
topology
  netns left
  netns right
  veth left:veth0 right:veth0
  addr left:veth0 10.99.0.1/24
  addr right:veth0 10.99.0.2/24
end

netns left
shell ip -brief addr show dev veth0
expect output contains 10.99.0.1/24
shell ping -c 3 -i 0.2 -W 2 10.99.0.2
expect output contains 3 received

netns right
shell ping -c 1 -W 2 10.99.0.1
expect output exit-status == 0
# Nobody answers for 10.99.0.9: the failure is allowed, then checked.
shell! ping -c 1 -W 1 10.99.0.9
expect output exit-status != 0
expect output contains 0 received
