// The custom_host values gateway 1.15.2 refuses ("Invalid custom host", HTTP 400) unless its
// TRUSTED_CUSTOM_HOSTS lists the host: read from middlewares/requestValidator/index.ts
// (isValidCustomHost), which guards against request forgery. Pure.

/** Trusted when TRUSTED_CUSTOM_HOSTS is not set; setting it replaces this list. */
const TRUSTED_BY_DEFAULT = new Set(['localhost', '127.0.0.1', '::1', 'host.docker.internal']);

/** Cloud and Kubernetes metadata endpoints. */
const BLOCKED_HOSTS = new Set([
  '0.0.0.0',
  '169.254.169.254',
  'metadata.google.internal',
  'metadata',
  'metadata.azure.com',
  'instance-data',
]);

/** Names under these are internal by convention (Kubernetes' *.svc.cluster.local among them). */
const BLOCKED_SUFFIXES = [
  '.local',
  '.localdomain',
  '.internal',
  '.intranet',
  '.lan',
  '.home',
  '.corp',
  '.test',
  '.invalid',
  '.onion',
  '.localhost',
];

/** Private, loopback, link-local, shared (CGNAT) and "this network" IPv4 ranges. */
function privateIPv4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return false;
  const [a = 0, b = 0] = parts.map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/**
 * Why the gateway would refuse this custom_host with its default trust list, in words; undefined
 * when it would take it (or when it is not a URL at all: the gateway's schema says so then).
 */
export function refusedHostReason(customHost: string): string | undefined {
  let host: string;
  try {
    host = new URL(customHost.trim()).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const bare = host.replace(/^\[|\]$/g, '');
  if (TRUSTED_BY_DEFAULT.has(bare)) return undefined;
  if (BLOCKED_HOSTS.has(bare)) return `${bare} is a metadata or unspecified address`;
  const suffix = BLOCKED_SUFFIXES.find((s) => bare.endsWith(s));
  if (suffix) return `names ending in ${suffix} are internal`;
  if (privateIPv4(bare)) return `${bare} is a private or reserved address`;
  if (bare.includes(':') && /^(fc|fd|fe80|::1?$)/.test(bare)) {
    return `${bare} is a private or local IPv6 address`;
  }
  return undefined;
}
