/** Plain objects as @grpc/proto-loader hands them over (camelCase, longs as strings, unset = absent). */

export interface Duration {
  seconds?: string | number;
  nanos?: number;
}

export interface Timestamp {
  seconds: string;
  nanos: number;
}

export interface WireMessage {
  data?: Uint8Array;
  attributes?: Record<string, string>;
  messageId?: string;
  publishTime?: Timestamp;
  orderingKey?: string;
}

export interface WireTopic {
  name?: string;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

export interface WirePushConfig {
  pushEndpoint?: string;
  attributes?: Record<string, string>;
  [field: string]: unknown;
}

export interface WireSubscription {
  name?: string;
  topic?: string;
  pushConfig?: WirePushConfig;
  ackDeadlineSeconds?: number;
  enableMessageOrdering?: boolean;
  deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number };
  retryPolicy?: { minimumBackoff?: Duration; maximumBackoff?: Duration };
  labels?: Record<string, string>;
  filter?: string;
  [field: string]: unknown;
}

export function durationMs(duration: Duration | undefined): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);
}

export function toDuration(ms: number): Duration {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

export function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}
