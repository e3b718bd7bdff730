/**
 * Embedded MQTT broker (aedes) for a one-process run when no broker URL is
 * configured. It enforces the same rules as the shipped Mosquitto ACL
 * (config/mosquitto/): a station (username = station id, password = its token)
 * may publish only its own readings and command acks and subscribe only its
 * own commands; the RiverWatch service user may do everything.
 * Its session store is in memory: unlike the shipped Mosquitto configuration,
 * it keeps nothing across a restart of the process (README "Embedded broker").
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Registry } from '../../domain/index.js';
import { commandAckTopic, commandsTopic, readingsTopic } from '../../domain/index.js';
import type { Logger } from '../logger.js';
import { StationAuthenticator } from '../station-auth.js';

export interface EmbeddedBrokerOptions {
  readonly port: number;
  readonly host?: string;
  readonly serviceUser: string;
  readonly servicePassword: string;
}

export class EmbeddedBroker {
  readonly #registry: Registry;
  readonly #options: EmbeddedBrokerOptions;
  readonly #logger: Logger;
  #broker: Aedes | undefined;
  #server: Server | undefined;
  #closed = false;

  constructor(deps: { registry: Registry; options: EmbeddedBrokerOptions; logger: Logger }) {
    this.#registry = deps.registry;
    this.#options = deps.options;
    this.#logger = deps.logger;
  }

  get url(): string {
    const address = this.#server?.address();
    const port = typeof address === 'object' && address ? address.port : this.#options.port;
    return `mqtt://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const auth = new StationAuthenticator(this.#registry);
    const { serviceUser, servicePassword } = this.#options;
    const stationOf = (client: { id: string } & Record<string, unknown>): string | undefined => client.rwStation as string | undefined;
    this.#broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const secret = password?.toString() ?? '';
        if (username === serviceUser && secret === servicePassword) return done(null, true);
        if (username && this.#registry.station(username) && auth.verify(username, secret, this.#registry)) {
          (client as unknown as Record<string, unknown>).rwStation = username;
          return done(null, true);
        }
        this.#logger.warn({ clientId: client.id, username }, 'MQTT login refused');
        const error = Object.assign(new Error('bad user name or password'), { returnCode: 4 });
        return done(error as never, false);
      },
      authorizePublish: (client, packet, callback) => {
        const stationId = client ? stationOf(client as never) : undefined;
        if (stationId === undefined) return callback(null);
        const station = this.#registry.station(stationId);
        const allowed = station && (packet.topic === readingsTopic(station.sectionId, station.id) || packet.topic === commandAckTopic(station.sectionId, station.id));
        if (allowed) return callback(null);
        this.#logger.warn({ stationId, topic: packet.topic }, 'MQTT publish refused: not the station\'s own topic');
        return callback(new Error('not authorised to publish on this topic'));
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const stationId = client ? stationOf(client as never) : undefined;
        if (stationId === undefined) return callback(null, subscription);
        const station = this.#registry.station(stationId);
        if (station && subscription.topic === commandsTopic(station.sectionId, station.id)) return callback(null, subscription);
        return callback(new Error('not authorised to subscribe to this topic'));
      },
    });
    this.#server = createServer(this.#broker.handle);
    await new Promise<void>((resolve, reject) => {
      this.#server?.once('error', reject);
      this.#server?.listen(this.#options.port, this.#options.host ?? '127.0.0.1', () => resolve());
    });
    this.#logger.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const server = this.#server;
    const broker = this.#broker;
    await Promise.allSettled([
      server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined,
      broker ? new Promise<void>((resolve) => broker.close(() => resolve())) : undefined,
    ]);
  }
}
