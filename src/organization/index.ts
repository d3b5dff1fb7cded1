export * from './kms-service-control-policy';
export * from './kms-resource-control-policy';
export * from './member-account-stack';
export * from './member-account-stack-set';
