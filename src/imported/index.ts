export * from './imported-key-ring';
