export * from './encode';
export * from './sign';
export * from './requests';
export * from './xml';
export * from './presign';
export * from './image-metadata';
export * from './post-policy';
