/** How the operator machine runs the rehearsal's secrets script, per secret store. */
import { shQuote } from '../assets/shell';
import type { SecretName } from '../assets/secrets';
import type { SecretStore } from '../targets/cloud-facts';
import { factsOf } from '../targets/facts';
import { work, type Context } from './remote';

interface StoreCommands {
  /** Whether the file must then be copied to the nodes (they cannot fetch it themselves). */
  readonly distributed: boolean;
  /** The script with its arguments, run where it keeps its state. */
  readonly run: (ctx: Context, args: string) => string;
}

const STORES: Record<SecretStore, StoreCommands> = {
  // The nodes fetch the parameter themselves.
  'ssm-parameter': { distributed: false, run: (ctx, args) => `bash ${work(ctx, 'assets', 'secrets', 'create-secrets.sh')}${args}` },
  // The script keeps its file in the work folder.
  'file-over-ssh': {
    distributed: true,
    run: (ctx, args) => `(cd ${shQuote(ctx.options.workDir)} && bash assets/secrets/create-secrets.sh${args})`,
  },
};

const store = (ctx: Context): StoreCommands => STORES[factsOf(ctx.plan.cloud).secretStore];

/** Whether the secrets file is copied to every node after it is created. */
export const secretsDistributed = (ctx: Context): boolean => store(ctx).distributed;

/** Creates the secrets (once), or copies them to every node. */
export const secretsCommand = (ctx: Context, when: 'create' | 'distribute'): string =>
  store(ctx).run(ctx, when === 'distribute' ? ` --distribute --ssh-user ${ctx.options.sshUser}` : '');

/** A command substitution that yields one secret's value on the operator machine, for a tool's environment. */
export const secretValue = (ctx: Context, name: SecretName): string => `"$( ${store(ctx).run(ctx, ` --print ${name}`)} )"`;
