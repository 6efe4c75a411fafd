export * from './fileid-template';
