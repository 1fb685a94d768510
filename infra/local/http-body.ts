// Request bodies for every local emulator's HTTP surface (Compute, Network Services, the k8s stand-in,
// the Pub/Sub admin endpoint): bounded in size, and writes must declare a content type the real API
// takes. Browsers send text/plain, form and multipart bodies, or bodies with no type at all,
// cross-origin without a CORS preflight, so a web page that guesses a loopback port could otherwise
// write to an emulator; a JSON (or YAML, patch) type needs a preflight, which the emulators never
// answer (docs/security.md §5).
import type { IncomingMessage } from 'node:http';

export const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

export type BodyRead =
  | { ok: true; text: string; bytes: Buffer }
  | { ok: false; status: 413 | 415; message: string; contentType?: string };

export interface BodyRules {
  /** Larger bodies are answered 413 (the rest of the body is read and dropped, never kept). */
  maxBytes: number;
  /** Content types a body may have (default: application/json), and how a refusal names them. */
  accept?: readonly RegExp[];
  expected?: string;
  /**
   * Refuse a missing Content-Type even without a body: for writes whose empty body still does
   * something (a POST that creates or resets), since a page may send one without a preflight.
   */
  requireType?: boolean;
}

/**
 * The body as text once it is within `maxBytes` and, when it has a body or a Content-Type at all, of
 * an accepted type; otherwise the status (413, 415) and a message naming what to send.
 */
export async function readRequestBody(req: IncomingMessage, rules: BodyRules): Promise<BodyRead> {
  const bytes = await readBounded(req, rules.maxBytes);
  if (bytes === undefined)
    return { ok: false, status: 413, message: `request body larger than ${rules.maxBytes} bytes` };
  const type = req.headers['content-type'];
  const accept = rules.accept ?? [JSON_CONTENT_TYPE];
  const raw = bytes.toString('utf8');
  const typed = type !== undefined || bytes.length > 0 || rules.requireType === true;
  if (typed && !accept.some((a) => a.test(type ?? '')))
    return {
      ok: false,
      status: 415,
      message: `Content-Type ${type ?? '(none)'} is not accepted; send ${rules.expected ?? 'application/json'}`,
      ...(type !== undefined ? { contentType: type } : {}),
    };
  return { ok: true, text: raw, bytes };
}

/** The body, or undefined once it passes `maxBytes` (the rest is drained, not kept). */
function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBytes) chunks.push(c);
    });
    req.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
