import fc from 'fast-check';
import type { CiFaultAction, CiFaultOperation } from '../../emulator';
import type { CiProtocol } from '../../lib/client';

/** Where an output goes: the source bucket, or the other one (a rule with `bucket`). */
export type OutputPlace = 'source' | 'other';

/** A fault on one request of an operation (emulator only). */
export interface StepFault {
  operation: CiFaultOperation;
  action: CiFaultAction;
}

/** One operation of a sequence. */
export interface InvariantOp {
  kind: 'upload' | 'process';
  protocol: CiProtocol;
  /** Bytes to send: a small JPEG (one PUT) or a large one (multipart / slices). */
  size: 'small' | 'large';
  /** Outputs, each in its place (empty: store only). */
  outputs: OutputPlace[];
  insertOnly: boolean;
  /** With insertOnly: an object not the module's already sits at the original's key (a conflict is expected). */
  collide: boolean;
  fault?: StepFault;
}

/** A generated sequence: operations run in order, optionally ended by a shutdown while the last is in flight. */
export interface InvariantSequence {
  ops: InvariantOp[];
  shutdownDuringLast: boolean;
}

/** Headers timeout of the clients under test; latency faults exceed it (the answer is lost, the work is done). */
export const HEADERS_MS = 400;
/** Delay of the second look; slow-processing faults commit before it. */
export const RECHECK_MS = 900;

const ACTIONS: fc.Arbitrary<CiFaultAction> = fc.constantFrom<CiFaultAction>(
  { type: 'error', status: 500, code: 'InternalError' },
  { type: 'error', status: 503, code: 'SlowDown' },
  { type: 'reset', phase: 'request' },
  { type: 'reset', phase: 'response' },
  { type: 'latency', ms: HEADERS_MS + 300 },
  { type: 'malformed-xml' },
  { type: 'slow-processing', ms: HEADERS_MS + 200 },
);

function operationsOf(op: Omit<InvariantOp, 'fault'>): CiFaultOperation[] {
  const cleanup: CiFaultOperation[] = ['DeleteObject', 'HeadObject'];
  if (op.protocol === 'files-v2') return ['FilesV2', ...cleanup];
  const write: CiFaultOperation[] =
    op.size === 'large'
      ? ['InitiateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'AbortMultipartUpload']
      : ['PutObject'];
  return op.kind === 'process' ? ['ImageProcess', ...cleanup] : [...write, ...cleanup];
}

/** Random operations of the shared upload pipeline, with or without a fault (`faults: false` for real COS). */
export function invariantOp(
  faults: boolean,
  otherBucket: boolean,
  protocols: readonly CiProtocol[] = ['cos-v5', 'files-v2'],
): fc.Arbitrary<InvariantOp> {
  const base = fc.record({
    kind: fc.constantFrom<InvariantOp['kind']>('upload', 'upload', 'process'),
    protocol: fc.constantFrom<CiProtocol>(...protocols),
    size: fc.constantFrom<InvariantOp['size']>('small', 'small', 'small', 'large'),
    outputs: fc.array(
      fc.constantFrom<OutputPlace>(...(otherBucket ? (['source', 'other'] as const) : (['source'] as const))),
      {
        maxLength: 2,
      },
    ),
    insertOnly: fc.boolean(),
    collide: fc.boolean(),
  });
  return base
    .map((op) => ({
      ...op,
      collide: op.insertOnly && op.collide && op.kind === 'upload',
      // A process with nothing to ask is refused before anything is sent: give it one output.
      outputs: op.kind === 'process' && op.outputs.length === 0 ? (['source'] as OutputPlace[]) : op.outputs,
    }))
    .chain((op) =>
      faults
        ? fc
            .option(fc.record({ operation: fc.constantFrom(...operationsOf(op)), action: ACTIONS }), {
              nil: undefined,
              freq: 3,
            })
            .map((fault) => (fault ? { ...op, fault } : op))
        : fc.constant(op),
    );
}

/** Random sequences (`maxOps` operations at most). */
export function invariantSequence(
  faults: boolean,
  otherBucket: boolean,
  maxOps: number,
  protocols?: readonly CiProtocol[],
): fc.Arbitrary<InvariantSequence> {
  return fc.record({
    ops: fc.array(invariantOp(faults, otherBucket, protocols), { minLength: 1, maxLength: maxOps }),
    shutdownDuringLast: fc.boolean(),
  });
}
