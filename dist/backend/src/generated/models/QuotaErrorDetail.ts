/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { QuotaViolation } from './QuotaViolation';
/**
 * A detail of a RESOURCE_EXHAUSTED answer: `google.rpc.QuotaFailure`
 * (`violations`) or `google.rpc.RetryInfo` (`retryDelay`), as its `@type` says.
 */
export type QuotaErrorDetail = {
  /**
   * `type.googleapis.com/google.rpc.QuotaFailure` or `type.googleapis.com/google.rpc.RetryInfo`.
   */
  '@type'?: string;
  /**
   * QuotaFailure: the limits the request would exceed. `subject` is whose
   * limit (`apiKeys/{id}`, `users/{id}`, `models/{id}`) and `description`
   * says which, e.g. `requests_per_minute: 50`.
   */
  violations?: Array<QuotaViolation>;
  /**
   * RetryInfo: how long to wait before the request would be admitted.
   */
  retryDelay?: string;
};

