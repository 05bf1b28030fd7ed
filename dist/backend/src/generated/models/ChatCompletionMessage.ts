/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * One message of the chat, in OpenAI's shape.
 */
export type ChatCompletionMessage = {
  /**
   * Who wrote it: `system`, `developer`, `user` or `assistant`.
   */
  role: string;
  /**
   * The text of the message.
   */
  content: string;
  /**
   * Optional name of the participant; accepted and ignored.
   */
  name?: string;
};

