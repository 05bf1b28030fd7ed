/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { OpenAIModel } from './OpenAIModel';
/**
 * The available models, in OpenAI's list shape.
 */
export type OpenAIModelList = {
  /**
   * Always `list`.
   */
  object?: string;
  /**
   * The models.
   */
  data?: Array<OpenAIModel>;
};

