export * from './key';
export * from './presets';
export * from './perimeters';
