export * from './parameters.js';
export * from './reading.js';
export * from './errors.js';
export * from './gb3838.js';
export * from './registry.js';
export * from './alert-event.js';
export * from './clock.js';
export * from './ports.js';
