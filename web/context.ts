import type { Context } from 'hono';
import type { Logger } from '../core/logger.js';
import type { DB } from '../storage/database.js';
import type { Session } from '../storage/sessions.js';
import type { User } from '../storage/users.js';
import type { PageContext, PageOptions } from './layout.js';

/** What the route modules share: request variables and the app's services. */

export type Body = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface Env {
  Variables: {
    nonce: string;
    user: User | null;
    session: Session | null;
    sessionState: 'valid' | 'expired' | 'unknown' | 'none';
    body: Body;
  };
}

export interface Services {
  readonly db: DB;
  readonly logger: Logger;
  readonly now: () => number;
  render(c: Context<Env>, o: PageOptions & { status?: number }): Response;
  ctx(c: Context<Env>): PageContext;
}
