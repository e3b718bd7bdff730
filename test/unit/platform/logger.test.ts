/**
 * The root logger's two faces (STYLE.md "Logging"): JSON lines when stdout is
 * not a terminal, pino-pretty lines when asked for (a terminal) and
 * pino-pretty is installed. Each case runs in a child process so its stdout
 * can be read.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prettyTransportPath } from '../../../platform/logger.js';
import { REPO } from '../deploy/deploy-files.js';

function logOnce(pretty: 'true' | 'false' | 'default'): string {
  const option = pretty === 'default' ? '' : `, pretty: ${pretty}`;
  const script = `import { createLogger } from './platform/logger.ts'; createLogger({ level: 'info'${option} }).info({ stationId: 'S1' }, 'reading stored');`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO,
    encoding: 'utf8',
  });
}

describe('createLogger', () => {
  it('writes one JSON object per line when stdout is not a terminal', () => {
    const line = JSON.parse(logOnce('default').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, name: 'riverwatch', msg: 'reading stored', stationId: 'S1' });
  });

  it('writes pino-pretty lines when asked for (a terminal) and pino-pretty is installed', () => {
    expect(prettyTransportPath()).toMatch(/pino-pretty/);
    // eslint-disable-next-line no-control-regex -- colour codes
    const out = logOnce('true').replace(/\x1b\[\d+m/g, '');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(riverwatch\/\d+\): reading stored\n {4}stationId: "S1"/);
  });
});
