import { toRuleString, type CiRuleInput } from './rule-input';

/** Characters a processing query keeps as written (the rule's own syntax); everything else is percent-encoded. */
const KEPT = /%(2F|21|40|3A|2C|7C)/gi;

/**
 * Encodes a CI rule string for the query of a download URL (no leading `?`): `/`, `!`, `@`, `:`, `,` and the pipe
 * `|` stay as CI's documentation writes them; everything else (`<`, `>`, spaces, `=`, `&`, non-ASCII) is
 * percent-encoded.
 * @example encodeProcessingQuery('imageMogr2/thumbnail/200x200>') // 'imageMogr2/thumbnail/200x200%3E'
 */
export function encodeProcessingQuery(rule: string): string {
  return encodeURIComponent(rule).replace(KEPT, (escape) => decodeURIComponent(escape));
}

/**
 * The download-time processing query of a rule (no leading `?`): validated, written in canonical form (strings are
 * kept as given), then encoded by {@link encodeProcessingQuery}.
 * @example toProcessingQuery(imageMogr2().thumbnail({ width: 200 })) // 'imageMogr2/thumbnail/200x'
 */
export function toProcessingQuery(input: CiRuleInput): string {
  return encodeProcessingQuery(toRuleString(input));
}
