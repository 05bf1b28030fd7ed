/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Conversation } from './Conversation';
/**
 * A page of conversations.
 */
export type ListConversationsResponse = {
  /**
   * The conversations, most recently created first.
   */
  conversations?: Array<Conversation>;
  /**
   * Token for the next page; empty on the last page.
   */
  nextPageToken?: string;
};

