export * from './key';
export * from './guardrails';
export * from './sharing';
