/**
 * How far V8 lets the heap grow past what survived the last full collection
 * (issue 14). Left to itself V8 picks a factor of up to 4 when memory is
 * plentiful: under a backlog the whole job (analytics state of ~280 MB live
 * for 2,000 stations) grew to 1.1–1.3 GB of mostly dead objects before a
 * full collection. A fixed percentage bounds that (heap ≈ live × (1 + p/100))
 * at the cost of more frequent full collections, and unlike
 * `--max-old-space-size` it is no hard limit: a larger deployment needs more
 * memory, it does not crash. V8 reads the flag at every full collection, so
 * it can be set by the running process.
 */
import v8 from 'node:v8';

/** Sets the heap growing percentage; 0 leaves V8's own heuristics. */
export function limitHeapGrowth(percent: number, setFlags: (flags: string) => void = v8.setFlagsFromString): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth must be a whole percentage ≥ 0, got ${percent}`);
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}
