// Hand-written: `make` copies it from codegen/typescript/sdk/ into dist/backend/src/; edit it there.
// The package's entry point: the generated client and the helpers beside it.
export * from './generated';
export * from './errors';
export * from './events';
export * from './stream';
