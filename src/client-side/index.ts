export * from './key-arn-publication';
