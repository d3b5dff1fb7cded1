export * from './sse-kms-replication';
export * from './replication-destination-access';
