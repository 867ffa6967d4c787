import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** The part of a received message the batch calls need. */
export interface Receipt {
  readonly id: string;
  readonly receiptHandle: string;
}

export interface Refusal<M extends Receipt> {
  readonly message: M;
  readonly reason: string;
}

export interface DeleteReport<M extends Receipt> {
  readonly deleted: readonly M[];
  /** Entries SQS refused (or the whole call failing), each with its reason. */
  readonly failed: readonly Refusal<M>[];
}

/**
 * ChangeMessageVisibilityBatch for up to 10 messages. Never throws: the entries SQS refused (a receipt handle that
 * expired because the message became visible and went to another consumer) or a failed call are reported.
 */
export async function changeVisibility<M extends Receipt>(
  client: SQSClient,
  queueUrl: string,
  messages: readonly M[],
  seconds: number,
): Promise<readonly Refusal<M>[]> {
  if (messages.length === 0) return [];
  try {
    const response = await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.receiptHandle,
          VisibilityTimeout: seconds,
        })),
      }),
    );
    const refused = refusals(response.Failed);
    return messages.flatMap((message, i) => {
      const reason = refused.get(String(i));
      return reason === undefined ? [] : [{ message, reason }];
    });
  } catch (err: unknown) {
    return messages.map((message) => ({ message, reason: describe(err) }));
  }
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
    const refused = refusals(response.Failed);
    return {
      deleted: messages.filter((_, i) => !refused.has(String(i))),
      failed: messages.flatMap((message, i) => {
        const reason = refused.get(String(i));
        return reason === undefined ? [] : [{ message, reason }];
      }),
    };
  } catch (err: unknown) {
    const reason = describe(err);
    return { deleted: [], failed: messages.map((message) => ({ message, reason })) };
  }
}

/** A batch call succeeds as a whole and fails per entry: SQS lists the refused entries by the Id we gave them. */
function refusals(
  failed: readonly { Id?: string | undefined; Code?: string | undefined; Message?: string | undefined }[] | undefined,
): Map<string, string> {
  return new Map((failed ?? []).map((f) => [f.Id ?? '', `${f.Code ?? 'unknown'}: ${f.Message ?? ''}`]));
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
