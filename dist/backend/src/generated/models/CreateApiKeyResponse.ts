/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiKey } from './ApiKey';
/**
 * A new key and its secret.
 */
export type CreateApiKeyResponse = {
  /**
   * The stored key.
   */
  apiKey?: ApiKey;
  /**
   * The secret to send as `Authorization: Bearer <secret>`. Shown only now: it cannot be read again.
   */
  secret?: string;
};

