/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Message } from './Message';
/**
 * A page of messages.
 */
export type ListMessagesResponse = {
  /**
   * The messages, oldest first.
   */
  messages?: Array<Message>;
  /**
   * Token for the next page; empty on the last page.
   */
  nextPageToken?: string;
};

