import type * as grpc from '@grpc/grpc-js';
import type { Broker, Consumer, Delivery } from './broker.ts';
import { RpcError, invalid, outOfRange } from './errors.ts';
import { parseName, parseProject } from './names.ts';
import { receivedMessage, serveStreamingPull } from './stream.ts';
import { checkPublish, checkPushEndpoint, subscriptionConfig, subscriptionResource } from './validate.ts';
import type { WireMessage, WirePushConfig, WireSubscription, WireTopic } from './wire.ts';

type Handler = (request: never) => unknown | Promise<unknown>;

/** Wraps a request -> response function as a unary gRPC handler; RpcError becomes its status. */
function unary(fn: Handler): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request as never))
      .then(
        (response) => callback(null, response ?? {}),
        (err: unknown) => {
          const e = err instanceof RpcError ? err : new RpcError(13, String(err));
          callback({ code: e.code, details: e.message });
        },
      );
  };
}

interface Page {
  pageSize?: number;
  pageToken?: string;
}

/** Slices a sorted list; the page token is the offset of the next item. */
function paginate<T>(items: T[], page: Page): { items: T[]; nextPageToken: string } {
  const start = page.pageToken ? Number(page.pageToken) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid(`Invalid page token: ${page.pageToken}`);
  const size = page.pageSize && page.pageSize > 0 ? page.pageSize : 1000;
  const end = start + size;
  return { items: items.slice(start, end), nextPageToken: end < items.length ? String(end) : '' };
}

export interface Hooks {
  /** Starts, retargets or stops the push worker after a subscription's push config changed. */
  syncPush(subscription: string): void;
  /** How long a unary Pull without returnImmediately waits for messages. */
  pullWaitMs: number;
}

export function publisherHandlers(broker: Broker): grpc.UntypedServiceImplementation {
  const topicResource = (name: string): WireTopic => ({ name, labels: broker.topic(name).labels });
  const topicsOf = (project: string): string[] =>
    [...broker.topics.keys()].filter((n) => n.startsWith(`projects/${project}/topics/`)).sort();
  return {
    CreateTopic: unary((req: WireTopic) => {
      const name = parseName('topics', req.name).full;
      broker.createTopic(name, req.labels ?? {});
      return topicResource(name);
    }),
    GetTopic: unary((req: { topic?: string }) => topicResource(parseName('topics', req.topic).full)),
    UpdateTopic: unary((req: { topic?: WireTopic }) => {
      const name = parseName('topics', req.topic?.name).full;
      broker.topic(name).labels = req.topic?.labels ?? {};
      return topicResource(name);
    }),
    ListTopics: unary((req: Page & { project?: string }) => {
      const page = paginate(topicsOf(parseProject(req.project)), req);
      return { topics: page.items.map(topicResource), nextPageToken: page.nextPageToken };
    }),
    ListTopicSubscriptions: unary((req: Page & { topic?: string }) => {
      const topic = parseName('topics', req.topic).full;
      broker.topic(topic);
      const names = broker.subscriptionNames().filter((s) => broker.subscription(s).topic === topic);
      const page = paginate(names.sort(), req);
      return { subscriptions: page.items, nextPageToken: page.nextPageToken };
    }),
    DeleteTopic: unary((req: { topic?: string }) => broker.deleteTopic(parseName('topics', req.topic).full)),
    Publish: unary((req: { topic?: string; messages?: WireMessage[] }) => {
      const topic = parseName('topics', req.topic).full;
      broker.topic(topic);
      const err = checkPublish(topic, req.messages ?? []);
      if (err) throw err;
      return { messageIds: broker.publish(topic, req.messages ?? []) };
    }),
  };
}

/** Applies an UpdateSubscription field mask to the current resource, re-validating the result. */
function updatedResource(
  current: WireSubscription,
  patch: WireSubscription,
  paths: string[],
): WireSubscription {
  const next: WireSubscription = { ...current };
  for (const path of paths) {
    const field = path.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (['enableMessageOrdering', 'topic', 'name', 'filter'].includes(field)) {
      throw invalid(
        `Invalid update_mask provided in the UpdateSubscriptionRequest: the field ${path} cannot be updated.`,
      );
    }
    if (!(field in current) && !(field in patch)) {
      throw invalid(`Invalid update_mask provided in the UpdateSubscriptionRequest: unknown field ${path}.`);
    }
    next[field] = patch[field];
  }
  return next;
}

/** A one-shot consumer for unary Pull: resolves with the first batch or, after the wait, with none. */
function pullOnce(broker: Broker, name: string, maxMessages: number, waitMs: number): Promise<Delivery[]> {
  return new Promise((resolve, reject) => {
    const wait: { timer?: NodeJS.Timeout } = {};
    const consumer: Consumer = {
      maxOutstanding: maxMessages,
      outstanding: new Set(),
      maxRun: maxMessages,
      ackDeadlineSeconds: () => broker.subscription(name).config.ackDeadlineSeconds,
      deliver(deliveries) {
        consumer.maxOutstanding = 0;
        clearTimeout(wait.timer);
        broker.detach(name, consumer);
        resolve(deliveries);
      },
      end(error) {
        clearTimeout(wait.timer);
        reject(error);
      },
    };
    broker.attach(name, consumer);
    if (consumer.maxOutstanding === 0) return;
    wait.timer = setTimeout(() => consumer.deliver([]), waitMs);
  });
}

export function subscriberHandlers(broker: Broker, hooks: Hooks): grpc.UntypedServiceImplementation {
  return { ...subscriptionConfigHandlers(broker, hooks), ...messageHandlers(broker, hooks) };
}

const subName = (req: { subscription?: string }): string => parseName('subscriptions', req.subscription).full;

/** Creating, reading, changing and deleting subscriptions; each change re-syncs the push loop. */
function subscriptionConfigHandlers(broker: Broker, hooks: Hooks): grpc.UntypedServiceImplementation {
  const resource = (name: string): WireSubscription => {
    const { config, topic } = broker.subscription(name);
    return subscriptionResource(config, topic);
  };
  return {
    CreateSubscription: unary((req: WireSubscription) => {
      const config = subscriptionConfig(req);
      broker.createSubscription(config);
      hooks.syncPush(config.name);
      return resource(config.name);
    }),
    GetSubscription: unary((req: { subscription?: string }) => resource(subName(req))),
    UpdateSubscription: unary(
      (req: { subscription?: WireSubscription; updateMask?: { paths?: string[] } }) => {
        const name = parseName('subscriptions', req.subscription?.name).full;
        const next = updatedResource(resource(name), req.subscription ?? {}, req.updateMask?.paths ?? []);
        broker.updateConfig(
          name,
          subscriptionConfig({ ...next, topic: broker.subscription(name).config.topic }),
        );
        hooks.syncPush(name);
        return resource(name);
      },
    ),
    ListSubscriptions: unary((req: Page & { project?: string }) => {
      const prefix = `projects/${parseProject(req.project)}/subscriptions/`;
      const page = paginate(
        broker
          .subscriptionNames()
          .filter((n) => n.startsWith(prefix))
          .sort(),
        req,
      );
      return { subscriptions: page.items.map(resource), nextPageToken: page.nextPageToken };
    }),
    DeleteSubscription: unary((req: { subscription?: string }) => {
      const name = subName(req);
      broker.deleteSubscription(name);
      hooks.syncPush(name);
    }),
    ModifyPushConfig: unary((req: { subscription?: string; pushConfig?: WirePushConfig }) => {
      const name = subName(req);
      const { config } = broker.subscription(name);
      const pushEndpoint = checkPushEndpoint(req.pushConfig?.pushEndpoint);
      broker.updateConfig(name, {
        ...config,
        pushEndpoint,
        pushAttributes: req.pushConfig?.attributes ?? {},
      });
      hooks.syncPush(name);
    }),
  };
}

/** Pull, streaming pull, acknowledgements and deadlines. */
function messageHandlers(broker: Broker, hooks: Hooks): grpc.UntypedServiceImplementation {
  return {
    Acknowledge: unary((req: { subscription?: string; ackIds?: string[] }) => {
      if (!req.ackIds?.length) throw invalid('No ack ids specified.');
      broker.acknowledge(subName(req), req.ackIds);
    }),
    ModifyAckDeadline: unary(
      (req: { subscription?: string; ackIds?: string[]; ackDeadlineSeconds?: number }) => {
        if (!req.ackIds?.length) throw invalid('No ack ids specified.');
        broker.modifyAckDeadline(subName(req), req.ackIds, req.ackDeadlineSeconds ?? 0);
      },
    ),
    Pull: unary(async (req: { subscription?: string; maxMessages?: number; returnImmediately?: boolean }) => {
      const name = subName(req);
      broker.subscription(name);
      const err = outOfRange('max_messages', req.maxMessages ?? 0, 1, 1000);
      if (err) throw err;
      const deliveries = await pullOnce(
        broker,
        name,
        req.maxMessages as number,
        req.returnImmediately ? 0 : hooks.pullWaitMs,
      );
      return { receivedMessages: deliveries.map(receivedMessage) };
    }),
    StreamingPull: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
      serveStreamingPull(broker, call as never),
  };
}
