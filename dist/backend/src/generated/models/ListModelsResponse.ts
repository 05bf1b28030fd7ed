/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Model } from './Model';
/**
 * The whole catalog, in configuration order.
 */
export type ListModelsResponse = {
  /**
   * The models.
   */
  models?: Array<Model>;
};

