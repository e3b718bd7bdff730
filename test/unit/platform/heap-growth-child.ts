/**
 * Child of heap.test.ts: keeps ~60 MB alive, churns objects that live a
 * little while (as held readings and in-flight batches do) and prints the
 * largest heap it saw, with the heap growth given as its argument.
 */
import { limitHeapGrowth } from '../../../platform/heap.js';

limitHeapGrowth(Number(process.argv[2]));
const live: { i: number; s: string; a: number[] }[] = [];
for (let i = 0; i < 400_000; i++) live.push({ i, s: `live-${i}`, a: [i, i + 1] });
let window: { v: number; s: string; a: number[] }[] = [];
let peak = 0;
for (let round = 0; round < 120; round++) {
  for (let i = 0; i < 20_000; i++) window.push({ v: i * 0.5, s: `churn-${i}`, a: [i, i, i, i] });
  if (window.length > 100_000) window = window.slice(50_000);
  await new Promise((resolve) => setImmediate(resolve));
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(JSON.stringify({ peakHeapMb: Math.round(peak / 1048576), live: live.length }));
