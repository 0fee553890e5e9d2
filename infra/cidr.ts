/**
 * IPv4 CIDR blocks for the private network (networkMode=private): the config check and the subnet layout
 * read the address space the same way.
 */

export interface Ipv4Block {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefixLength: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; throws, saying what to fix, when the text is not a block or has host bits set. */
export function parseIpv4Block(text: string): Ipv4Block {
  const match = CIDR.exec(text.trim());
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefixLength = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefixLength > 32) {
    throw new Error(`'${text}' is not an IPv4 address block: write it as a.b.c.d/n, e.g. 10.80.0.0/22`);
  }
  const base = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefixLength);
  if (base % size !== 0) {
    throw new Error(`'${text}' has host bits set: the block starts at ${formatIpv4Block({ base: base - (base % size), prefixLength })}`);
  }
  return { base, prefixLength };
}

export function formatIpv4Block(block: Ipv4Block): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(block.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${block.prefixLength}`;
}

/** The `index`-th block of `prefixLength` inside `outer` (0 = the first). */
export function subBlock(outer: Ipv4Block, prefixLength: number, index: number): Ipv4Block {
  const size = 2 ** (32 - prefixLength);
  if (prefixLength < outer.prefixLength || (index + 1) * size > 2 ** (32 - outer.prefixLength)) {
    throw new Error(`${formatIpv4Block(outer)} has no block ${index} of /${prefixLength}`);
  }
  return { base: outer.base + index * size, prefixLength };
}
