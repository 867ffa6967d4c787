// The floor of the SQS benchmark, in its own process like the daemon: `pollers` loops of ReceiveMessage (10) and
// DeleteMessageBatch, nothing else, until `count` messages are gone. Prints the elapsed milliseconds.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { performance } from 'node:perf_hooks';

const [endpoint = '', queueUrl = '', pollersArg = '1', countArg = '0'] = process.argv.slice(2);
const sqs = new SQSClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  useQueueUrlAsEndpoint: false,
});
const count = Number(countArg);
let done = 0;
let finished = 0;
const t = performance.now();
const loop = async (): Promise<void> => {
  while (done < count) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = r.Messages ?? [];
    if (messages.length === 0) continue;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
    done += messages.length;
    // The last delete ends the measurement, not the other loops' long polls on the empty queue that follow it.
    if (done >= count && finished === 0) finished = performance.now();
  }
};
await Promise.all(Array.from({ length: Number(pollersArg) }, loop));
process.stdout.write(`${finished - t}\n`);
sqs.destroy();
