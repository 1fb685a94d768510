import { redeliveryDelayMs, shuffleKeepingKeys } from './backoff.ts';
import { RpcError, alreadyExists, notFound, outOfRange } from './errors.ts';
import { DELETED_TOPIC, parseName } from './names.ts';
import { LIMITS } from './validate.ts';
import type { SubscriptionConfig } from './validate.ts';
import type { WireMessage } from './wire.ts';
import type { Consumer, Delivery, Faults, StoredMessage, SubscriptionStats } from './types.ts';

export type { Consumer, Delivery, Faults, StoredMessage, SubscriptionStats } from './types.ts';

interface Pending {
  seq: number;
  message: StoredMessage;
  attempts: number;
  availableAt: number;
}

interface Lease {
  ackId: string;
  /** Undefined for a duplicate injected by the fault switch: settling it changes nothing. */
  pending?: Pending;
  consumer: Consumer;
  timer?: NodeJS.Timeout;
  acked: boolean;
}

interface Subscription {
  config: SubscriptionConfig;
  topic: string;
  backlog: Pending[];
  leases: Map<string, Lease>;
  /** Outstanding leases per ordering key, in publish order (ordered subscriptions only). */
  keyLeases: Map<string, Lease[]>;
  consumers: Set<Consumer>;
  timer?: NodeJS.Timeout;
  timerAt: number;
  stats: SubscriptionStats;
}

export interface Topic {
  name: string;
  labels: Record<string, string>;
  published: number;
}

const newStats = (): SubscriptionStats => ({
  published: 0,
  delivered: 0,
  acked: 0,
  nacked: 0,
  expired: 0,
  redelivered: 0,
  duplicated: 0,
  deadLettered: 0,
  backlog: 0,
  outstanding: 0,
  consumers: 0,
});

/** In-memory Pub/Sub: topics, subscriptions, leases, ordering, redelivery and dead-lettering. */
export class Broker {
  readonly topics = new Map<string, Topic>();
  private readonly subs = new Map<string, Subscription>();
  private faults: Faults = { duplicateRate: 0, reorder: false, delayMs: 0 };
  private nextMessageId = 1;
  private nextSeq = 1;
  private nextAckId = 1;
  private closed = false;

  constructor(private readonly random: () => number = Math.random) {}

  setFaults(faults: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...faults };
    return { ...this.faults };
  }

  createTopic(name: string, labels: Record<string, string>): Topic {
    if (this.topics.has(name)) throw alreadyExists(parseName('topics', name).id);
    const topic = { name, labels, published: 0 };
    this.topics.set(name, topic);
    return topic;
  }

  topic(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw notFound(parseName('topics', name).id);
    return topic;
  }

  deleteTopic(name: string): void {
    this.topic(name);
    this.topics.delete(name);
    for (const sub of this.subs.values()) if (sub.topic === name) sub.topic = DELETED_TOPIC;
  }

  createSubscription(config: SubscriptionConfig): void {
    if (this.subs.has(config.name)) throw alreadyExists(parseName('subscriptions', config.name).id);
    this.topic(config.topic);
    const sub: Subscription = {
      config,
      topic: config.topic,
      backlog: [],
      leases: new Map(),
      keyLeases: new Map(),
      consumers: new Set(),
      timerAt: Infinity,
      stats: newStats(),
    };
    this.subs.set(config.name, sub);
  }

  subscription(name: string): { config: SubscriptionConfig; topic: string } {
    const sub = this.sub(name);
    return { config: sub.config, topic: sub.topic };
  }

  subscriptionNames(): string[] {
    return [...this.subs.keys()];
  }

  updateConfig(name: string, config: SubscriptionConfig): void {
    this.sub(name).config = config;
  }

  deleteSubscription(name: string): void {
    const sub = this.sub(name);
    this.subs.delete(name);
    this.stopSubscription(sub, notFound(parseName('subscriptions', name).id));
  }

  publish(topicName: string, messages: WireMessage[]): string[] {
    const topic = this.topic(topicName);
    const now = Date.now();
    const stored = messages.map((m) => this.store(topicName, m, new Date(now)));
    topic.published += stored.length;
    for (const sub of this.subs.values()) {
      if (sub.topic !== topicName) continue;
      for (const message of stored) {
        if (!sub.config.accepts(message.attributes)) continue;
        sub.backlog.push({
          seq: this.nextSeq++,
          message,
          attempts: 0,
          availableAt: now + this.faults.delayMs,
        });
        sub.stats.published++;
      }
      this.pump(sub);
    }
    return stored.map((m) => m.messageId);
  }

  attach(name: string, consumer: Consumer): void {
    const sub = this.sub(name);
    sub.consumers.add(consumer);
    this.pump(sub);
  }

  detach(name: string, consumer: Consumer): void {
    this.subs.get(name)?.consumers.delete(consumer);
  }

  /** Called when a consumer may take more messages (e.g. after its own acks). */
  poke(name: string): void {
    const sub = this.subs.get(name);
    if (sub) this.pump(sub);
  }

  acknowledge(name: string, ackIds: string[]): void {
    const sub = this.sub(name);
    for (const ackId of ackIds) this.ackOne(sub, ackId);
    this.pump(sub);
  }

  modifyAckDeadline(name: string, ackIds: string[], seconds: number): void {
    const sub = this.sub(name);
    const err = outOfRange(
      'ack_deadline_seconds',
      seconds,
      LIMITS.modifyAckDeadline.min,
      LIMITS.modifyAckDeadline.max,
    );
    if (err) throw err;
    for (const ackId of ackIds) {
      if (seconds === 0) this.nackOne(sub, ackId, 'nacked');
      else {
        const lease = sub.leases.get(ackId);
        if (lease && !lease.acked) this.arm(sub, lease, seconds);
      }
    }
    this.pump(sub);
  }

  stats(): {
    topics: Record<string, { published: number }>;
    subscriptions: Record<string, SubscriptionStats>;
  } {
    const topics = Object.fromEntries([...this.topics].map(([n, t]) => [n, { published: t.published }]));
    const subscriptions = Object.fromEntries(
      [...this.subs].map(([n, s]) => [
        n,
        { ...s.stats, backlog: s.backlog.length, outstanding: s.leases.size, consumers: s.consumers.size },
      ]),
    );
    return { topics, subscriptions };
  }

  close(): void {
    this.closed = true;
    const shutdown = new RpcError(14 /* UNAVAILABLE */, 'The emulator is shutting down.');
    for (const sub of this.subs.values()) this.stopSubscription(sub, shutdown);
  }

  private sub(name: string): Subscription {
    const sub = this.subs.get(name);
    if (!sub) throw notFound(parseName('subscriptions', name).id);
    return sub;
  }

  private store(topic: string, m: WireMessage, publishTime: Date): StoredMessage {
    return {
      messageId: String(this.nextMessageId++),
      data: Buffer.from(m.data ?? []),
      attributes: { ...(m.attributes ?? {}) },
      orderingKey: m.orderingKey ?? '',
      publishTime,
      topic,
    };
  }

  private stopSubscription(sub: Subscription, error: RpcError): void {
    clearTimeout(sub.timer);
    for (const lease of sub.leases.values()) clearTimeout(lease.timer);
    for (const consumer of sub.consumers) consumer.end(error);
    sub.consumers.clear();
  }

  private keyOf(sub: Subscription, p: Pending): string {
    return sub.config.enableMessageOrdering ? p.message.orderingKey : '';
  }

  /** Hands deliverable messages to consumers with room; one ordering key is held by one consumer at a time. */
  private pump(sub: Subscription): void {
    if (this.closed || !this.subs.has(sub.config.name)) return;
    const room = new Map([...sub.consumers].map((c) => [c, c.maxOutstanding - c.outstanding.size]));
    const open = [...room.keys()].filter((c) => (room.get(c) as number) > 0);
    const now = Date.now();
    let nextAt = Infinity;
    const blocked = new Set<string>();
    const runs = new Map<string, { consumer: Consumer; n: number }>();
    const batches = new Map<Consumer, Pending[]>();
    const taken = new Set<Pending>();
    const candidates = this.faults.reorder
      ? shuffleKeepingKeys(sub.backlog, (p) => this.keyOf(sub, p), this.random)
      : sub.backlog;
    let rr = 0;
    for (const p of open.length ? candidates : []) {
      const key = this.keyOf(sub, p);
      if (key && (blocked.has(key) || sub.keyLeases.has(key))) continue;
      if (p.availableAt > now) {
        nextAt = Math.min(nextAt, p.availableAt);
        if (key) blocked.add(key);
        continue;
      }
      const run = key ? runs.get(key) : undefined;
      let consumer: Consumer | undefined = run?.consumer;
      if (run && (run.n >= run.consumer.maxRun || (room.get(run.consumer) as number) <= 0)) {
        blocked.add(key);
        continue;
      }
      for (let i = 0; !consumer && i < open.length; i++) {
        const c = open[(rr + i) % open.length];
        if ((room.get(c) as number) > 0) {
          consumer = c;
          rr = (rr + i + 1) % open.length;
        }
      }
      if (!consumer) break;
      room.set(consumer, (room.get(consumer) as number) - 1);
      if (key) runs.set(key, { consumer, n: (run?.n ?? 0) + 1 });
      batches.set(consumer, [...(batches.get(consumer) ?? []), p]);
      taken.add(p);
    }
    if (taken.size) sub.backlog = sub.backlog.filter((p) => !taken.has(p));
    for (const [consumer, batch] of batches)
      consumer.deliver(batch.flatMap((p) => this.lease(sub, consumer, p)));
    this.schedule(sub, nextAt);
  }

  private schedule(sub: Subscription, at: number): void {
    if (at === Infinity || (sub.timer && sub.timerAt <= at)) return;
    clearTimeout(sub.timer);
    sub.timerAt = at;
    sub.timer = setTimeout(
      () => {
        sub.timer = undefined;
        sub.timerAt = Infinity;
        this.pump(sub);
      },
      Math.max(0, at - Date.now()),
    );
  }

  private lease(sub: Subscription, consumer: Consumer, p: Pending): Delivery[] {
    p.attempts++;
    sub.stats.delivered++;
    if (p.attempts > 1) sub.stats.redelivered++;
    const lease = this.newLease(sub, consumer, p);
    const key = this.keyOf(sub, p);
    if (key) sub.keyLeases.set(key, [...(sub.keyLeases.get(key) ?? []), lease]);
    const attempt = sub.config.deadLetter ? p.attempts : 0;
    const deliveries = [{ ackId: lease.ackId, message: p.message, deliveryAttempt: attempt }];
    if (this.faults.duplicateRate > 0 && this.random() < this.faults.duplicateRate) {
      const ghost = this.newLease(sub, consumer, undefined);
      sub.stats.duplicated++;
      sub.stats.delivered++;
      deliveries.push({ ackId: ghost.ackId, message: p.message, deliveryAttempt: attempt });
    }
    return deliveries;
  }

  private newLease(sub: Subscription, consumer: Consumer, pending: Pending | undefined): Lease {
    const lease: Lease = { ackId: `ack-${this.nextAckId++}`, pending, consumer, acked: false };
    sub.leases.set(lease.ackId, lease);
    consumer.outstanding.add(lease.ackId);
    this.arm(sub, lease, consumer.ackDeadlineSeconds());
    return lease;
  }

  private arm(sub: Subscription, lease: Lease, seconds: number): void {
    clearTimeout(lease.timer);
    lease.timer = setTimeout(() => {
      this.nackOne(sub, lease.ackId, 'expired');
      this.pump(sub);
    }, seconds * 1000);
  }

  private release(sub: Subscription, lease: Lease): void {
    clearTimeout(lease.timer);
    sub.leases.delete(lease.ackId);
    lease.consumer.outstanding.delete(lease.ackId);
    const key = lease.pending ? this.keyOf(sub, lease.pending) : '';
    const held = key ? sub.keyLeases.get(key) : undefined;
    if (!held) return;
    const rest = held.filter((l) => l !== lease);
    if (rest.length) sub.keyLeases.set(key, rest);
    else sub.keyLeases.delete(key);
  }

  /** An ack inside an ordered run only counts once every earlier message of the key is acked. */
  private ackOne(sub: Subscription, ackId: string): void {
    const lease = sub.leases.get(ackId);
    if (!lease || lease.acked) return;
    lease.acked = true;
    clearTimeout(lease.timer);
    const key = lease.pending ? this.keyOf(sub, lease.pending) : '';
    if (!lease.pending) return this.release(sub, lease);
    if (!key) {
      sub.stats.acked++;
      return this.release(sub, lease);
    }
    let held = sub.keyLeases.get(key) ?? [];
    while (held[0]?.acked) {
      sub.stats.acked++;
      this.release(sub, held[0]);
      held = sub.keyLeases.get(key) ?? [];
    }
  }

  /** Nack or expiry: redeliver after backoff, with every later message of the same key, or dead-letter it. */
  private nackOne(sub: Subscription, ackId: string, reason: 'nacked' | 'expired'): void {
    const lease = sub.leases.get(ackId);
    if (!lease || lease.acked) return;
    const p = lease.pending;
    if (!p) return this.release(sub, lease);
    sub.stats[reason]++;
    const key = this.keyOf(sub, p);
    const followers = key
      ? (sub.keyLeases.get(key) ?? []).filter((l) => l.pending && l.pending.seq > p.seq)
      : [];
    for (const l of [lease, ...followers]) this.release(sub, l);
    const now = Date.now();
    for (const f of followers) this.requeue(sub, f.pending as Pending, now);
    if (
      sub.config.deadLetter &&
      p.attempts >= sub.config.deadLetter.maxDeliveryAttempts &&
      this.deadLetter(sub, p)
    ) {
      return;
    }
    this.requeue(sub, p, now + redeliveryDelayMs(sub.config, p.attempts) + this.faults.delayMs);
  }

  private requeue(sub: Subscription, p: Pending, availableAt: number): void {
    p.availableAt = availableAt;
    const at = sub.backlog.findIndex((q) => q.seq > p.seq);
    sub.backlog.splice(at === -1 ? sub.backlog.length : at, 0, p);
  }

  /** Forwards to the dead-letter topic with the attributes the service adds; false if that topic is gone. */
  private deadLetter(sub: Subscription, p: Pending): boolean {
    const target = sub.config.deadLetter?.topic as string;
    if (!this.topics.has(target)) return false;
    const name = parseName('subscriptions', sub.config.name);
    this.publish(target, [
      {
        data: p.message.data,
        orderingKey: p.message.orderingKey,
        attributes: {
          ...p.message.attributes,
          CloudPubSubDeadLetterSourceDeliveryCount: String(p.attempts),
          CloudPubSubDeadLetterSourceSubscription: name.id,
          CloudPubSubDeadLetterSourceSubscriptionProject: name.project,
          CloudPubSubDeadLetterSourceTopicPublishTime: p.message.publishTime.toISOString(),
        },
      },
    ]);
    sub.stats.deadLettered++;
    return true;
  }
}
