/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatContentPart } from './ChatContentPart';
/**
 * A message's content: a string, or an array of parts.
 */
export type ChatMessageContent = (string | null | Array<ChatContentPart>);

