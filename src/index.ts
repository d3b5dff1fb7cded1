export * from './key';
export * from './guardrails';
export * from './sharing';
export * from './presets';
export * from './perimeters';
export * from './replica';
export * from './imported';
export * from './client-side';
