// testpmd commands that need a NIC driver (VF, DCB, flow director, traffic
// manager, meters, flow control, FEC, TSO and tunnel offloads, E-tag, pctype,
// encapsulation templates, asynchronous flow, descriptor reads, ...). Each
// form is recognised, so a testpmd user reads "not supported on net_ring
// ports" rather than "unknown command" or a misleading did-you-mean. The list
// is data: one row per form, the words that identify it ('P' a port id, '*'
// any one word) and what it needs; the rest of the line is taken as given.
import type { Session } from '../session/session.js';
import type { CommandSpec, Token } from './spec.js';
import { p, w } from './spec.js';
import { portId, rest } from './params.js';
import { errorResult } from './results.js';

type Row = [pattern: string, needs: string];

const VF = 'SR-IOV virtual functions';
const DCB = 'data centre bridging (traffic classes in the NIC)';
const FDIR = "the NIC's flow director";
const TM = "the NIC's traffic manager";
const METER = "the NIC's meters (rte_mtr)";
const FC = 'pause frames from the MAC';
const FEC = 'forward error correction in the PHY';
const OFFLOAD = 'offload in the NIC';
const TUNNEL = 'tunnel offload in the NIC';
const ETAG = 'E-tag (802.1BR) in the NIC';
const PCTYPE = 'packet classification types of the NIC (i40e)';
const ENCAP = 'encapsulation actions in the NIC (rte_flow encap/decap)';
const ASYNC = 'the asynchronous flow API of the NIC (template tables and queues)';
const DESC = 'hardware descriptors';
const BOND = 'a bonded device (net_bonding)';
const BYPASS = 'a bypass-capable NIC (ixgbe)';
const MACSEC = 'MACsec offload in the NIC';
const QREGION = 'queue regions of the NIC (i40e)';
const VLANHW = 'VLAN offload in the NIC';
const MLX5 = 'an mlx5 NIC';

export const NIC_ONLY: readonly Row[] = [
  // descriptors and registers
  ['read rxd', DESC], ['read txd', DESC], ['read reg', DESC], ['read regfield', DESC], ['read regbit', DESC],
  ['write reg', DESC], ['write regfield', DESC], ['write regbit', DESC],
  ['show port P rxq * desc', DESC], ['show port P txq * desc', DESC],
  ['show port P module_eeprom', 'a pluggable module EEPROM'], ['show port P eeprom', 'a NIC EEPROM'],
  // VF
  ['show vf stats', VF], ['clear vf stats', VF], ['set vf', VF], ['mac_addr add port', VF],
  ['rx_vlan add * port P vf', VF], ['rx_vlan rm * port P vf', VF], ['set port P vf', VF],
  ['set tx strict-link-priority', VF], ['set tc tx min-bandwidth', VF],
  // DCB
  ['show port dcb_tc', DCB], ['port config P dcb', DCB], ['set pfc_ctrl', DCB], ['set pfc_queue_ctrl', DCB],
  // flow director
  ['show port fdir', FDIR], ['clear port fdir', FDIR], ['flow_director_filter', FDIR],
  // traffic manager
  ['show port tm', TM], ['add port tm', TM], ['del port tm', TM], ['set port tm', TM],
  ['suspend port tm', TM], ['resume port tm', TM], ['port tm', TM],
  // meters
  ['show port meter', METER], ['add port meter', METER], ['del port meter', METER], ['create port meter', METER],
  ['enable port meter', METER], ['disable port meter', METER], ['set port meter', METER],
  // flow control, FEC, link
  ['set flow_ctrl', FC], ['show port P flow_ctrl', FC],
  ['show port P fec', FEC], ['show port P fec_mode', FEC], ['set port P fec_mode', FEC],
  ['port config P speed', 'a PHY with selectable speed'], ['port config all speed', 'a PHY with selectable speed'],
  ['port config P loopback', 'MAC/PHY loopback'], ['port config all loopback', 'MAC/PHY loopback'],
  // offloads
  ['tso set', OFFLOAD], ['tso show', OFFLOAD], ['tunnel_tso set', TUNNEL], ['tunnel_tso show', TUNNEL],
  ['port config P rx_offload', OFFLOAD], ['port config P tx_offload', OFFLOAD],
  ['port P rxq * rx_offload', OFFLOAD], ['port P txq * tx_offload', OFFLOAD],
  ['port config all max-lro-pkt-size', OFFLOAD], ['port config all drop-en', OFFLOAD],
  ['port config all txpt', DESC], ['port config all txht', DESC], ['port config all txwt', DESC],
  ['port config all rxpt', DESC], ['port config all rxht', DESC], ['port config all rxwt', DESC],
  ['port config all txfreet', DESC], ['port config all txrst', DESC], ['port config all rxfreet', DESC],
  ['port config P tx_metadata', OFFLOAD], ['show port P tx_metadata', OFFLOAD], ['port config P dynf', OFFLOAD],
  ['set port P ptype_mask', OFFLOAD], ['set port P rxq * avail_thresh', OFFLOAD],
  ['set port P queue * rate', 'per-queue rate limiting in the NIC'], ['set port P uta', 'the unicast hash table of the NIC'],
  ['set stat_qmap', 'queue statistics registers of the NIC'], ['set all queues drop', OFFLOAD], ['set tx loopback', 'VEB loopback in the NIC'],
  ['vlan set', VLANHW], ['rx_vlan add', VLANHW], ['rx_vlan rm', VLANHW], ['tx_vlan set', VLANHW], ['tx_vlan reset', VLANHW],
  ['set port P rx_vlan', VLANHW], ['set port P tx_vlan', VLANHW],
  ['set rxoffs', 'rx buffer split in the NIC'], ['set rxpkts', 'rx buffer split in the NIC'], ['set rxhdrs', 'rx buffer split in the NIC'],
  ['set txtimes', 'tx send scheduling in the NIC'],
  // tunnels
  ['rx_vxlan_port add', TUNNEL], ['rx_vxlan_port rm', TUNNEL], ['port config P udp_tunnel_port', TUNNEL],
  ['flow tunnel', TUNNEL],
  // E-tag
  ['E-tag set', ETAG], ['port config P l2-tunnel', ETAG],
  // pctype, ptype mapping, DDP
  ['port config P pctype', PCTYPE], ['show port P pctype', PCTYPE], ['ptype mapping', PCTYPE], ['ddp', PCTYPE],
  // encapsulation templates
  ['set vxlan', ENCAP], ['set vxlan-with-vlan', ENCAP], ['set vxlan-tos-ttl', ENCAP], ['set nvgre', ENCAP],
  ['set nvgre-with-vlan', ENCAP], ['set l2_encap', ENCAP], ['set l2_encap-with-vlan', ENCAP], ['set l2_decap', ENCAP],
  ['set l2_decap-with-vlan', ENCAP], ['set mplsogre_encap', ENCAP], ['set mplsogre_decap', ENCAP],
  ['set mplsoudp_encap', ENCAP], ['set mplsoudp_decap', ENCAP], ['set raw_encap', ENCAP], ['set raw_decap', ENCAP],
  ['set sample_actions', ENCAP], ['set conntrack', ENCAP],
  // asynchronous and indirect flow
  ['flow info', ASYNC], ['flow configure', ASYNC], ['flow pattern_template', ASYNC], ['flow actions_template', ASYNC],
  ['flow template_table', ASYNC], ['flow queue', ASYNC], ['flow push', ASYNC], ['flow pull', ASYNC],
  ['flow indirect_action', ASYNC], ['flow aged', ASYNC], ['flow dump', ASYNC], ['flow flex_item', ASYNC],
  ['show port P flow transfer', 'transfer flows (a switch in the NIC)'],
  // bonding, bypass, MACsec, queue regions, vendor commands
  ['set bonding', BOND], ['show bonding', BOND], ['add bonding', BOND], ['remove bonding', BOND], ['create bonded', BOND],
  ['port config bypass', BYPASS], ['set bypass', BYPASS], ['show bypass', BYPASS],
  ['set macsec', MACSEC], ['set port P queue-region', QREGION], ['show port P queue-region', QREGION],
  ['mlx5', MLX5],
];

function drivers(s: Session, port: number | undefined): string {
  const ids = port === undefined ? s.ports.ids() : [port];
  const names = [...new Set(ids.map((id) => s.ports.info(id).driver))];
  if (names.length === 0) return 'software';
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

const anyWord = rest('...', 'any value');
const word = { ...anyWord, rest: false, label: 'value' };

function tokensOf(pattern: string): Token[] {
  const out = pattern.split(' ').map((t, i) => (t === 'P' ? p(`port${i}`, portId) : t === '*' ? p(`word${i}`, word) : w(t)));
  out.push(p('args', rest('...', 'the arguments testpmd takes'), true));
  return out;
}

export const nicOnly: CommandSpec[] = NIC_ONLY.map(([pattern, needs]) => {
  const form = pattern.split(' ').filter((t) => t !== 'P' && t !== '*').join(' ');
  return {
    tokens: tokensOf(pattern),
    help: `Needs ${needs}: not supported on software ports.`,
    section: 'nic',
    handler: (s, a) => {
      const port = Object.entries(a).find(([k]) => k.startsWith('port'))?.[1] as number | undefined;
      return errorResult('ENOTSUP_NIC', `'${form}' needs a NIC driver (${needs}); not supported on ${drivers(s, port)} ports`,
        "ringside's ports are software (net_ring, net_null, net_pcap, net_tap, net_af_packet, net_af_xdp): see 'help all' for what they do");
    },
  } satisfies CommandSpec;
});
