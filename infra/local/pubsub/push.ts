import type { Broker, Consumer, Delivery, StoredMessage } from './broker.ts';
import type { RpcError } from './errors.ts';

export const MESSAGE_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';

export interface PushRequest {
  headers: Record<string, string>;
  body: string;
}

/** The Eventarc `messagePublished` data: the Pub/Sub message (both field spellings, as Eventarc sends) and the subscription. */
export function messagePublishedData(message: StoredMessage, subscription: string): Record<string, unknown> {
  const publishTime = message.publishTime.toISOString();
  return {
    message: {
      data: message.data.toString('base64'),
      attributes: message.attributes,
      messageId: message.messageId,
      message_id: message.messageId,
      publishTime,
      publish_time: publishTime,
      ...(message.orderingKey && { orderingKey: message.orderingKey }),
    },
    subscription,
  };
}

/** A binary-mode CloudEvent request, as Eventarc pushes a Pub/Sub message to a function. */
export function cloudEventRequest(message: StoredMessage, subscription: string): PushRequest {
  return {
    headers: {
      'content-type': 'application/json',
      'ce-id': message.messageId,
      'ce-source': `//pubsub.googleapis.com/${message.topic}`,
      'ce-specversion': '1.0',
      'ce-type': MESSAGE_PUBLISHED,
      'ce-time': message.publishTime.toISOString(),
    },
    body: JSON.stringify(messagePublishedData(message, subscription)),
  };
}

export interface PushOptions {
  /** Requests in flight per push subscription (one per ordering key regardless). */
  concurrency: number;
  /** HTTP timeout; by default the subscription's ack deadline, as the service does. */
  timeoutMs?: number;
}

/** Delivers a push subscription's messages over HTTP: 2xx acks, anything else (or a timeout) nacks. */
export class PushConsumer implements Consumer {
  readonly outstanding = new Set<string>();
  readonly maxRun = 1;
  readonly maxOutstanding: number;
  private readonly timeoutMs?: number;
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly broker: Broker,
    private readonly subscription: string,
    private endpoint: string,
    private readonly ackDeadline: () => number,
    options: PushOptions,
  ) {
    this.maxOutstanding = options.concurrency;
    this.timeoutMs = options.timeoutMs;
  }

  ackDeadlineSeconds(): number {
    return this.ackDeadline();
  }

  retarget(endpoint: string): void {
    this.endpoint = endpoint;
  }

  deliver(deliveries: Delivery[]): void {
    for (const delivery of deliveries) void this.post(delivery);
  }

  end(_error: RpcError): void {
    this.stopped = true;
    for (const controller of this.inFlight) controller.abort();
  }

  private async post(delivery: Delivery): Promise<void> {
    const request = cloudEventRequest(delivery.message, this.subscription);
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs ?? this.ackDeadline() * 1000);
    let ok = false;
    try {
      const response = await fetch(this.endpoint, { method: 'POST', ...request, signal: controller.signal });
      await response.arrayBuffer();
      ok = response.status >= 200 && response.status < 300;
    } catch {
      ok = false; // connection refused, reset or timed out: the service treats all of these as a nack
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    if (this.stopped) return;
    try {
      if (ok) this.broker.acknowledge(this.subscription, [delivery.ackId]);
      else this.broker.modifyAckDeadline(this.subscription, [delivery.ackId], 0);
    } catch {
      // the subscription was deleted while the request was in flight
    }
  }
}
