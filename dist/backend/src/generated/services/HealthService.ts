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
   * Answers when this process can serve: its database answers, the limits'
   * shared counters (Redis) answer when the limits count there and fail
   * closed, and it is not draining (a graceful stop). Otherwise UNAVAILABLE
   * (14), with the failed checks in the message. Providers are listed as
   * `provider:<name>` checks as their background health checks last saw
   * them; a provider that is down does not fail readiness, nor do counters
   * that cannot be reached when the limits fail open (the `limits` check).
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
