/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { HealthStatus } from '../models/HealthStatus';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class HealthService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Answers while the process is alive, without touching its dependencies.
   * @returns HealthStatus OK
   * @throws ApiError
   */
  public getLiveness(): CancelablePromise<HealthStatus> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/healthz',
    });
  }
  /**
   * Answers when the process can serve: the database answers and the
   * configured providers are reachable. Otherwise UNAVAILABLE (14), with
   * the failed checks in the message; also while the server is draining.
   * @returns HealthStatus OK
   * @throws ApiError
   */
  public getReadiness(): CancelablePromise<HealthStatus> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/readyz',
    });
  }
}
