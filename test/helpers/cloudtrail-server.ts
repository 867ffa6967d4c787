import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// CloudTrail's LookupEvents over AWS JSON 1.1 (`X-Amz-Target: …CloudTrail_20131101.LookupEvents`), enough for
// the real @aws-sdk/client-cloudtrail: the EventSource attribute, StartTime/EndTime (epoch seconds), MaxResults
// and NextToken, newest first, as the CloudTrail API reference describes. No CloudTrail emulator exists here.
export interface CloudTrailServer {
  readonly endpoint: string;
  /** When each LookupEvents request arrived (ms), to check the client's rate. */
  readonly requests: number[];
  stop(): Promise<void>;
}

export async function startCloudTrailServer(records: readonly Record<string, unknown>[]): Promise<CloudTrailServer> {
  const requests: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(Date.now());
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const source = (body['LookupAttributes'] as { AttributeKey: string; AttributeValue: string }[] | undefined)?.find(
        (a) => a.AttributeKey === 'EventSource',
      )?.AttributeValue;
      const start = Number(body['StartTime'] ?? 0) * 1000;
      const end = Number(body['EndTime'] ?? Number.MAX_SAFE_INTEGER / 1000) * 1000;
      const matching = records
        .filter((r) => source === undefined || r['eventSource'] === source)
        .filter((r) => {
          const t = Date.parse(String(r['eventTime']));
          return t >= start && t <= end;
        })
        .sort((a, b) => Date.parse(String(b['eventTime'])) - Date.parse(String(a['eventTime'])));
      const from = Number(body['NextToken'] ?? 0);
      const size = Number(body['MaxResults'] ?? 50);
      const page = matching.slice(from, from + size);
      const next = from + size < matching.length ? { NextToken: String(from + size) } : {};
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          Events: page.map((r) => ({
            EventId: r['eventID'],
            EventName: r['eventName'],
            EventSource: r['eventSource'],
            EventTime: Date.parse(String(r['eventTime'])) / 1000,
            CloudTrailEvent: JSON.stringify(r),
          })),
          ...next,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
