export * from './image-format';
export * from './sniff-image-type';
