export * from './key';
export * from './replica';
