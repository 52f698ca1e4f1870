import { BlockList, isIPv4 } from 'node:net';

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) becomes `127.0.0.1`. */
export function canonicalAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** Matches addresses against a CIDR list (validated by the config schema). */
export function cidrMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), isIPv4(network) ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const canonical = canonicalAddress(address);
    try {
      return list.check(canonical, isIPv4(canonical) ? 'ipv4' : 'ipv6');
    } catch {
      return false;
    }
  };
}
