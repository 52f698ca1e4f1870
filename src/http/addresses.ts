import { BlockList, isIPv4 } from 'node:net';

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) becomes `127.0.0.1`. */
export function canonicalAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

const MEMO_SIZE = 4096;

/**
 * Matches addresses against a CIDR list (validated by the config schema). Answers
 * are memoized: BlockList.check builds a SocketAddress per call, and the same few
 * peers (proxies, web applications) ask over and over.
 */
export function cidrMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), isIPv4(network) ? 'ipv4' : 'ipv6');
  }
  const memo = new Map<string, boolean>();
  return (address) => {
    const known = memo.get(address);
    if (known !== undefined) return known;
    const canonical = canonicalAddress(address);
    let matches = false;
    try {
      matches = list.check(canonical, isIPv4(canonical) ? 'ipv4' : 'ipv6');
    } catch {
      // Not an IP address: never matches.
    }
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(address, matches);
    return matches;
  };
}
