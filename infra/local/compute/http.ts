// Request bodies and JSON answers for the Compute emulator's API and admin surface.
import type { IncomingMessage } from 'node:http';
import { type ApiResult, computeError } from './errors.ts';
import type { Obj } from './store.ts';
import { readRequestBody } from '../http-body.ts';

/**
 * The request body as a JSON object. Writes must say they are JSON: a web page can send text/plain or
 * form bodies cross-origin without a preflight, so refusing those keeps pages from writing here.
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ body: Obj } | { error: ApiResult }> {
  const read = await readRequestBody(req, { maxBytes });
  if (!read.ok)
    return read.status === 413
      ? { error: computeError(413, 'payloadTooLarge', read.message) }
      : {
          error: computeError(
            415,
            'unsupportedMediaType',
            `Content-Type must be application/json, got ${read.contentType ?? 'none'}`,
          ),
        };
  const raw = read.text;
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

export { sendJson } from '../google-api.ts';
