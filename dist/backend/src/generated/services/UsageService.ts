/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { UsageReport } from '../models/UsageReport';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class UsageService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Reports usage per day, user and model over a date range (UTC, both
   * ends included). Users see their own usage; admins may ask for any
   * user's or everyone's. A user asking for another user's usage answers
   * PERMISSION_DENIED (7).
   * @returns UsageReport OK
   * @throws ApiError
   */
  public getUsage({
    startDate,
    endDate,
    user,
    model,
  }: {
    /**
     * First day, `YYYY-MM-DD` (UTC); 30 days before end_date when unset.
     */
    startDate?: string,
    /**
     * Last day, `YYYY-MM-DD` (UTC); today when unset.
     */
    endDate?: string,
    /**
     * Whose usage: a user id, or `*` for every user (admins only). The caller's own when unset.
     */
    user?: string,
    /**
     * Only this model id; every model when unset.
     */
    model?: string,
  }): CancelablePromise<UsageReport> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/usage',
      query: {
        'startDate': startDate,
        'endDate': endDate,
        'user': user,
        'model': model,
      },
    });
  }
}
