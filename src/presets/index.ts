export * from './service-via';
export * from './service-preset';
