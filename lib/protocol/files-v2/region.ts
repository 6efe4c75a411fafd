/**
 * The short region codes of the files-v2 (v4) API and the long COS v5 names they stand for, as Tencent's
 * "region and access domain" page lists the old codes. The seed's examples use `cd.image.myqcloud.com`.
 */
export const SHORT_REGION_CODES: Readonly<Record<string, string>> = {
  bj: 'ap-beijing',
  tj: 'ap-beijing-1',
  sh: 'ap-shanghai',
  gz: 'ap-guangzhou',
  cd: 'ap-chengdu',
  cq: 'ap-chongqing',
  hk: 'ap-hongkong',
  sgp: 'ap-singapore',
  ca: 'na-toronto',
  ger: 'eu-frankfurt',
};

const LONG_TO_SHORT: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SHORT_REGION_CODES).map(([short, long]) => [long, short]),
);

const LONG_REGION = /^[a-z]+(-[a-z0-9]+)+$/;

/** The COS v5 (long) name of a region given in either form, or `undefined` when it is neither. */
export function longRegionOf(region: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(SHORT_REGION_CODES, region)) return SHORT_REGION_CODES[region];
  return LONG_REGION.test(region) ? region : undefined;
}

/** The files-v2 (short) code of a region given in either form; a long name without a known code stays long. */
export function shortRegionOf(region: string): string {
  if (Object.prototype.hasOwnProperty.call(SHORT_REGION_CODES, region)) return region;
  return LONG_TO_SHORT[region] ?? region;
}

/**
 * The seed's files-v2 origin for a region: `https://<short region>.image.myqcloud.com`.
 * @example filesV2Origin('ap-chengdu') // 'https://cd.image.myqcloud.com'
 */
export function filesV2Origin(region: string): string {
  return `https://${shortRegionOf(region)}.image.myqcloud.com`;
}
