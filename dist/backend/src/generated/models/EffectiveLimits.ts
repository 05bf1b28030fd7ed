/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { LimitStatus } from './LimitStatus';
/**
 * The limits that apply to a key's requests, and what is left of each.
 */
export type EffectiveLimits = {
  /**
   * Resource name of the key, `apiKeys/{id}`.
   */
  apiKey?: string;
  /**
   * The key's user.
   */
  user?: string;
  /**
   * The model the model limits are of.
   */
  model?: string;
  /**
   * The models the key may use; every model when empty.
   */
  models?: Array<string>;
  /**
   * Every limit set on the key, its user or the model; a user's
   * `max_message_bytes` with the bytes it holds as `used` (no `resetTime`:
   * only deleting conversations frees them).
   */
  limits?: Array<LimitStatus>;
};

