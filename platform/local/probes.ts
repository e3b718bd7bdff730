/** Is a local server up, and is it the one we started: protocol probes (Redis PING, MQTT CONNACK, InfluxDB /ping), the port's owner, a log's tail. */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';

export function logTail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Whether process `pid` holds the LISTEN socket on 127.0.0.1:`port` (Linux
 * /proc: socket inodes of /proc/net/tcp against the process's fds). Where
 * /proc is missing it cannot tell and says yes.
 */
export function ownsListeningPort(pid: number | undefined, port: number): boolean {
  if (pid === undefined) return false;
  if (!existsSync('/proc/net/tcp')) return true;
  try {
    const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    const inodes = new Set<string>();
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1] === local && fields[3] === '0A' && fields[9] !== undefined) inodes.add(fields[9]); // 0A = LISTEN
    }
    if (inodes.size === 0) return false;
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      const target = readlinkOrEmpty(`/proc/${pid}/fd/${fd}`);
      return target.startsWith('socket:[') && inodes.has(target.slice('socket:['.length, -1));
    });
  } catch {
    return false; // the process is gone or not ours to inspect
  }
}

export function readlinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return ''; // fds come and go while we look
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `bytes` on a fresh connection and resolves with whatever arrives first (or '' on close). */
export function probe(port: number, bytes: Buffer | string, timeoutMs = 1000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (err: Error | undefined, data: Buffer): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve(data);
    };
    socket.setTimeout(timeoutMs, () => done(new Error('probe timed out'), Buffer.alloc(0)));
    socket.once('error', (err) => done(err, Buffer.alloc(0)));
    socket.once('connect', () => socket.write(bytes));
    socket.once('data', (data) => done(undefined, data));
    socket.once('close', () => done(undefined, Buffer.alloc(0)));
  });
}

/** Whether a redis-server (or sentinel) on 127.0.0.1:`port` answers PING. */
export async function redisPing(port: number): Promise<boolean> {
  // `-LOADING` while the AOF is replayed: not ready yet.
  return (await probe(port, 'PING\r\n')).toString('latin1').startsWith('+PONG');
}

/** Any CONNACK (even "not authorised") means the broker has loaded its state and serves clients. */
export async function mqttConnack(port: number): Promise<boolean> {
  const clientId = Buffer.from(`rw-ready-${process.pid}-${Date.now()}`);
  const variableHeader = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a]); // MQTT 3.1.1, clean session, keepalive 10 s
  const payload = Buffer.concat([Buffer.from([clientId.length >> 8, clientId.length & 0xff]), clientId]);
  const connect = Buffer.concat([Buffer.from([0x10, variableHeader.length + payload.length]), variableHeader, payload]);
  const reply = await probe(port, connect);
  return reply[0] === 0x20;
}

export async function influxPing(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) });
  return response.status === 204;
}
