// fauxqs on loopback for fixgate's SQS worker tests, driven by one JSON command
// per stdin line; each command gets exactly one JSON reply line on stdout.
//
// On start (port 0, 127.0.0.1 only) it prints {"endpoint": "http://127.0.0.1:N"}.
// Commands:
//   {"op":"setup","name":N,"maxReceiveCount":2,"visibilityTimeout":30}
//       creates the DLQ "N-dlq", the queue "N" with RedrivePolicy → that DLQ,
//       the SNS topic "N" and the queue's subscription to it — all through the
//       official SQS/SNS clients, as an operator would — and replies
//       {"queueUrl","queueArn","dlqUrl","topicArn"}
//   {"op":"publish","topicArn":T,"message":M}   SNS Publish → {"messageId"}
//   {"op":"send","queueUrl":U,"message":M}       SQS SendMessage (raw) → {"messageId"}
//   {"op":"inspect","name":N}   → {"ready":[...],"inflight":[...],"delayed":n} where
//       each message is {"messageId","body","receiveCount"}; non-destructive
// Errors reply {"error": "..."}. stdin closing stops the server and exits.
import { createInterface } from "node:readline";
import { buildApp } from "fauxqs";
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand } from "@aws-sdk/client-sns";
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";

const app = buildApp({ logger: false });
const listening = await app.listen({ port: 0, host: "127.0.0.1" });
const endpoint = `http://127.0.0.1:${new URL(listening).port}`;
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const sns = new SNSClient(config);
const sqs = new SQSClient(config);

async function queueArn(queueUrl) {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  return out.Attributes.QueueArn;
}

const brief = (m) => ({ messageId: m.messageId, body: m.body, receiveCount: m.approximateReceiveCount });

async function handle(cmd) {
  switch (cmd.op) {
    case "setup": {
      const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${cmd.name}-dlq` }));
      const dlqArn = await queueArn(dlq.QueueUrl);
      const queue = await sqs.send(new CreateQueueCommand({
        QueueName: cmd.name,
        Attributes: {
          VisibilityTimeout: String(cmd.visibilityTimeout ?? 30),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(cmd.maxReceiveCount ?? 2) }),
        },
      }));
      const arn = await queueArn(queue.QueueUrl);
      const topic = await sns.send(new CreateTopicCommand({ Name: cmd.name }));
      await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: "sqs", Endpoint: arn }));
      return { queueUrl: queue.QueueUrl, queueArn: arn, dlqUrl: dlq.QueueUrl, topicArn: topic.TopicArn };
    }
    case "publish": {
      const out = await sns.send(new PublishCommand({ TopicArn: cmd.topicArn, Message: cmd.message }));
      return { messageId: out.MessageId };
    }
    case "send": {
      const out = await sqs.send(new SendMessageCommand({ QueueUrl: cmd.queueUrl, MessageBody: cmd.message }));
      return { messageId: out.MessageId };
    }
    case "inspect": {
      const res = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(cmd.name)}`);
      if (res.status !== 200) return { error: `inspect ${cmd.name}: HTTP ${res.status}` };
      const q = await res.json();
      return {
        ready: q.messages.ready.map(brief),
        inflight: q.messages.inflight.map((e) => brief(e.message)),
        delayed: q.messages.delayed.length,
      };
    }
    default:
      return { error: `unknown op ${cmd.op}` };
  }
}

process.stdout.write(JSON.stringify({ endpoint }) + "\n");
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let reply;
  try {
    reply = await handle(JSON.parse(line));
  } catch (e) {
    reply = { error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
sns.destroy();
sqs.destroy();
await app.close();
process.exit(0);
