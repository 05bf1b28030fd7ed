/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatFunctionName } from './ChatFunctionName';
/**
 * A tool_choice naming one function.
 */
export type ChatNamedToolChoice = {
  /**
   * Always `function`.
   */
  type: string;
  /**
   * The function to call.
   */
  function: ChatFunctionName;
};

