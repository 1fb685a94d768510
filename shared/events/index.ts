// Pub/Sub message schemas shared by the watcher, the sync function and the reconcile function.
export * from './route-event.ts';
export * from './sequence.ts';
export * from './strip.ts';
export * from './tick.ts';
