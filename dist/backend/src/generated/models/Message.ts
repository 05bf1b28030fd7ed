/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Status } from './Status';
import type { Usage } from './Usage';
/**
 * One turn of a conversation.
 */
export type Message = {
  /**
   * Resource name, `conversations/{conversation}/messages/{message}`.
   */
  readonly name?: string;
  /**
   * The message's id: the last segment of `name`.
   */
  readonly id?: string;
  /**
   * Who wrote the message.
   */
  readonly role?: 'ROLE_UNSPECIFIED' | 'USER' | 'ASSISTANT';
  /**
   * The text of the message.
   */
  readonly content?: string;
  /**
   * Where the message is in its life.
   */
  readonly status?: 'STATUS_UNSPECIFIED' | 'COMPLETE' | 'IN_PROGRESS' | 'FAILED' | 'CANCELLED';
  /**
   * Id of the model that wrote (or was asked to write) the answer; empty on user messages.
   */
  readonly model?: string;
  /**
   * Tokens counted for the answer; zero on user messages.
   */
  readonly usage?: Usage;
  /**
   * Why the model stopped; unspecified on user messages and unfinished answers.
   */
  readonly finishReason?: 'FINISH_REASON_UNSPECIFIED' | 'STOP' | 'LENGTH' | 'STOP_SEQUENCE' | 'CONTENT_FILTER';
  /**
   * What went wrong, when status is FAILED.
   */
  readonly error?: Status;
  /**
   * When the message was created.
   */
  readonly createTime?: string;
  /**
   * When the message last changed.
   */
  readonly updateTime?: string;
};

