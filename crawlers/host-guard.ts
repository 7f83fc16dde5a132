import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { NonRetryableError, RetryableError } from '../core/errors.js';
import { hostMatches } from './url.js';

/**
 * Scraped pages are hostile input: a link or redirect may point at the crawler's own network
 * (metadata services, admin panels on 10.x, localhost). The crawler only goes to a source's
 * allowed hosts and, unless the source explicitly allows it, never to a non-public address.
 */

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export interface HostGuardOptions {
  /** Hosts a source may visit; a subdomain of a listed host is allowed too. */
  readonly allowedHosts: readonly string[];
  /**
   * Allow loopback, private, link-local and unique-local addresses (fixtures and demos only).
   * @default false
   */
  readonly allowPrivate?: boolean;
  /**
   * Resolves a host name to all its addresses; injected so tests need no DNS.
   * @default node:dns/promises lookup with `{ all: true }`
   */
  readonly lookup?: (host: string) => Promise<readonly ResolvedAddress[]>;
}

const defaultLookup = (host: string): Promise<readonly ResolvedAddress[]> =>
  dnsLookup(host, { all: true, verbatim: true });

export const HOST_GUARD_DEFAULTS = Object.freeze({
  allowPrivate: false,
  lookup: defaultLookup,
});

/** Address ranges no crawl may reach by default (IANA special-purpose registries). */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const match = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? null;
}

/** True for loopback, private, link-local, unique-local and other non-public addresses. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = embeddedIpv4(bare);
  if (v4 !== null) return NON_PUBLIC.check(v4, 'ipv4');
  const family = isIP(bare);
  if (family === 4) return NON_PUBLIC.check(bare, 'ipv4');
  if (family === 6) return NON_PUBLIC.check(bare, 'ipv6');
  // Not an address at all: refuse rather than guess.
  return true;
}

function checkOptions(options: HostGuardOptions): Required<HostGuardOptions> {
  if (
    options === null ||
    typeof options !== 'object' ||
    !Array.isArray(options.allowedHosts) ||
    options.allowedHosts.some((h) => typeof h !== 'string')
  ) {
    throw new TypeError(
      `Expected \`allowedHosts\` to be an array of host names, got \`${String(options?.allowedHosts)}\``,
    );
  }
  const merged = { ...HOST_GUARD_DEFAULTS, ...options };
  if (typeof merged.allowPrivate !== 'boolean') {
    throw new TypeError(
      `Expected \`allowPrivate\` to be a boolean, got \`${String(merged.allowPrivate)}\``,
    );
  }
  if (typeof merged.lookup !== 'function') {
    throw new TypeError(`Expected \`lookup\` to be a function, got \`${String(merged.lookup)}\``);
  }
  return merged;
}

function refuse(url: string, why: string): NonRetryableError {
  return new NonRetryableError('HOST_NOT_ALLOWED', `Refused ${url}: ${why}`);
}

/**
 * Throws NonRetryableError `HOST_NOT_ALLOWED` unless the URL's host is in `allowedHosts` (exact
 * or subdomain) and, unless `allowPrivate`, neither is nor resolves to a non-public address.
 * Every address a name resolves to is checked, since the connection may use any of them.
 * A failed DNS lookup is a RetryableError `NETWORK`.
 */
export async function assertHostAllowed(url: string, options: HostGuardOptions): Promise<void> {
  const opts = checkOptions(options);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new NonRetryableError('USER_INPUT', `Not a valid URL: ${JSON.stringify(url)}`, {
      cause: err,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refuse(url, `scheme ${parsed.protocol} is not crawled`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (!hostMatches(host, opts.allowedHosts)) {
    throw refuse(url, `host ${host} is not in the source's allowed hosts`);
  }
  if (opts.allowPrivate) return;
  if (isIP(host) !== 0) {
    if (isPrivateAddress(host)) throw refuse(url, `${host} is not a public address`);
    return;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    throw refuse(url, `${host} is a loopback name`);
  }
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await opts.lookup(host);
  } catch (err) {
    throw new RetryableError('NETWORK', `DNS lookup failed for ${host}`, { cause: err });
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad !== undefined) throw refuse(url, `${host} resolves to non-public ${bad.address}`);
}

/**
 * An `isUrlAllowed` callback for the Fetcher: checks every hop, throwing the guard's own error
 * (so the reason reaches the failure record) and returning true otherwise.
 */
export function hostGuard(options: HostGuardOptions): (url: string) => Promise<boolean> {
  const opts = checkOptions(options);
  return async (url) => {
    await assertHostAllowed(url, opts);
    return true;
  };
}
