import type { RpcError } from './errors.ts';

export interface StoredMessage {
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey: string;
  publishTime: Date;
  topic: string;
}

export interface Delivery {
  ackId: string;
  message: StoredMessage;
  /** 0 unless the subscription has a dead-letter policy, as in the service. */
  deliveryAttempt: number;
}

/** Something that receives messages: a StreamingPull stream, a unary Pull, or a push worker. */
export interface Consumer {
  maxOutstanding: number;
  outstanding: Set<string>;
  ackDeadlineSeconds(): number;
  /** How many messages of one ordering key may be handed over at once (push: 1). */
  maxRun: number;
  deliver(deliveries: Delivery[]): void;
  /** The subscription went away (deleted) or the emulator is closing. */
  end(error: RpcError): void;
}

export interface Faults {
  /** Share of deliveries (0..1) that are also delivered a second time. */
  duplicateRate: number;
  /** Shuffle deliveries that carry no ordering guarantee. */
  reorder: boolean;
  /** Extra delay before each message becomes deliverable. */
  delayMs: number;
}

export interface SubscriptionStats {
  published: number;
  delivered: number;
  acked: number;
  nacked: number;
  expired: number;
  redelivered: number;
  duplicated: number;
  deadLettered: number;
  backlog: number;
  outstanding: number;
  /** Streams, pulls and push workers attached right now. */
  consumers: number;
}
