/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Represents a dynamically typed value which can be either null, a number, a string, a boolean, a recursive struct value, or a list of values.
 */
export type GoogleProtobufValue = {
};

