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
 * waits until one is done, so nothing is read from the socket meanwhile.
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

  constructor(client: MqttClient, max: number) {
    this.#client = client;
    this.#max = Math.max(1, max);
    client.on('close', () => {
      this.#connection++;
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
    else this.#waiting = () => next(ACK_LATER);
  }

  #done(): void {
    this.#size--;
    const waiting = this.#waiting;
    if (waiting && this.#size < this.#max) {
      this.#waiting = undefined;
      waiting();
    }
  }
}
