import type { CiUploadResult, CiUploadResults } from '../upload';

// `req.ciResult` / `req.ciResults` on Express's Request, for Nest on Express and plain Express alike.

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The upload result of a single-file `ciUpload()` / `@CiUpload` route. */
      ciResult?: CiUploadResult;
      /** The upload results of a many-file route, by field. */
      ciResults?: CiUploadResults;
    }
  }
}

export {};
