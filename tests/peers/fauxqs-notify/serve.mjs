// Starts fauxqs (a real SNS/SQS emulator) on 127.0.0.1 with an OS-assigned port,
// creates a topic with an SQS queue subscribed to it, and prints one JSON line:
//   {"address", "topic_arn", "queue_url", "pid"}
// tests/notify/sns_fauxqs_test.cpp publishes with fixgate's own AWS client and
// reads the message back from the queue. The process stops on SIGTERM, or after
// 120 s at the latest, so a crashed test leaves nothing behind.
import { startFauxqs } from "fauxqs";

const server = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false });
const { queueUrl } = server.createQueue("fixgate-notify-q");
const { topicArn } = server.createTopic("fixgate-notify");
server.subscribe({ topic: "fixgate-notify", queue: "fixgate-notify-q" });

process.stdout.write(JSON.stringify({ address: server.address, topic_arn: topicArn, queue_url: queueUrl, pid: process.pid }) + "\n");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}
process.on("SIGTERM", stop);
setTimeout(stop, 120000).unref();
