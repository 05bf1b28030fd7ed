/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Request for MessageService.SendMessage and MessageService.StreamMessage.
 */
export type SendMessageRequest = {
  /**
   * The conversation, `conversations/{conversation}`. Over HTTP the URL path
   * carries it; a value in the body is ignored (the path wins, as in gRPC
   * transcoding), so clients leave it out.
   */
  parent?: string;
  /**
   * The user's message: any Unicode text but U+0000 (NUL), which is refused
   * with INVALID_ARGUMENT (3) rather than stored altered.
   */
  content: string;
  /**
   * Model for this turn only, instead of the conversation's.
   */
  model?: string;
  /**
   * Most tokens the answer may have; the model's maximum when unset.
   */
  maxTokens?: number;
  /**
   * Sampling temperature, 0-2; the model's default when unset.
   */
  temperature?: number;
  /**
   * Nucleus sampling probability mass, 0-1; the model's default when unset.
   */
  topP?: number;
  /**
   * Up to 4 sequences that end the answer when the model produces them.
   */
  stop?: Array<string>;
};

