"""A representative backend module: billing tasks for a web application, with a repository
over a database connection, an HTTP client for a payment provider, retries, caching and
background jobs. Written for the pipeline benchmark (benches/pipeline.rs); it is not run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import logging
import os
import time
from collections import defaultdict
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, TypeVar

import httpx
from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

T = TypeVar("T")

PROVIDER_URL = os.environ.get("PAYMENT_PROVIDER_URL", "https://payments.example.com/v2")
PROVIDER_TIMEOUT = float(os.environ.get("PAYMENT_PROVIDER_TIMEOUT", "10"))
MAX_ATTEMPTS = 4
CENT = Decimal("0.01")


class InvoiceStatus(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class BillingError(Exception):
    """A billing operation failed in a way the caller should report."""


class ProviderError(BillingError):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"payment provider answered {status}: {body[:200]}")
        self.status = status
        self.body = body

    @property
    def retryable(self) -> bool:
        return self.status >= 500 or self.status == 429


@dataclasses.dataclass(frozen=True)
class LineItem:
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal = Decimal("0")

    @property
    def subtotal(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def tax(self) -> Decimal:
        return (self.subtotal * self.tax_rate).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclasses.dataclass
class Invoice:
    id: int
    customer_id: int
    currency: str
    status: InvoiceStatus
    items: list[LineItem] = dataclasses.field(default_factory=list)
    due_at: Optional[dt.datetime] = None
    provider_reference: Optional[str] = None

    @property
    def total(self) -> Decimal:
        return sum((item.subtotal + item.tax for item in self.items), Decimal("0"))

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.status is InvoiceStatus.OPEN and self.due_at is not None and self.due_at < now

    def to_payload(self) -> dict[str, Any]:
        return {
            "reference": f"inv-{self.id}",
            "customer": str(self.customer_id),
            "currency": self.currency.lower(),
            "amount": str(self.total),
            "lines": [
                {"description": item.description, "quantity": item.quantity, "amount": str(item.subtotal)}
                for item in self.items
            ],
        }


def retry(attempts: int = MAX_ATTEMPTS, base_delay: float = 0.5) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Retries a call on retryable provider errors and network errors, with backoff."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        def wrapper(*args: Any, **kwargs: Any) -> T:
            for attempt in range(1, attempts + 1):
                try:
                    return function(*args, **kwargs)
                except ProviderError as error:
                    if not error.retryable or attempt == attempts:
                        raise
                except (httpx.TransportError, TimeoutError):
                    if attempt == attempts:
                        raise
                delay = base_delay * 2 ** (attempt - 1)
                logger.warning("retrying %s in %.1fs (attempt %d)", function.__name__, delay, attempt)
                time.sleep(delay)
            raise AssertionError("unreachable")

        wrapper.__name__ = function.__name__
        return wrapper

    return decorate


class PaymentProvider:
    def __init__(self, api_key: str, base_url: str = PROVIDER_URL, timeout: float = PROVIDER_TIMEOUT) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    @retry()
    def create_charge(self, invoice: Invoice, idempotency_key: str) -> str:
        response = self._client.post(
            "/charges", content=json.dumps(invoice.to_payload()), headers={"Idempotency-Key": idempotency_key}
        )
        if response.status_code >= 400:
            raise ProviderError(response.status_code, response.text)
        return response.json()["id"]

    @retry()
    def charge_status(self, reference: str) -> str:
        response = self._client.get(f"/charges/{reference}")
        if response.status_code >= 400:
            raise ProviderError(response.status_code, response.text)
        return response.json().get("status", "unknown")


class InvoiceRepository:
    columns = ("id", "customer_id", "currency", "status", "due_at", "provider_reference", "items")

    def _row_to_invoice(self, row: tuple[Any, ...]) -> Invoice:
        values = dict(zip(self.columns, row))
        try:
            items = [LineItem(**{**item, "unit_price": Decimal(item["unit_price"])}) for item in json.loads(values["items"])]
        except:
            logger.exception("invoice %s has unreadable items", values["id"])
            items = []
        return Invoice(
            id=values["id"],
            customer_id=values["customer_id"],
            currency=values["currency"],
            status=InvoiceStatus(values["status"]),
            items=items,
            due_at=values["due_at"],
            provider_reference=values["provider_reference"],
        )

    def get(self, invoice_id: int) -> Invoice:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(self.columns)} FROM billing_invoice WHERE id = %s", [invoice_id])
            row = cursor.fetchone()
        if row is None:
            raise BillingError(f"invoice {invoice_id} does not exist")
        return self._row_to_invoice(row)

    def open_invoices(self, batch_size: int = 500) -> Iterator[Invoice]:
        last_id = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {', '.join(self.columns)} FROM billing_invoice "
                    "WHERE status = %s AND id > %s ORDER BY id LIMIT %s",
                    [InvoiceStatus.OPEN.value, last_id, batch_size],
                )
                rows = cursor.fetchall()
            if not rows:
                return
            for row in rows:
                yield self._row_to_invoice(row)
            last_id = rows[-1][0]

    def mark(self, invoice_id: int, status: InvoiceStatus, reference: Optional[str] = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE billing_invoice SET status = %s, provider_reference = COALESCE(%s, provider_reference), "
                "updated_at = now() WHERE id = %s",
                [status.value, reference, invoice_id],
            )


@contextmanager
def timed(name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        logger.info("%s took %.3fs", name, time.perf_counter() - started)


def group_by_customer(invoices: Iterable[Invoice]) -> Mapping[int, list[Invoice]]:
    grouped: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        grouped[invoice.customer_id].append(invoice)
    return grouped


def provider() -> PaymentProvider:
    api_key = os.environ.get("PAYMENT_PROVIDER_KEY")
    if not api_key:
        raise BillingError("PAYMENT_PROVIDER_KEY is not set")
    return PaymentProvider(api_key)


@shared_task(bind=True, max_retries=3, acks_late=True)
def charge_invoice(self: Any, invoice_id: int) -> Optional[str]:
    repository = InvoiceRepository()
    invoice = repository.get(invoice_id)
    if invoice.status is not InvoiceStatus.OPEN:
        logger.info("invoice %s is %s: nothing to charge", invoice_id, invoice.status.value)
        return None
    client = provider()
    try:
        with transaction.atomic():
            reference = client.create_charge(invoice, idempotency_key=f"invoice-{invoice.id}")
            repository.mark(invoice.id, InvoiceStatus.PAID, reference)
    except ProviderError as error:
        if error.status == 402:
            repository.mark(invoice.id, InvoiceStatus.UNCOLLECTIBLE)
            return None
        raise self.retry(exc=error, countdown=60)
    finally:
        client.close()
    return reference


@shared_task
def reconcile_open_invoices() -> dict[str, int]:
    repository = InvoiceRepository()
    client = provider()
    counts = {"checked": 0, "paid": 0, "failed": 0}
    now = timezone.now()
    with timed("reconcile_open_invoices"):
        for customer_id, invoices in group_by_customer(repository.open_invoices()).items():
            for invoice in invoices:
                counts["checked"] += 1
                if invoice.provider_reference is None:
                    if invoice.is_overdue(now):
                        charge_invoice.delay(invoice.id)
                    continue
                try:
                    status = client.charge_status(invoice.provider_reference)
                except:
                    counts["failed"] += 1
                    continue
                if status == "succeeded":
                    repository.mark(invoice.id, InvoiceStatus.PAID)
                    counts["paid"] += 1
            logger.debug("customer %s reconciled", customer_id)
    client.close()
    return counts


def export_ledger(invoices: Iterable[Invoice], path: str) -> int:
    written = 0
    temporary = f"{path}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            for invoice in invoices:
                row = {"id": invoice.id, "customer": invoice.customer_id, "total": str(invoice.total)}
                handle.write(json.dumps(row, sort_keys=True) + "\n")
                written += 1
        os.replace(temporary, path)
    except:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return written


def parse_amount(text: str) -> Optional[Decimal]:
    cleaned = text.strip().replace(",", "").lstrip("$€£")
    try:
        return Decimal(cleaned).quantize(CENT, rounding=ROUND_HALF_UP)
    except Exception:
        return None
