export * from './replica-key';
