export * from './key';
export * from './sharing';
