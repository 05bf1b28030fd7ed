/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Caps on what may be used. An unset field is unlimited. Token counts are
 * prompt plus answer; costs are in the deployment's currency (see the
 * models' prices in the server's configuration). The 64-bit token budgets
 * are JSON strings, as proto3's JSON mapping writes 64-bit integers.
 */
export type Limits = {
  /**
   * Generations started in any 60 seconds.
   */
  requestsPerMinute?: number;
  /**
   * Tokens in any 60 seconds.
   */
  tokensPerMinute?: number;
  /**
   * Tokens per calendar day (UTC).
   */
  tokensPerDay?: string;
  /**
   * Tokens per calendar month (UTC).
   */
  tokensPerMonth?: string;
  /**
   * Cost per calendar day (UTC).
   */
  costPerDay?: number;
  /**
   * Cost per calendar month (UTC).
   */
  costPerMonth?: number;
  /**
   * Streamed answers being written at once.
   */
  concurrentStreams?: number;
  /**
   * Keys only: the model ids the key may use; every model when empty.
   * Another model answers PERMISSION_DENIED (7).
   */
  models?: Array<string>;
  /**
   * Users only: active keys the user may hold.
   */
  maxApiKeys?: number;
  /**
   * Users only: conversations the user may hold.
   */
  maxConversations?: number;
  /**
   * Users only: UTF-8 bytes of message content the user may hold: the
   * messages of its conversations (its own and the answers) and their system
   * prompts. A message or system prompt that would pass it answers
   * RESOURCE_EXHAUSTED (8); an answer is never cut off, its bytes count when
   * it ends. Deleting a conversation frees its bytes.
   */
  maxMessageBytes?: string;
};

