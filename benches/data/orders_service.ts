// A representative backend module: an order service behind an HTTP API, with validation,
// a repository over a SQL client, retries, caching and event publishing. Written for the
// pipeline benchmark (benches/pipeline.rs); it is not compiled or run.

import { randomUUID } from "node:crypto";
import type { Request, Response, NextFunction, Router } from "express";
import { z } from "zod";
import { Pool, type PoolClient } from "pg";
import { logger } from "./logger";
import { metrics } from "./metrics";

export type OrderStatus = "pending" | "paid" | "shipped" | "cancelled" | "refunded";

export interface Money {
  readonly amountCents: number;
  readonly currency: "EUR" | "USD" | "GBP";
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: Money;
  metadata?: Record<string, unknown>;
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLine[];
  createdAt: Date;
  updatedAt: Date;
  notes?: string;
}

export interface OrderEvent<T extends string = string, P = unknown> {
  type: T;
  orderId: string;
  payload: P;
  occurredAt: string;
}

const moneySchema = z.object({
  amountCents: z.number().int().nonnegative(),
  currency: z.enum(["EUR", "USD", "GBP"]),
});

const orderLineSchema = z.object({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().positive().max(1000),
  unitPrice: moneySchema,
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const createOrderSchema = z.object({
  customerId: z.string().uuid(),
  lines: z.array(orderLineSchema).min(1).max(200),
  notes: z.string().max(2000).optional(),
});

export type CreateOrderInput = z.infer<typeof createOrderSchema>;

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly details?: any,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string, id: string) {
    super(404, `${what} ${id} was not found`);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message);
  }
}

type Awaitable<T> = T | Promise<T>;

interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  retryOn?: (error: unknown) => boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(operation: () => Awaitable<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      lastError = error;
      const retryable = options.retryOn ? options.retryOn(error) : true;
      if (!retryable || attempt === options.attempts) {
        break;
      }
      const delay = options.baseDelayMs * 2 ** (attempt - 1) + Math.floor(Math.random() * 25);
      logger.warn({ attempt, delay, error }, "retrying after a transient failure");
      await sleep(delay);
    }
  }
  throw lastError;
}

class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      return undefined;
    }
    if (entry.expiresAt < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  invalidate(key: K): void {
    this.entries.delete(key);
  }
}

interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  lines: OrderLine[];
  notes: string | null;
  created_at: Date;
  updated_at: Date;
}

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    lines: row.lines,
    notes: row.notes ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class OrderRepository {
  constructor(private readonly pool: Pool) {}

  async findById(id: string, client?: PoolClient): Promise<Order | undefined> {
    const executor = client ?? this.pool;
    const result = await executor.query<OrderRow>("SELECT * FROM orders WHERE id = $1", [id]);
    return result.rows[0] ? toOrder(result.rows[0]) : undefined;
  }

  async listForCustomer(customerId: string, limit = 50, cursor?: string): Promise<Order[]> {
    const params: unknown[] = [customerId, limit];
    let sql = "SELECT * FROM orders WHERE customer_id = $1";
    if (cursor) {
      params.push(cursor);
      sql += " AND created_at < (SELECT created_at FROM orders WHERE id = $3)";
    }
    sql += " ORDER BY created_at DESC LIMIT $2";
    const result = await this.pool.query<OrderRow>(sql, params);
    return result.rows.map(toOrder);
  }

  async insert(order: Order, client: PoolClient): Promise<void> {
    await client.query(
      "INSERT INTO orders (id, customer_id, status, lines, notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [order.id, order.customerId, order.status, JSON.stringify(order.lines), order.notes ?? null, order.createdAt, order.updatedAt],
    );
  }

  async updateStatus(id: string, from: OrderStatus, to: OrderStatus, client: PoolClient): Promise<boolean> {
    const result = await client.query(
      "UPDATE orders SET status = $3, updated_at = now() WHERE id = $1 AND status = $2",
      [id, from, to],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const value = await work(client);
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
  }
}

export interface EventBus {
  publish<E extends OrderEvent>(event: E): Promise<void>;
}

const allowedTransitions: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["paid", "cancelled"],
  paid: ["shipped", "refunded"],
  shipped: [],
  cancelled: [],
  refunded: [],
};

export function orderTotal(order: Pick<Order, "lines">): Money {
  const currency = order.lines[0]?.unitPrice.currency ?? "EUR";
  const amountCents = order.lines.reduce((sum, line) => {
    if (line.unitPrice.currency !== currency) {
      throw new HttpError(422, "an order cannot mix currencies", { sku: line.sku });
    }
    return sum + line.quantity * line.unitPrice.amountCents;
  }, 0);
  return { amountCents, currency };
}

export class OrderService {
  private readonly cache = new TtlCache<string, Order>(30_000);

  constructor(
    private readonly repository: OrderRepository,
    private readonly events: EventBus,
  ) {}

  async create(input: CreateOrderInput): Promise<Order> {
    const now = new Date();
    const order: Order = { id: randomUUID(), status: "pending", createdAt: now, updatedAt: now, ...input };
    orderTotal(order);
    await this.repository.transaction((client) => this.repository.insert(order, client));
    await this.publish("order.created", order.id, { total: orderTotal(order) });
    metrics.increment("orders.created", { currency: orderTotal(order).currency });
    return order;
  }

  async get(id: string): Promise<Order> {
    const cached = this.cache.get(id);
    if (cached) {
      return cached;
    }
    const order = await withRetry(() => this.repository.findById(id), { attempts: 3, baseDelayMs: 50 });
    if (!order) {
      throw new NotFoundError("order", id);
    }
    this.cache.set(id, order);
    return order;
  }

  async transition(id: string, to: OrderStatus): Promise<Order> {
    const order = await this.get(id);
    if (!allowedTransitions[order.status].includes(to)) {
      throw new ConflictError(`cannot move order ${id} from ${order.status} to ${to}`);
    }
    const changed = await this.repository.transaction((client) =>
      this.repository.updateStatus(id, order.status, to, client),
    );
    if (!changed) {
      throw new ConflictError(`order ${id} changed concurrently`);
    }
    this.cache.invalidate(id);
    await this.publish(`order.${to}`, id, { from: order.status });
    return { ...order, status: to, updatedAt: new Date() };
  }

  private async publish(type: string, orderId: string, payload: any): Promise<void> {
    const event: OrderEvent<string, typeof payload> = { type, orderId, payload, occurredAt: new Date().toISOString() };
    await this.events.publish(event).catch((error: unknown) => {
      logger.error({ error, type, orderId }, "event publishing failed; the outbox will retry");
    });
  }
}

const asyncHandler =
  (handler: (request: Request, response: Response) => Promise<unknown>) =>
  (request: Request, response: Response, next: NextFunction): void => {
    handler(request, response).catch(next);
  };

export function orderRoutes(router: Router, service: OrderService): Router {
  router.post("/orders", asyncHandler(async (request, response) => {
    const parsed = createOrderSchema.safeParse(request.body);
    if (!parsed.success) {
      throw new HttpError(400, "invalid order", parsed.error.flatten());
    }
    response.status(201).json(await service.create(parsed.data));
  }));
  router.get("/orders/:id", asyncHandler(async (request, response) => {
    response.json(await service.get(request.params.id));
  }));
  router.post("/orders/:id/:action(pay|ship|cancel|refund)", asyncHandler(async (request, response) => {
    const targets = { pay: "paid", ship: "shipped", cancel: "cancelled", refund: "refunded" } as const;
    const action = request.params.action as keyof typeof targets;
    response.json(await service.transition(request.params.id, targets[action]));
  }));
  return router;
}

export function errorMiddleware(error: unknown, _request: Request, response: Response, _next: NextFunction): void {
  if (error instanceof HttpError) {
    response.status(error.status).json({ error: error.message, details: error.details });
    return;
  }
  logger.error({ error }, "unhandled error");
  response.status(500).json({ error: "internal error", requestId: (response.locals as any).requestId });
}
