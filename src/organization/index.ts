export * from './kms-service-control-policy';
export * from './kms-resource-control-policy';
