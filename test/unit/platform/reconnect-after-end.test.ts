import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { reconnectAfterUnexpectedEnd } from '../../../platform/redis/client.js';

/** A client that never connects (lazy), whose `end` the test triggers as ioredis would. */
function idleClient(): { client: Redis; connect: ReturnType<typeof vi.fn>; end: () => void } {
  const client = reconnectAfterUnexpectedEnd(new Redis({ lazyConnect: true, port: 1, retryStrategy: () => null }));
  client.on('error', () => undefined);
  const connect = vi.fn(async () => undefined);
  client.connect = connect as unknown as typeof client.connect;
  // Only what happens from the end on counts (ioredis itself connects a lazy client for a command).
  const end = (): void => {
    connect.mockClear();
    (client as unknown as { setStatus(s: string): void }).setStatus('end');
  };
  return { client, connect, end };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('reconnectAfterUnexpectedEnd', () => {
  it('connects again when the connection ends without being closed by us (the failover-detector race)', async () => {
    const { connect, end } = idleClient();
    end();
    await sleep(200);
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it('leaves a client closed with disconnect() or quit() closed', async () => {
    const a = idleClient();
    a.client.disconnect();
    a.end();
    const b = idleClient();
    await b.client.quit().catch(() => undefined);
    b.end();
    await sleep(200);
    expect(a.connect).not.toHaveBeenCalled();
    expect(b.connect).not.toHaveBeenCalled();
  });

  it('does not count disconnect(true), a reconnect, as closing', async () => {
    const { client, connect, end } = idleClient();
    client.disconnect(true);
    end();
    await sleep(200);
    expect(connect).toHaveBeenCalled();
  });
});
