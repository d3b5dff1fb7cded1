export * from './key';
export * from './guardrails';
