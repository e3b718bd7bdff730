/** HJ 212 gateway: the TCP server (this folder) and the codec (ingest/hj212/). */
export { Hj212Server, type Hj212ServerDeps, type Hj212ServerEvents, type Hj212ServerOptions } from './server.js';
export * from '../../ingest/hj212/index.js';
