/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ListModelsResponse } from '../models/ListModelsResponse';
import type { Model } from '../models/Model';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class ModelService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Lists every model in the catalog, available or not.
   * @returns ListModelsResponse OK
   * @throws ApiError
   */
  public listModels(): CancelablePromise<ListModelsResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/models',
    });
  }
  /**
   * Gets one model of the catalog by its id.
   * @returns Model OK
   * @throws ApiError
   */
  public getModel({
    model,
  }: {
    /**
     * The model id.
     */
    model: string,
  }): CancelablePromise<Model> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/models/{model}',
      path: {
        'model': model,
      },
    });
  }
}
