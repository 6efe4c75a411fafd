// The app configured for real COS (no endpoint), set before the AppModule loads (it reads the environment then):
// the testing module beside it must keep every byte local.
export const REAL = {
  COS_BUCKET: 'photos-1250000000',
  COS_REGION: 'ap-shanghai',
  COS_SECRET_ID: 'AKIDnot-a-real-key',
  COS_SECRET_KEY: 'not-a-real-secret',
};
delete process.env.COS_ENDPOINT;
Object.assign(process.env, REAL);
