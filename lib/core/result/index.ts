export * from './image-info';
export * from './image-metadata';
