/**
 * The hostile-input fuzzer (issue 9 §4). Run it with `npm run fuzz` (fuzz/main.ts,
 * the entry point); what others may use of it, the generators, is exported here.
 */
export { Prng } from './prng.js';
export { badPayload, validReading, PAYLOAD_KIND_WEIGHTS, TYPICAL_VALUES, type BadPayload, type PayloadContext, type PayloadKind } from './json-payloads.js';
export { loopbackAddress } from './loopback-address.js';
export { HJ212_KIND_WEIGHTS, hj212Generators, type Hj212Kind } from './hj212-frames.js';
export { TimeWindows } from './time-windows.js';
