/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Conversation } from '../models/Conversation';
import type { ListConversationsResponse } from '../models/ListConversationsResponse';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class ConversationService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Lists the caller's conversations, most recently created first.
   * @returns ListConversationsResponse OK
   * @throws ApiError
   */
  public listConversations({
    pageSize,
    pageToken,
  }: {
    /**
     * Most conversations to return, 1-1000; 50 when unset.
     */
    pageSize?: number,
    /**
     * `nextPageToken` of the previous page; unset for the first page.
     */
    pageToken?: string,
  }): CancelablePromise<ListConversationsResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/conversations',
      query: {
        'pageSize': pageSize,
        'pageToken': pageToken,
      },
    });
  }
  /**
   * Creates a conversation. With `conversationId` the client chooses its id;
   * an id already taken answers ALREADY_EXISTS (6).
   * @returns Conversation OK
   * @throws ApiError
   */
  public createConversation({
    requestBody,
    conversationId,
  }: {
    requestBody: Conversation,
    /**
     * Optional id chosen by the client: 4-63 characters, lowercase letters,
     * digits and hyphens, starting with a letter. The server picks one when empty.
     */
    conversationId?: string,
  }): CancelablePromise<Conversation> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/v1/conversations',
      query: {
        'conversationId': conversationId,
      },
      body: requestBody,
      mediaType: 'application/json',
    });
  }
  /**
   * Gets one of the caller's conversations.
   * @returns Conversation OK
   * @throws ApiError
   */
  public getConversation({
    conversation,
  }: {
    /**
     * The conversation id.
     */
    conversation: string,
  }): CancelablePromise<Conversation> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/conversations/{conversation}',
      path: {
        'conversation': conversation,
      },
    });
  }
  /**
   * Deletes a conversation and all its messages. With `etag`, only if it is current.
   * @returns any OK
   * @throws ApiError
   */
  public deleteConversation({
    conversation,
    etag,
  }: {
    /**
     * The conversation id.
     */
    conversation: string,
    /**
     * Delete only if this is the conversation's current etag.
     */
    etag?: string,
  }): CancelablePromise<any> {
    return this.httpRequest.request({
      method: 'DELETE',
      url: '/v1/conversations/{conversation}',
      path: {
        'conversation': conversation,
      },
      query: {
        'etag': etag,
      },
    });
  }
  /**
   * Updates the fields of a conversation named in `updateMask` (all mutable
   * fields when it is empty). When the body carries an `etag` that is not the
   * current one, answers ABORTED (10) and changes nothing.
   * @returns Conversation OK
   * @throws ApiError
   */
  public updateConversation({
    conversation,
    requestBody,
    updateMask,
  }: {
    /**
     * The conversation id.
     */
    conversation: string,
    requestBody: Conversation,
    /**
     * Fields to update, comma-separated without spaces (`title`, `model`,
     * `systemPrompt`); every mutable field when empty or `*`.
     */
    updateMask?: string,
  }): CancelablePromise<Conversation> {
    return this.httpRequest.request({
      method: 'PATCH',
      url: '/v1/conversations/{conversation}',
      path: {
        'conversation': conversation,
      },
      query: {
        'updateMask': updateMask,
      },
      body: requestBody,
      mediaType: 'application/json',
    });
  }
}
