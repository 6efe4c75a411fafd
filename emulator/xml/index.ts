export * from './bucket.xml';
export * from './location';
export * from './multipart.xml';
export * from './object.xml';
export * from './xml';
