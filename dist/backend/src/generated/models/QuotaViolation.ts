/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * One limit a request would exceed: the fields of google.rpc.QuotaFailure.Violation we use.
 */
export type QuotaViolation = {
  /**
   * Whose limit: `apiKeys/{id}`, `users/{id}` or `models/{id}`.
   */
  subject?: string;
  /**
   * Which limit and its value, e.g. `requests_per_minute: 50`.
   */
  description?: string;
};

