/** Writes ground-truth labels as JSON lines (one label per line; issue 7 §3). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GroundTruthLabel } from './model/labels.js';

export function labelsToJsonl(labels: readonly GroundTruthLabel[]): string {
  return labels.map((label) => JSON.stringify(label)).join('\n') + (labels.length > 0 ? '\n' : '');
}

export async function writeLabelsFile(path: string, labels: readonly GroundTruthLabel[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, labelsToJsonl(labels), 'utf8');
}
