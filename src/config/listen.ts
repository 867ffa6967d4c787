/**
 * `host:port`, or `[v6-address]:port`. The host is required: the server binds exactly where it is told, so an
 * operator never exposes metrics on every interface by leaving the host out.
 */
export interface ListenAddress {
  readonly host: string;
  /** 0 = an ephemeral port (tests). */
  readonly port: number;
}

export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (m === null) return undefined;
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (host === undefined || port > 65535) return undefined;
  return { host, port };
}
