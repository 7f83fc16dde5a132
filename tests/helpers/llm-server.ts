import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the OpenAI chat-completions protocol (POST /v1/chat/completions),
 * on 127.0.0.1 and an OS-chosen port, for the LLM extractor's tests. Each test sets what the
 * "model" answers; every request body is recorded.
 */

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly { role: string; content: string }[];
  readonly max_tokens?: number;
  readonly temperature?: number;
  readonly response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
}

/** What the server does with one request. */
export interface Reply {
  /** The assistant message content (a JSON answer, or anything else to test failures). */
  readonly content?: string;
  /** @default 200 */
  readonly status?: number;
  /** Wait this long before answering (time-limit tests). @default 0 */
  readonly delayMs?: number;
  /** @default 'stop' */
  readonly finishReason?: 'stop' | 'length';
  /** Reported in `usage.total_tokens`. @default 100 */
  readonly tokens?: number;
}

export type Responder = (request: ChatRequest) => Reply;

export interface LlmServer {
  /** The base URL to give the client: `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: string;
  readonly requests: ChatRequest[];
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/** The page text the extractor sent (after the "Page text:" line of the user message). */
export function pageTextOf(request: ChatRequest): string {
  const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const at = user.indexOf('Page text:\n');
  return at === -1 ? user : user.slice(at + 'Page text:\n'.length);
}

export async function startLlmServer(): Promise<LlmServer> {
  const requests: ChatRequest[] = [];
  let responder: Responder = () => ({ status: 500, content: 'no responder set' });
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      requests.push(body);
      const reply = responder(body);
      const send = (): void => {
        if (res.destroyed) return;
        const status = reply.status ?? 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        if (status !== 200) {
          res.end(
            JSON.stringify({ error: { message: reply.content ?? 'error', type: 'server_error' } }),
          );
          return;
        }
        const tokens = reply.tokens ?? 100;
        res.end(
          JSON.stringify({
            id: `chatcmpl-${requests.length}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: reply.content ?? '' },
                finish_reason: reply.finishReason ?? 'stop',
              },
            ],
            usage: { prompt_tokens: tokens - 10, completion_tokens: 10, total_tokens: tokens },
          }),
        );
      };
      if ((reply.delayMs ?? 0) > 0) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    respond(r) {
      responder = r;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
