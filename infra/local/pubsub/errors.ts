import { status } from '@grpc/grpc-js';

/** A gRPC status the handlers return as-is; messages follow the real service's wording. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (resource: string): RpcError =>
  new RpcError(status.NOT_FOUND, `Resource not found (resource=${resource}).`);

export const alreadyExists = (resource: string): RpcError =>
  new RpcError(status.ALREADY_EXISTS, `Resource already exists in the project (resource=${resource}).`);

export const invalid = (message: string): RpcError => new RpcError(status.INVALID_ARGUMENT, message);

/** The real service's range message: "The value for X is too large. You passed N ..., but the maximum value is M." */
export function outOfRange(field: string, value: number, min: number, max: number): RpcError | undefined {
  if (value < min) {
    return invalid(
      `The value for ${field} is too small. You passed ${value} in the request, but the minimum value is ${min}.`,
    );
  }
  if (value > max) {
    return invalid(
      `The value for ${field} is too large. You passed ${value} in the request, but the maximum value is ${max}.`,
    );
  }
  return undefined;
}
