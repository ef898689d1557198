# Port settings read back through conditions: MTU, link, promiscuous mode,
# queues and the MAC address. No ringside line: the embedded default ports.
expect port 0 mtu == 1500
port config mtu 0 1600
expect port 0 mtu == 1600

set link-down port 1
expect port 1 link-up == 0
set link-up port 1
expect port 1 link-up == 1

set promisc all off
expect port 0 promiscuous + port 1 promiscuous == 0

port stop 0
port config 0 rxq 4
port start 0
expect port 0 rx-queues == 4

mac_addr set 0 02:AA:BB:CC:DD:EE
show port info 0
expect output contains MAC address: 02:AA:BB:CC:DD:EE
expect output matches MTU: 1600
