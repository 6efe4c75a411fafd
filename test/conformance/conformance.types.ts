import type { CiClient, CiProtocol } from '../../lib/client';

/** Where a fixture's facts come from: a document title, or a repository file (with the commit read). */
export interface ConformanceSource {
  title: string;
  /** URL, or `owner/repo:path@commit`. */
  where: string;
}

/** What a scenario runs against: the emulator, or a real bucket (the live suite). */
export interface ConformanceTarget {
  /** A client of the target's bucket, speaking `protocol`, under `prefix`. */
  client(
    protocol: CiProtocol,
    overrides?: { bucket?: string; secretKey?: string; secretId?: string },
  ): CiClient;
  /** Key prefix every object of the run lives under (removed at the end). */
  prefix: string;
  /** Protocols whose answers the target records (a real bucket: cos-v5; files-v2 lives on another host). */
  protocols: readonly CiProtocol[];
  /** A JPEG, a text body and an image over CI's pixel limits. */
  images: { jpeg: Buffer; text: Buffer; pixelBomb: Buffer };
}

/** A documented answer to one of the calls the module makes, and the typed result it must become. */
export interface AnswerFixture {
  id: string;
  sources: ConformanceSource[];
  protocol: CiProtocol;
  call: 'upload' | 'process' | 'imageInfo' | 'imageAve';
  /** Key of the source object (under the target's prefix in scenarios). */
  key: string;
  /** `Pic-Operations` of the request, as documented. */
  picOperations?: string;
  /** The documented answer, verbatim. */
  answer: { status: number; contentType: string; body: string };
  /** The documented result, as this package types it (`toMatchObject`). */
  expected: Record<string, unknown>;
  /** Documented fields a scenario answer may lack, each with why (a sample value, a field sources disagree on). */
  optional?: Record<string, string>;
  /** Where sources disagree: what each says and which this package follows. */
  disagreement?: string;
}

/** A documented error answer, what the client makes of it, and the module's HTTP answer. */
export interface ErrorFixture {
  id: string;
  sources: ConformanceSource[];
  protocol: CiProtocol;
  answer: { status: number; contentType: string; body: string };
  /** `CiResponseError` fields. */
  expected: { statusCode: number; ciCode: string; requestId?: string; traceId?: string; resource?: string };
  /** The module's answer to its client (README "Errors"). */
  moduleStatus: number;
  /** Makes the target answer this error (when it can). */
  provoke?: (target: ConformanceTarget) => Promise<unknown>;
  optional?: Record<string, string>;
  disagreement?: string;
}

/** A documented request value and the package's own rendering of it. */
export interface RequestFixture {
  id: string;
  sources: ConformanceSource[];
  documented: string;
  built: () => string;
  /** `exact`: the same text; `json`: the same JSON value (the text may differ, see `disagreement`). */
  compare: 'exact' | 'json';
  disagreement?: string;
}
