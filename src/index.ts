export * from './key';
export * from './imported';
export * from './client-side';
