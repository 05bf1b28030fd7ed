/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EffectiveLimits } from '../models/EffectiveLimits';
import type { UserLimits } from '../models/UserLimits';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class LimitsService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * The limits that apply to a key's requests (the caller's own key when
   * `apiKey` is unset), with what is left of each and when it resets. Users
   * read their own keys' limits; admins anyone's.
   * @returns EffectiveLimits OK
   * @throws ApiError
   */
  public getEffectiveLimits({
    apiKey,
    model,
  }: {
    /**
     * Id of the key whose limits to read; the caller's own key when unset.
     */
    apiKey?: string,
    /**
     * The model whose limits to include; the server's default model when unset.
     */
    model?: string,
  }): CancelablePromise<EffectiveLimits> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/effectiveLimits',
      query: {
        'apiKey': apiKey,
        'model': model,
      },
    });
  }
  /**
   * Reads a user's own limits (admins only; PERMISSION_DENIED (7) otherwise).
   * A user nobody set limits for has the defaults of its role.
   * @returns UserLimits OK
   * @throws ApiError
   */
  public getUserLimits({
    user,
  }: {
    /**
     * The user id.
     */
    user: string,
  }): CancelablePromise<UserLimits> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/users/{user}/limits',
      path: {
        'user': user,
      },
    });
  }
  /**
   * Sets the fields of a user's limits named in `updateMask` (admins only).
   * With an `etag` that is not the current one, answers ABORTED (10).
   * @returns UserLimits OK
   * @throws ApiError
   */
  public updateUserLimits({
    user,
    requestBody,
    updateMask,
  }: {
    /**
     * The user id.
     */
    user: string,
    requestBody: UserLimits,
    /**
     * Fields to set: `limits` (all of them) or `limits.<field>`, comma-separated;
     * all of `limits` when empty or `*`.
     */
    updateMask?: string,
  }): CancelablePromise<UserLimits> {
    return this.httpRequest.request({
      method: 'PATCH',
      url: '/v1/users/{user}/limits',
      path: {
        'user': user,
      },
      query: {
        'updateMask': updateMask,
      },
      body: requestBody,
      mediaType: 'application/json',
    });
  }
}
