export { startK8sEmulator } from './server.ts';
export type { K8sEmulator, K8sEmulatorOptions } from './server.ts';
export type { KubeObj } from './resources.ts';
export { DEFAULT_NEG_ZONES, NegController } from './neg-controller.ts';
export type { NegChange, NegChangeResult, NegControllerOptions, NegHook } from './neg-controller.ts';
