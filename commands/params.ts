// Typed parameters of the grammar: how a word is checked, what the error says
// (which argument, what was given, what is valid) and how it completes.
import fs from 'node:fs';
import path from 'node:path';
import type { Choice, GrammarContext, ParamType, ParseOutcome } from './spec.js';

const ok = (value: unknown): ParseOutcome => ({ ok: true, value });
const bad = (error: string, syntaxOk = false): ParseOutcome => ({ ok: false, error, syntaxOk });

// "0..1", "0..2,5", "none attached"
export function describeIds(ids: number[]): string {
  if (ids.length === 0) return 'none (no port is attached)';
  const parts: string[] = [];
  let i = 0;
  while (i < ids.length) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j > i ? `${ids[i]}..${ids[j]}` : `${ids[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function safeIds(ctx: GrammarContext): number[] {
  try { return ctx.engine.portIds(); } catch { return []; }
}

const UINT = /^(0|[1-9][0-9]*)$/;
const HEXORDEC = /^(0x[0-9a-fA-F]+|0|[1-9][0-9]*)$/;

function portChoices(ctx: GrammarContext): Choice[] {
  return safeIds(ctx).map((id) => {
    let help = `port ${id}`;
    try {
      const info = ctx.engine.portInfo?.(id);
      if (info) help = `${info.name} (${info.driver}, ${info.started ? 'started' : info.closed ? 'closed' : 'stopped'})`;
    } catch { /* keep the short help */ }
    return { word: String(id), help };
  });
}

// testpmd's on|off switch words.
export const ON_OFF: Choice[] = [{ word: 'on', help: 'enable' }, { word: 'off', help: 'disable' }];

export const portId: ParamType = {
  label: 'port_id',
  help: 'a port id',
  parse(word, ctx) {
    if (!UINT.test(word)) return bad(`invalid port id '${word}': expected a number, valid ports are ${describeIds(safeIds(ctx))}`);
    const id = Number(word);
    const ids = safeIds(ctx);
    if (!ids.includes(id)) return bad(`port ${id} does not exist: valid ports are ${describeIds(ids)}`, true);
    return ok(id);
  },
  complete: portChoices,
};

// 'all' | port id; the value is 'all' or a number.
export const portSel: ParamType = {
  label: 'port_id|all',
  help: "a port id or 'all'",
  parse(word, ctx) {
    if (word === 'all') return ok('all');
    if (!UINT.test(word)) {
      return bad(`invalid port '${word}': expected 'all' or a port id, valid ports are ${describeIds(safeIds(ctx))}`);
    }
    return portId.parse(word, ctx);
  },
  complete: (ctx) => [{ word: 'all', help: 'every port' }, ...portChoices(ctx)],
};

// Without a max the engine checks the upper limit (it knows it: kMaxBurst, queues, ...).
const U32_MAX = 4294967295;
export function uint(label: string, help: string, min = 0, max = U32_MAX): ParamType {
  const range = max === U32_MAX ? `>= ${min}` : `${min}..${max}`;
  return {
    label,
    help: `${help} (${range})`,
    parse(word) {
      if (!HEXORDEC.test(word)) return bad(`invalid ${label} '${word}': expected an integer ${range}`);
      const n = Number(word);
      if (n < min || n > max) return bad(`${label} ${word} is out of range: valid values are ${range}`, true);
      return ok(n);
    },
  };
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
export const mac: ParamType = {
  label: 'XX:XX:XX:XX:XX:XX',
  help: 'a MAC address, six hex bytes separated by colons',
  parse(word) {
    if (!MAC.test(word)) return bad(`invalid MAC address '${word}': expected XX:XX:XX:XX:XX:XX (hex digits)`);
    return ok(word.toLowerCase());
  },
};

// L[,L...]: lengths of packet segments.
export function numList(label: string, help: string, min: number, max: number): ParamType {
  return {
    label,
    help: `${help} (each ${min}..${max})`,
    parse(word) {
      const parts = word.split(',');
      const out: number[] = [];
      for (const part of parts) {
        if (!UINT.test(part)) return bad(`invalid ${label} '${word}': expected numbers separated by commas, e.g. 64 or 14,50`);
        const n = Number(part);
        if (n < min || n > max) return bad(`${label} value ${n} in '${word}' is out of range: each must be ${min}..${max}`, true);
        out.push(n);
      }
      return ok(out);
    },
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
export const cidr: ParamType = {
  label: 'A.B.C.D/LEN',
  help: 'an IPv4 address with prefix length, e.g. 192.168.1.1/24',
  parse(word) {
    if (!IPV4.test(word)) return bad(`invalid address '${word}': expected an IPv4 address with prefix length, e.g. 192.168.1.1/24`);
    return ok(word);
  },
};

// A forwarding mode, read from addon.fwdModes() through the context (lazily).
export function fwdModeChoices(ctx: GrammarContext): Choice[] {
  return ctx.fwdModes().map((m) => ({ word: m.name, help: m.help }));
}

// A file path: completes from the file system, directories end with '/'.
export const filePath: ParamType = {
  label: 'file',
  help: 'a file path',
  parse(word) { return ok(word); },
  complete(_ctx, prefix) {
    const slash = prefix.lastIndexOf('/');
    const dirPart = slash >= 0 ? prefix.slice(0, slash + 1) : '';
    const dir = dirPart === '' ? '.' : dirPart;
    let entries: fs.Dirent[] = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return []; }
    const base = prefix.slice(dirPart.length);
    return entries
      .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => {
        let isDir = e.isDirectory();
        if (e.isSymbolicLink()) { try { isDir = fs.statSync(path.join(dir, e.name)).isDirectory(); } catch { /* dangling */ } }
        return isDir
          ? { word: `${dirPart}${e.name}/`, help: 'directory', partial: true }
          : { word: `${dirPart}${e.name}`, help: 'file' };
      });
  },
};

// A kernel network interface that exists: completes from /sys/class/net.
const SYS_NET = '/sys/class/net';
export const kernelIface: ParamType = {
  label: 'ifname',
  help: 'a kernel network interface',
  parse(word) { return ok(word); },
  complete(_ctx, prefix) {
    let names: string[] = [];
    try { names = fs.readdirSync(SYS_NET); } catch { return []; }
    return names.filter((n) => n.startsWith(prefix)).sort().map((n) => {
      let state = '';
      try { state = fs.readFileSync(path.join(SYS_NET, n, 'operstate'), 'utf8').trim(); } catch { /* gone meanwhile */ }
      return { word: n, help: state ? `kernel interface (${state})` : 'kernel interface' };
    });
  },
};

// DEVARGS: driver name plus instance, then key=value pairs. The engine checks
// them; completion offers drivers (with the next free instance), keys, and
// the values of the keys named here.
const DEVARG_VALUES: Record<string, ParamType> = {
  iface: kernelIface,
  rx_pcap: filePath,
  tx_pcap: filePath,
};
export const devargs: ParamType = {
  label: 'devargs',
  help: 'a virtual device, e.g. net_null2 or net_ring2,peer=net_ring3',
  parse(word) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*/.test(word)) return bad(`invalid devargs '${word}': expected DRIVER<n>[,key=value...], e.g. net_null2`);
    return ok(word);
  },
  complete(ctx, prefix) {
    let drivers: { name: string; help: string; keys: string[] }[] = [];
    try { drivers = ctx.drivers(); } catch { return []; }
    const comma = prefix.lastIndexOf(',');
    const eq = prefix.indexOf('=', comma + 1);
    if (comma >= 0 && eq >= 0) {
      const value = DEVARG_VALUES[prefix.slice(comma + 1, eq)];
      const head = prefix.slice(0, eq + 1);
      // Partial: another ,key=value may follow.
      return (value?.complete?.(ctx, prefix.slice(eq + 1)) ?? [])
        .map((c) => ({ word: `${head}${c.word}`, help: c.help, partial: true }));
    }
    if (comma >= 0) {
      const head = prefix.slice(0, comma + 1);
      const drv = drivers.find((d) => prefix.startsWith(d.name));
      if (!drv) return [];
      const used = new Set(prefix.slice(0, comma).split(',').slice(1).map((kv) => kv.split('=')[0]));
      return drv.keys.filter((k) => !used.has(k)).map((k) => ({ word: `${head}${k}=`, help: `${drv.name} option ${k}`, partial: true }));
    }
    const names = new Set<string>();
    for (const id of safeIds(ctx)) {
      try { const n = ctx.engine.portInfo?.(id)?.name; if (n) names.add(n); } catch { /* ignore */ }
    }
    return drivers.map((d) => {
      let n = 0;
      while (names.has(`${d.name}${n}`)) n++;
      return { word: `${d.name}${n}`, help: d.help, partial: true };
    });
  },
};

// The rest of the line as one value (help topics).
export function rest(label: string, help: string, complete?: ParamType['complete']): ParamType {
  return { label, help, rest: true, parse: (word) => ok(word), complete };
}
