/**
 * Glance's image store on Swift, as production keeps it. The role manifest
 * (assets/puppet.ts) leaves the store alone: the modules' store classes differ per
 * release, and Packstack itself picked them per run (Icehouse's has no Glance backend
 * option; Liberty's CONFIG_GLANCE_BACKEND, packstack/plugins/glance_200.py at
 * liberty-eol). So the node merges these settings into glance-api.conf itself. Icehouse (glance 2014.1
 * glance/store/__init__.py, swift.py) reads them in [DEFAULT], where the Swift store
 * must also be among `known_stores`; from Juno the glance_store library reads
 * [glance_store].
 */
import { RELEASES } from '../profile/schema';
import type { NodePlan, StagingPlan } from '../plan/types';
import { firstAddress } from './endpoints';
import { renderIni } from './ini';
import { placeholder } from './secrets';

export const GLANCE_CONF_DIR = '/etc/glance/glance-api.conf.d';

export interface GlanceFragment {
  readonly path: string;
  readonly content: string;
}

export function glanceFragments(plan: StagingPlan, node: NodePlan): GlanceFragment[] {
  if (node.role !== 'glance' || plan.glance.backend !== 'swift') return [];
  const side = node.side === 'new' ? 'new' : 'old';
  const store: [string, string][] = [
    ['default_store', 'swift'],
    // Packstack's own Swift-backed Glance settings (packstack/puppet/templates/glance_swift.pp, liberty-eol).
    ['swift_store_auth_address', `http://${firstAddress(plan, 'keystone', side)}:5000/v2.0/`],
    ['swift_store_user', 'services:glance'],
    ['swift_store_key', placeholder('GLANCE_KS_PASSWORD')],
    ['swift_store_container', 'glance'],
    ['swift_store_auth_version', '2'],
    ['swift_store_create_container_on_put', 'True'],
  ];
  const beforeJuno = RELEASES.indexOf(node.release) < RELEASES.indexOf('juno');
  const section: [string, [string, string][]] = beforeJuno
    ? ['DEFAULT', [['known_stores', 'glance.store.filesystem.Store,glance.store.http.Store,glance.store.swift.Store'], ...store]]
    : ['glance_store', [['stores', 'file,http,swift'], ...store]];
  return [
    {
      path: `${GLANCE_CONF_DIR}/swift-store.conf`,
      content: renderIni([section], [`Glance of ${node.name}: images in the ${side} side's Swift, as production keeps them.`]),
    },
  ];
}
