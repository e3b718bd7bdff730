/** Transports the simulator publishes through. */
export type { CommandDelivery, CommandHandler, SendResult, SimTransport, TransportStation } from './transport.js';
export { MqttTransport, type MqttTransportOptions } from './mqtt.js';
export { HttpTransport, parseRetryAfterMs, type HttpTransportOptions } from './http.js';
export { Hj212Transport, type Hj212TransportOptions } from './hj212.js';
export { Hj212Client } from './hj212-client.js';
export { JsonlTransport } from './jsonl.js';
export { MemoryTransport, type SentMessage } from './memory.js';
export { WithCommandChannel } from './with-command-channel.js';
