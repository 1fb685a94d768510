// Compute's error body: `{error: {code, message, errors: [{domain: 'global', reason, message}]}}`.

export interface ApiResult {
  status: number;
  body: unknown;
  /** True when the call changed stored state. */
  mutated?: boolean;
}

export function computeError(code: number, reason: string, message: string, more: string[] = []): ApiResult {
  const errors = [message, ...more].map((m) => ({ domain: 'global', reason, message: m }));
  return { status: code, body: { error: { code, message, errors } } };
}

export const notFound = (key: string) => computeError(404, 'notFound', `The resource '${key}' was not found`);

export const alreadyExists = (key: string) =>
  computeError(409, 'alreadyExists', `The resource '${key}' already exists`);

export const invalid = (problems: string[]) => computeError(400, 'invalid', problems[0], problems.slice(1));

export const badRequest = (message: string) => computeError(400, 'badRequest', message);

/** Compute names the deleted resource's type in snake case: health_check, backend_service, ... */
export function inUse(type: string, key: string, users: string[]): ApiResult {
  return computeError(
    400,
    'resourceInUseByAnotherResource',
    `The ${type} resource '${key}' is already being used by '${users[0]}'`,
  );
}

export const conditionNotMet = (message: string) => computeError(412, 'conditionNotMet', message);
