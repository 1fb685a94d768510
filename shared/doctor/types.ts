// The doctor's contract (docs/cli.md, `gamma-csm doctor`): facts gathered by a thin I/O layer
// (cli/commands/doctor-gather.ts), judged by pure checks (checks.ts), one result per check.
import type { ComputePlan } from '../compute/plan.ts';
import type {
  ComputeBackendService,
  ComputeBackendServiceGroupHealth,
  ComputeFirewall,
} from '../compute/types.ts';
import type { Namespace, Service, StatusRouteKind } from '../gamma/types.ts';
import type { Plan } from '../plan/types.ts';
import type { BackendMapping, NsMesh } from '../translate/types.ts';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What is right or wrong, one problem per line. */
  message: string;
  /** The exact fix (absent when nothing is to be done). */
  fix?: string;
}

/** A read that may have failed: the check then fails (or skips) naming the error. */
export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

export type Firewall = ComputeFirewall;

/** A route as read from the cluster, with what the doctor needs of its status. */
export interface RouteFacts {
  kind: StatusRouteKind;
  namespace: string;
  name: string;
  annotations: Record<string, string>;
  /** `status.parents[].controllerName`, in order. */
  controllers: string[];
  /** Service backendRefs with their port (undefined when the ref names none). */
  backends: { namespace: string; service: string; port?: number }[];
}

export interface WatcherFacts {
  /** Undefined: no health URL known (skip). */
  health?: Read<{ status: number }>;
  /** Undefined: no dead-letter source known (skip). */
  deadLetter?: Read<{ subscription: string; deadLettered: number; backlog: number }>;
}

export interface DoctorFacts {
  /** Against emulators (the local stack, or --endpoint/--compute-endpoint): IAM skipped, firewall a warning. */
  local: boolean;
  project: string;
  mesh: string;
  cluster: string;
  controllerName: string;
  meshes: Read<NsMesh[]>;
  /** The same plan `gamma-csm plan --kubeconfig` computes. */
  plan: Read<{ plan: Plan; compute?: ComputePlan }>;
  services: Service[];
  namespaces: Namespace[];
  routes: Read<RouteFacts[]>;
  /** The backend services the accepted routes send to (translate's mappings). */
  mappings: BackendMapping[];
  backendServices: Read<ComputeBackendService[]>;
  /** Backend service id -> NEG group URL -> its health. */
  health: Record<string, Record<string, Read<ComputeBackendServiceGroupHealth>>>;
  firewalls: Read<Firewall[]>;
  /** Undefined on the local stack (emulators do not check IAM). */
  iam?: Read<{ wanted: string[]; granted: string[] }>;
  watcher: WatcherFacts;
}
