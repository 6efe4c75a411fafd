import type { IncomingMessage } from 'node:http';
import { cosErrors } from '../errors/cos-errors';
import { bucketSubresources } from '../storage/bucket-subresources';
import type { ObjectStore } from '../storage/object-store';
import { parseXmlDocument } from '../xml/xml';
import { header } from './handler.utils';
import { child, listOf, textOf } from './xml-body';

function wildcard(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** The host (with port) and the hostname a `Referer` names (`https://www.qq.com:8080/a` → both forms). */
function refererHosts(referer: string): string[] {
  try {
    const url = new URL(referer.includes('://') ? referer : `http://${referer}`);
    return [url.host.toLowerCase(), url.hostname.toLowerCase()];
  } catch {
    return [referer.toLowerCase()];
  }
}

/**
 * Hotlink protection (COS's PUT Bucket referer page: `Status`, `RefererType` White-List / Black-List,
 * `DomainList/Domain` with `*` wildcards and optional port, `EmptyReferConfiguration` Allow / Deny, default Deny),
 * enforced on GET and HEAD of an object: a request whose `Referer` is not white-listed, is black-listed, or is
 * absent under `Deny` is refused 403 `AccessDenied`. Signed requests are checked too.
 */
export function checkReferer(store: ObjectStore, bucket: string, req: IncomingMessage): void {
  const document = bucketSubresources.get(store, bucket, 'referer');
  if (!document) return;
  const config = parseXmlDocument(document).RefererConfiguration;
  if (textOf(child(config, 'Status')) !== 'Enabled') return;
  const referer = header(req, 'referer')?.trim();
  if (!referer) {
    if (textOf(child(config, 'EmptyReferConfiguration')) === 'Allow') return;
    throw cosErrors.accessDenied(
      'Access Denied: the bucket refuses requests without a Referer (hotlink protection).',
    );
  }
  const domains = listOf(child(child(config, 'DomainList'), 'Domain')).map((d) => textOf(d) ?? '');
  const hosts = refererHosts(referer);
  const listed = domains.some((domain) => {
    const pattern = wildcard(domain.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, ''));
    return hosts.some((host) => pattern.test(host));
  });
  const whiteList = textOf(child(config, 'RefererType')) === 'White-List';
  if (listed !== whiteList) {
    throw cosErrors.accessDenied(
      `Access Denied: the Referer ${referer} is refused by the bucket's hotlink protection.`,
    );
  }
}
