/**
 * The SQL the runbook runs on restored databases, against a real MariaDB on tables
 * with the columns (and unique keys) of the releases' schemas: nova 2014.1's
 * services and compute_nodes (nova/db/sqlalchemy/models.py), keystone 2014.1's
 * service and endpoint (keystone/catalog/backends/sql.py).
 */
import { catalogStatements } from '../runbook/production-data';
import { forgetServicesSql, stagingHosts } from '../runbook/service-records';
import { DEFAULT_OPTIONS } from '../runbook/types';
import { startMariaDb, type MariaDb } from './support/mariadb';
import { PLANS } from './support/runbook';

const plan = PLANS.reference();
const ctx = { plan, options: { ...DEFAULT_OPTIONS, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };
let db: MariaDb;

beforeAll(() => {
  db = startMariaDb();
});
afterAll(() => db.stop());

describe("Nova's service records after a restore", () => {
  const NOVA_2014_1 = `
    CREATE TABLE services (
      created_at DATETIME, updated_at DATETIME, deleted_at DATETIME, id INT NOT NULL AUTO_INCREMENT,
      host VARCHAR(255), \`binary\` VARCHAR(255), topic VARCHAR(255), report_count INT NOT NULL,
      disabled TINYINT(1), deleted INT, disabled_reason VARCHAR(255), PRIMARY KEY (id),
      UNIQUE KEY uniq_services0host0topic0deleted (host, topic, deleted),
      UNIQUE KEY uniq_services0host0binary0deleted (host, \`binary\`, deleted)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8;
    CREATE TABLE compute_nodes (
      created_at DATETIME, updated_at DATETIME, deleted_at DATETIME, id INT NOT NULL AUTO_INCREMENT,
      service_id INT NOT NULL, vcpus INT NOT NULL, memory_mb INT NOT NULL, local_gb INT NOT NULL,
      vcpus_used INT NOT NULL, memory_mb_used INT NOT NULL, local_gb_used INT NOT NULL,
      hypervisor_type MEDIUMTEXT NOT NULL, hypervisor_version INT NOT NULL, cpu_info MEDIUMTEXT NOT NULL,
      disk_available_least INT, free_ram_mb INT, free_disk_gb INT, current_workload INT, running_vms INT,
      hypervisor_hostname VARCHAR(255), deleted INT, host_ip VARCHAR(39), supported_instances TEXT,
      pci_stats TEXT, metrics TEXT, extra_resources TEXT, stats TEXT, PRIMARY KEY (id),
      CONSTRAINT fk_compute_nodes_service_id FOREIGN KEY (service_id) REFERENCES services (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8;`;
  const service = (host: string, binary: string, deleted = 0) =>
    `INSERT INTO services (created_at, host, \`binary\`, topic, report_count, disabled, deleted) VALUES (NOW(), '${host}', '${binary}', '${binary.replace('nova-', '')}', 1, 0, ${deleted});`;
  const computeNode = (host: string) =>
    `INSERT INTO compute_nodes (service_id, vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used, hypervisor_type, hypervisor_version, cpu_info, hypervisor_hostname, deleted) SELECT id, 8, 16384, 100, 0, 512, 0, 'QEMU', 1005000, '{}', host, 0 FROM services WHERE host = '${host}' AND deleted = 0;`;
  const live = (table: string, column: string) =>
    db.sql(`SELECT ${column} FROM ${table} WHERE deleted = 0 ORDER BY ${column};`, 'nova_cell01').trim().split('\n').filter(Boolean);

  beforeAll(() => {
    db.sql(`DROP DATABASE IF EXISTS nova_cell01; CREATE DATABASE nova_cell01 CHARACTER SET utf8;`);
    db.sql(
      [
        NOVA_2014_1,
        // Production's hosts, one of them with a record Nova had already deleted (deleted = its id).
        service('prod-compute-0417.example.com', 'nova-compute'),
        service('prod-compute-0418.example.com', 'nova-compute'),
        service('prod-cell01-ctl-1', 'nova-conductor'),
        "INSERT INTO services (host, `binary`, topic, report_count, disabled, deleted) VALUES ('prod-cell01-ctl-1', 'nova-conductor', 'conductor', 0, 0, 1000);",
        // The old side's staging hosts, restored into the new side, and the shared compute host.
        service('old-cell01-services-1', 'nova-conductor'),
        service('compute-cell01-1.portal-reference-aws.internal', 'nova-compute'),
        service('new-cell01-services-1', 'nova-conductor'),
        computeNode('prod-compute-0417.example.com'),
        computeNode('prod-compute-0418.example.com'),
        computeNode('compute-cell01-1.portal-reference-aws.internal'),
      ].join('\n'),
      'nova_cell01',
    );
  });

  it("keeps the new side's and the shared hosts' records only, with their compute nodes, and runs again harmlessly", () => {
    const sql = forgetServicesSql(stagingHosts(ctx, 'new')).join('\n');
    expect(db.sql(sql, 'nova_cell01').trim()).toBe('5 deleted service record(s) in all');
    expect(live('services', 'host')).toEqual(['compute-cell01-1.portal-reference-aws.internal', 'new-cell01-services-1']);
    expect(live('compute_nodes', 'hypervisor_hostname')).toEqual(['compute-cell01-1.portal-reference-aws.internal']);
    // Soft-deleted the way Nova does it: deleted = id, so the unique keys hold however many there are.
    expect(
      db
        .sql(
          'SELECT COUNT(*) FROM services WHERE deleted <> 0 AND (deleted <> id OR deleted_at IS NULL) AND deleted <> 1000;',
          'nova_cell01',
        )
        .trim(),
    ).toBe('0');
    expect(db.sql(sql, 'nova_cell01').trim()).toBe('5 deleted service record(s) in all');
    expect(live('services', 'host')).toHaveLength(2);
  });
});

describe("the catalog pointed at the staging (Keystone's endpoint table)", () => {
  const KEYSTONE_2014_1 = `
    CREATE TABLE service (id VARCHAR(64) NOT NULL, type VARCHAR(255), enabled TINYINT(1) NOT NULL DEFAULT 1, extra TEXT, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
    CREATE TABLE endpoint (
      id VARCHAR(64) NOT NULL, legacy_endpoint_id VARCHAR(64), interface VARCHAR(8) NOT NULL, region VARCHAR(255),
      service_id VARCHAR(64) NOT NULL, url TEXT NOT NULL, enabled TINYINT(1) NOT NULL DEFAULT 1, extra TEXT, PRIMARY KEY (id),
      CONSTRAINT endpoint_service_id_fkey FOREIGN KEY (service_id) REFERENCES service (id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8;`;
  const production: [string, string, string][] = [
    ['identity', 'public', 'https://keystone.example.com:5000/v2.0'],
    ['identity', 'admin', 'http://prod-ks-1.example.com:35357/v2.0'],
    ['compute', 'internal', 'http://prod-nova-api.example.com:8774/v2/%(tenant_id)s'],
    ['network', 'public', 'https://neutron.example.com:9696'],
    ['object-store', 'public', 'https://swift.example.com/v1/AUTH_%(tenant_id)s'],
  ];

  it('moves every URL to the edge (public) or the side (internal, admin), keeping each path', () => {
    db.sql('DROP DATABASE IF EXISTS keystone; CREATE DATABASE keystone CHARACTER SET utf8;');
    const types = [...new Set(production.map(([type]) => type))];
    db.sql(
      [
        KEYSTONE_2014_1,
        ...types.map((t) => `INSERT INTO service (id, type, extra) VALUES ('svc-${t}', '${t}', '{}');`),
        ...production.map(
          ([type, iface, url], i) =>
            `INSERT INTO endpoint (id, interface, region, service_id, url, extra) VALUES ('ep${i}', '${iface}', 'RegionOne', 'svc-${type}', '${url}', '{}');`,
        ),
      ].join('\n'),
      'keystone',
    );
    // As the step does: sed puts the edge's address in for EDGE.
    db.sql(catalogStatements(ctx, 'old').join('\n').replaceAll('EDGE', 'edge.example.net'), 'keystone');
    const at = (role: string) => plan.nodes.find((n) => n.side === 'old' && n.role === role)!.addresses.management;
    expect(db.sql('SELECT url FROM endpoint ORDER BY id;', 'keystone').trim().split('\n')).toEqual([
      'http://edge.example.net:5000/v2.0',
      `http://${at('keystone')}:35357/v2.0`,
      `http://${at('nova-api')}:8774/v2/%(tenant_id)s`,
      'http://edge.example.net:9696',
      'http://edge.example.net:8080/v1/AUTH_%(tenant_id)s',
    ]);
  });
});
