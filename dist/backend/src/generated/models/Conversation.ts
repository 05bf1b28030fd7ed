/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * A conversation: settings shared by its messages, and their thread.
 */
export type Conversation = {
  /**
   * Resource name, `conversations/{conversation}`.
   */
  readonly name?: string;
  /**
   * The conversation's id: the last segment of `name`.
   */
  readonly id?: string;
  /**
   * A title for lists; may be empty. Any Unicode text but U+0000 (NUL), which
   * is refused with INVALID_ARGUMENT (3).
   */
  title?: string;
  /**
   * Id of the model that answers in this conversation (see ListModels);
   * the server's default model when empty at creation.
   */
  model?: string;
  /**
   * Instructions given to the model before every turn; may be empty. Any
   * Unicode text but U+0000 (NUL), which is refused with INVALID_ARGUMENT (3).
   */
  systemPrompt?: string;
  /**
   * When the conversation was created.
   */
  readonly createTime?: string;
  /**
   * When the conversation or its thread last changed.
   */
  readonly updateTime?: string;
  /**
   * How many messages the conversation holds.
   */
  readonly messageCount?: number;
  /**
   * Opaque version tag; changes on every update. Send it back on update or
   * delete to act only if nobody changed the conversation meanwhile.
   */
  etag?: string;
};

