/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ListMessagesResponse } from '../models/ListMessagesResponse';
import type { Message } from '../models/Message';
import type { SendMessageRequest } from '../models/SendMessageRequest';
import type { SendMessageResponse } from '../models/SendMessageResponse';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class MessageService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Lists a conversation's messages, oldest first.
   * @returns ListMessagesResponse OK
   * @throws ApiError
   */
  public listMessages({
    conversation,
    pageSize,
    pageToken,
  }: {
    /**
     * The conversation id.
     */
    conversation: string,
    /**
     * Most messages to return, 1-1000; 50 when unset.
     */
    pageSize?: number,
    /**
     * `nextPageToken` of the previous page; unset for the first page.
     */
    pageToken?: string,
  }): CancelablePromise<ListMessagesResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/conversations/{conversation}/messages',
      path: {
        'conversation': conversation,
      },
      query: {
        'pageSize': pageSize,
        'pageToken': pageToken,
      },
    });
  }
  /**
   * Sends a user message and waits for the model's whole answer. Both
   * messages are returned; the user message is stored before the model is
   * called, and a failed answer is stored with status FAILED and its error.
   * @returns SendMessageResponse OK
   * @throws ApiError
   */
  public sendMessage({
    conversation,
    requestBody,
  }: {
    /**
     * The conversation id.
     */
    conversation: string,
    requestBody: SendMessageRequest,
  }): CancelablePromise<SendMessageResponse> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/v1/conversations/{conversation}/messages',
      path: {
        'conversation': conversation,
      },
      body: requestBody,
      mediaType: 'application/json',
      errors: {
        429: `A limit of the key, its user or the model is reached (code 8, RESOURCE_EXHAUSTED); nothing was stored.`,
      },
    });
  }
  /**
   * Gets one message.
   * @returns Message OK
   * @throws ApiError
   */
  public getMessage({
    conversation,
    message,
  }: {
    /**
     * The conversation id.
     */
    conversation: string,
    /**
     * The message id.
     */
    message: string,
  }): CancelablePromise<Message> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/v1/conversations/{conversation}/messages/{message}',
      path: {
        'conversation': conversation,
        'message': message,
      },
    });
  }
  /**
   * Sends a user message and streams the answer as Server-Sent Events: one
   * `userMessage` event (the stored user message), `delta` events with the
   * answer's text as it is generated, then one `assistantMessage` event (the
   * stored answer with its usage). A failure after the stream started ends it
   * with an `error` event carrying the error envelope. A client that
   * disconnects stops the generation; the partial answer is kept as CANCELLED.
   * @returns string OK
   * @throws ApiError
   */
  public streamMessage({
    conversation,
    requestBody,
  }: {
    /**
     * The conversation id.
     */
    conversation: string,
    requestBody: SendMessageRequest,
  }): CancelablePromise<string> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/v1/conversations/{conversation}/messages:stream',
      path: {
        'conversation': conversation,
      },
      body: requestBody,
      mediaType: 'application/json',
      errors: {
        429: `A limit of the key, its user or the model is reached (code 8, RESOURCE_EXHAUSTED); nothing was stored.`,
      },
    });
  }
}
