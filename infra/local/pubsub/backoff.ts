import type { SubscriptionConfig } from './validate.ts';

/** Push without a retry policy backs off from 100 ms to 60 s (https://cloud.google.com/pubsub/docs/push#push_backoff). */
const PUSH_BACKOFF = { minMs: 100, maxMs: 60_000 };

/**
 * Delay before redelivering a message that failed `attempts` times. With a retry policy it grows
 * exponentially from minimumBackoff to maximumBackoff; a pull subscription without one redelivers at once.
 */
export function redeliveryDelayMs(config: SubscriptionConfig, attempts: number): number {
  const policy = config.retry ?? (config.pushEndpoint ? PUSH_BACKOFF : undefined);
  if (!policy) return 0;
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
}

/** Shuffles `items` but keeps the relative order of items sharing an ordering key (an ordered subscription). */
export function shuffleKeepingKeys<T>(items: T[], keyOf: (item: T) => string, random: () => number): T[] {
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), item]);
  }
  return shuffled.map((item) => {
    const key = keyOf(item);
    return key ? ((byKey.get(key) as T[]).shift() as T) : item;
  });
}
