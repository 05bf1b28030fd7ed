/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Message } from './Message';
import type { MessageDelta } from './MessageDelta';
import type { Status } from './Status';
/**
 * One Server-Sent Event of MessageService.StreamMessage. The SSE event name
 * is the name of the field that is set.
 */
export type StreamMessageResponse = {
  /**
   * First event: the stored user message.
   */
  userMessage?: Message;
  /**
   * Text of the answer, in order.
   */
  delta?: MessageDelta;
  /**
   * Last event of a successful stream: the stored answer, with usage.
   */
  assistantMessage?: Message;
  /**
   * Last event of a failed stream: the error envelope.
   */
  error?: Status;
};

