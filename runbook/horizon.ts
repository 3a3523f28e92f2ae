/**
 * Horizon as a user meets it: log in through its own login page (session cookie and
 * CSRF token, with curl) and switch between the canary's projects, the Japanese-named
 * one last, checking after each switch that the page names the project switched to.
 * Upgrades of this era broke both (the project switch, and multibyte names).
 *
 * Facts from the releases' sources (docs/research/horizon.md has the detail):
 * - RDO and Packstack serve Horizon under /dashboard (puppet-horizon `root_url`);
 *   django_openstack_auth mounts login/, logout/ and switch/<project id>/ under auth/
 *   (openstack_auth/urls.py, 1.1.5 and 2.0.1).
 * - The login form posts csrfmiddlewaretoken, region (a hidden input holding
 *   OPENSTACK_KEYSTONE_URL), username and password (openstack_auth/forms.py); a
 *   failed login answers the form again with an `errorlist`.
 * - The current project: Icehouse `<div id="tenant_switcher" …><h3>NAME</h3>`
 *   (horizon 2014.1 _header.html), Liberty `<span class="context-overview">` then
 *   an optional domain span and `<strong>&middot;</strong>`, then `<span>NAME</span>`
 *   (horizon 8.0.0 context_selection/_overview.html). Names are autoescaped (only
 *   & < > " '), multibyte characters come raw in UTF-8.
 * - Which project a login lands on is not fixed (1.1.x takes the last listed, 2.0.x
 *   the `recent_project` cookie): the check switches to each project explicitly.
 */
import { SECRETS_FILE } from '../assets/secrets';
import { shQuote } from '../assets/shell';
import type { Side } from '../plan/types';
import { onNode, work, type Context } from './remote';
import { CANARY_USER } from '../plan/canary';
import { canaryUserProjects } from './canary';
import { CHECKS } from './staging-cli';
import type { Phase, Step } from './types';

/**
 * Reads what the check needs from a saved page, Python 2.6 to 3 (what EL6 and EL7
 * have): `field NAME` (an input's value, attributes in any order and quoting),
 * `project` (the current project), `errors` (the form's error list), `contains TEXT`.
 */
const PAGE_READER = String.raw`
import io, re, sys
mode, args, page = sys.argv[1], sys.argv[2:-1], io.open(sys.argv[-1], encoding='utf-8', errors='replace').read()
def arg(i):
    return args[i].decode('utf-8') if isinstance(args[i], bytes) else args[i]
def out(text):
    getattr(sys.stdout, 'buffer', sys.stdout).write((text + u'\n').encode('utf-8'))
def unescape(text):
    for a, b in ((u'&lt;', u'<'), (u'&gt;', u'>'), (u'&quot;', u'"'), (u'&#39;', u"'"), (u'&#x27;', u"'"), (u'&amp;', u'&')):
        text = text.replace(a, b)
    return text.strip()
if mode == 'field':
    for tag in re.findall(r'<input\b[^>]*>', page):
        attrs = dict((k.lower(), d if d or not s else s) for k, d, s in re.findall(r'([\w-]+)\s*=\s*(?:"([^"]*)"|\x27([^\x27]*)\x27)', tag))
        if attrs.get('name') == arg(0):
            out(unescape(attrs.get('value', u'')))
            sys.exit(0)
    sys.exit(1)
elif mode == 'project':
    old = re.search(r'id="tenant_switcher".*?<h3>(.*?)</h3>', page, re.S)
    new = re.search(r'class="context-overview">\s*(?:<span>[^<]*</span>\s*<strong>&middot;</strong>\s*)?<span>(.*?)</span>', page, re.S)
    found = old or new
    if not found:
        sys.exit(1)
    out(unescape(found.group(1)))
elif mode == 'errors':
    for item in re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', page, re.S):
        for message in re.findall(r'<li>(.*?)</li>', item, re.S):
            out(unescape(re.sub(r'<[^>]+>', u'', message)))
elif mode == 'contains':
    sys.exit(0 if arg(0).replace(u'&', u'&amp;').replace(u'<', u'&lt;').replace(u'>', u'&gt;') in page else 1)
`;

/**
 * The check as the Horizon node runs it: "$1" the dashboard's base URL, "$2" the secrets
 * file, then one project id per project of `projects` (same order). Prints what it saw
 * and a marked result line; exits 1 on the first problem.
 */
export function horizonCheckLines(user: string, projects: readonly string[], image: string): string[] {
  const names = projects.map(shQuote).join(' ');
  return [
    'base="$1"; secrets="$2"; shift 2',
    `names=(${names})`,
    'ids=("$@")',
    // A private folder for the cookie jar, the pages and the password (curl reads it from there, never from argv).
    'd="$(mktemp -d)"; trap \'rm -rf "$d"\' EXIT',
    `cat > "$d/read.py" <<'PY'`,
    ...PAGE_READER.trim().split('\n'),
    'PY',
    'read_page() { python "$d/read.py" "$@" "$d/page.html"; }',
    'problem() {',
    '  local message="${1//\\\\/\\\\\\\\}"; message="${message//\\"/\\\\\\"}"',
    `  printf 'staging-check-result {"check":"horizon","user":"%s","problems":["%s"]}\\n' ${shQuote(user)} "$message"`,
    '  echo "horizon: $1" >&2; exit 1',
    '}',
    'get() { curl -sS -L -o "$d/page.html" -w \'%{http_code}\' -c "$d/jar" -b "$d/jar" -H \'Accept-Language: en\' --referer "$base/auth/login/" "$@"; }',
    'code="$(get "$base/auth/login/")"',
    '[ "$code" = 200 ] || problem "login page: HTTP $code"',
    'token="$(read_page field csrfmiddlewaretoken)" || problem "no CSRF token on the login page"',
    'region="$(read_page field region)" || problem "no region field on the login page"',
    '# shellcheck source=/dev/null',
    `password="$(. "$secrets"; printf '%s' "$CANARY_USER_PASSWORD")" 2>/dev/null || password=''`,
    '[ -n "$password" ] || problem "no CANARY_USER_PASSWORD in the secrets file"',
    'printf \'%s\' "$password" > "$d/password"; unset password',
    `code="$(get --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "region=$region" --data-urlencode ${shQuote(`username=${user}`)} --data-urlencode "password@$d/password" "$base/auth/login/")"`,
    'rm -f "$d/password"',
    'if ! current="$(read_page project)"; then',
    '  problem "login refused: $(read_page errors | head -n 1) (HTTP $code)"',
    'fi',
    'echo "logged in as the project $current"',
    'for i in "${!ids[@]}"; do',
    '  code="$(get "$base/auth/switch/${ids[$i]}/?next=/dashboard/project/")"',
    '  [ "$code" = 200 ] || problem "switch to ${names[$i]}: HTTP $code"',
    '  current="$(read_page project)" || problem "switch to ${names[$i]}: no project on the page"',
    '  [ "$current" = "${names[$i]}" ] || problem "switch to ${names[$i]}: the page shows $current"',
    '  echo "switched to $current"',
    'done',
    // The last project's images page lists the public canary images, the Japanese-named one among them.
    'code="$(get "$base/project/images/")"',
    `read_page contains ${shQuote(image)} || problem "the images page (HTTP $code) does not show "${shQuote(image)}`,
    'code="$(get "$base/auth/logout/")"',
    `printf 'staging-check-result {"check":"horizon","user":"%s","problems":[]}\\n' ${shQuote(user)}`,
  ];
}

/** After every switch: on each Horizon node of the serving side, log in, switch through the projects, see the names. */
export function horizonStep(ctx: Context, phase: Phase, side: Side): Step {
  const projects = canaryUserProjects(ctx);
  const seed = work(ctx, 'canary-seed.json');
  const lines = horizonCheckLines(CANARY_USER, projects, ctx.plan.canary.multibyte.image);
  const ids = projects.map((name) => `"$(${CHECKS} project-id ${seed} ${shQuote(name)})"`);
  return {
    id: `${phase}.horizon`,
    phase,
    title: `Horizon on the ${side} side: ${CANARY_USER} logs in and switches between the canary projects, the Japanese-named one too`,
    where: 'operator',
    commands: ctx.plan.nodes
      .filter((n) => n.side === side && n.role === 'horizon')
      .map((node) => onNode(ctx, node.name, lines, ['http://127.0.0.1/dashboard', SECRETS_FILE, ...ids])),
    rollbackSafe: true,
  };
}
