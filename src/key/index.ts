export * from './customer-managed-key';
export * from './identity-policies';
export * from './key-origin';
