import { describeSummary, summarize, violations } from '../deploy/plan-summary';

const change = (address: string, ...actions: string[]) => ({ address, type: address.split('.')[0], change: { actions } });

describe('a saved plan, summarized', () => {
  const show = {
    resource_changes: [
      change('aws_lb_listener.keystone', 'update'),
      change('aws_lb_listener.nova', 'update'),
      change('aws_instance.nodes["old-keystone-1"]', 'no-op'),
      change('data.aws_ami.centos', 'read'),
    ],
  };

  it('counts as Terraform prints, leaving out no-ops and reads', () => {
    const summary = summarize(show);
    expect(describeSummary(summary)).toBe('0 to add, 2 to change, 0 to destroy');
    expect(summary.changes.map((c) => c.address)).toEqual(['aws_lb_listener.keystone', 'aws_lb_listener.nova']);
  });

  it('counts a replacement as one to add and one to destroy', () => {
    const summary = summarize({ resource_changes: [change('aws_instance.nodes["a"]', 'delete', 'create')] });
    expect(describeSummary(summary)).toBe('1 to add, 0 to change, 1 to destroy');
  });
});

describe('what a step expects of its plan', () => {
  it('a switch: listeners updated in place, nothing else', () => {
    const expect_ = { destroy: 'none', onlyUpdate: ['aws_lb_listener'] } as const;
    expect(violations(summarize({ resource_changes: [change('aws_lb_listener.keystone', 'update')] }), expect_)).toEqual([]);
    expect(violations(summarize({ resource_changes: [change('aws_lb_target_group.old', 'update')] }), expect_)).toEqual([
      'aws_lb_target_group.old would be updated; this step only updates aws_lb_listener in place',
    ]);
    expect(violations(summarize({ resource_changes: [change('aws_lb_listener.keystone', 'delete', 'create')] }), expect_)).toEqual([
      'aws_lb_listener.keystone would be replaced, which this step does not expect',
    ]);
  });

  it('a deploy destroys nothing unless allowed; a destroy only destroys', () => {
    const replaced = summarize({
      resource_changes: [change('aws_instance.nodes["a"]', 'delete', 'create'), change('aws_vpc.vpc', 'create')],
    });
    expect(violations(replaced, { destroy: 'none' })).toEqual([
      'aws_instance.nodes["a"] would be replaced, which this step does not expect',
    ]);
    expect(violations(replaced, { destroy: 'any' })).toEqual([]);
    expect(violations(replaced, { destroy: 'all' })).toEqual([
      'aws_instance.nodes["a"] would be replaced by a destroy',
      'aws_vpc.vpc would be created by a destroy',
    ]);
    expect(violations(summarize({ resource_changes: [change('aws_vpc.vpc', 'delete')] }), { destroy: 'all' })).toEqual([]);
  });
});
