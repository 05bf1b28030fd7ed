/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Request for ApiKeyService.RevokeApiKey.
 */
export type RevokeApiKeyRequest = {
  /**
   * Resource name, `apiKeys/{api_key}`.
   */
  name?: string;
};

