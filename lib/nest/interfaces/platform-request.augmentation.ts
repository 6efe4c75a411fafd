import type { CiUploadResult, CiUploadResults } from '../../upload';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The upload result of a single-file `@CiUpload` route. */
      ciResult?: CiUploadResult;
      /** The upload results of a many-file `@CiUpload` route, by field. */
      ciResults?: CiUploadResults;
    }
  }
}

export {};
