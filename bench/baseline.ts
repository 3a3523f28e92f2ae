/** The benchmark's baseline: the smallest cdktf app with one aws_instance, run like main.ts. */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Instance } from '@cdktf/provider-aws/lib/instance';

const app = new App();
const stack = new TerraformStack(app, 'baseline');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
new Instance(stack, 'one', { ami: 'ami-12345678', instanceType: 'm7i.large' });
app.synth();
