// show port P rxq Q desc used count (what waits in the rx ring) and
// port reset P|all (refused while the port forwards; afterwards the port is
// stopped with empty queues, and port start brings it back).
import { test, assert } from './lib/harness.mjs';
import { shellSession } from './lib/cli.mjs';
import { sleep } from './lib/engine.mjs';

const RINGS = ['--vdev', 'net_ring0', '--vdev', 'net_ring1', '--', '-i'];

test('desc used count: a stopped rx queue\'s ring fills with what the peer stream sends; port reset is refused while forwarding, stops the port, port start brings it back', async () => {
  const s = shellSession(RINGS);
  try {
    s.write('show port 0 rxq 0 desc used count\nstart tx_first\nport 0 rxq 0 stop\n');
    await s.until(/Port 0 rx queue 0 stopped/, 10_000);
    await sleep(300);
    // both tx_first bursts (32 each) end in port 0's ring: one straight, one through port 1
    s.write('show port 0 rxq 0 desc used count\nport reset 0\nstop\nport 0 rxq 0 start\n');
    await s.until(/Used desc count = 64[\s\S]*Please remove port 0 from forwarding configuration\.\nDone/, 10_000);
    s.write('port start all\nport reset all\nshow port 1 rxq 0 desc used count\nshow port info 0\nport start all\nshow port info 0\n');
    await s.until(/Resetting ports\.\.\.\nDone\nUsed desc count = 0\n[\s\S]*Link status: down[\s\S]*Link status: up/, 10_000);
  } finally {
    await s.end('quit\n');
  }
  assert.match(s.output, /^Used desc count = 0$/m, 'an idle ring is empty');
}, { timeoutMs: 60_000 });

test.run();
