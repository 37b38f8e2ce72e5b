// Simulator honesty: the official AWS SDK for JavaScript v3 calls every operation
// fixgate's cloud simulator implements and must parse each response — values and
// errors (name, HTTP status, request id) — exactly as it would parse real AWS.
//
// Starts `$FIXGATE_BIN cloudsim --port 0 --seed $FIXGATE_CLOUDSIM_SEED` (defaults:
// build/fixgate and src/cloudsim/seeds/demo.json) and stops it with SIGTERM.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  IAMClient, ListUsersCommand, ListAccessKeysCommand, UpdateAccessKeyCommand, GetAccessKeyLastUsedCommand,
} from '@aws-sdk/client-iam';
import {
  EC2Client, DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand, AuthorizeSecurityGroupIngressCommand,
  GetEbsEncryptionByDefaultCommand, EnableEbsEncryptionByDefaultCommand, DisableEbsEncryptionByDefaultCommand,
  DescribeSnapshotAttributeCommand, ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  S3Client, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, DeletePublicAccessBlockCommand,
  GetBucketAclCommand, PutBucketAclCommand, GetBucketPolicyCommand, GetBucketEncryptionCommand,
  PutBucketEncryptionCommand, DeleteBucketEncryptionCommand,
} from '@aws-sdk/client-s3';
import {
  S3ControlClient, GetPublicAccessBlockCommand as GetAccountPabCommand,
  PutPublicAccessBlockCommand as PutAccountPabCommand,
} from '@aws-sdk/client-s3-control';
import {
  KMSClient, GetKeyRotationStatusCommand, EnableKeyRotationCommand, DisableKeyRotationCommand,
} from '@aws-sdk/client-kms';
import { RDSClient, DescribeDBSnapshotAttributesCommand, ModifyDBSnapshotAttributeCommand } from '@aws-sdk/client-rds';
import { CloudTrailClient, GetTrailCommand, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { ResourceGroupsTaggingAPIClient, GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const BIN = process.env.FIXGATE_BIN || path.join(root, 'build/fixgate');
const SEED = process.env.FIXGATE_CLOUDSIM_SEED || path.join(root, 'src/cloudsim/seeds/demo.json');

const PLATFORM = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ROLE = (account) => `arn:aws:iam::${account}:role/fixgate-remediation`;
const BASTION = 'sg-0bastion0000000000';

let sim;
let endpoint;

before(async () => {
  sim = spawn(BIN, ['cloudsim', '--port', '0', '--seed', SEED], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: sim.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('simulator did not print its port within 15s')), 15000);
    sim.once('exit', (code) => reject(new Error(`simulator exited early with ${code}`)));
    lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
  });
  const m = /^listening 127\.0\.0\.1:(\d+)$/.exec(first);
  assert.ok(m, `unexpected first line: ${first}`);
  endpoint = `http://127.0.0.1:${m[1]}`;
});

after(async () => {
  if (!sim) return;
  const exited = new Promise((resolve) => sim.once('exit', resolve));
  sim.kill('SIGTERM');
  assert.equal(await exited, 0, 'cloudsim exits 0 on SIGTERM');
});

beforeEach(async () => { await admin('POST', '/__sim/reset'); });

async function admin(method, p, body) {
  const res = await fetch(endpoint + p, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

function cfg(credentials, extra = {}) {
  return { region: 'us-east-1', endpoint, credentials, maxAttempts: 1, ...extra };
}

async function assumed(account, externalId = 'demo-external-id') {
  const sts = new STSClient(cfg(PLATFORM));
  const out = await sts.send(new AssumeRoleCommand({
    RoleArn: ROLE(account), RoleSessionName: 'sdk-honesty', ExternalId: externalId, SourceIdentity: 'corr-sdk',
    DurationSeconds: 900,
  }));
  return {
    accessKeyId: out.Credentials.AccessKeyId,
    secretAccessKey: out.Credentials.SecretAccessKey,
    sessionToken: out.Credentials.SessionToken,
  };
}

// Asserts the SDK turned the response into an error with this name and status,
// and that it found the request id.
async function rejectsWith(promise, name, status) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.name, name, `error name (message: ${err.message})`);
    assert.equal(err.$metadata?.httpStatusCode, status, `${name} status`);
    assert.match(err.$metadata?.requestId ?? '', /^[0-9A-Za-z-]{16,}$/, `${name} request id`);
    return err;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

test('STS: GetCallerIdentity, AssumeRole and calls with the assumed credentials', async () => {
  const sts = new STSClient(cfg(PLATFORM));
  const me = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, '999999999999');
  assert.equal(me.Arn, 'arn:aws:iam::999999999999:user/fixgate');
  assert.match(me.$metadata.requestId, /^[0-9a-f-]{36}$/);

  const out = await sts.send(new AssumeRoleCommand({
    RoleArn: ROLE('111111111111'), RoleSessionName: 'fixgate-corr-7', ExternalId: 'demo-external-id',
    SourceIdentity: 'corr-7', DurationSeconds: 900,
  }));
  assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.equal(out.Credentials.SecretAccessKey.length, 40);
  assert.ok(out.Credentials.SessionToken.length > 100);
  assert.ok(out.Credentials.Expiration instanceof Date);
  const minutes = (out.Credentials.Expiration - Date.now()) / 60000;
  assert.ok(minutes > 14 && minutes <= 15, `expiration ${minutes} minutes away`);
  assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::111111111111:assumed-role/fixgate-remediation/fixgate-corr-7');
  assert.match(out.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z0-9]+:fixgate-corr-7$/);
  assert.equal(out.SourceIdentity, 'corr-7');

  const session = new STSClient(cfg({
    accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey,
    sessionToken: out.Credentials.SessionToken,
  }));
  const who = await session.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, '111111111111');
  assert.equal(who.Arn, out.AssumedRoleUser.Arn);
  assert.equal(who.UserId, out.AssumedRoleUser.AssumedRoleId);
});

test('STS: AssumeRole with a wrong or missing external id is AccessDenied', async () => {
  const sts = new STSClient(cfg(PLATFORM));
  const err = await rejectsWith(sts.send(new AssumeRoleCommand({
    RoleArn: ROLE('111111111111'), RoleSessionName: 'fixgate-wrong-ext', ExternalId: 'wrong-external-id',
  })), 'AccessDenied', 403);
  assert.match(err.message, /is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role\/fixgate-remediation/);
  assert.equal(err.Type, 'Sender');
  await rejectsWith(sts.send(new AssumeRoleCommand({ RoleArn: ROLE('333333333333'), RoleSessionName: 'fixgate-no-ext' })),
    'AccessDenied', 403);
});

test('Auth: bad signature, unknown key and expired session are rejected', async () => {
  await rejectsWith(new STSClient(cfg({ ...PLATFORM, secretAccessKey: 'wrong' })).send(new GetCallerIdentityCommand({})),
    'SignatureDoesNotMatch', 403);
  await rejectsWith(new STSClient(cfg({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }))
    .send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
  await rejectsWith(new S3Client(cfg({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }, { forcePathStyle: true }))
    .send(new GetBucketAclCommand({ Bucket: 'public-website-assets' })), 'InvalidAccessKeyId', 403);
  await rejectsWith(new EC2Client(cfg({ ...PLATFORM, secretAccessKey: 'wrong' })).send(new GetEbsEncryptionByDefaultCommand({})),
    'AuthFailure', 401);
  await rejectsWith(new KMSClient(cfg({ ...PLATFORM, secretAccessKey: 'wrong' }))
    .send(new GetKeyRotationStatusCommand({ KeyId: 'x' })), 'InvalidSignatureException', 400);

  const creds = await assumed('111111111111');
  await admin('POST', '/__sim/sessions/expire');
  await rejectsWith(new STSClient(cfg(creds)).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
  await rejectsWith(new S3Client(cfg(creds, { forcePathStyle: true })).send(new GetBucketAclCommand({ Bucket: 'public-website-assets' })),
    'ExpiredToken', 400);
  await rejectsWith(new KMSClient(cfg(creds)).send(new GetKeyRotationStatusCommand({ KeyId: 'x' })),
    'ExpiredTokenException', 400);
});

test('IAM: users, access keys, last use and deactivation', async () => {
  const iam = new IAMClient(cfg(await assumed('111111111111')));
  const users = await iam.send(new ListUsersCommand({}));
  assert.deepEqual(users.Users.map((u) => u.UserName).sort(), ['ci-deployer', 'legacy-batch', 'payments-service']);
  assert.ok(users.Users[0].CreateDate instanceof Date);
  assert.match(users.Users[0].Arn, /^arn:aws:iam::111111111111:user\//);
  assert.equal(users.IsTruncated, false);
  const page = await iam.send(new ListUsersCommand({ MaxItems: 2 }));
  assert.equal(page.IsTruncated, true);
  assert.equal((await iam.send(new ListUsersCommand({ Marker: page.Marker }))).Users.length, 1);

  const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'ci-deployer' }));
  assert.equal(keys.AccessKeyMetadata.length, 1);
  const key = keys.AccessKeyMetadata[0];
  assert.equal(key.AccessKeyId, 'AKIA1STALEKEY0000001');
  assert.equal(key.Status, 'Active');
  const ageDays = (Date.now() - key.CreateDate) / 86400000;
  assert.ok(ageDays > 199 && ageDays < 201, `key age ${ageDays}`);

  const stale = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIA1STALEKEY0000001' }));
  assert.equal(stale.UserName, 'ci-deployer');
  assert.equal(stale.AccessKeyLastUsed.ServiceName, 's3');
  assert.equal(stale.AccessKeyLastUsed.Region, 'us-east-1');
  assert.ok((Date.now() - stale.AccessKeyLastUsed.LastUsedDate) / 86400000 > 90);
  const recent = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIA1RECENTKEY000003' }));
  assert.ok((Date.now() - recent.AccessKeyLastUsed.LastUsedDate) / 3600000 < 24);
  const never = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIA1NEVERUSED000002' }));
  assert.equal(never.AccessKeyLastUsed.ServiceName, 'N/A');
  assert.equal(never.AccessKeyLastUsed.LastUsedDate, undefined);

  await iam.send(new UpdateAccessKeyCommand({ UserName: 'ci-deployer', AccessKeyId: 'AKIA1STALEKEY0000001', Status: 'Inactive' }));
  const after = await iam.send(new ListAccessKeysCommand({ UserName: 'ci-deployer' }));
  assert.equal(after.AccessKeyMetadata[0].Status, 'Inactive');
  await rejectsWith(iam.send(new ListAccessKeysCommand({ UserName: 'ghost' })), 'NoSuchEntityException', 404);
});

test('EC2: describe, revoke exactly one permission, authorize it back', async () => {
  const ec2 = new EC2Client(cfg(await assumed('111111111111')));
  const d = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [BASTION] }));
  assert.equal(d.SecurityGroups.length, 1);
  const sg = d.SecurityGroups[0];
  assert.equal(sg.GroupId, BASTION);
  assert.equal(sg.OwnerId, '111111111111');
  assert.equal(sg.IpPermissions.length, 1);
  const ssh = sg.IpPermissions[0];
  assert.equal(ssh.IpProtocol, 'tcp');
  assert.equal(ssh.FromPort, 22);
  assert.equal(ssh.ToPort, 22);
  assert.deepEqual(ssh.IpRanges.map((r) => r.CidrIp).sort(), ['0.0.0.0/0', '10.0.0.0/8']);
  assert.deepEqual(ssh.Ipv6Ranges.map((r) => r.CidrIpv6), ['::/0']);
  assert.equal(ssh.IpRanges.find((r) => r.CidrIp === '10.0.0.0/8').Description, 'corporate network');
  assert.equal(sg.IpPermissionsEgress[0].IpProtocol, '-1');
  assert.equal(sg.Tags.find((t) => t.Key === 'owner').Value, 'platform-team');

  const app = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-01a000000000000002'] }))).SecurityGroups[0];
  const fromWeb = app.IpPermissions.find((p) => p.FromPort === 8080);
  assert.equal(fromWeb.UserIdGroupPairs[0].GroupId, 'sg-01a000000000000001');
  assert.equal(fromWeb.UserIdGroupPairs[0].UserId, '111111111111');
  assert.equal(app.IpPermissions.find((p) => p.PrefixListIds.length).PrefixListIds[0].PrefixListId, 'pl-0100000000000000a');

  await admin('DELETE', '/__sim/calls');
  const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand({
    GroupId: BASTION,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
  }));
  assert.equal(revoked.Return, true);
  assert.equal((await admin('GET', '/__sim/calls')).counts['ec2:RevokeSecurityGroupIngress'], 1);
  const left = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [BASTION] }))).SecurityGroups[0].IpPermissions[0];
  assert.deepEqual(left.IpRanges.map((r) => r.CidrIp), ['10.0.0.0/8']);
  assert.deepEqual(left.Ipv6Ranges.map((r) => r.CidrIpv6), ['::/0']);

  await rejectsWith(ec2.send(new RevokeSecurityGroupIngressCommand({
    GroupId: BASTION,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
  })), 'InvalidPermission.NotFound', 400);

  const authorized = await ec2.send(new AuthorizeSecurityGroupIngressCommand({
    GroupId: BASTION,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'restored' }] }],
  }));
  assert.equal(authorized.Return, true);
  assert.match(authorized.SecurityGroupRules[0].SecurityGroupRuleId, /^sgr-[0-9a-f]{17}$/);
  assert.equal(authorized.SecurityGroupRules[0].CidrIpv4, '0.0.0.0/0');
  assert.equal(authorized.SecurityGroupRules[0].IsEgress, false);
  await rejectsWith(ec2.send(new AuthorizeSecurityGroupIngressCommand({
    GroupId: BASTION,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
  })), 'InvalidPermission.Duplicate', 400);
  await rejectsWith(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000dead'] })),
    'InvalidGroup.NotFound', 400);
});

test('EC2: EBS encryption by default and snapshot createVolumePermission', async () => {
  const ec2 = new EC2Client(cfg(await assumed('222222222222')));
  assert.equal((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, false);
  assert.equal((await ec2.send(new EnableEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, true);
  assert.equal((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, true);
  assert.equal((await ec2.send(new DisableEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, false);

  const snap = 'snap-0200000000000public';
  const before = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snap, Attribute: 'createVolumePermission' }));
  assert.equal(before.SnapshotId, snap);
  assert.deepEqual(before.CreateVolumePermissions, [{ Group: 'all' }]);
  await ec2.send(new ModifySnapshotAttributeCommand({
    SnapshotId: snap, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove: [{ Group: 'all' }] },
  }));
  const after = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snap, Attribute: 'createVolumePermission' }));
  assert.deepEqual(after.CreateVolumePermissions ?? [], []);
  await ec2.send(new ModifySnapshotAttributeCommand({
    SnapshotId: snap, Attribute: 'createVolumePermission', OperationType: 'add', GroupNames: ['all'],
  }));
  assert.deepEqual((await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snap, Attribute: 'createVolumePermission' })))
    .CreateVolumePermissions, [{ Group: 'all' }]);
  await rejectsWith(ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: 'snap-0000000000000none', Attribute: 'createVolumePermission' })),
    'InvalidSnapshot.NotFound', 400);
});

test('S3: public access block, ACL, policy and encryption', async () => {
  const s3 = new S3Client(cfg(await assumed('111111111111'), { forcePathStyle: true }));
  const Bucket = 'public-website-assets';
  await rejectsWith(s3.send(new GetPublicAccessBlockCommand({ Bucket })), 'NoSuchPublicAccessBlockConfiguration', 404);
  await s3.send(new PutPublicAccessBlockCommand({
    Bucket,
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false },
  }));
  const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
  assert.deepEqual(pab.PublicAccessBlockConfiguration,
    { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false });
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
  await rejectsWith(s3.send(new GetPublicAccessBlockCommand({ Bucket })), 'NoSuchPublicAccessBlockConfiguration', 404);

  const acl = await s3.send(new GetBucketAclCommand({ Bucket }));
  assert.match(acl.Owner.ID, /^[0-9a-f]{64}$/);
  const publicGrant = acl.Grants.find((g) => g.Grantee.Type === 'Group');
  assert.equal(publicGrant.Grantee.URI, 'http://acs.amazonaws.com/groups/global/AllUsers');
  assert.equal(publicGrant.Permission, 'READ');
  await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'private' }));
  const priv = await s3.send(new GetBucketAclCommand({ Bucket }));
  assert.deepEqual(priv.Grants.map((g) => [g.Grantee.Type, g.Permission]), [['CanonicalUser', 'FULL_CONTROL']]);
  await s3.send(new PutBucketAclCommand({ Bucket, AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
  assert.equal((await s3.send(new GetBucketAclCommand({ Bucket }))).Grants.length, 2);

  const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy);
  assert.equal(policy.Statement[0].Principal, '*');

  const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
  assert.equal(enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
  const plain = 'production-customer-exports';
  await rejectsWith(s3.send(new GetBucketEncryptionCommand({ Bucket: plain })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
  await s3.send(new PutBucketEncryptionCommand({
    Bucket: plain,
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
  }));
  const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: plain }))).ServerSideEncryptionConfiguration.Rules[0];
  assert.equal(rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
  assert.equal(rule.BucketKeyEnabled, true);
  await s3.send(new DeleteBucketEncryptionCommand({ Bucket: plain }));
  await rejectsWith(s3.send(new GetBucketEncryptionCommand({ Bucket: plain })), 'ServerSideEncryptionConfigurationNotFoundError', 404);

  await rejectsWith(s3.send(new GetBucketAclCommand({ Bucket: 'no-such-bucket-anywhere' })), 'NoSuchBucket', 404);
  await rejectsWith(s3.send(new GetBucketAclCommand({ Bucket: 'staging-customer-exports' })), 'AccessDenied', 403);
});

test('S3 Control: account-level public access block', async () => {
  // The SDK puts the account id in the host ({AccountId}.localhost:port, an IP would
  // not form a valid URL); connect to loopback while keeping the signed Host header.
  const control = new S3ControlClient(cfg(await assumed('222222222222'), { endpoint: endpoint.replace('127.0.0.1', 'localhost') }));
  control.middlewareStack.add((next) => async (args) => {
    args.request.hostname = '127.0.0.1';
    return next(args);
  }, { step: 'deserialize', name: 'loopbackConnect' });
  const AccountId = '222222222222';
  await rejectsWith(control.send(new GetAccountPabCommand({ AccountId })), 'NoSuchPublicAccessBlockConfiguration', 404);
  await control.send(new PutAccountPabCommand({
    AccountId,
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  }));
  const got = await control.send(new GetAccountPabCommand({ AccountId }));
  assert.deepEqual(got.PublicAccessBlockConfiguration,
    { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  await rejectsWith(control.send(new GetAccountPabCommand({ AccountId: '111111111111' })), 'AccessDenied', 403);
});

test('KMS: key rotation status, enable, disable', async () => {
  const kms = new KMSClient(cfg(await assumed('333333333333')));
  const KeyId = '31111111-2222-3333-4444-555555555555';
  const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
  assert.equal(status.KeyRotationEnabled, false);
  assert.equal(status.KeyId, `arn:aws:kms:us-east-1:333333333333:key/${KeyId}`);
  await kms.send(new EnableKeyRotationCommand({ KeyId }));
  assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, true);
  await kms.send(new DisableKeyRotationCommand({ KeyId }));
  assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, false);
  await rejectsWith(kms.send(new GetKeyRotationStatusCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })),
    'NotFoundException', 400);
});

test('RDS: snapshot restore attribute', async () => {
  const rds = new RDSClient(cfg(await assumed('111111111111')));
  const DBSnapshotIdentifier = 'production-db-public-snapshot';
  const d = await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier }));
  assert.equal(d.DBSnapshotAttributesResult.DBSnapshotIdentifier, DBSnapshotIdentifier);
  assert.deepEqual(d.DBSnapshotAttributesResult.DBSnapshotAttributes, [{ AttributeName: 'restore', AttributeValues: ['all'] }]);
  const m = await rds.send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier, AttributeName: 'restore', ValuesToRemove: ['all'] }));
  assert.deepEqual(m.DBSnapshotAttributesResult.DBSnapshotAttributes[0].AttributeValues ?? [], []);
  await rds.send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier, AttributeName: 'restore', ValuesToAdd: ['444444444444'] }));
  const again = await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier }));
  assert.deepEqual(again.DBSnapshotAttributesResult.DBSnapshotAttributes[0].AttributeValues, ['444444444444']);
  await rejectsWith(rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'nope' })), 'DBSnapshotNotFoundFault', 404);
});

test('CloudTrail: log file validation', async () => {
  const ct = new CloudTrailClient(cfg(await assumed('111111111111')));
  const t = await ct.send(new GetTrailCommand({ Name: 'org-audit-trail' }));
  assert.equal(t.Trail.Name, 'org-audit-trail');
  assert.equal(t.Trail.LogFileValidationEnabled, false);
  assert.equal(t.Trail.IsMultiRegionTrail, true);
  assert.equal(t.Trail.TrailARN, 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-audit-trail');
  const u = await ct.send(new UpdateTrailCommand({ Name: 'org-audit-trail', EnableLogFileValidation: true }));
  assert.equal(u.LogFileValidationEnabled, true);
  assert.equal((await ct.send(new GetTrailCommand({ Name: 'org-audit-trail' }))).Trail.LogFileValidationEnabled, true);
  await rejectsWith(ct.send(new GetTrailCommand({ Name: 'nope' })), 'TrailNotFoundException', 400);
});

test('Tagging: GetResources with tag and type filters', async () => {
  const tagging = new ResourceGroupsTaggingAPIClient(cfg(await assumed('111111111111')));
  const web = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: 'owner', Values: ['web-team'] }] }));
  assert.deepEqual(web.ResourceTagMappingList.map((r) => r.ResourceARN).sort(), [
    'arn:aws:ec2:us-east-1:111111111111:instance/i-0100000000000web',
    'arn:aws:ec2:us-east-1:111111111111:security-group/sg-01a000000000000001',
    'arn:aws:s3:::public-website-assets',
  ]);
  const bucket = web.ResourceTagMappingList.find((r) => r.ResourceARN.startsWith('arn:aws:s3'));
  assert.ok(bucket.Tags.some((t) => t.Key === 'data-classification' && t.Value === 'public'));
  const groups = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['ec2:security-group'] }));
  assert.equal(groups.ResourceTagMappingList.length, 4);
  const page = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['s3'], ResourcesPerPage: 2 }));
  assert.equal(page.ResourceTagMappingList.length, 2);
  const rest = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['s3'], PaginationToken: page.PaginationToken }));
  assert.equal(rest.ResourceTagMappingList.length, 1);
  assert.equal(rest.PaginationToken, '');
});

test('Faults: throttling is retried by the SDK, denial and 500 surface as errors', async () => {
  const creds = await assumed('111111111111');
  await admin('POST', '/__sim/faults', { operation: 'ec2:GetEbsEncryptionByDefault', account: '111111111111', kind: 'throttle', count: 1 });
  await rejectsWith(new EC2Client(cfg(creds)).send(new GetEbsEncryptionByDefaultCommand({})), 'RequestLimitExceeded', 503);
  await admin('POST', '/__sim/faults', { operation: 'ec2:GetEbsEncryptionByDefault', kind: 'throttle', count: 2 });
  const retrying = new EC2Client(cfg(creds, { maxAttempts: 3, retryStrategy: undefined }));
  const out = await retrying.send(new GetEbsEncryptionByDefaultCommand({}));
  assert.equal(out.EbsEncryptionByDefault, false);
  assert.equal(out.$metadata.attempts, 3);

  await admin('POST', '/__sim/faults', { operation: 's3:*', kind: 'throttle', count: 1 });
  await rejectsWith(new S3Client(cfg(creds, { forcePathStyle: true })).send(new GetBucketAclCommand({ Bucket: 'public-website-assets' })),
    'SlowDown', 503);
  await admin('POST', '/__sim/faults', { operation: 'iam:ListUsers', kind: 'throttle', count: 1 });
  await rejectsWith(new IAMClient(cfg(creds)).send(new ListUsersCommand({})), 'Throttling', 400);
  await admin('POST', '/__sim/faults', { operation: 'kms:*', kind: 'throttle', count: 1 });
  await rejectsWith(new KMSClient(cfg(creds)).send(new GetKeyRotationStatusCommand({ KeyId: 'x' })), 'ThrottlingException', 400);

  await admin('POST', '/__sim/faults', { operation: 'RevokeSecurityGroupIngress', kind: 'deny', count: 1 });
  await rejectsWith(new EC2Client(cfg(creds)).send(new RevokeSecurityGroupIngressCommand({
    GroupId: BASTION, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
  })), 'UnauthorizedOperation', 403);
  await admin('POST', '/__sim/faults', { operation: 'sts:AssumeRole', kind: 'internal_error', count: 1 });
  await rejectsWith(new STSClient(cfg(PLATFORM)).send(new AssumeRoleCommand({
    RoleArn: ROLE('111111111111'), RoleSessionName: 'fixgate-fault', ExternalId: 'demo-external-id',
  })), 'InternalFailure', 500);
});
