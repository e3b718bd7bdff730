/**
 * The HJ 212 CRC (HJ 212-2017 Appendix: "CRC 校验算法"). It is NOT CRC-16/MODBUS even though it uses
 * the same 0xA001 polynomial: each byte is XORed into `reg >> 8`, not into `reg`
 * (domain-facts.md §3.2, vectors: "123456789" → 2F80, "" → FFFF).
 */

/**
 * Step 3 of §3.2 (8 × shift right, XOR 0xA001 when the bit shifted out was 1) applied to each
 * possible value after step 2. Step 2 leaves `(reg >> 8) ^ byte`, which is below 256, so the whole
 * per-byte step is one lookup in this table (same result as the bitwise steps, tested against them).
 */
const STEP = (() => {
  const table = new Uint16Array(256);
  for (let value = 0; value < 256; value++) {
    let reg = value;
    for (let bit = 0; bit < 8; bit++) {
      const lsb = reg & 1;
      reg >>>= 1;
      if (lsb) reg ^= 0xa001;
    }
    table[value] = reg;
  }
  return table;
})();

/** Computes the HJ 212 CRC over the bytes of a data segment (a string is taken as UTF-8). */
export function hj212Crc(data: Uint8Array | string, start = 0, end?: number): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const stop = end ?? bytes.length;
  let reg = 0xffff;
  for (let i = start; i < stop; i++) {
    // Step 2: the byte meets the HIGH byte of the register (Modbus would use `reg ^= byte`); step 3 by table.
    reg = STEP[(reg >>> 8) ^ (bytes[i] as number)] as number;
  }
  return reg & 0xffff;
}

/** Formats a CRC as the 4 upper-case hex digits a packet carries. */
export function formatCrc(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** Reads 4 hex digits (either case, senders differ: §3.2 step 4); undefined when they are not hex. */
export function parseCrc(text: string): number | undefined {
  return /^[0-9A-Fa-f]{4}$/.test(text) ? Number.parseInt(text, 16) : undefined;
}
