/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * One limit that applies, and how much of it is left.
 */
export type LimitStatus = {
  /**
   * Whose limit: `apiKeys/{id}`, `users/{id}` or `models/{id}`.
   */
  scope?: string;
  /**
   * Which limit: a field name of Limits, e.g. `requests_per_minute`.
   */
  limit?: string;
  /**
   * The cap (tokens, requests, streams or currency).
   */
  value?: number;
  /**
   * Used in the current window.
   */
  used?: number;
  /**
   * Left in the current window.
   */
  remaining?: number;
  /**
   * When the window next frees something (a rolling minute) or restarts
   * (a day or month); absent when nothing is used.
   */
  resetTime?: string;
};

