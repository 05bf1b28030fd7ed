/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatCompletionChoice } from './ChatCompletionChoice';
import type { CompletionUsage } from './CompletionUsage';
/**
 * A chat completion, in OpenAI's shape.
 */
export type ChatCompletion = {
  /**
   * Unique id of the completion.
   */
  id?: string;
  /**
   * Always `chat.completion`.
   */
  object?: string;
  /**
   * When it was created, in seconds since the Unix epoch.
   */
  created?: number;
  /**
   * The model id that answered.
   */
  model?: string;
  /**
   * The answer.
   */
  choices?: Array<ChatCompletionChoice>;
  /**
   * Tokens counted.
   */
  usage?: CompletionUsage;
};

