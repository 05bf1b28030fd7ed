/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ChatNamedToolChoice } from './ChatNamedToolChoice';
/**
 * Which tool the model must call: `none`, `auto`, `required`, or a named function.
 */
export type ChatToolChoice = (string | ChatNamedToolChoice);

