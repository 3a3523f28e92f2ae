/**
 * The script that creates a rehearsal's secrets at deploy time, once, outside
 * Terraform state: random values for every name the assets use. On AWS they go
 * to one SecureString parameter the nodes read with their instance profile; on
 * an OpenStack cloud (no secret store assumed) the file is copied to every node.
 */
import type { StagingPlan } from '../plan/types';
import type { SecretStore } from '../targets/cloud-facts';
import { factsOf } from '../targets/facts';
import { awsSecretsParameter, SECRET_NAMES, SECRETS_FILE } from './secrets';
import type { PartsOptions } from './user-data-limit';
import { shFunction, shQuote } from './shell';

type OperatorAws = NonNullable<PartsOptions['operatorAws']>;

function generate(): string[] {
  return shFunction('generate', 'KEY=VALUE lines of fresh random values (hex: safe in sed and URLs).', [
    ...SECRET_NAMES.map((name) => `printf '%s=%s\\n' ${name} "$(openssl rand -hex 20)"`),
  ]);
}

/**
 * `--print NAME`: one secret's value on standard output, for a step on the operator
 * machine that must hand it to a tool (the canary's Terraform variable), never to a log.
 */
function printMode(value: string): string[] {
  return [
    "# --print NAME: that secret's value alone, from the secrets kept (never created here).",
    'if [ "$#" -eq 2 ] && [ "$1" = --print ]; then',
    `  value=$(${value})`,
    '  [ -n "$value" ] || { echo "no secret $2 kept for this rehearsal" >&2; exit 1; }',
    '  printf \'%s\\n\' "$value"',
    '  exit 0',
    'fi',
  ];
}

function ssmBody(plan: StagingPlan, aws: OperatorAws): string[] {
  const parameter = awsSecretsParameter(plan.rehearsalId);
  return [
    `PARAMETER=${parameter}`,
    `REGION=${plan.region}`,
    // Run by hand or by the runbook, the secrets land in the target config's account, not the shell's default.
    ...(aws.profile ? ["# The target config's AWS profile.", `export AWS_PROFILE=${shQuote(aws.profile)}`] : []),
    '',
    ...generate(),
    '# Never overwrite: both sides and every rerun must keep the same passwords.',
    ...(aws.endpoint
      ? [
          "# The target config's endpoint (an emulator or an AWS-compatible cloud), as every AWS CLI takes it.",
          `ENDPOINT=${shQuote(aws.endpoint)}`,
        ]
      : [
          '# AWS_ENDPOINT_URL, when set, as every AWS CLI takes it (--endpoint-url).',
          '# (printenv, not a parameter expansion: nothing here may read as a Terraform template, and set -u holds.)',
          'ENDPOINT=$(printenv AWS_ENDPOINT_URL || true)',
        ]),
    'aws() { if [ -n "$ENDPOINT" ]; then command aws --endpoint-url "$ENDPOINT" "$@"; else command aws "$@"; fi; }',
    ...printMode(
      'aws ssm get-parameter --region "$REGION" --name "$PARAMETER" --with-decryption --query Parameter.Value --output text | sed -n "s/^$2=//p"',
    ),
    'if aws ssm get-parameter --region "$REGION" --name "$PARAMETER" >/dev/null 2>&1; then',
    '  echo "$PARAMETER exists already; nothing to do"',
    '  exit 0',
    'fi',
    'umask 077',
    'tmp=$(mktemp)',
    'trap \'rm -f "$tmp"\' EXIT',
    'generate >"$tmp"',
    'aws ssm put-parameter --region "$REGION" --name "$PARAMETER" --type SecureString --value "file://$tmp" >/dev/null',
    'echo "created $PARAMETER"',
  ];
}

function fileOverSshBody(plan: StagingPlan): string[] {
  const nodes = plan.nodes.map((n) => n.addresses.management).join(' ');
  return [
    '# usage: create-secrets.sh [--distribute [--ssh-user USER]] | --print NAME',
    '# (--distribute tries each node SECRETS_SSH_TRIES times, SECRETS_SSH_INTERVAL seconds apart: 120 and 15 by default)',
    `LOCAL=secrets-${plan.rehearsalId}.env`,
    `NODES="${nodes}"`,
    'USER_NAME=centos',
    'DISTRIBUTE=0',
    ...printMode('sed -n "s/^$2=//p" "$LOCAL"'),
    'while [ "$#" -gt 0 ]; do',
    '  case "$1" in',
    '    --distribute) DISTRIBUTE=1 ;;',
    '    --ssh-user) USER_NAME=$2; shift ;;',
    '    *) echo "unknown argument $1" >&2; exit 2 ;;',
    '  esac',
    '  shift',
    'done',
    '',
    ...generate(),
    'umask 077',
    '# Never overwrite: both sides and every rerun must keep the same passwords.',
    '[ -s "$LOCAL" ] || generate >"$LOCAL"',
    '[ "$DISTRIBUTE" = 1 ] || { echo "wrote $LOCAL; rerun with --distribute to copy it to every node"; exit 0; }',
    '# Nodes answer SSH some minutes after the deploy (KVM guests after their host has set them up): wait for each.',
    'WAIT_TRIES=$(printenv SECRETS_SSH_TRIES || echo 120)',
    'WAIT_SECONDS=$(printenv SECRETS_SSH_INTERVAL || echo 15)',
    'for ip in $NODES; do',
    '  tries=0',
    `  until scp -q -o ConnectTimeout=10 "$LOCAL" "$USER_NAME@$ip:/tmp/secrets.env"; do`,
    '    tries=$((tries + 1))',
    '    if [ "$tries" -ge "$WAIT_TRIES" ]; then echo "$ip: no SSH after $tries tries" >&2; exit 1; fi',
    '    sleep "$WAIT_SECONDS"',
    '  done',
    `  ssh "$USER_NAME@$ip" 'sudo install -D -m 0600 -o root -g root /tmp/secrets.env ${SECRETS_FILE} && rm -f /tmp/secrets.env'`,
    'done',
  ];
}

const BODY: Record<SecretStore, (plan: StagingPlan, aws: OperatorAws) => string[]> = {
  'ssm-parameter': ssmBody,
  'file-over-ssh': fileOverSshBody,
};

/** `secrets/create-secrets.sh` for the plan's cloud. */
export function createSecretsScript(plan: StagingPlan, aws: OperatorAws = {}): string {
  const body = BODY[factsOf(plan.cloud).secretStore](plan, aws);
  return [
    '#!/usr/bin/env bash',
    `# Creates the secrets of rehearsal ${plan.rehearsalId} (${plan.cloud}). Values never enter Terraform state.`,
    'set -euo pipefail',
    '',
    ...body,
    '',
  ].join('\n');
}
