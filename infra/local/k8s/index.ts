export { startK8sEmulator } from './server.ts';
export type { K8sEmulator, K8sEmulatorOptions } from './server.ts';
export type { KubeObj } from './resources.ts';
