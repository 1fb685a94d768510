import { invalid, outOfRange } from './errors.ts';
import type { RpcError } from './errors.ts';
import { compileFilter } from './filter.ts';
import type { AttributeFilter } from './filter.ts';
import { parseName } from './names.ts';
import { durationMs, toDuration } from './wire.ts';
import type { WireMessage, WireSubscription } from './wire.ts';

/** Limits of the real service (https://cloud.google.com/pubsub/quotas#resource_limits). */
export const LIMITS = {
  requestBytes: 10_000_000,
  messagesPerRequest: 1000,
  messageBytes: 10_000_000,
  attributes: 100,
  attributeKeyBytes: 256,
  attributeValueBytes: 1024,
  orderingKeyBytes: 1024,
  ackDeadline: { min: 10, max: 600, default: 10 },
  modifyAckDeadline: { min: 0, max: 600 },
  maxDeliveryAttempts: { min: 5, max: 100, default: 5 },
  backoffMs: { min: 0, max: 600_000, defaultMin: 10_000, defaultMax: 600_000 },
} as const;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function messageSize(message: WireMessage): number {
  let size = message.data?.length ?? 0;
  for (const [k, v] of Object.entries(message.attributes ?? {})) size += bytes(k) + bytes(v);
  return size + bytes(message.orderingKey ?? '');
}

function checkMessage(message: WireMessage): RpcError | undefined {
  const attributes = Object.entries(message.attributes ?? {});
  if ((message.data?.length ?? 0) === 0 && attributes.length === 0) {
    return invalid(
      'One or more messages in the publish request is empty. Each message must contain either non-empty data, or at least one attribute.',
    );
  }
  const err =
    outOfRange('message_size', message.data?.length ?? 0, 0, LIMITS.messageBytes) ??
    outOfRange('attributes_count', attributes.length, 0, LIMITS.attributes) ??
    outOfRange('ordering_key_size', bytes(message.orderingKey ?? ''), 0, LIMITS.orderingKeyBytes);
  if (err) return err;
  for (const [key, value] of attributes) {
    if (key.length === 0) return invalid('Attribute keys must be non-empty.');
    if (key.startsWith('goog'))
      return invalid(`The attribute key "${key}" is reserved (keys must not start with "goog").`);
    const sizeErr =
      outOfRange('attribute_key_size', bytes(key), 1, LIMITS.attributeKeyBytes) ??
      outOfRange('attribute_value_size', bytes(value), 0, LIMITS.attributeValueBytes);
    if (sizeErr) return invalid(`${sizeErr.message} (attribute "${key}")`);
  }
  return undefined;
}

/** Validates a Publish request's messages; returns the first rejection or undefined. */
export function checkPublish(topic: string, messages: WireMessage[]): RpcError | undefined {
  const countErr = outOfRange('message_count', messages.length, 1, LIMITS.messagesPerRequest);
  if (countErr) return countErr;
  const requestBytes = messages.reduce((sum, m) => sum + messageSize(m), bytes(topic));
  const sizeErr = outOfRange('request_size', requestBytes, 0, LIMITS.requestBytes);
  if (sizeErr) return sizeErr;
  for (const message of messages) {
    const err = checkMessage(message);
    if (err) return err;
  }
  return undefined;
}

/** A subscription with every default filled in, in the units the broker uses. */
export interface SubscriptionConfig {
  name: string;
  project: string;
  topic: string;
  ackDeadlineSeconds: number;
  pushEndpoint?: string;
  pushAttributes: Record<string, string>;
  enableMessageOrdering: boolean;
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  retry?: { minMs: number; maxMs: number };
  labels: Record<string, string>;
  filter: string;
  /** The compiled filter: messages it rejects are never delivered (the service acks them on arrival). */
  accepts: AttributeFilter;
}

export function checkPushEndpoint(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(
      `Invalid push endpoint given (endpoint=${endpoint}). Refer to https://cloud.google.com/pubsub/docs/push.`,
    );
  }
  return endpoint;
}

function retryConfig(policy: WireSubscription['retryPolicy']): SubscriptionConfig['retry'] {
  if (!policy) return undefined;
  const minMs = durationMs(policy.minimumBackoff) ?? LIMITS.backoffMs.defaultMin;
  const maxMs = durationMs(policy.maximumBackoff) ?? LIMITS.backoffMs.defaultMax;
  const err =
    outOfRange('minimum_backoff_ms', minMs, LIMITS.backoffMs.min, LIMITS.backoffMs.max) ??
    outOfRange('maximum_backoff_ms', maxMs, LIMITS.backoffMs.min, LIMITS.backoffMs.max);
  if (err) throw err;
  if (minMs > maxMs) throw invalid('maximum_backoff must be greater than or equal to minimum_backoff.');
  return { minMs, maxMs };
}

function deadLetterConfig(policy: WireSubscription['deadLetterPolicy']): SubscriptionConfig['deadLetter'] {
  if (!policy?.deadLetterTopic) return undefined;
  parseName('topics', policy.deadLetterTopic);
  const attempts = policy.maxDeliveryAttempts || LIMITS.maxDeliveryAttempts.default;
  const err = outOfRange(
    'max_delivery_attempts',
    attempts,
    LIMITS.maxDeliveryAttempts.min,
    LIMITS.maxDeliveryAttempts.max,
  );
  if (err) throw err;
  return { topic: policy.deadLetterTopic, maxDeliveryAttempts: attempts };
}

/** Features this emulator does not model are refused visibly rather than silently ignored. */
function rejectUnsupported(request: WireSubscription): void {
  if (request.enableExactlyOnceDelivery) {
    throw invalid('enable_exactly_once_delivery is not supported by the gamma-csm Pub/Sub emulator.');
  }
  if (request.pushConfig?.noWrapper) {
    throw invalid(
      'push_config.no_wrapper is not supported by the gamma-csm Pub/Sub emulator (it pushes CloudEvents).',
    );
  }
}

/** Turns a CreateSubscription request into a config, throwing the service's INVALID_ARGUMENT. */
export function subscriptionConfig(request: WireSubscription): SubscriptionConfig {
  const name = parseName('subscriptions', request.name);
  parseName('topics', request.topic);
  rejectUnsupported(request);
  const ackDeadlineSeconds = request.ackDeadlineSeconds || LIMITS.ackDeadline.default;
  const err = outOfRange(
    'ack_deadline_seconds',
    ackDeadlineSeconds,
    LIMITS.ackDeadline.min,
    LIMITS.ackDeadline.max,
  );
  if (err) throw err;
  return {
    name: name.full,
    project: name.project,
    topic: request.topic as string,
    ackDeadlineSeconds,
    pushEndpoint: checkPushEndpoint(request.pushConfig?.pushEndpoint),
    pushAttributes: request.pushConfig?.attributes ?? {},
    enableMessageOrdering: request.enableMessageOrdering ?? false,
    deadLetter: deadLetterConfig(request.deadLetterPolicy),
    retry: retryConfig(request.retryPolicy),
    labels: request.labels ?? {},
    filter: request.filter ?? '',
    accepts: compileFilter(request.filter ?? ''),
  };
}

/** The Subscription resource as Get/Create return it. */
export function subscriptionResource(config: SubscriptionConfig, topic: string): WireSubscription {
  return {
    name: config.name,
    topic,
    pushConfig: config.pushEndpoint
      ? { pushEndpoint: config.pushEndpoint, attributes: config.pushAttributes }
      : { attributes: {} },
    ackDeadlineSeconds: config.ackDeadlineSeconds,
    enableMessageOrdering: config.enableMessageOrdering,
    messageRetentionDuration: toDuration(7 * 24 * 3600 * 1000),
    labels: config.labels,
    filter: config.filter,
    state: 'ACTIVE',
    ...(config.deadLetter && {
      deadLetterPolicy: {
        deadLetterTopic: config.deadLetter.topic,
        maxDeliveryAttempts: config.deadLetter.maxDeliveryAttempts,
      },
    }),
    ...(config.retry && {
      retryPolicy: {
        minimumBackoff: toDuration(config.retry.minMs),
        maximumBackoff: toDuration(config.retry.maxMs),
      },
    }),
  };
}
