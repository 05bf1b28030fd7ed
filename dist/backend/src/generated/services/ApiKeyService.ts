/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiKey } from '../models/ApiKey';
import type { CreateApiKeyResponse } from '../models/CreateApiKeyResponse';
import type { ListApiKeysResponse } from '../models/ListApiKeysResponse';
import type { RevokeApiKeyRequest } from '../models/RevokeApiKeyRequest';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class ApiKeyService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Lists keys, newest first: the caller's own, or (admins) any user's or everyone's.
   * @returns ListApiKeysResponse OK
   * @throws ApiError
   */
  public listApiKeys({
    user,
    pageSize,
    pageToken,
  }: {
    /**
     * Whose keys: a user id, or `*` for every user (admins only). The caller's own when unset.
     */
    user?: string,
    /**
     * Most keys to return, 1-1000; 50 when unset.
     */
    pageSize?: number,
    /**
     * `nextPageToken` of the previous page; unset for the first page.
     */
    pageToken?: string,
  }): CancelablePromise<ListApiKeysResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/apiKeys',
      query: {
        'user': user,
        'pageSize': pageSize,
        'pageToken': pageToken,
      },
    });
  }
  /**
   * Creates a key and returns its secret, once. A user creates keys for
   * themselves with role USER; creating an ADMIN key or a key for another
   * user needs an admin (PERMISSION_DENIED (7) otherwise).
   * @returns CreateApiKeyResponse OK
   * @throws ApiError
   */
  public createApiKey({
    requestBody,
  }: {
    requestBody: ApiKey,
  }): CancelablePromise<CreateApiKeyResponse> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/v1/apiKeys',
      body: requestBody,
      mediaType: 'application/json',
    });
  }
  /**
   * Updates the fields of a key named in `updateMask` (`displayName`,
   * `limits`, or one `limits.<field>`; both when empty). Users update their
   * own keys, admins anyone's. A key's limits narrow its user's (both
   * apply to its requests), so raising them grants nothing. With an `etag` that is not the current one, answers ABORTED
   * (10) and changes nothing. New limits apply on every process within 2 s.
   * @returns ApiKey OK
   * @throws ApiError
   */
  public updateApiKey({
    apiKey,
    requestBody,
    updateMask,
  }: {
    /**
     * The apiKey id.
     */
    apiKey: string,
    requestBody: ApiKey,
    /**
     * Fields to update, comma-separated: `displayName`, `limits` (all of
     * them) or `limits.<field>`; `displayName` and `limits` when empty or `*`.
     */
    updateMask?: string,
  }): CancelablePromise<ApiKey> {
    return this.httpRequest.request({
      method: 'PATCH',
      url: '/v1/apiKeys/{apiKey}',
      path: {
        'apiKey': apiKey,
      },
      query: {
        'updateMask': updateMask,
      },
      body: requestBody,
      mediaType: 'application/json',
    });
  }
  /**
   * Revokes a key; requests with it fail with UNAUTHENTICATED (16) from the
   * next request on. Revoking a revoked key changes nothing.
   * @returns ApiKey OK
   * @throws ApiError
   */
  public revokeApiKey({
    apiKey,
    requestBody,
  }: {
    /**
     * The apiKey id.
     */
    apiKey: string,
    requestBody: RevokeApiKeyRequest,
  }): CancelablePromise<ApiKey> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/v1/apiKeys/{apiKey}:revoke',
      path: {
        'apiKey': apiKey,
      },
      body: requestBody,
      mediaType: 'application/json',
    });
  }
}
