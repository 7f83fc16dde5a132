import type { Context, Hono } from 'hono';
import { ConflictError, UserError } from '../core/errors.js';
import {
  approve,
  edit,
  merge,
  PermissionError,
  reject,
  reopen,
  settleReviewItem,
  split,
  undo,
  undoStack,
} from '../pipeline/review.js';
import { submitDoubleReview } from '../pipeline/review-agreement.js';
import { resolveId } from '../storage/agreement-history.js';
import { getAgreement, type StoredAgreement } from '../storage/agreements.js';
import type { User } from '../storage/users.js';
import type { Body, Env, Services } from './context.js';
import { changesFromForm, type FormValues, formValuesFromBody } from './forms.js';
import { type Html, h, query } from './html.js';
import { loadItem } from './item-data.js';
import { renderItem, undoForm } from './item-page.js';
import type { Flash } from './layout.js';
import {
  filterParams,
  loadQueue,
  neighbours,
  parseFilter,
  type QueueFilter,
  renderQueue,
} from './queue.js';

/** The queue, the item page and every action on an item. */

const str = (body: Body, key: string) => {
  const v = body[key];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
};
const list = (body: Body, key: string): string[] => {
  const v = body[key];
  return typeof v === 'string' ? [v] : Array.isArray(v) ? [...v] : [];
};
const version = (body: Body) => {
  const n = Number(str(body, 'version'));
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/** Messages shown after a redirect; the kind comes from a fixed list, ids are escaped. */
function doneFlash(c: Context<Env>): Flash[] {
  const done = c.req.query('done');
  const ref = c.req.query('ref') ?? '';
  const ref2 = c.req.query('ref2') ?? '';
  const undoHint = h` <span class="muted">Press <kbd>u</kbd> to undo.</span>`;
  const texts: Record<string, Html> = {
    approve: h`Approved ${ref}.${undoHint}`,
    reject: h`Rejected ${ref}.${undoHint}`,
    edit: h`Saved your changes to ${ref}.${undoHint}`,
    merge: h`Merged ${ref2} into ${ref}.${undoHint}`,
    split: h`Split ${ref2} off ${ref}.${undoHint}`,
    undo: h`Undid your ${ref2} of ${ref}.`,
    reopen: h`Reopened ${ref}; it is pending again.`,
    double: h`Saved your double-review coding of ${ref}.`,
    settle: h`Settled a review item of ${ref}.`,
  };
  const out: Flash[] = [];
  if (done !== undefined && texts[done] !== undefined) out.push({ kind: 'ok', text: texts[done] });
  const from = c.req.query('from');
  if (from !== undefined && from !== '')
    out.push({
      kind: 'warn',
      text: h`${from} was merged into this record; you are seeing ${c.req.param('id')}.`,
    });
  return out;
}

export function registerItemRoutes(app: Hono<Env>, s: Services): void {
  const { db, logger } = s;
  const userOf = (c: Context<Env>) => c.get('user') as User;

  app.get('/queue', async (c) => {
    const f = parseFilter((k) => c.req.query(k));
    const q = await loadQueue(db, f, userOf(c));
    const [top] = await undoStack(db, userOf(c).name);
    const toolbar = undoForm(s.ctx(c), filterParams(f), top);
    return s.render(c, {
      title: 'Queue',
      nav: 'queue',
      body: renderQueue(q, f, toolbar),
      flash: doneFlash(c),
    });
  });

  async function showItem(
    c: Context<Env>,
    a: StoredAgreement,
    f: QueueFilter,
    extra: { status?: number; flash?: Flash[]; editValues?: FormValues } = {},
  ) {
    const user = userOf(c);
    const [data, q] = await Promise.all([loadItem(db, a, user), loadQueue(db, f, user)]);
    const n = neighbours(q, a.id, f.sort);
    const body = renderItem(
      {
        data,
        user,
        position: {
          index: n.index,
          total: q.rows.length,
          ...(n.prev === undefined ? {} : { prev: n.prev }),
          ...(n.next === undefined ? {} : { next: n.next }),
        },
        filters: filterParams(f),
        ...(extra.editValues === undefined ? {} : { editValues: extra.editValues }),
      },
      s.ctx(c),
    );
    const title = `${a.id} ${a.record.title_zh ?? a.record.title_en ?? ''}`.trim();
    return s.render(c, {
      title,
      nav: 'queue',
      body,
      flash: [...doneFlash(c), ...(extra.flash ?? [])],
      ...(extra.status === undefined ? {} : { status: extra.status }),
    });
  }

  app.get('/items/:id', async (c) => {
    const id = c.req.param('id');
    const f = parseFilter((k) => c.req.query(k));
    const a = await getAgreement(db, id);
    if (a === undefined) {
      const r = await resolveId(db, id);
      if (r !== undefined)
        return c.redirect(
          `/items/${encodeURIComponent(r.id)}${query({ ...filterParams(f), from: id })}`,
          303,
        );
      return s.render(c, {
        title: 'Not found',
        status: 404,
        flash: [{ kind: 'err', text: h`No record ${id}.` }],
        body: h`<p><a href="/queue">Back to the queue</a></p>`,
      });
    }
    if (a.mergedInto !== null) {
      const r = await resolveId(db, id);
      return c.redirect(
        `/items/${encodeURIComponent(r?.id ?? a.mergedInto)}${query({ ...filterParams(f), from: id })}`,
        303,
      );
    }
    return showItem(c, a, f);
  });

  /**
   * Runs one action. Success redirects (post/redirect/get) to where the reviewer goes next;
   * a conflict or a refused value shows the item again with the reason, nothing changed.
   */
  const act =
    (
      run: (ctx: {
        c: Context<Env>;
        id: string;
        body: Body;
        user: User;
        f: QueueFilter;
        next: string | undefined;
      }) => Promise<string>,
      keepForm = false,
    ) =>
    async (c: Context<Env>) => {
      const id = c.req.param('id') ?? '';
      const body = c.get('body');
      const user = userOf(c);
      const f = parseFilter((k) => str(body, `q.${k}`) || undefined);
      let next: string | undefined;
      if (id !== '') {
        const q = await loadQueue(db, f, user);
        next = neighbours(q, id, f.sort).next;
      }
      try {
        const target = await run({ c, id, body, user, f, next });
        return c.redirect(target, 303);
      } catch (err) {
        const status =
          err instanceof PermissionError
            ? 403
            : err instanceof ConflictError
              ? 409
              : err instanceof UserError
                ? 400
                : 0;
        if (status === 0) throw err;
        logger.info(
          { user: user.name, id, path: c.req.path, code: (err as UserError).code },
          'review action refused',
        );
        const current = id === '' ? undefined : await getAgreement(db, id);
        if (current === undefined || current.mergedInto !== null) throw err;
        return showItem(c, current, f, {
          status,
          flash: [{ kind: 'err', text: (err as Error).message }],
          ...(keepForm && status === 400 ? { editValues: formValuesFromBody(body) } : {}),
        });
      }
    };
  const to = (id: string, f: QueueFilter, done: Record<string, string>) =>
    `/items/${encodeURIComponent(id)}${query({ ...filterParams(f), ...done })}`;
  const afterDecision = (id: string, next: string | undefined, f: QueueFilter, done: string) =>
    next === undefined
      ? `/queue${query({ ...filterParams(f), done, ref: id })}`
      : to(next, f, { done, ref: id });

  app.post(
    '/items/:id/approve',
    act(async ({ id, body, user, f, next }) => {
      await approve(db, {
        id,
        reviewer: user.name,
        note: str(body, 'note') || null,
        expectedVersion: version(body),
      });
      logger.info({ user: user.name, id }, 'approved');
      return afterDecision(id, next, f, 'approve');
    }),
  );

  app.post(
    '/items/:id/reject',
    act(async ({ id, body, user, f, next }) => {
      await reject(db, {
        id,
        reviewer: user.name,
        note: str(body, 'reason').trim(),
        expectedVersion: version(body),
      });
      logger.info({ user: user.name, id }, 'rejected');
      return afterDecision(id, next, f, 'reject');
    }),
  );

  app.post(
    '/items/:id/edit',
    act(async ({ id, body, user, f }) => {
      await edit(db, {
        id,
        reviewer: user.name,
        changes: changesFromForm(body),
        note: str(body, 'note') || null,
        expectedVersion: version(body),
      });
      return to(id, f, { done: 'edit', ref: id });
    }, true),
  );

  app.post(
    '/items/:id/merge',
    act(async ({ id, body, user, f }) => {
      const survivor = str(body, 'survivor').trim() || id;
      const merged = str(body, 'merged').trim();
      if (merged === '') throw new UserError('Name the record to merge');
      const other = Number(str(body, 'other_version'));
      const mine = version(body);
      const versions: { survivor?: number; merged?: number } = {};
      const otherVersion = Number.isInteger(other) && other > 0 ? other : undefined;
      if (survivor === id) {
        if (mine !== undefined) versions.survivor = mine;
        if (otherVersion !== undefined) versions.merged = otherVersion;
      } else {
        if (mine !== undefined) versions.merged = mine;
        if (otherVersion !== undefined) versions.survivor = otherVersion;
      }
      await merge(db, {
        survivor,
        merged,
        reviewer: user.name,
        note: str(body, 'note') || null,
        expectedVersions: versions,
      });
      return to(survivor, f, { done: 'merge', ref: survivor, ref2: merged });
    }),
  );

  app.post(
    '/items/:id/split',
    act(async ({ id, body, user, f }) => {
      const r = await split(db, {
        id,
        reviewer: user.name,
        sourceUrls: list(body, 'source'),
        note: str(body, 'note') || null,
        expectedVersion: version(body),
      });
      return to(id, f, { done: 'split', ref: id, ref2: r.created.id });
    }),
  );

  app.post(
    '/items/:id/reopen',
    act(async ({ id, body, user, f }) => {
      await reopen(db, {
        id,
        reviewer: user.name,
        role: user.role,
        note: str(body, 'note') || null,
        expectedVersion: version(body),
      });
      return to(id, f, { done: 'reopen', ref: id });
    }),
  );

  app.post(
    '/items/:id/double-review',
    act(async ({ id, body, user, f, next }) => {
      const decision = str(body, 'decision') === 'reject' ? 'reject' : 'approve';
      await submitDoubleReview(db, {
        id,
        reviewer: user.name,
        decision,
        changes: changesFromForm(body),
        note: (str(body, 'reason') || str(body, 'note')).trim() || null,
      });
      return afterDecision(id, next, f, 'double');
    }, true),
  );

  app.post(
    '/items/:id/review-items/:item',
    act(async ({ c, id, body, user, f }) => {
      const itemId = Number(c.req.param('item'));
      const choice = str(body, 'choice') === 'take' ? 'take' : 'keep';
      await settleReviewItem(db, {
        id,
        itemId,
        choice,
        reviewer: user.name,
        expectedVersion: version(body),
      });
      return to(id, f, { done: 'settle', ref: id });
    }),
  );

  app.post('/undo', async (c) => {
    const body = c.get('body');
    const user = userOf(c);
    const f = parseFilter((k) => str(body, `q.${k}`) || undefined);
    try {
      const r = await undo(db, user.name);
      return c.redirect(
        to(r.agreement.id, f, { done: 'undo', ref: r.undone.agreement_id, ref2: r.undone.action }),
        303,
      );
    } catch (err) {
      if (!(err instanceof UserError || err instanceof ConflictError)) throw err;
      const q = await loadQueue(db, f, user);
      return s.render(c, {
        title: 'Queue',
        nav: 'queue',
        status: err instanceof ConflictError ? 409 : 400,
        flash: [{ kind: 'err', text: err.message }],
        body: renderQueue(q, f),
      });
    }
  });
}
