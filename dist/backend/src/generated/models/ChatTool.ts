/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatFunction } from './ChatFunction';
/**
 * A tool the model may call.
 */
export type ChatTool = {
  /**
   * Always `function`.
   */
  type: string;
  /**
   * The function.
   */
  function: ChatFunction;
};

