// The local pipeline's options and handle (pipeline.ts starts it), in a module of their own so the
// wiring reads without them.
import type { PubSub } from '@google-cloud/pubsub';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FunctionConfig, LogFormat } from '../../shared/config/index.ts';
import type { ComputeClientOptions } from '../../shared/compute/client.ts';
import type { NetsvcClientOptions } from '../../shared/netsvc/client.ts';
import type { Logger, PipelineDeps, ReconcileSummary, SyncHandling } from '../../shared/pipeline/index.ts';
import type { ComputeEmulator } from './compute/server.ts';
import type { DeliveryListener, FunctionServer } from './functions.ts';
import type { K8sEmulator } from './k8s/index.ts';
import type { NetsvcEmulator } from './netsvc/server.ts';
import type { PubsubEmulator } from './pubsub/emulator.ts';
import type { PushBody } from './push-gate.ts';

/** Every port the pipeline listens on (the gate excepted: always a free port). */
export interface PipelinePorts {
  kubernetes?: number;
  netsvc?: number;
  compute?: number;
  pubsub?: number;
  pubsubAdmin?: number;
  sync?: number;
  reconcile?: number;
  watcherHealth?: number;
}

export interface PipelineOptions {
  host?: string;
  project?: string;
  mesh?: string;
  clusterId?: string;
  /** Start the watcher (watcher/) against the k8s stand-in (default true). */
  watcher?: boolean;
  /** Watcher coalescing window (default 20 ms) and its cap (default 200 ms). */
  debounceMs?: number;
  maxWaitMs?: number;
  /** How long closing waits for the watcher to publish what it holds (default 10 s). */
  watcherShutdownTimeoutMs?: number;
  /** Pub/Sub ordering on the route-events subscription (default true). */
  ordering?: boolean;
  /** Redelivery backoff of both subscriptions (default: the emulator's, immediate). */
  redeliveryBackoffSeconds?: { min: number; max: number };
  /** Where function logs go: 'memory' (default, see `logs`), 'stdout', or a callback. */
  logs?: 'memory' | 'stdout' | ((line: string) => void);
  /** Use this logger for every component instead (labelled function=sync|reconcile|watcher). */
  logger?: Logger;
  logFormat?: LogFormat;
  /** Extra environment for the functions' configuration (GAMMA_* variables). */
  env?: Record<string, string>;
  /** Network Services client settings beyond the configuration (e.g. a short retry for fault tests). */
  netsvcClient?: Partial<NetsvcClientOptions>;
  /** Compute client settings beyond the configuration (e.g. a short retry for fault tests). */
  computeClient?: Partial<ComputeClientOptions>;
  /** The Network Services emulator's clock (quota windows, outages, operation delays; default Date.now). */
  netsvcClock?: () => number;
  /** How long sync trusts its last read of the Mesh (default shared/pipeline DEFAULT_MESH_MEMO_TTL_MS). */
  meshMemoTtlMs?: number;
  /** Within this long after applying a parent, sync passes over stale snapshots of it (default 1 s). */
  staleApplyIntervalMs?: number;
  /** Fixed ports; 0 or absent picks a free one. */
  ports?: PipelinePorts;
  /** Where the k8s stand-in writes its kubeconfig (default: a temporary file). */
  kubeconfigPath?: string;
  /** Keep the emulators' state in these files between runs. */
  statePaths?: { kubernetes?: string; netsvc?: string; compute?: string };
  /** Runs once the emulators listen, before the functions and the watcher start (seeding). */
  onEmulators?: (e: {
    k8s: K8sEmulator;
    netsvc: NetsvcEmulator;
    compute: ComputeEmulator;
    pubsub: PubsubEmulator;
  }) => void;
  /** Every delivery the functions handled or failed, with the Network Services writes it made. */
  onDelivery?: DeliveryListener;
  /** A component that failed to close (closing goes on with the others). */
  onCloseError?: (component: string, error: unknown) => void;
}

export interface Pipeline {
  project: string;
  mesh: string;
  clusterId: string;
  k8s: K8sEmulator;
  netsvc: NetsvcEmulator;
  /** Backend services, health checks and the NEGs the stand-in's NEG controller creates. */
  compute: ComputeEmulator;
  pubsub: PubsubEmulator;
  /** A Pub/Sub client on the emulator (publish ticks or hand-made events). */
  pubsubClient: PubSub;
  kube: KubeConfig;
  config: FunctionConfig;
  deps: PipelineDeps;
  sync: FunctionServer;
  reconcile: FunctionServer;
  /** The watcher when started (watcher/index.ts startWatcher). */
  watcher?: { close(): Promise<boolean>; stats(): Record<string, unknown>; healthPort: number };
  topics: { routeEvents: string; reconcileTicks: string };
  /** Full subscription names, as the emulator's stats key them. */
  subscriptions: { sync: string; reconcile: string };
  /** Function log lines (when logs = 'memory'). */
  logs: string[];
  /** What sync did with each delivery that reached it (completed ones; thrown ones are in the logs). */
  syncResults: SyncHandling[];
  /** Deliveries for which `drop` answers true are acknowledged without reaching sync. */
  dropDeliveries(drop: ((body: PushBody) => boolean) | undefined): void;
  /**
   * Resolves once nothing is moving: the watcher has nothing pending, the route-events subscription
   * has no backlog or outstanding delivery, and no function request is in progress.
   */
  idle(timeoutMs?: number): Promise<void>;
  /** Publishes a reconcile tick (without waiting for it to be handled). */
  tick(tick?: { dryRun?: boolean }): Promise<void>;
  /** Publishes a reconcile tick and resolves when the reconcile function has answered it. */
  runReconcile(tick?: { dryRun?: boolean }): Promise<ReconcileSummary | undefined>;
  close(): Promise<void>;
}
