/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Message } from './Message';
/**
 * Both messages of a completed turn.
 */
export type SendMessageResponse = {
  /**
   * The stored user message.
   */
  userMessage?: Message;
  /**
   * The model's answer.
   */
  assistantMessage?: Message;
};

