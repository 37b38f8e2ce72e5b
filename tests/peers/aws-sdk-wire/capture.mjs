// Sends every AWS operation fixgate uses (listed in operations.json, or in the
// case file named as the first argument) through the official AWS SDK for JavaScript
// v3, with fixed credentials and a pinned clock, to a capturing loopback HTTP server,
// and prints the captured requests as JSON on stdout:
//   {"port": N, "time": "...", "requests": [{name, method, target, headers, body}]}
// The SDK's per-invocation telemetry headers (amz-sdk-invocation-id, amz-sdk-request,
// x-amz-user-agent) are removed before signing: they are random or version-specific,
// not part of any operation's wire format. Everything else is as the SDK sends it.
import http from "node:http";
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand, GetAccessKeyLastUsedCommand } from "@aws-sdk/client-iam";
import {
  EC2Client, DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand,
  GetEbsEncryptionByDefaultCommand, EnableEbsEncryptionByDefaultCommand,
} from "@aws-sdk/client-ec2";
import {
  S3Client, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, GetBucketEncryptionCommand,
  PutBucketEncryptionCommand, GetBucketAclCommand, PutBucketAclCommand,
} from "@aws-sdk/client-s3";
import { S3ControlClient, PutPublicAccessBlockCommand as ControlPutPublicAccessBlockCommand } from "@aws-sdk/client-s3-control";
import {
  SQSClient, ReceiveMessageCommand, DeleteMessageCommand, DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand, ChangeMessageVisibilityBatchCommand,
} from "@aws-sdk/client-sqs";
import { ResourceGroupsTaggingAPIClient, GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { KMSClient, EnableKeyRotationCommand } from "@aws-sdk/client-kms";
import { readFileSync } from "node:fs";

// The case file: operations.json unless another file in this folder is named
// (operations-sqs.json holds the SQS worker's calls, checked by tests/sqs).
const casesFile = process.argv[2] ?? "operations.json";
const cases = JSON.parse(readFileSync(new URL(`./${casesFile}`, import.meta.url), "utf8"));
const FIXED = Date.parse(cases.time);
Date.now = () => FIXED;  // the signer reads the clock through Date.now()

const captured = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const headers = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i].toLowerCase()] = req.rawHeaders[i + 1];
    captured.push({ method: req.method, target: req.url, headers, body: Buffer.concat(chunks).toString("utf8") });
    // The Date header carries the pinned time too: a real one would make the SDK
    // correct its clock offset (clock-skew handling) and sign later calls differently.
    res.sendDate = false;
    res.writeHead(400, { "content-type": "text/plain", "x-amzn-requestid": "capture", date: new Date(FIXED).toUTCString() });
    res.end("captured");
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;
const endpoint = `http://127.0.0.1:${port}`;

// Host-prefixed endpoints ({account}.127.0.0.1) must still reach the loopback server.
const agent = new http.Agent({ keepAlive: false, lookup: (_h, opts, cb) => (opts && opts.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)) });

const config = {
  region: cases.region,
  endpoint,
  credentials: cases.credentials,
  maxAttempts: 1,
  requestHandler: { httpAgent: agent },
};

const stripTelemetry = (next) => async (args) => {
  for (const h of ["amz-sdk-invocation-id", "amz-sdk-request", "x-amz-user-agent"]) delete args.request.headers[h];
  return next(args);
};

const clients = {
  sts: new STSClient(config),
  iam: new IAMClient(config),
  ec2: new EC2Client(config),
  s3: new S3Client(config),
  // Node's URL parser rejects "{account}.127.0.0.1", so S3 Control gets a host name.
  s3control: new S3ControlClient({ ...config, endpoint: `http://localhost:${port}` }),
  sqs: new SQSClient(config),
  tagging: new ResourceGroupsTaggingAPIClient(config),
  kms: new KMSClient(config),
};
for (const c of Object.values(clients)) {
  c.middlewareStack.addRelativeTo(stripTelemetry, { relation: "before", toMiddleware: "httpSigningMiddleware", name: "fixgateStripTelemetry" });
}

const commands = {
  AssumeRole: [clients.sts, AssumeRoleCommand],
  GetCallerIdentity: [clients.sts, GetCallerIdentityCommand],
  ListAccessKeys: [clients.iam, ListAccessKeysCommand],
  UpdateAccessKey: [clients.iam, UpdateAccessKeyCommand],
  GetAccessKeyLastUsed: [clients.iam, GetAccessKeyLastUsedCommand],
  DescribeSecurityGroups: [clients.ec2, DescribeSecurityGroupsCommand],
  RevokeSecurityGroupIngress: [clients.ec2, RevokeSecurityGroupIngressCommand],
  GetEbsEncryptionByDefault: [clients.ec2, GetEbsEncryptionByDefaultCommand],
  EnableEbsEncryptionByDefault: [clients.ec2, EnableEbsEncryptionByDefaultCommand],
  GetPublicAccessBlock: [clients.s3, GetPublicAccessBlockCommand],
  PutPublicAccessBlock: [clients.s3, PutPublicAccessBlockCommand],
  GetBucketEncryption: [clients.s3, GetBucketEncryptionCommand],
  PutBucketEncryption: [clients.s3, PutBucketEncryptionCommand],
  GetBucketAcl: [clients.s3, GetBucketAclCommand],
  PutBucketAcl: [clients.s3, PutBucketAclCommand],
  ControlPutPublicAccessBlock: [clients.s3control, ControlPutPublicAccessBlockCommand],
  ReceiveMessage: [clients.sqs, ReceiveMessageCommand],
  DeleteMessage: [clients.sqs, DeleteMessageCommand],
  DeleteMessageBatch: [clients.sqs, DeleteMessageBatchCommand],
  ChangeMessageVisibility: [clients.sqs, ChangeMessageVisibilityCommand],
  ChangeMessageVisibilityBatch: [clients.sqs, ChangeMessageVisibilityBatchCommand],
  GetResources: [clients.tagging, GetResourcesCommand],
  EnableKeyRotation: [clients.kms, EnableKeyRotationCommand],
};

const out = [];
for (const op of cases.operations) {
  const [client, Command] = commands[op.name];
  const before = captured.length;
  try {
    await client.send(new Command(op.input));
  } catch (_e) {
    // The capture server answers every request with an error; only the request matters.
  }
  if (captured.length !== before + 1) {
    console.error(`capture: ${op.name} produced ${captured.length - before} requests`);
    process.exit(1);
  }
  out.push({ name: op.name, ...captured[before] });
}
server.close();
for (const c of Object.values(clients)) c.destroy();
process.stdout.write(JSON.stringify({ port, time: cases.time, requests: out }, null, 1) + "\n");
