/** Prints the functions with the most self time in a V8 .cpuprofile: `node --import tsx bench/profile-summary.ts file [top]`. */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}
const [file, topText = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const total = profile.samples.length;
const byKey = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const url = node.callFrame.url.replace(/^file:\/\/.*?node_modules\//, 'nm:').replace(/^file:\/\/\/work\/[^/]+\//, '');
  const key = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber}`;
  byKey.set(key, (byKey.get(key) ?? 0) + node.hitCount);
  const area = url.startsWith('nm:') ? url.split('/').slice(0, url.startsWith('nm:@') ? 2 : 1).join('/') : url === '' ? '(native/gc/idle)' : url.split('/')[0] ?? url;
  byFile.set(area, (byFile.get(area) ?? 0) + node.hitCount);
}
const pct = (n: number) => `${((100 * n) / total).toFixed(1)}%`.padStart(6);
console.log(`${total} samples`);
console.log('by package/folder:');
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(v)} ${k}`);
console.log('by function (self):');
for (const [k, v] of [...byKey].sort((a, b) => b[1] - a[1]).slice(0, Number(topText))) console.log(`  ${pct(v)} ${k}`);
