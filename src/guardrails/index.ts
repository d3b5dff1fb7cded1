export * from './kms-golden-rules';
export * from './key-deletion-alarm';
