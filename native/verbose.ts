// `set verbose` methods the addon adds to Engine (binding file
// native/binding/verbose.cpp), merged into NativeEngine.
export interface VerboseSetInfo { level: number; filter: string; ports: number[] }

// One packet a verbose tap kept, decoded by the engine (diag/decode.h).
export interface VerboseRecord {
  port: number; queue: number; dir: 'rx' | 'tx';
  sec: number; nsec: number;     // CLOCK_REALTIME of its burst
  length: number;                // frame length
  caplen: number;                // bytes kept (at most 128)
  src: string; dst: string;      // MACs ('' when the Ethernet header is cut)
  etherType: number;             // after VLAN tags
  ptype: string;                 // "L2_ETHER L3_IPV4 L4_UDP"
  l2Len: number; l3Len: number; l4Len: number;
  summary: string;               // tcpdump-like; malformed packets end with "[truncated ... at byte N]"
  hex?: string[];                // level 5: the kept bytes, 16 a line
}
export interface VerboseDrainInfo { records: VerboseRecord[]; suppressed: number }

declare module './addon.js' {
  interface NativeEngine {
    // level 0..5 on the ports named; everyPort: ports attached later get a tap
    // too; filter: capture filter syntax (EFILTER).
    verboseSet(level: number, ports: number[], everyPort: boolean, filter?: string, ringBytes?: number): VerboseSetInfo;
    verboseDrain(max?: number): VerboseDrainInfo;
  }
}
