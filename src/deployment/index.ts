export * from './deployment-use';
