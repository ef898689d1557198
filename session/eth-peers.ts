// testpmd's --eth-peers-configfile: one MAC address per line, the peer of
// port 0 first. Blank lines and '#' comments are skipped.
import { readFileSync } from 'node:fs';
import { RingsideError } from '../native/errors.js';

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const MAX_PEERS = 64;  // the engine's kMaxPorts

export function ethPeersFromFile(path: string): string[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new RingsideError('EETH_PEERS', `cannot read the eth peers file ${path}: ${(e as Error).message}`);
  }
  const macs = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
  if (macs.length > MAX_PEERS) throw new RingsideError('EETH_PEERS', `${path}: ${macs.length} addresses, at most ${MAX_PEERS} (one per port)`);
  for (const [i, mac] of macs.entries()) {
    if (!MAC_RE.test(mac)) throw new RingsideError('EETH_PEERS', `${path}: line for port ${i}: '${mac}' is not a MAC address such as 02:00:00:00:00:01`);
  }
  return macs.map((m) => m.toLowerCase());
}
