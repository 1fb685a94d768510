import type * as grpc from '@grpc/grpc-js';
import type { Broker, Consumer, Delivery } from './broker.ts';
import { RpcError, invalid, outOfRange } from './errors.ts';
import { parseName } from './names.ts';
import { LIMITS } from './validate.ts';
import { toTimestamp } from './wire.ts';

export interface StreamingPullRequest {
  subscription?: string;
  ackIds?: string[];
  modifyDeadlineSeconds?: number[];
  modifyDeadlineAckIds?: string[];
  streamAckDeadlineSeconds?: number;
  maxOutstandingMessages?: string | number;
}

type Call = grpc.ServerDuplexStream<StreamingPullRequest, unknown>;

export function receivedMessage(delivery: Delivery): Record<string, unknown> {
  const m = delivery.message;
  return {
    ackId: delivery.ackId,
    deliveryAttempt: delivery.deliveryAttempt,
    message: {
      data: m.data,
      attributes: m.attributes,
      messageId: m.messageId,
      publishTime: toTimestamp(m.publishTime),
      orderingKey: m.orderingKey,
    },
  };
}

const UNLIMITED = 1_000_000_000;

/** One StreamingPull stream: a consumer bounded by the client's maxOutstandingMessages and stream ack deadline. */
class StreamConsumer implements Consumer {
  readonly outstanding = new Set<string>();
  readonly maxRun = UNLIMITED;
  maxOutstanding: number;
  private done = false;

  constructor(
    private readonly call: Call,
    private deadline: number,
    maxOutstanding: number,
    private readonly ordered: boolean,
  ) {
    this.maxOutstanding = maxOutstanding > 0 ? maxOutstanding : UNLIMITED;
  }

  ackDeadlineSeconds(): number {
    return this.deadline;
  }

  setDeadline(seconds: number): void {
    this.deadline = seconds;
  }

  deliver(deliveries: Delivery[]): void {
    if (this.done) return;
    this.call.write({
      receivedMessages: deliveries.map(receivedMessage),
      subscriptionProperties: { messageOrderingEnabled: this.ordered, exactlyOnceDeliveryEnabled: false },
    });
  }

  end(error: RpcError): void {
    if (this.done) return;
    this.done = true;
    this.call.emit('error', { code: error.code, details: error.message });
  }

  stop(): void {
    this.done = true;
  }
}

function checkDeadline(seconds: number): void {
  const err = outOfRange(
    'stream_ack_deadline_seconds',
    seconds,
    LIMITS.ackDeadline.min,
    LIMITS.ackDeadline.max,
  );
  if (err) throw err;
}

/** Applies acks and deadline changes a client sends on the stream (the Node client sends them as unary calls). */
function applyStreamRequest(
  broker: Broker,
  name: string,
  consumer: StreamConsumer,
  req: StreamingPullRequest,
): void {
  if (req.streamAckDeadlineSeconds) {
    checkDeadline(req.streamAckDeadlineSeconds);
    consumer.setDeadline(req.streamAckDeadlineSeconds);
  }
  if (req.ackIds?.length) broker.acknowledge(name, req.ackIds);
  const ids = req.modifyDeadlineAckIds ?? [];
  const seconds = req.modifyDeadlineSeconds ?? [];
  if (ids.length !== seconds.length) {
    throw invalid('modify_deadline_seconds and modify_deadline_ack_ids must be the same length.');
  }
  ids.forEach((id, i) => broker.modifyAckDeadline(name, [id], seconds[i]));
}

/** Serves one StreamingPull call until the client closes it, the subscription goes or the emulator stops. */
export function serveStreamingPull(broker: Broker, call: Call): void {
  let name: string | undefined;
  let consumer: StreamConsumer | undefined;
  const fail = (err: unknown): void => {
    if (name && consumer) broker.detach(name, consumer);
    consumer?.stop();
    const e = err instanceof RpcError ? err : new RpcError(13, String(err));
    call.emit('error', { code: e.code, details: e.message });
  };
  const finish = (): void => {
    if (name && consumer) broker.detach(name, consumer);
    consumer?.stop();
  };
  call.on('data', (req: StreamingPullRequest) => {
    try {
      if (!consumer) {
        name = parseName('subscriptions', req.subscription).full;
        const { config } = broker.subscription(name);
        const deadline = req.streamAckDeadlineSeconds ?? 0;
        checkDeadline(deadline);
        consumer = new StreamConsumer(
          call,
          deadline,
          Number(req.maxOutstandingMessages ?? 0),
          config.enableMessageOrdering,
        );
        applyStreamRequest(broker, name, consumer, { ...req, streamAckDeadlineSeconds: undefined });
        broker.attach(name, consumer);
      } else {
        applyStreamRequest(broker, name as string, consumer, req);
      }
    } catch (err) {
      fail(err);
    }
  });
  call.on('end', () => {
    finish();
    call.end();
  });
  call.on('cancelled', finish);
  call.on('error', finish);
}
