export * from './key';
export * from './replication';
