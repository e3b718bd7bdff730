/**
 * Many QoS 1 messages in flight on one mqtt.js connection, each acknowledged
 * (PUBACK) only after its work resolved (issue 14).
 *
 * mqtt.js calls `handleMessage(packet, callback)` one packet at a time; the
 * callback both sends the PUBACK and lets its packet loop go on to the next
 * packet (including PINGRESP, whose lateness is a keepalive timeout). Called
 * with an error, the callback lets the loop go on and sends nothing
 * (mqtt.js 5 handlers/publish.js, qos 1: `if (err) return done(err)`, and the
 * loop's `done` ignores its argument). {@link InFlight.take} does that at once
 * and sends the PUBACK itself when the work resolved, on the connection the
 * message came on only: after a reconnect the broker redelivers it, and the
 * repeat changes nothing downstream (same InfluxDB point, analytics keyed by
 * station and time).
 *
 * Bounded: with `max` messages handled and unacknowledged, the packet loop
 * waits until one is done, so nothing is read from the socket meanwhile. A
 * PINGRESP is then not read either, and mqtt.js would call the connection dead
 * 1.5 keepalive periods after its PINGREQ, though it is only busy (Redis slow
 * or the log over its high-water mark). So while the loop waits, a PINGREQ goes
 * out every half keepalive period (the broker keeps hearing from the client)
 * and mqtt.js's keepalive timer is restarted with it; a broker that really
 * went away still shows as a socket error or close.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';

/** What mqtt.js's packet loop receives instead of a PUBACK: "go on, acknowledged separately". */
const ACK_LATER = new Error('PUBACK is sent by RiverWatch after the append');

/** The one mqtt.js internal used: the PUBACK is an ordinary packet sent through the client's writer. */
interface PacketWriter {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, cb?: (err?: Error) => void): void;
}

export class InFlight {
  readonly #client: MqttClient;
  readonly #max: number;
  #size = 0;
  /** Bumped on every close: a message acknowledges only on the connection it came on. */
  #connection = 0;
  #waiting: (() => void) | undefined;
  #pinging: NodeJS.Timeout | undefined;

  constructor(client: MqttClient, max: number) {
    this.#client = client;
    this.#max = Math.max(1, max);
    client.on('close', () => {
      this.#connection++;
      // The packet loop that waited belongs to the closed connection: mqtt.js starts a new one.
      this.#waiting = undefined;
      this.#stopPinging();
    });
  }

  /** Messages handled and not yet acknowledged. */
  get size(): number {
    return this.#size;
  }

  /**
   * Handles one message from `handleMessage`: runs `work`, releases the packet
   * loop (`next`) at once unless `max` messages are in flight, and sends the
   * PUBACK when `work` resolves. A rejected `work` (only while closing) leaves
   * the message unacknowledged: the broker redelivers it.
   */
  take(packet: IPublishPacket, next: (err?: Error) => void, work: () => Promise<void>): void {
    if (packet.qos !== 1 || packet.messageId === undefined) {
      // QoS 0 needs no PUBACK (QoS 2 is never granted: ingress subscribes with QoS 1): handle in line.
      work().then(
        () => next(),
        () => next(ACK_LATER),
      );
      return;
    }
    const connection = this.#connection;
    const messageId = packet.messageId;
    this.#size++;
    work().then(
      () => {
        if (connection === this.#connection && this.#client.connected)
          (this.#client as unknown as PacketWriter)._sendPacket({ cmd: 'puback', messageId });
        this.#done();
      },
      () => this.#done(),
    );
    if (this.#size < this.#max) next(ACK_LATER);
    else {
      this.#waiting = () => next(ACK_LATER);
      this.#startPinging();
    }
  }

  /** Whether the packet loop is waiting for a message to be done. */
  get paused(): boolean {
    return this.#waiting !== undefined;
  }

  #startPinging(): void {
    if (this.#pinging) return;
    const client = this.#client;
    const keepaliveMs = (client.options.keepalive ?? 0) * 1000;
    if (keepaliveMs <= 0) return;
    client.reschedulePing(true);
    this.#pinging = setInterval(() => {
      if (!client.connected) return;
      client.sendPing();
      client.reschedulePing(true);
    }, keepaliveMs / 2);
    this.#pinging.unref();
  }

  #stopPinging(): void {
    if (!this.#pinging) return;
    clearInterval(this.#pinging);
    this.#pinging = undefined;
    if (this.#client.connected) this.#client.reschedulePing(true);
  }

  #done(): void {
    this.#size--;
    const waiting = this.#waiting;
    if (waiting && this.#size < this.#max) {
      this.#waiting = undefined;
      this.#stopPinging();
      waiting();
    }
  }
}
