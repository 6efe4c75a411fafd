export * from './image-info';
