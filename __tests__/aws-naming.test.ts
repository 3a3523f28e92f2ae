/** targets/aws/naming.ts: names that fit AWS's limits and stay stable for a rehearsal. */
import { awsBucketPrefix, shortName } from '../targets/aws/naming';

test('a bucket prefix names the rehearsal and purpose, and never passes the 37 characters S3 allows a prefix', () => {
  expect(awsBucketPrefix('portal-reference-aws', 'dumps')).toBe('portal-reference-aws-dumps-');
  expect(awsBucketPrefix('a'.repeat(31), 'backups')).toHaveLength(37);
});

test('a load balancer name fits 32 characters, keeps a readable head and differs between rehearsals of the same head', () => {
  const long = 'portal-reference-aws-with-a-long-name';
  const name = shortName(long, 'edge');
  expect(name.length).toBeLessThanOrEqual(32);
  expect(name).toMatch(/^portal-reference-aws-[0-9a-f]{4}-edge$/);
  expect(name.endsWith('-edge')).toBe(true);
  expect(shortName(long, 'edge')).toBe(name);
  expect(shortName(`${long}-2`, 'edge')).not.toBe(name);
  expect(shortName('short', 'edge')).toMatch(/^short-[0-9a-f]{4}-edge$/);
});
