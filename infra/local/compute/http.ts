// Request bodies and JSON answers for the Compute emulator's API and admin surface.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiResult, computeError } from './errors.ts';
import type { Obj } from './store.ts';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * The request body as a JSON object. Writes must say they are JSON: a web page can send text/plain or
 * form bodies cross-origin without a preflight, so refusing those keeps pages from writing here.
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ body: Obj } | { error: ApiResult }> {
  const raw = await readBody(req, maxBytes);
  if (raw === undefined)
    return { error: computeError(413, 'payloadTooLarge', `request body larger than ${maxBytes} bytes`) };
  const type = req.headers['content-type'];
  if ((type !== undefined || raw.trim() !== '') && !JSON_TYPE.test(type ?? ''))
    return {
      error: computeError(
        415,
        'unsupportedMediaType',
        `Content-Type must be application/json, got ${type ?? 'none'}`,
      ),
    };
  if (raw.trim() === '') return { body: {} };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { body: parsed as Obj };
    return { error: computeError(400, 'parseError', 'request body must be a JSON object') };
  } catch (e) {
    return {
      error: computeError(400, 'parseError', `Invalid JSON payload received. ${(e as Error).message}`),
    };
  }
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBytes) chunks.push(c);
    });
    req.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
