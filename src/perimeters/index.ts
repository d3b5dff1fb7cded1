export * from './key-perimeter';
