/**
 * Source addresses for the fuzzer's TCP connections. Linux routes all of
 * 127.0.0.0/8 to the loopback interface, so each HTTP request and each HJ 212
 * connection can come from its own address: its dead letters are then found
 * by the peer address, and per-address limits (HTTP rate limit without a
 * credential, the HJ 212 bad-input budget) apply to one input each.
 */

/** A loopback address unique to `index` within `127.<octet…>.x.y` (host parts 1..254). */
export function loopbackAddress(octet: number, index: number): string {
  const perBlock = 254 * 254;
  return `127.${octet + Math.floor(index / perBlock)}.${1 + (Math.floor(index / 254) % 254)}.${1 + (index % 254)}`;
}
