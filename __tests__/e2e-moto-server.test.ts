/**
 * The local deploy test's moto (e2e/moto_server.py): a terminated instance gives its
 * interfaces and addresses back as EC2 does, so a side destroyed and rebuilt at the
 * same fixed addresses deploys again; and a retried request is answered once.
 * Driven with boto3 against the server on a free loopback port, always stopped.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

const CHECK = String.raw`
import boto3, socket, subprocess, sys, time, urllib.request
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([sys.executable, sys.argv[1], "127.0.0.1", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/moto-api/" % port); break
        except Exception:
            time.sleep(0.1)
    ec2 = boto3.client("ec2", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    management = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    api = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.2.0/24")["Subnet"]["SubnetId"]
    ami = ec2.describe_images()["Images"][0]["ImageId"]
    for build in (1, 2):  # the second build reuses every address of the first
        e0 = ec2.create_network_interface(SubnetId=management, PrivateIpAddress="10.9.1.10")["NetworkInterface"]["NetworkInterfaceId"]
        e1 = ec2.create_network_interface(SubnetId=api, PrivateIpAddress="10.9.2.10")["NetworkInterface"]["NetworkInterfaceId"]
        i = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                              NetworkInterfaces=[{"NetworkInterfaceId": e0, "DeviceIndex": 0}, {"NetworkInterfaceId": e1, "DeviceIndex": 1}])["Instances"][0]["InstanceId"]
        ec2.terminate_instances(InstanceIds=[i])
        state = ec2.describe_instances(InstanceIds=[i])["Reservations"][0]["Instances"][0]["State"]["Name"]
        kept = sorted(n["Status"] for n in ec2.describe_network_interfaces(NetworkInterfaceIds=[e0, e1])["NetworkInterfaces"])
        ec2.delete_network_interface(NetworkInterfaceId=e1)
        ec2.delete_network_interface(NetworkInterfaceId=e0)
        j = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=management, PrivateIpAddress="10.9.1.11")["Instances"][0]["InstanceId"]
        ec2.terminate_instances(InstanceIds=[j])
        print("build %d: %s, interfaces %s" % (build, state, ",".join(kept)))
    # A retry of one invocation is answered, not run again: a second rule is no duplicate.
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    body = "Action=AuthorizeSecurityGroupIngress&GroupId=%s&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0%%2F8&Version=2016-11-15" % group
    statuses = []
    for attempt in (1, 2):
        request = urllib.request.Request("http://127.0.0.1:%d/" % port, data=body.encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "amz-sdk-invocation-id": "retried-once",
            "amz-sdk-request": "attempt=%d; max=3" % attempt,
            "Authorization": "AWS4-HMAC-SHA256 Credential=t/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x"})
        statuses.append(urllib.request.urlopen(request).status)
    rules = [r for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"] if not r["IsEgress"]]
    print("retry: %s, %d rule" % (statuses, len(rules)))
finally:
    server.terminate()
`;

test('terminated instances release interfaces and addresses; a retry is answered once', () => {
  const r = spawnSync('python3', ['-c', CHECK, join(__dirname, '..', 'e2e', 'moto_server.py')], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim().split('\n')).toEqual([
    'build 1: terminated, interfaces available,available',
    'build 2: terminated, interfaces available,available',
    'retry: [200, 200], 1 rule',
  ]);
});
