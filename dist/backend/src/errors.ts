// Hand-written: `make` copies it from codegen/typescript/sdk/ into dist/backend/src/; edit it there.
import { ApiError } from './generated';
import type { GoogleProtobufAny } from './generated';

/** The gRPC status codes the server answers with (the `code` of every error body). */
export const Code = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** The error envelope (google.rpc.Status) every non-2xx answer carries. */
export type ErrorStatus = {
  code: number;
  message: string;
  details?: Array<GoogleProtobufAny>;
};

/**
 * The `{code, message}` of a failed call: the body of the `ApiError` the client
 * threw. Undefined for anything else (a network failure, a body that is not the
 * envelope).
 */
export function errorStatus(error: unknown): ErrorStatus | undefined {
  if (!(error instanceof ApiError)) {
    return undefined;
  }
  const body: unknown = error.body;
  if (typeof body !== 'object' || body === null) {
    return undefined;
  }
  const { code, message, details } = body as Record<string, unknown>;
  if (typeof code !== 'number' || typeof message !== 'string') {
    return undefined;
  }
  return Array.isArray(details)
    ? { code, message, details: details as Array<GoogleProtobufAny> }
    : { code, message };
}
