/**
 * A real OpenLDAP for the tests (Debian's slapd), set up as a fresh EL7 `openldap-servers`
 * is: cn=config with only the core schema, one database with the package's placeholder
 * suffix and no access rules. It listens on a socket in a temporary directory only (no
 * TCP port); root over that socket manages cn=config, as on a node. Stopped by the caller.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAndRemove } from './server';

export interface Slapd {
  readonly dir: string;
  /** The server's URI, for `-H`. */
  readonly uri: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Debian's schema files (EL keeps the same ones in /etc/openldap/schema). */
export const DEBIAN_SCHEMA_DIR = '/etc/ldap/schema';

export function startSlapd(): Slapd {
  const dir = mkdtempSync(join(tmpdir(), 'slapd-'));
  const socket = join(dir, 'ldapi');
  const uri = `ldapi://${encodeURIComponent(socket)}`;
  mkdirSync(join(dir, 'db'));
  mkdirSync(join(dir, 'slapd.d'));
  const [uid, gid] = [process.getuid?.() ?? 0, process.getgid?.() ?? 0];
  // cn=config as LDIF, loaded offline the way slapd.d is meant to be made (slapadd -n 0).
  writeFileSync(
    join(dir, 'config.ldif'),
    [
      'dn: cn=config',
      'objectClass: olcGlobal',
      'cn: config',
      `olcPidFile: ${join(dir, 'slapd.pid')}`,
      '',
      'dn: cn=module{0},cn=config',
      'objectClass: olcModuleList',
      'cn: module{0}',
      'olcModulePath: /usr/lib/ldap',
      'olcModuleLoad: back_mdb',
      '',
      'dn: cn=schema,cn=config',
      'objectClass: olcSchemaConfig',
      'cn: schema',
      '',
      `include: file://${DEBIAN_SCHEMA_DIR}/core.ldif`,
      '',
      'dn: olcDatabase={0}config,cn=config',
      'objectClass: olcDatabaseConfig',
      'olcDatabase: {0}config',
      `olcAccess: to * by dn.exact="gidNumber=${gid}+uidNumber=${uid},cn=peercred,cn=external,cn=auth" manage by * none`,
      '',
      'dn: olcDatabase={1}mdb,cn=config',
      'objectClass: olcDatabaseConfig',
      'objectClass: olcMdbConfig',
      'olcDatabase: {1}mdb',
      'olcSuffix: dc=my-domain,dc=com',
      'olcRootDN: cn=Manager,dc=my-domain,dc=com',
      `olcDbDirectory: ${join(dir, 'db')}`,
      '',
    ].join('\n'),
  );
  const load = spawnSync('slapadd', ['-n', '0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')], { encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`slapadd of cn=config failed: ${load.stderr}`);
  const server: ChildProcess = spawn('slapd', ['-d', '0', '-F', join(dir, 'slapd.d'), '-h', uri], { stdio: 'ignore' });
  const answers = () =>
    spawnSync('ldapsearch', ['-LLL', '-Q', '-Y', 'EXTERNAL', '-H', uri, '-s', 'base', '-b', 'cn=config', 'dn'], { encoding: 'utf8' })
      .status === 0;
  for (let i = 0; i < 100 && !(existsSync(socket) && answers()); i++) sleep(100);
  if (!answers()) {
    server.kill();
    throw new Error('slapd did not answer on its socket in 10 s');
  }
  return {
    dir,
    uri,
    stop: stopAndRemove(server, dir),
  };
}
