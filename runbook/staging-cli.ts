/** How steps call the rehearsal's own checks and the staging cloud's API from the operator machine. */
import { work, type Context } from './remote';

/** The checks, run with the project's own TypeScript loader (runbook/checks-cli.ts). */
export const CHECKS = 'node -r ./bin/register.js runbook/checks-cli.ts';

/** The staging cloud's own API through the edge, with the canary admin credentials. */
export const stagingCli = (ctx: Context): string =>
  `openstack --os-cloud ${ctx.options.canaryCloud} --os-auth-url "http://$(${CHECKS} endpoint ${work(ctx, 'edge.json')}):5000/v3"`;

/** For a command that calls the API many times: a line that reads the edge's address once, and the CLI that uses it. */
export const stagingCliOnce = (ctx: Context): { readonly setup: string; readonly cli: string } => ({
  setup: `staging_auth_url="http://$(${CHECKS} endpoint ${work(ctx, 'edge.json')}):5000/v3"`,
  cli: `openstack --os-cloud ${ctx.options.canaryCloud} --os-auth-url "$staging_auth_url"`,
});
