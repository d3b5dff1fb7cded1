export * from './targets';
export * from './key-sharing';
export * from './key-grant';
export * from './shared-key-access';
export * from './resource-shares';
