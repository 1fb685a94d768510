// The Pub/Sub message inside an Eventarc `messagePublished` CloudEvent:
// `event.data.message.{data (base64), attributes, messageId}`. Never throws: a malformed envelope
// is a value the handler logs and acknowledges.

export interface PubsubMessage {
  /** Base64 text as Eventarc sends it ('' when absent). */
  data: string;
  attributes: Record<string, string>;
  messageId: string;
  orderingKey?: string;
  /** RFC 3339 time Pub/Sub accepted the message, when the envelope says. */
  publishTime?: string;
}

export type EnvelopeResult =
  { ok: true; message: PubsubMessage } | { ok: false; error: string; messageId: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function stringRecord(x: unknown): Record<string, string> {
  if (!isRecord(x)) return {};
  return Object.fromEntries(Object.entries(x).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Reads the Pub/Sub message of a CloudEvent (`{id, data}`); `data` may also arrive as JSON text. */
export function pubsubMessageOf(event: { id?: string; data?: unknown }): EnvelopeResult {
  let data = event.data;
  if (typeof data === 'string' || Buffer.isBuffer(data)) {
    try {
      data = JSON.parse(data.toString()) as unknown;
    } catch {
      return { ok: false, error: 'CloudEvent data is not JSON', messageId: event.id ?? '' };
    }
  }
  const message = isRecord(data) ? data.message : undefined;
  if (!isRecord(message))
    return { ok: false, error: 'CloudEvent data has no Pub/Sub message', messageId: event.id ?? '' };
  const messageId =
    (typeof message.messageId === 'string' && message.messageId) ||
    (typeof message.message_id === 'string' && message.message_id) ||
    event.id ||
    '';
  if (message.data !== undefined && typeof message.data !== 'string')
    return { ok: false, error: 'Pub/Sub message data is not base64 text', messageId };
  const out: PubsubMessage = {
    data: (message.data as string | undefined) ?? '',
    attributes: stringRecord(message.attributes),
    messageId,
  };
  if (typeof message.orderingKey === 'string') out.orderingKey = message.orderingKey;
  const published = message.publishTime ?? message.publish_time;
  if (typeof published === 'string') out.publishTime = published;
  return { ok: true, message: out };
}
