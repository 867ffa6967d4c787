import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** The part of a received message the batch calls need. */
export interface Receipt {
  readonly id: string;
  readonly receiptHandle: string;
}

export interface DeleteReport<M extends Receipt> {
  readonly deleted: readonly M[];
  /** Entries SQS refused (or the whole call failing), each with its reason. */
  readonly failed: readonly { readonly message: M; readonly reason: string }[];
}

/** ChangeMessageVisibilityBatch for up to 10 messages; throws when the call fails (callers decide if that matters). */
export async function changeVisibility(
  client: SQSClient,
  queueUrl: string,
  messages: readonly Receipt[],
  seconds: number,
): Promise<void> {
  if (messages.length === 0) return;
  await client.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle, VisibilityTimeout: seconds })),
    }),
  );
}

/** DeleteMessageBatch for up to 10 messages; never throws: what was not deleted is reported with its reason. */
export async function deleteMessages<M extends Receipt>(
  client: SQSClient,
  queueUrl: string,
  messages: readonly M[],
): Promise<DeleteReport<M>> {
  if (messages.length === 0) return { deleted: [], failed: [] };
  try {
    const response = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
      }),
    );
    // A batch call succeeds as a whole and fails per entry: SQS lists the refused entries by the Id we gave them.
    const refused = new Map(
      (response.Failed ?? []).map((f) => [f.Id ?? '', `${f.Code ?? 'unknown'}: ${f.Message ?? ''}`]),
    );
    return {
      deleted: messages.filter((_, i) => !refused.has(String(i))),
      failed: messages.flatMap((message, i) => {
        const reason = refused.get(String(i));
        return reason === undefined ? [] : [{ message, reason }];
      }),
    };
  } catch (err: unknown) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { deleted: [], failed: messages.map((message) => ({ message, reason })) };
  }
}
