/**
 * Swift parity through the API: every account's containers with their object and
 * byte counts, and the canary objects' ETags, read through the old side's proxies
 * after the delta copy and through the new side's before the cut-over, then compared.
 * The file-level parity (runbook/swift.ts) shows the devices were copied; this shows
 * the new side's account and container servers list them (pending container updates
 * included) as the old side did.
 *
 * Accounts are `AUTH_<project id>` (keystoneauth's reseller prefix). Swift lists no
 * accounts, so the projects come from Keystone's v2 admin API (`GET /v2.0/tenants`), and
 * the admin reads every account through keystoneauth's reseller admin role
 * (`reseller_admin_role`, default `ResellerAdmin`, swift/common/middleware/keystoneauth.py),
 * which the check grants the staging's admin once on each side (through the v2 OS-KSADM
 * extension, in Keystone 2014.1 and 8.0.0 alike). Listings are Swift's JSON
 * (`name`, `count`, `bytes` per container; `name`, `hash`, `bytes` per object), read
 * page by page with `marker`.
 */
import { addressOf } from '../assets/endpoints';
import { SECRETS_FILE } from '../assets/secrets';
import { shQuote } from '../assets/shell';
import { SWIFT_RESELLER_ROLE } from '../plan/canary';
import type { Side } from '../plan/types';
import { TOOLBOX } from './dumps';
import { onNode, work, type Context } from './remote';
import { CHECKS } from './staging-cli';
import type { Phase, Step } from './types';

/** Reads a side's listing; runs under Python 2 (EL7's) and 3. Arguments: Keystone v2.0 admin URL, Swift /v1 URL, canary containers. */
export const LISTER = String.raw`
import json, os, sys
try:
    from urllib.request import Request, urlopen
    from urllib.error import HTTPError
    from urllib.parse import quote
except ImportError:
    from urllib2 import Request, urlopen, HTTPError
    from urllib import quote

keystone, swift = sys.argv[1], sys.argv[2]
canary = set(a.decode('utf-8') if isinstance(a, bytes) else a for a in sys.argv[3:])
RESELLER = '${SWIFT_RESELLER_ROLE}'

def call(method, url, body=None, bearer=None):
    req = Request(url, data=None if body is None else json.dumps(body).encode('utf-8'))
    req.get_method = lambda: method
    req.add_header('Accept', 'application/json')
    if body is not None:
        req.add_header('Content-Type', 'application/json')
    if bearer:
        req.add_header('X-Auth-Token', bearer)
    data = urlopen(req, timeout=120).read()
    return json.loads(data.decode('utf-8')) if data else None

def login():
    creds = {'username': 'admin', 'password': os.environ['ADMIN_PASSWORD']}
    return call('POST', keystone + '/tokens', {'auth': {'tenantName': 'admin', 'passwordCredentials': creds}})['access']

access = login()
bearer = access['token']['id']
admin_project = access['token']['tenant']['id']
if RESELLER not in [r['name'] for r in access['user'].get('roles', [])]:
    roles = [r for r in call('GET', keystone + '/OS-KSADM/roles', bearer=bearer)['roles'] if r['name'] == RESELLER]
    role = roles[0] if roles else call('POST', keystone + '/OS-KSADM/roles', {'role': {'name': RESELLER}}, bearer)['role']
    call('PUT', '%s/tenants/%s/users/%s/roles/OS-KSADM/%s' % (keystone, admin_project, access['user']['id'], role['id']), bearer=bearer)
    bearer = login()['token']['id']

def listing(url):
    marker = None
    while True:
        page_url = url + '?format=json' + ('' if marker is None else '&marker=' + quote(marker.encode('utf-8')))
        try:
            page = call('GET', page_url, bearer=bearer)
        except HTTPError as e:
            if e.code == 404:
                return
            raise
        if not page:
            return
        for item in page:
            yield item
        marker = page[-1]['name']

def out(*fields):
    sys.stdout.write(json.dumps(list(fields), sort_keys=True) + '\n')

for project in sorted(t['id'] for t in call('GET', keystone + '/tenants', bearer=bearer)['tenants']):
    account = 'AUTH_' + project
    for c in listing('%s/%s' % (swift, account)):
        out('container', account, c['name'], c['count'], c['bytes'])
        if c['name'] in canary:
            for o in listing('%s/%s/%s' % (swift, account, quote(c['name'].encode('utf-8')))):
                out('object', account, c['name'] + '/' + o['name'], o['hash'], o['bytes'])
`;

/** The listing file of a round and side, on the operator machine. */
export const accountsFile = (ctx: Context, round: string, side: Side): string => work(ctx, `swift-accounts-${round}-${side}.jsonl`);

/** Lines the toolbox runs: the lister, with the admin's password from the secrets file (never in argv). */
export function listingLines(keystone: string, proxy: string): string[] {
  return [
    `. ${SECRETS_FILE}`,
    'd="$(mktemp -d)"; trap \'rm -rf "$d"\' EXIT',
    `cat > "$d/list.py" <<'PY'`,
    ...LISTER.trim().split('\n'),
    'PY',
    `ADMIN_PASSWORD="$KEYSTONE_ADMIN_PASSWORD" python "$d/list.py" http://${keystone}:35357/v2.0 http://${proxy}:8080/v1 "$@"`,
  ];
}

/**
 * Reads a side's accounts through its first proxy, from the migration toolbox (which
 * reaches both sides' APIs). On the new side, then compares with the old side's.
 */
export function swiftAccountsStep(ctx: Context, phase: Phase, round: string, side: Side): Step {
  const first = (role: 'keystone' | 'swift-proxy') => addressOf(ctx.plan.nodes.find((n) => n.side === side && n.role === role)!);
  const file = accountsFile(ctx, round, side);
  // The canary's containers, the Japanese-named one too, each in its project's account (names no other project uses).
  const args = [...ctx.plan.canary.containers.map((c) => c.name), ctx.plan.canary.multibyte.container].map(shQuote);
  return {
    id: `${round}.swift-accounts-${side}`,
    phase,
    title:
      side === 'old'
        ? "Record every Swift account's containers, counts and bytes through the old side's API (the copy's source)"
        : "Check the new side's Swift API lists every account and container as the old side did, and the canary objects' ETags",
    where: 'operator',
    commands: [
      // Grouped, so the heredoc's output goes to the file.
      `{\n${onNode(ctx, TOOLBOX, listingLines(first('keystone'), first('swift-proxy')), args)}\n} > ${file}`,
      ...(side === 'new' ? [`${CHECKS} swift-accounts ${accountsFile(ctx, round, 'old')} ${file}`] : []),
    ],
    checks:
      side === 'old'
        ? ["one line per container of every project's account, and per canary object"]
        : ['the same containers, object counts, bytes and canary ETags as the old side recorded'],
    rollbackSafe: true,
  };
}
