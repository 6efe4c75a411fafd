/**
 * Tencent's CI/COS documentation: the `?imageInfo` and `?imageAve` examples, and the Pic-Operations example of the
 * persistent-processing page.
 */
import { buildPicOperations } from '../../../lib/core/pic-operations';
import type { AnswerFixture, RequestFixture } from '../conformance.types';

const IMAGE_INFO_1045 = {
  title: 'Cloud Infinite: Obtaining Basic Image Information (Examples, public-read)',
  where: 'https://www.tencentcloud.com/document/product/1045/33722',
};
const IMAGE_INFO_436 = {
  title: 'COS: Obtaining Basic Image Information (Examples)',
  where: 'https://tencentcloud.com/jp/document/api/436/36375',
};
const DISAGREE =
  'The CI page (1045/33722) shows "photo_rgb" in its example; the COS page (436/36375) shows the same answer ' +
  'without it, and neither lists it among the response parameters. This package types it when present ' +
  '(photoRgb) and does not require it.';

/** Documented `?imageInfo` / `?imageAve` answers. */
export const TENCENT_DOC_ANSWERS: AnswerFixture[] = [
  {
    id: 'ci-doc-image-info',
    sources: [IMAGE_INFO_1045],
    protocol: 'cos-v5',
    call: 'imageInfo',
    key: 'sample.jpeg',
    answer: {
      status: 200,
      contentType: 'application/json',
      body: '{"format": "jpeg", "width": "960", "height": "540", "size": "158421", "md5": "77a16fa70e2eba652fb42e8a639c52f2", "photo_rgb": "0x736246"}',
    },
    expected: {
      format: 'JPEG',
      width: 960,
      height: 540,
      size: 158421,
      md5: '77a16fa70e2eba652fb42e8a639c52f2',
      photoRgb: '0x736246',
    },
    optional: { photo_rgb: DISAGREE },
    disagreement: DISAGREE,
  },
  {
    id: 'cos-doc-image-info',
    sources: [IMAGE_INFO_436],
    protocol: 'cos-v5',
    call: 'imageInfo',
    key: 'sample.jpeg',
    answer: {
      status: 200,
      contentType: 'application/json',
      body: '{"format": "jpeg", "width": "960", "height": "540", "size": "158421", "md5": "77a16fa70e2eba652fb42e8a639c52f2"}',
    },
    expected: {
      format: 'JPEG',
      width: 960,
      height: 540,
      size: 158421,
      md5: '77a16fa70e2eba652fb42e8a639c52f2',
    },
    disagreement: DISAGREE,
  },
  {
    id: 'ci-doc-image-ave',
    sources: [
      {
        title: "Cloud Infinite: Obtaining Image's Average Hue (Examples)",
        where: 'https://www.tencentcloud.com/document/product/1045/33724',
      },
      {
        title: "COS: Obtaining Image's Average Hue",
        where: 'https://www.tencentcloud.com/document/api/436/36377',
      },
    ],
    protocol: 'cos-v5',
    call: 'imageAve',
    key: 'sample.jpeg',
    answer: { status: 200, contentType: 'application/json', body: '{"RGB": "0x736246"}' },
    expected: { rgb: '0x736246' },
  },
];

/** Documented request values. */
export const TENCENT_DOC_REQUESTS: RequestFixture[] = [
  {
    id: 'ci-doc-persistent-processing-pic-operations',
    sources: [
      {
        title: 'Cloud Infinite: Persistent Image Processing (Pic-Operations example)',
        where: 'https://tencentcloud.com/document/product/1045/33695',
      },
    ],
    documented: '{"is_pic_info":1,"rules":[{"fileid":"test.jpg","rule":"imageView2/format/png"}]}',
    built: () =>
      buildPicOperations({ isPicInfo: true, rules: [{ fileid: 'test.jpg', rule: 'imageView2/format/png' }] }),
    compare: 'exact',
  },
  {
    id: 'ci-doc-format-conversion-pic-operations',
    sources: [
      {
        title: 'Cloud Infinite: Converting Format (processing during upload)',
        where: 'https://cloud.tencent.com/document/api/436/44883',
      },
    ],
    documented: '{"is_pic_info":1,"rules":[{"fileid":"exampleobject","rule":"imageMogr2/format/heic"}]}',
    built: () =>
      buildPicOperations({
        isPicInfo: true,
        strictRules: true,
        rules: [{ fileid: 'exampleobject', rule: 'imageMogr2/format/heic' }],
      }),
    compare: 'exact',
  },
];
