import type { AnswerFixture, RequestFixture } from '../conformance.types';
import { ERROR_FIXTURES } from './error-codes.fixtures';
import { GO_SDK_ANSWERS, GO_SDK_REQUESTS } from './go-sdk.fixtures';
import { SEED_ANSWERS, SEED_REQUESTS } from './seed.fixtures';
import { TENCENT_DOC_ANSWERS, TENCENT_DOC_REQUESTS } from './tencent-docs.fixtures';

/** Every documented answer. */
export const ANSWER_FIXTURES: AnswerFixture[] = [...SEED_ANSWERS, ...GO_SDK_ANSWERS, ...TENCENT_DOC_ANSWERS];
/** Every documented request value. */
export const REQUEST_FIXTURES: RequestFixture[] = [
  ...SEED_REQUESTS,
  ...GO_SDK_REQUESTS,
  ...TENCENT_DOC_REQUESTS,
];
export { ERROR_FIXTURES };
