// Traffic generation surface of the addon (native/binding/gen.cpp): packet
// template, IMIX, flowgen ranges, per-port rate and count, and what rxonly /
// flowgen measured on a port. Augments NativeEngine; import for its types.

export interface GenFlows { srcIp: number; dstIp: number; srcPort: number; dstPort: number }
export interface ImixEntry { len: number; weight: number }

export interface GenSettings {
  l2: 'none' | 'vlan' | 'qinq';
  vlan: number[];                 // TCIs, outer first (vlan uses [0])
  l3: 'ipv4' | 'ipv6';
  ipv4Src: string; ipv4Dst: string; ipv6Src: string; ipv6Dst: string;
  l4: 'udp' | 'tcp' | 'icmp';
  srcPort: number; dstPort: number;
  tcpFlags: number; ttl: number;
  payload: 'zero' | 'inc' | 'fixed' | 'random';
  payloadByte: number;
  stamp: boolean;                 // sequence number + timestamp in the payload
  imix: ImixEntry[];              // empty: every packet is the txpkts sum long
  flows: GenFlows;                // flowgen: how many consecutive values each field takes
}

// What setGenSettings takes: any subset of the fields (flows too).
export type GenSettingsUpdate = Partial<Omit<GenSettings, 'flows'>> & { flows?: Partial<GenFlows> };

export interface TxRateInfo { value: number; unit: 'pps' | 'mbps' } // value 0: unpaced

export interface LatencyBucket { loNs: number; hiNs: number; count: number }
export interface LatencyReport {
  port: number;
  stamped: number; unique: number; expected: number; lost: number;
  duplicates: number; reordered: number; sources: number; untracked: number; badTime: number;
  latCount: number; minNs: number; avgNs: number; p50Ns: number; p99Ns: number; maxNs: number;
  histogram: LatencyBucket[];
}

declare module './addon.js' {
  interface NativeEngine {
    genSettings(): GenSettings;
    setGenSettings(partial: GenSettingsUpdate): void;
    setTxRate(port: number, value: number, unit: 'pps' | 'mbps'): void;
    txRate(port: number): TxRateInfo;
    setTxCount(port: number, count: number): void;
    txCount(port: number): number;
    portLatency(port: number): LatencyReport;
  }
}
