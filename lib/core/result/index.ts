export * from './image-info';
export * from './image-metadata';
export * from './result-fields';
